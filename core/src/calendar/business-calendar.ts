/**
 * BusinessCalendar: which local dates are worked, at which hours, and arithmetic over them (calendar
 * days with roll-forward, working days, working hours). Instants are JS Dates (UTC inside); every
 * question about days and hours is answered in the calendar's own time zone, so an appeal received
 * at 23:30 or 00:30 Moscow time is on its Moscow date whatever the server's zone.
 *
 * Working time is the union of half-open intervals [opening, closing) of each working day, minus the
 * break. Arithmetic is done in whole milliseconds, so adding working hours and measuring them back is
 * exact.
 */
import { DateTime } from 'luxon';
import { checkCalendarConfig, type BusinessCalendarConfig, type CheckedCalendarConfig, type DayKind } from './calendar-config.js';
import { assertInstant } from './errors.js';
import { addDays, assertLocalDate, daysBetween, isoWeekday, type LocalDate } from './local-date.js';

/** A local date, or an instant standing for its local date in the calendar's zone. */
export type DateInput = LocalDate | Date;

export interface WorkingInterval {
  start: Date;
  end: Date;
}

export interface DayInfo {
  date: LocalDate;
  working: boolean;
  /** True for a shortened pre-holiday working day. */
  short: boolean;
  /** 'ordinary' (a workday by the work week) or 'weekend' when no override applies. */
  kind: DayKind | 'ordinary' | 'weekend';
  note?: string;
}

const MS_PER_HOUR = 3_600_000;
/** A walk over days that meets no working time for this long has a calendar with nothing to find. */
const MAX_IDLE_DAYS = 3660;
const CACHE_LIMIT = 20_000;

type Span = readonly [number, number];

export class BusinessCalendar {
  readonly config: CheckedCalendarConfig;
  private readonly spanCache = new Map<LocalDate, readonly Span[]>();

  /** Throws ConfigError listing every problem in `config`. */
  constructor(config: BusinessCalendarConfig = {}) {
    this.config = checkCalendarConfig(config);
  }

  get timeZone(): string {
    return this.config.timeZone;
  }

  /** The local date of `instant` in the calendar's zone. */
  localDate(instant: Date): LocalDate {
    assertInstant(instant, 'instant');
    return this.at(instant).toISODate() as LocalDate;
  }

  /** What kind of day `date` is, and why. */
  describeDay(date: DateInput): DayInfo {
    const d = this.dateOf(date);
    const override = this.config.days.get(d);
    const note = override?.note === undefined ? {} : { note: override.note };
    if (override) {
      return { date: d, working: override.kind !== 'holiday', short: override.kind === 'short', kind: override.kind, ...note };
    }
    const working = this.config.workWeek.includes(isoWeekday(d));
    return { date: d, working, short: false, kind: working ? 'ordinary' : 'weekend' };
  }

  isWorkingDay(date: DateInput): boolean {
    return this.describeDay(date).working;
  }

