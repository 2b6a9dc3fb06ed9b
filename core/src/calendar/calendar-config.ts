/**
 * The BusinessCalendar's configuration: what an operator writes (BusinessCalendarConfig), its
 * defaults, and the validation that turns it into the checked form the calendar works from.
 */
import { IANAZone } from 'luxon';
import { Issues, isRecord } from './config-issues.js';
import { ConfigError } from './errors.js';
import { isLocalDate, type LocalDate } from './local-date.js';

/**
 * How a date differs from the ordinary week:
 * - 'holiday': not worked (a public holiday or a day off transferred onto a weekday);
 * - 'workday': worked with ordinary hours although the work week says otherwise (a transferred
 *   working Saturday);
 * - 'short': worked, but ending `shortDayMinutes` early (a pre-holiday day, Labour Code art. 95);
 *   a short day is a working day even when it falls on a weekend.
 */
export type DayKind = 'holiday' | 'workday' | 'short';

export const DAY_KINDS: readonly DayKind[] = ['holiday', 'workday', 'short'];

export interface DayOverride {
  kind: DayKind;
  /** Why, for people: 'День России', 'выходной перенесён с субботы 3 января'. */
  note?: string;
}

export interface TimeRange {
  /** 'HH:mm', local time. */
  start: string;
  /** 'HH:mm', local time; '24:00' means midnight at the end of the day. */
  end: string;
}

export interface WorkingHoursConfig extends TimeRange {
  /** An unpaid break inside the day (lunch), not counted as working time. */
  break?: TimeRange;
}

export interface BusinessCalendarConfig {
  /** IANA zone in which every date and hour is read. Default 'Europe/Moscow'. */
  timeZone?: string;
  /** ISO weekdays worked in an ordinary week, 1 = Monday ... 7 = Sunday. Default [1, 2, 3, 4, 5]. */
  workWeek?: readonly number[];
  /** Opening hours of a working day. Default 09:00-18:00 without a break. */
  workingHours?: WorkingHoursConfig;
  /** How much earlier a 'short' day ends, in minutes. Default 60 (Labour Code art. 95). */
  shortDayMinutes?: number;
  /** Exceptions to the ordinary week, keyed by local date 'YYYY-MM-DD'. */
  days?: Readonly<Record<string, DayOverride>>;
}

/** Minutes after local midnight. */
export interface MinuteRange {
  start: number;
  end: number;
}

/** A validated config with every default filled in. */
export interface CheckedCalendarConfig {
  timeZone: string;
  workWeek: readonly number[];
  open: MinuteRange;
  break?: MinuteRange;
  shortDayMinutes: number;
  days: ReadonlyMap<LocalDate, DayOverride>;
}

export const DEFAULT_CALENDAR_CONFIG = {
  timeZone: 'Europe/Moscow',
  workWeek: [1, 2, 3, 4, 5],
  workingHours: { start: '09:00', end: '18:00' },
  shortDayMinutes: 60,
} as const satisfies BusinessCalendarConfig;

const HH_MM = /^(\d{2}):(\d{2})$/;

/** 'HH:mm' to minutes after midnight, or undefined when it is not a time of day. */
function parseTime(value: unknown, allowEndOfDay: boolean): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = HH_MM.exec(value);
  if (!m) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h === 24 && min === 0 && allowEndOfDay) return 1440;
  if (h > 23 || min > 59) return undefined;
  return h * 60 + min;
}

function checkRange(value: unknown, path: string, issues: Issues): MinuteRange | undefined {
  if (!isRecord(value)) {
    issues.add(path, 'must be an object { start: "HH:mm", end: "HH:mm" }');
    return undefined;
  }
  const start = parseTime(value.start, false);
  const end = parseTime(value.end, true);
  if (start === undefined) issues.add(`${path}.start`, `must be a time "HH:mm" from 00:00 to 23:59, got ${JSON.stringify(value.start)}`);
  if (end === undefined) issues.add(`${path}.end`, `must be a time "HH:mm" from 00:01 to 24:00, got ${JSON.stringify(value.end)}`);
  if (start === undefined || end === undefined) return undefined;
  if (end <= start) {
    issues.add(path, `end ${String(value.end)} must be after start ${String(value.start)}`);
    return undefined;
  }
  return { start, end };
}

