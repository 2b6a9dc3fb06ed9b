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
import type { CoreContext } from './context.js';
import type { OknoConfig } from '../config/config.js';
import { DomainError, invalid } from '../domain/errors.js';
import { ConfigError } from '../config/config.js';

export class Deadlines implements DeadlinePort {
  private policy!: DeadlinePolicy;
  calendar!: BusinessCalendar;
  /** Day terms depend only on the local date they start from: computed once per date. */
  private readonly dayTermCache = new Map<string, Date>();
  private localDateFormat!: Intl.DateTimeFormat;
  private lastLocal = { ms: NaN, date: '' };

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
      this.dayTermCache.clear();
      this.lastLocal = { ms: NaN, date: '' };
      this.localDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: c.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch (err) {
      if (err instanceof CalendarConfigError) throw new ConfigError('invalid calendar or deadlines configuration', String(err.message).split('\n').filter(Boolean));
      throw err;
    }
  }

  /** The local date of an instant (the last one is kept: an appeal's terms mostly start at one instant). */
  private localDate(at: Date): string {
    const ms = at.getTime();
    if (ms !== this.lastLocal.ms) this.lastLocal = { ms, date: this.localDateFormat.format(at) };
    return this.lastLocal.date;
  }

  /** One term's due instant; day terms are looked up by the local start date. */
  private due(term: 'register' | 'redirect' | 'answer', from: Date, category?: string): Date {
    if (this.policy.termFor(term, category).unit === 'workingHours') return this.policy.due(term, from, category);
    const key = `${term}|${category ?? ''}|${this.localDate(from)}`;
    let due = this.dayTermCache.get(key);
    if (!due) {
      if (this.dayTermCache.size > 5000) this.dayTermCache.clear();
      this.dayTermCache.set(key, (due = this.policy.due(term, from, category)));
    }
    return new Date(due.getTime());
  }

  compute(input: { receivedAt: Date; registeredAt: Date | null; category: string | null }): AppealDeadlines {
    const category = input.category ?? undefined;
    const registerBy = this.due('register', input.receivedAt);
    if (!input.registeredAt) return { registerBy, redirectBy: null, answerBy: null, secondLineBy: null };
    // The second-line term is set when an appeal is deferred (see secondLine()).
    return { registerBy, redirectBy: this.due('redirect', input.registeredAt), answerBy: this.due('answer', input.registeredAt, category), secondLineBy: null };
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

/** The business calendar in force: the core's (with edited days), or one built from the config when the core runs another deadline port (tests). */
export function calendarOf(core: Pick<CoreContext, 'deadlines' | 'config'>): BusinessCalendar {
  if (core.deadlines instanceof Deadlines) return core.deadlines.calendar;
  const c = core.config.calendar;
  return new BusinessCalendar({ timeZone: c.timeZone, workWeek: c.workWeek, workingHours: { start: c.workingHours.start, end: c.workingHours.end }, days: c.builtinRussianHolidays ? russianCalendarDays() : {} });
}
