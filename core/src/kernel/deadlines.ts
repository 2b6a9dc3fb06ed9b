/**
 * The deadline policy in force: the business calendar (built-in Russian production calendar, the
 * config's working week and hours, and the days an administrator edited in the database) with the
 * 59-FZ terms from the config. Rebuilt when the calendar is edited.
 */
import {
  BusinessCalendar, DeadlinePolicy, DeadlineRuleError, russianCalendarDays, ConfigError as CalendarConfigError,
  type BusinessCalendarConfig, type DayOverride, type DeadlinePolicyConfig,
} from '../calendar/index.js';
import type { DeadlinePort, AppealDeadlines } from '../domain/appeals/deadline-port.js';
import type { OknoConfig } from '../config/config.js';
import { DomainError, invalid } from '../domain/errors.js';
import { ConfigError } from '../config/config.js';

export class Deadlines implements DeadlinePort {
  private policy!: DeadlinePolicy;
  calendar!: BusinessCalendar;

  constructor(private readonly config: Pick<OknoConfig, 'calendar' | 'deadlines'>, editedDays: Record<string, DayOverride> = {}) {
    this.rebuild(editedDays);
  }

  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** Builds the calendar again with the edited days (called at start and after an edit). */
  rebuild(editedDays: Record<string, DayOverride>): void {
    const c = this.config.calendar;
    const cfg: BusinessCalendarConfig = {
      timeZone: c.timeZone,
      workWeek: c.workWeek,
      workingHours: { start: c.workingHours.start, end: c.workingHours.end },
      days: { ...(c.builtinRussianHolidays ? russianCalendarDays() : {}), ...editedDays },
    };
    try {
      this.calendar = new BusinessCalendar(cfg);
      this.policy = new DeadlinePolicy(this.calendar, this.config.deadlines as DeadlinePolicyConfig);
    } catch (err) {
      if (err instanceof CalendarConfigError) throw new ConfigError('invalid calendar or deadlines configuration', String(err.message).split('\n').filter(Boolean));
      throw err;
    }
  }

  compute(input: { receivedAt: Date; registeredAt: Date | null; category: string | null }): AppealDeadlines {
    const category = input.category ?? undefined;
    const registerBy = this.policy.due('register', input.receivedAt);
    if (!input.registeredAt) return { registerBy, redirectBy: null, answerBy: null, secondLineBy: null };
    const d = this.policy.computeDeadlines({ receivedAt: input.receivedAt, registeredAt: input.registeredAt, ...(category ? { category } : {}) });
    return { registerBy: d.registerBy, redirectBy: d.redirectBy, answerBy: d.answerBy, secondLineBy: d.secondLineBy };
  }

  extend(input: { answerBy: Date; registeredAt: Date; extensionDays: number | null; days: number; reason: string; category: string | null; now: Date }): Date {
    try {
      return this.policy.extend({ answerBy: input.answerBy, extensionsGranted: input.extensionDays ? 1 : 0 }, { days: input.days, reason: input.reason, at: input.now }).answerBy;
    } catch (err) {
      if (err instanceof DeadlineRuleError) {
        if (err.code === 'EXTENSION_TOO_LONG' || err.code === 'EXTENSION_INVALID_DAYS') throw invalid(['days', err.message]);
        if (err.code === 'EXTENSION_REASON_REQUIRED') throw invalid(['reason', err.message]);
        throw new DomainError(err.message, 409, err.code);
      }
      throw err;
    }
  }

  secondLine(registeredAt: Date): Date {
    return this.policy.due('secondLine', registeredAt);
  }

  nearDueFrom(now: Date): Date {
    // The horizon is inclusive; the queries compare with "<", so step one millisecond on.
    return new Date(this.policy.nearDueHorizon(now, { term: 'answer' }).getTime() + 1);
  }

  remaining(due: Date, now: Date) {
    return this.policy.remaining(due, now);
  }
}
