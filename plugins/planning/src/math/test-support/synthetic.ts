/** Synthetic contact-centre history with known answers, for forecast and plan tests. */
import type { HistoryPoint } from '../forecast.js';
import { dayOfDate, epochOfLocal, weekdayOf } from '../time.js';
import { SeededRandom } from '@okno/core';

export interface SyntheticSpec {
  /** First local date. */
  from: string;
  days: number;
  intervalMinutes: number;
  utcOffsetMinutes: number;
  /** Day total on the first day, before the weekday index. */
  base: number;
  /** Added to the day total per day. */
  slopePerDay: number;
  /** Monday first. */
  weekdayIndex: number[];
  /** Holiday dates and their day total relative to the trend. */
  holidays: string[];
  holidayIndex: number;
  /** Poisson noise from this seed; none without. */
  seed?: number;
}

/** Share of the day's calls per interval: a working-day bell for weekdays, a flatter one at weekends. */
export function trueProfile(weekday: number, slots: number): number[] {
  const peak = weekday >= 5 ? 13 : 11;
  const width = weekday >= 5 ? 4 : 3;
  const raw = Array.from({ length: slots }, (_, s) => {
    const hour = ((s + 0.5) * 24) / slots;
    return 0.02 + Math.exp(-0.5 * ((hour - peak) / width) ** 2);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / total);
}

/** True AHT in seconds for an interval of the day. */
export function trueAht(weekday: number, slot: number, slots: number): number {
  return 170 + 25 * Math.sin((2 * Math.PI * slot) / slots) + (weekday >= 5 ? 15 : 0);
}

/** The true mean volume of every interval, and a history drawn from it. */
export function syntheticHistory(spec: SyntheticSpec): { history: HistoryPoint[]; expected: number[] } {
  const random = spec.seed === undefined ? undefined : new SeededRandom(spec.seed);
  const first = dayOfDate(spec.from);
  const holidays = new Set(spec.holidays.map(dayOfDate));
  const slots = 1440 / spec.intervalMinutes;
  const history: HistoryPoint[] = [];
  const expected: number[] = [];
  for (let d = first; d < first + spec.days; d++) {
    const w = weekdayOf(d);
    const trend = spec.base + spec.slopePerDay * (d - first);
    const holiday = holidays.has(d);
    const total = trend * (holiday ? spec.holidayIndex : (spec.weekdayIndex[w] as number));
    const profile = trueProfile(holiday ? 6 : w, slots);
    for (let s = 0; s < slots; s++) {
      const mean = total * (profile[s] as number);
      expected.push(mean);
      const start = new Date(epochOfLocal(d, s * spec.intervalMinutes, spec.utcOffsetMinutes)).toISOString();
      history.push({ start, volume: random ? random.poisson(mean) : mean, aht: trueAht(holiday ? 6 : w, s, slots) });
    }
  }
  return { history, expected };
}
