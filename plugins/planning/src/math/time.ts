/**
 * Calendar arithmetic for interval data without time-zone databases: a fixed UTC offset
 * (Moscow is UTC+3 all year, so 180 minutes), local days counted from 1970-01-01, weekdays
 * Monday = 0 … Sunday = 6. Pure and deterministic in the browser and on the server alike.
 */

/** A moment as an ISO 8601 string (with or without offset; without one it is read as UTC) or epoch ms. */
export type TimeInput = string | number;

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Epoch milliseconds of a moment; throws a RangeError for an unreadable one. */
export function toEpochMs(time: TimeInput): number {
  const ms = typeof time === 'number' ? time : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(time) || !time.includes('T') ? time : `${time}Z`);
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(time)}`);
  return ms;
}

/** Where a moment falls in local time. */
export interface LocalTime {
  /** Local day number (days since 1970-01-01 in local time). */
  day: number;
  /** Monday = 0 … Sunday = 6. */
  weekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
}

/** Local day, weekday and minute of a moment at a fixed UTC offset (minutes east of UTC). */
export function localTime(epochMs: number, utcOffsetMinutes = 0): LocalTime {
  const local = epochMs + utcOffsetMinutes * MINUTE_MS;
  const day = Math.floor(local / DAY_MS);
  return { day, weekday: weekdayOf(day), minuteOfDay: Math.floor((local - day * DAY_MS) / MINUTE_MS) };
}

/** Monday = 0 … Sunday = 6 of a local day number (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** 'YYYY-MM-DD' of a local day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Local day number of a 'YYYY-MM-DD' date. */
export function dayOfDate(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d\d-\d\d$/.test(date) || !Number.isFinite(ms)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return ms / DAY_MS;
}

/** Epoch ms of a local day's midnight plus `minuteOfDay`. */
export function epochOfLocal(day: number, minuteOfDay: number, utcOffsetMinutes = 0): number {
  return day * DAY_MS + (minuteOfDay - utcOffsetMinutes) * MINUTE_MS;
}

/** Checks an interval length: a whole number of minutes that divides a day (15, 30, 60, …). */
export function checkIntervalMinutes(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes <= 0 || 1440 % minutes !== 0) {
    throw new RangeError(`intervalMinutes must divide 1440 (e.g. 15, 30, 60), got ${minutes}`);
  }
}
