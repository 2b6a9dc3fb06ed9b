/**
 * History for forecasts, from the reporting plugin's intervals (called over the broker), and the
 * city's holidays from the business calendar.
 */
import type { Context } from 'moleculer';
import { conflict, type BusinessCalendar } from '@okno/core';
import type { HistoryPoint } from './math/index.js';
import { addDays, localDate } from './city-time.js';

/** Which contacts to forecast: all, or one queue, channel, site or service. */
export interface Scope {
  groupBy: 'all' | 'queue' | 'channel' | 'site' | 'service';
  key?: string;
}

interface ReportingIntervalRow {
  start: string;
  offered: number;
  ahtSeconds: number | null;
}

/** Interval history [from, to) from reporting, every interval present (empty ones with volume 0). */
export async function readHistory(ctx: Context, scope: Scope, intervalMinutes: number, from: number, to: number): Promise<HistoryPoint[]> {
  let answer: { rows: ReportingIntervalRow[] };
  try {
    answer = await ctx.call('reporting.intervals', {
      from: new Date(from).toISOString(), to: new Date(to).toISOString(), size: intervalMinutes, groupBy: scope.groupBy, fill: true,
      ...(scope.groupBy === 'all' ? {} : { key: scope.key ?? '' }),
    });
  } catch (err) {
    if ((err as { name?: string }).name === 'ServiceNotFoundError') {
      throw conflict('forecasts read history from the reporting plugin, which is not running here', { reason: 'NO_REPORTING' });
    }
    throw err;
  }
  return answer.rows.map((r) => ({ start: r.start, volume: r.offered, ...(r.ahtSeconds !== null ? { aht: r.ahtSeconds } : {}) }));
}

/** Local days with any volume. */
export function daysWithVolume(history: HistoryPoint[], timeZone: string): number {
  const days = new Set<string>();
  for (const p of history) if (p.volume > 0) days.add(localDate(timeZone, typeof p.start === 'number' ? p.start : Date.parse(p.start)));
  return days.size;
}

/** Holidays ('YYYY-MM-DD') between two local dates, inclusive. */
export function holidaysBetween(calendar: BusinessCalendar, fromDate: string, toDate: string): string[] {
  const out: string[] = [];
  for (let d = fromDate; d <= toDate; d = addDays(d, 1)) if (calendar.describeDay(d).kind === 'holiday') out.push(d);
  return out;
}