  /** The first working day after `date` (or `date` itself if `inclusive` and it is worked). */
  nextWorkingDay(date: DateInput, { inclusive = false }: { inclusive?: boolean } = {}): LocalDate {
    let d = this.dateOf(date);
    if (inclusive && this.isWorkingDay(d)) return d;
    for (let idle = 0; idle < MAX_IDLE_DAYS; idle++) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) return d;
    }
    throw new Error(`no working day within ${MAX_IDLE_DAYS} days after ${this.dateOf(date)}`);
  }

  /**
   * Working days in (from, to] when to is later, or minus those in (to, from] when earlier: "how many
   * working days are left until `to`".
   */
  workingDaysBetween(from: DateInput, to: DateInput): number {
    const [a, b] = [this.dateOf(from), this.dateOf(to)];
    const sign = daysBetween(a, b) >= 0 ? 1 : -1;
    const [lo, hi] = sign > 0 ? [a, b] : [b, a];
    let count = 0;
    for (let d = addDays(lo, 1); daysBetween(d, hi) >= 0; d = addDays(d, 1)) {
      if (this.isWorkingDay(d)) count++;
    }
    return sign * count;
  }

  /**
   * `instant` moved by `days` calendar days at the same local wall time. With `rollForward` (default,
   * Civil Code art. 193) a result on a non-working day moves to the next working day.
   */
  addCalendarDays(instant: Date, days: number, { rollForward = true }: { rollForward?: boolean } = {}): Date {
    assertInstant(instant, 'instant');
    assertWholeDays(days);
    const target = addDays(this.localDate(instant), days);
    return this.onDate(instant, rollForward ? this.nextWorkingDay(target, { inclusive: true }) : target);
  }

  /** `instant` moved to the `days`-th working day after its local date, at the same local wall time. */
  addWorkingDays(instant: Date, days: number): Date {
    assertInstant(instant, 'instant');
    assertWholeDays(days);
    let d = this.localDate(instant);
    for (let i = 0; i < days; i++) d = this.nextWorkingDay(d);
    return days === 0 ? new Date(instant.getTime()) : this.onDate(instant, d);
  }

  /**
   * The instant when `hours` of working time have passed after `instant`. Time outside working hours
   * does not count: starting at night, on a weekend or a holiday starts at the next opening. A result
   * that uses up a day exactly is that day's closing time (18:00), not the next opening.
   */
  addWorkingHours(instant: Date, hours: number): Date {
    assertInstant(instant, 'instant');
    if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a finite number >= 0, got ${hours}`);
    const t = instant.getTime();
    let left = Math.round(hours * MS_PER_HOUR);
    if (left === 0) return new Date(t);
    const found = this.walkSpans(t, (from, end) => {
      if (left <= end - from) return from + left;
      left -= end - from;
      return undefined;
    });
    return new Date(found);
  }

  /** Working time in [a, b), in hours; negative when b is before a. */
  workingHoursBetween(a: Date, b: Date): number {
    return this.workingMillisBetween(a, b) / MS_PER_HOUR;
  }

  /** Working time in [a, b), in whole milliseconds; negative when b is before a. */
  workingMillisBetween(a: Date, b: Date): number {
    assertInstant(a, 'a');
    assertInstant(b, 'b');
    const [ta, tb] = [a.getTime(), b.getTime()];
    if (tb < ta) return -this.workingMillisBetween(b, a);
    let total = 0;
    const last = this.localDate(b);
    for (let d = this.localDate(a); daysBetween(d, last) >= 0; d = addDays(d, 1)) {
      for (const [s, e] of this.spans(d)) total += Math.max(0, Math.min(e, tb) - Math.max(s, ta));
    }
    return total;
  }

  /** True when `instant` is inside working time (opening included, closing excluded). */
  isWorkingTime(instant: Date): boolean {
    assertInstant(instant, 'instant');
    const t = instant.getTime();
    return this.spans(this.localDate(instant)).some(([s, e]) => s <= t && t < e);
  }

  /** `instant` itself if it is working time, otherwise the next opening. */
  nextWorkingInstant(instant: Date): Date {
    assertInstant(instant, 'instant');
    return new Date(this.walkSpans(instant.getTime(), (from) => from));
  }

  /** The working intervals of a date, in order; empty on a non-working day. */
  workingIntervals(date: DateInput): WorkingInterval[] {
    return this.spans(this.dateOf(date)).map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
  }

  /** Local midnight at the start of the date. */
  startOfLocalDay(date: DateInput): Date {
    return this.dayStart(this.dateOf(date)).toJSDate();
  }

  /** The last millisecond of the local date (23:59:59.999), the end of a term counted in days. */
  endOfLocalDay(date: DateInput): Date {
    return this.dayStart(this.dateOf(date)).endOf('day').toJSDate();
  }

  /** Closing time of a working date (earlier on a short day); undefined on a non-working date. */
  closeOfBusiness(date: DateInput): Date | undefined {
    const spans = this.spans(this.dateOf(date));
    const last = spans[spans.length - 1];
    return last ? new Date(last[1]) : undefined;
  }

  private at(instant: Date): DateTime {
    return DateTime.fromJSDate(instant, { zone: this.config.timeZone });
  }

  private dateOf(date: DateInput): LocalDate {
    if (date instanceof Date) return this.localDate(date);
    assertLocalDate(date);
    return date;
  }

  private dayStart(date: LocalDate): DateTime {
    return DateTime.fromISO(date, { zone: this.config.timeZone }).startOf('day');
  }

  /** `instant`'s local wall time placed on `date`. */
  private onDate(instant: Date, date: LocalDate): Date {
    const day = this.dayStart(date);
    return this.at(instant).set({ year: day.year, month: day.month, day: day.day }).toJSDate();
  }

  /** The instant of `minutes` after local midnight on `date` ('24:00' is the next midnight). */
  private localMinute(date: LocalDate, minutes: number): number {
    if (minutes >= 1440) return this.dayStart(addDays(date, 1)).toMillis();
    return this.dayStart(date).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
  }

  /** Working intervals of a date as [start, end) epoch milliseconds. */
  private spans(date: LocalDate): readonly Span[] {
    const cached = this.spanCache.get(date);
    if (cached) return cached;
    const info = this.describeDay(date);
    let result: Span[] = [];
    if (info.working) {
      const { open, break: brk, shortDayMinutes } = this.config;
      const close = info.short ? open.end - shortDayMinutes : open.end;
      const minuteRanges = brk ? [[open.start, brk.start], [brk.end, close]] : [[open.start, close]];
      result = minuteRanges
        .map(([s, e]) => [this.localMinute(date, s as number), this.localMinute(date, e as number)] as const)
        .filter(([s, e]) => e > s);
    }
    if (this.spanCache.size >= CACHE_LIMIT) this.spanCache.clear();
    this.spanCache.set(date, result);
    return result;
  }

  /**
   * Visits the working intervals from `t` on, each clipped to start no earlier than `t`, until `visit`
   * returns an instant.
   */
  private walkSpans(t: number, visit: (from: number, end: number) => number | undefined): number {
    let idle = 0;
    for (let d = this.localDate(new Date(t)); idle < MAX_IDLE_DAYS; d = addDays(d, 1)) {
      const spans = this.spans(d);
      idle = spans.length === 0 ? idle + 1 : 0;
      for (const [s, e] of spans) {
        if (e <= t) continue;
        const found = visit(Math.max(s, t), e);
        if (found !== undefined) return found;
      }
    }
    throw new Error(`no working time within ${MAX_IDLE_DAYS} days after ${new Date(t).toISOString()}`);
  }
}

function assertWholeDays(days: number): void {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a whole number >= 0, got ${days}`);
}
