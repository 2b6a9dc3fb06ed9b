/**
 * Time in the city's zone for reporting: 15-minute buckets, local days, and the start of a 30- or
 * 60-minute interval in local time.
 *
 * Buckets are stored by their start instant. Every time zone in use today is a whole number of
 * quarter hours from UTC, so a quarter hour in UTC is a quarter hour in local time; 30- and 60-minute
 * intervals and days are cut in local time (a zone at +05:30 starts its hours at :30 UTC).
 */
import { DateTime, IANAZone } from 'luxon';

export const BUCKET_MS = 15 * 60_000;
export const INTERVAL_SIZES = [15, 30, 60] as const;
export type IntervalSize = (typeof INTERVAL_SIZES)[number];

/** The start of the 15-minute bucket holding `ms`. */
export function bucketOf(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_MS;
}

export class CityTime {
  private readonly zone: IANAZone;
  /** Local date of each bucket, memoised (events arrive mostly in order). */
  private readonly dates = new Map<number, string>();

  constructor(readonly timeZone: string) {
    const zone = IANAZone.create(timeZone);
    if (!zone.isValid) throw new RangeError(`unknown time zone "${timeZone}"`);
    this.zone = zone;
  }

  /** Minutes east of UTC at `ms`. */
  offsetMinutes(ms: number): number {
    return this.zone.offset(ms);
  }

  /** 'YYYY-MM-DD' of the local day holding `ms`. */
  localDate(ms: number): string {
    const bucket = bucketOf(ms);
    let date = this.dates.get(bucket);
    if (date === undefined) {
      if (this.dates.size > 10_000) this.dates.clear();
      date = DateTime.fromMillis(bucket, { zone: this.zone }).toISODate() as string;
      this.dates.set(bucket, date);
    }
    return date;
  }

  /** Epoch ms of local midnight starting `date` ('YYYY-MM-DD'). */
  startOfDay(date: string): number {
    const d = DateTime.fromISO(date, { zone: this.zone });
    if (!d.isValid || !/^\d{4}-\d\d-\d\d$/.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
    return d.startOf('day').toMillis();
  }

  /** The local date `days` after `date`. */
  addDays(date: string, days: number): string {
    return DateTime.fromISO(date, { zone: this.zone }).plus({ days }).toISODate() as string;
  }

  /** The start of the local interval of `size` minutes holding `ms`. */
  intervalStart(ms: number, size: IntervalSize): number {
    const offset = this.offsetMinutes(ms) * 60_000;
    const len = size * 60_000;
    return Math.floor((ms + offset) / len) * len - offset;
  }

  /** 'YYYY-MM-DD HH:mm' local time of `ms` (for exports). */
  format(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.zone }).toFormat('yyyy-MM-dd HH:mm');
  }

  /** ISO 8601 with the local offset. */
  iso(ms: number): string {
    return DateTime.fromMillis(ms, { zone: this.zone }).toISO({ suppressMilliseconds: true }) as string;
  }
}
