/**
 * Russian production calendar for 2027 (five-day week): PROVISIONAL.
 *
 * Follows: Labour Code art. 112 (non-working holidays; part 2: a holiday falling on a weekend moves
 * the day off to the next working day, except the January holidays) and art. 95 (the working day
 * before a non-working holiday is one hour shorter). The government decree on transferring days off
 * in 2027 («О переносе выходных дней в 2027 году») was not known when this was written, so:
 * - the days off of Sat 2 Jan and Sun 3 Jan, which only a decree can place, are NOT placed anywhere;
 * - a draft reported in December 2025 (days off 4-7 Nov, with Sat 13 Nov worked in exchange for
 *   Fri 5 Nov) is NOT applied;
 * - 31 Dec is a short working day here; recent decrees have usually made 31 Dec a day off instead.
 * With these rules the year has 249 working days; a decree placing the two January days off on
 * weekdays would make it 247.
 *
 * Operators MUST replace this with the decree's calendar (the calendar is configurable in the admin
 * UI); regional holidays are not included.
 */
import type { ProductionCalendarYear } from './production-year.js';

const NEW_YEAR = 'Новогодние каникулы (ст. 112 ТК РФ)';
const PRE_HOLIDAY = 'Предпраздничный день, короче на 1 час (ст. 95 ТК РФ)';
const MOVED = 'Выходной, перенесённый по ст. 112 ч. 2 ТК РФ';

export const RU_2027: ProductionCalendarYear = {
  year: 2027,
  source: 'ТК РФ ст. 95 и 112 (постановление о переносе выходных дней в 2027 году не учтено)',
  status: 'provisional',
  notes: [
    'Provisional: built from the Labour Code rules only; the 2027 decree on transferring days off must be applied by an operator.',
    'The days off of Sat 2 Jan and Sun 3 Jan are not placed; a decree will place them (often on 31 Dec or in May).',
    'Reported draft, not applied: days off 4-7 Nov with Sat 13 Nov worked instead of Fri 5 Nov.',
    '31 Dec is marked as a short working day; check whether the decree makes it a day off.',
  ],
  days: {
    '2027-01-01': { kind: 'holiday', note: NEW_YEAR },
    '2027-01-02': { kind: 'holiday', note: `${NEW_YEAR}; перенос выходного определяет постановление Правительства` },
    '2027-01-03': { kind: 'holiday', note: `${NEW_YEAR}; перенос выходного определяет постановление Правительства` },
    '2027-01-04': { kind: 'holiday', note: NEW_YEAR },
    '2027-01-05': { kind: 'holiday', note: NEW_YEAR },
    '2027-01-06': { kind: 'holiday', note: NEW_YEAR },
    '2027-01-07': { kind: 'holiday', note: 'Рождество Христово' },
    '2027-01-08': { kind: 'holiday', note: NEW_YEAR },
    '2027-02-22': { kind: 'short', note: PRE_HOLIDAY },
    '2027-02-23': { kind: 'holiday', note: 'День защитника Отечества' },
    '2027-03-08': { kind: 'holiday', note: 'Международный женский день' },
    '2027-04-30': { kind: 'short', note: PRE_HOLIDAY },
    '2027-05-01': { kind: 'holiday', note: 'Праздник Весны и Труда' },
    '2027-05-03': { kind: 'holiday', note: `${MOVED} с субботы 1 мая` },
    '2027-05-09': { kind: 'holiday', note: 'День Победы' },
    '2027-05-10': { kind: 'holiday', note: `${MOVED} с воскресенья 9 мая` },
    '2027-06-11': { kind: 'short', note: PRE_HOLIDAY },
    '2027-06-12': { kind: 'holiday', note: 'День России' },
    '2027-06-14': { kind: 'holiday', note: `${MOVED} с субботы 12 июня` },
    '2027-11-03': { kind: 'short', note: PRE_HOLIDAY },
    '2027-11-04': { kind: 'holiday', note: 'День народного единства' },
    '2027-12-31': { kind: 'short', note: `${PRE_HOLIDAY}; проверьте, не объявлен ли день выходным` },
  },
};
