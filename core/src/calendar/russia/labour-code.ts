/**
 * The Labour Code's own calendar rules, for years whose decree is not in the data yet and to check
 * the hand-written years:
 * - art. 112 part 1: the non-working holidays;
 * - art. 112 part 2: a holiday on a weekend moves that day off to the next working day after the
 *   holiday, except the January holidays (1-8 Jan), whose days off only a government decree places;
 * - art. 95: the working day right before a non-working holiday is one hour shorter.
 * A decree may move days differently (2025 moved 23 Feb and 8 Mar to 8 May and 13 Jun), so what this
 * produces is marked provisional.
 */
import type { DayOverride } from '../calendar-config.js';
import { addDays, isoWeekday, type LocalDate } from '../local-date.js';
import type { ProductionCalendarYear } from './production-year.js';

const HOLIDAYS: readonly (readonly [monthDay: string, name: string])[] = [
  ['01-01', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['01-02', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['01-03', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['01-04', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['01-05', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['01-06', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['01-07', 'Рождество Христово'],
  ['01-08', 'Новогодние каникулы (ст. 112 ТК РФ)'],
  ['02-23', 'День защитника Отечества'],
  ['03-08', 'Международный женский день'],
  ['05-01', 'Праздник Весны и Труда'],
  ['05-09', 'День Победы'],
  ['06-12', 'День России'],
  ['11-04', 'День народного единства'],
];

/** The non-working holidays of a year (Labour Code art. 112 part 1), in date order. */
export function statutoryHolidays(year: number): { date: LocalDate; name: string }[] {
  return HOLIDAYS.map(([md, name]) => ({ date: `${String(year).padStart(4, '0')}-${md}`, name }));
}

const isWeekend = (d: LocalDate): boolean => isoWeekday(d) >= 6;

/** A year built from the Labour Code rules alone, marked provisional. */
export function provisionalRussianYear(year: number): ProductionCalendarYear {
  if (!Number.isInteger(year) || year < 1 || year > 9998) throw new RangeError(`year must be a whole number 1-9998, got ${year}`);
  const days: Record<LocalDate, DayOverride> = {};
  const holidays = statutoryHolidays(year);
  for (const h of holidays) days[h.date] = { kind: 'holiday', note: h.name };
  const isOff = (d: LocalDate): boolean => isWeekend(d) || days[d]?.kind === 'holiday';
  for (const h of holidays) {
    if (!isWeekend(h.date) || h.date.slice(5, 7) === '01') continue;
    let d = addDays(h.date, 1);
    while (isOff(d)) d = addDays(d, 1);
    days[d] = { kind: 'holiday', note: `Выходной, перенесённый по ст. 112 ч. 2 ТК РФ с ${h.date}` };
  }
  for (const h of [...holidays, ...statutoryHolidays(year + 1).slice(0, 1)]) {
    const eve = addDays(h.date, -1);
    if (eve.startsWith(String(year)) && !isOff(eve)) days[eve] = { kind: 'short', note: 'Предпраздничный день, короче на 1 час (ст. 95 ТК РФ)' };
  }
  return {
    year,
    source: 'ТК РФ ст. 95 и 112 (без постановления о переносе выходных дней)',
    status: 'provisional',
    notes: ['Generated from the Labour Code rules only; the January days off falling on weekends are not placed and any decree must be applied by an operator.'],
    days: Object.fromEntries(Object.entries(days).sort(([a], [b]) => a.localeCompare(b))),
  };
}
