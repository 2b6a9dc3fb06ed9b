/** The business calendar as month grids for the year view (weeks start on Monday). */
import type { CalendarDay } from '../api/types.ts';

export type Cell = CalendarDay | null;

/** Weeks of a month (1-12): each a row of 7 cells, null outside the month. */
export function monthGrid(year: number, month: number, days: readonly CalendarDay[]): Cell[][] {
  const prefix = `${year}-${String(month).padStart(2, '0')}-`;
  const inMonth = days.filter((d) => d.date.startsWith(prefix));
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const lead = (first + 6) % 7;
  const cells: Cell[] = [...Array.from({ length: lead }, () => null), ...inMonth];
  while (cells.length % 7) cells.push(null);
  const weeks: Cell[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** Which style a day gets: holiday, weekend, a transferred working day, a shortened day, or work. */
export function dayClass(d: CalendarDay): 'holiday' | 'weekend' | 'workday-transfer' | 'short' | 'work' {
  if (!d.working) return d.kind === 'holiday' ? 'holiday' : 'weekend';
  if (d.short) return 'short';
  if (d.kind === 'workday') return 'workday-transfer';
  return 'work';
}

/** Working days in a list of days. */
export function workingDays(days: readonly CalendarDay[]): number {
  return days.filter((d) => d.working).length;
}
