/**
 * The city's time zone for plans and forecasts. The math works at a fixed UTC offset (Moscow is
 * UTC+3 all year); this gives that offset for a moment, local dates, and local midnights.
 */

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function format(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) cache.set(timeZone, (f = make()));
  return f;
}

/** Minutes east of UTC in `timeZone` at `ms`. */
export function utcOffsetMinutes(timeZone: string, ms: number): number {
  const f = format(offsetFormats, timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }));
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** 'YYYY-MM-DD' of `ms` in `timeZone`. */
export function localDate(timeZone: string, ms: number): string {
  return format(dateFormats, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(ms);
}

/** Epoch ms of local midnight starting `date` in `timeZone`. */
export function startOfLocalDay(timeZone: string, date: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d\d-\d\d$/.test(date) || !Number.isFinite(utcMidnight)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  let guess = utcMidnight - utcOffsetMinutes(timeZone, utcMidnight) * 60_000;
  guess = utcMidnight - utcOffsetMinutes(timeZone, guess) * 60_000;
  return guess;
}

/** The date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** ISO 8601 of `ms` at a fixed offset (minutes east of UTC), e.g. 2026-03-09T09:00:00+03:00. */
export function isoAtOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
