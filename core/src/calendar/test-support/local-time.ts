/** Test helpers: write and read instants as local wall-clock times, so expected values read like a calendar. */
import { DateTime } from 'luxon';

/** The instant of local time 'YYYY-MM-DD HH:mm[:ss[.SSS]]' in `zone` (Moscow by default). */
export function at(local: string, zone = 'Europe/Moscow'): Date {
  const dt = DateTime.fromISO(local.replace(' ', 'T'), { zone });
  if (!dt.isValid) throw new Error(`bad local time in test: ${local} (${dt.invalidExplanation ?? ''})`);
  return dt.toJSDate();
}

/** An instant as local 'YYYY-MM-DD HH:mm', with ':ss.SSS' only when not zero. */
export function show(instant: Date, zone = 'Europe/Moscow'): string {
  const dt = DateTime.fromJSDate(instant, { zone });
  const base = dt.toFormat('yyyy-MM-dd HH:mm');
  return dt.second === 0 && dt.millisecond === 0 ? base : `${base}:${dt.toFormat('ss.SSS')}`;
}