function checkWorkingHours(value: unknown, issues: Issues): { open?: MinuteRange; break?: MinuteRange } {
  if (!isRecord(value)) {
    issues.add('workingHours', 'must be an object { start, end, break? }');
    return {};
  }
  issues.unknownKeys('workingHours', value, ['start', 'end', 'break']);
  const open = checkRange({ start: value.start, end: value.end }, 'workingHours', issues);
  if (value.break === undefined) return { open };
  if (isRecord(value.break)) issues.unknownKeys('workingHours.break', value.break, ['start', 'end']);
  const brk = checkRange(value.break, 'workingHours.break', issues);
  if (open && brk && !(brk.start > open.start && brk.end < open.end)) {
    issues.add('workingHours.break', 'must lie strictly inside the working hours');
    return { open };
  }
  return { open, break: brk };
}

function checkTimeZone(value: unknown, issues: Issues): string {
  if (typeof value !== 'string' || !IANAZone.isValidZone(value)) {
    issues.add('timeZone', `must be an IANA time zone such as "Europe/Moscow", got ${JSON.stringify(value)}`);
  }
  return String(value);
}

function checkWorkWeek(value: unknown, issues: Issues): number[] {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((d) => Number.isInteger(d) && d >= 1 && d <= 7) &&
    new Set(value).size === value.length;
  if (!ok) {
    issues.add('workWeek', `must be a non-empty list of distinct ISO weekdays 1 (Monday) to 7 (Sunday), got ${JSON.stringify(value)}`);
    return [];
  }
  return [...(value as number[])].sort((a, b) => a - b);
}

function checkDays(value: unknown, issues: Issues): Map<LocalDate, DayOverride> {
  const days = new Map<LocalDate, DayOverride>();
  if (!isRecord(value)) {
    issues.add('days', 'must be an object keyed by date "YYYY-MM-DD"');
    return days;
  }
  for (const [date, entry] of Object.entries(value)) {
    const path = `days.${date}`;
    if (!isLocalDate(date)) issues.add(path, 'key must be a real date written YYYY-MM-DD');
    if (!isRecord(entry)) {
      issues.add(path, 'must be an object { kind, note? }');
      continue;
    }
    issues.unknownKeys(path, entry, ['kind', 'note']);
    if (!DAY_KINDS.includes(entry.kind as DayKind)) {
      issues.add(`${path}.kind`, `must be one of ${DAY_KINDS.join(', ')}, got ${JSON.stringify(entry.kind)}`);
      continue;
    }
    if (entry.note !== undefined && typeof entry.note !== 'string') issues.add(`${path}.note`, 'must be a string');
    days.set(date, entry.note === undefined ? { kind: entry.kind as DayKind } : { kind: entry.kind as DayKind, note: String(entry.note) });
  }
  return days;
}

/**
 * Checks a calendar config and fills in defaults. Throws one ConfigError listing every problem, each
 * prefixed by the path of the offending field.
 */
export function checkCalendarConfig(input: unknown = {}): CheckedCalendarConfig {
  const issues = new Issues();
  if (!isRecord(input)) throw new ConfigError('BusinessCalendar', ['(root): must be an object']);
  issues.unknownKeys('', input, ['timeZone', 'workWeek', 'workingHours', 'shortDayMinutes', 'days']);
  const d = DEFAULT_CALENDAR_CONFIG;
  const timeZone = checkTimeZone(input.timeZone ?? d.timeZone, issues);
  const workWeek = checkWorkWeek(input.workWeek ?? d.workWeek, issues);
  const hours = checkWorkingHours(input.workingHours ?? d.workingHours, issues);
  const shortDayMinutes = input.shortDayMinutes ?? d.shortDayMinutes;
  if (!Number.isInteger(shortDayMinutes) || (shortDayMinutes as number) < 0) {
    issues.add('shortDayMinutes', `must be a whole number of minutes >= 0, got ${JSON.stringify(shortDayMinutes)}`);
  } else if (hours.open) {
    const lastStart = hours.break ? hours.break.end : hours.open.start;
    if (hours.open.end - (shortDayMinutes as number) <= lastStart) {
      issues.add('shortDayMinutes', `a short day ending ${String(shortDayMinutes)} min early would leave no working time after ${hours.break ? 'the break' : 'opening'}`);
    }
  }
  const days = checkDays(input.days ?? {}, issues);
  if (issues.list.length > 0 || !hours.open) throw new ConfigError('BusinessCalendar', issues.list);
  return {
    timeZone,
    workWeek,
    open: hours.open,
    ...(hours.break ? { break: hours.break } : {}),
    shortDayMinutes: shortDayMinutes as number,
    days,
  };
}
