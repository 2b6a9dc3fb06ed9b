/**
 * Russian production calendar for 2025 (five-day week).
 *
 * Follows: Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025 году»,
 * with the non-working holidays of Labour Code art. 112 and the pre-holiday short days of art. 95.
 * Transfers by the decree: Sat 4 Jan -> Fri 2 May; Sun 5 Jan -> Wed 31 Dec; Sun 23 Feb -> Thu 8 May;
 * Sat 8 Mar -> Fri 13 Jun; Sat 1 Nov -> Mon 3 Nov (1 Nov is worked).
 * Totals the data must give (checked by a test): 247 working days, 118 days off, 1972 hours at 40 h/week.
 *
 * Operators must check this against the published decree before relying on it, and can edit it (the
 * calendar is configurable; regional holidays, e.g. in Tatarstan or Bashkortostan, are not included).
 */
import type { ProductionCalendarYear } from './production-year.js';

const NEW_YEAR = 'Новогодние каникулы (ст. 112 ТК РФ)';

export const RU_2025: ProductionCalendarYear = {
  year: 2025,
  source: 'Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025 году»',
  status: 'decree',
  notes: [
    'Written from memory of the decree and cross-checked against press reports of it (247 working days, short days 7 Mar, 30 Apr, 11 Jun, 1 Nov); check against the published text.',
    'Regional non-working holidays are not included; add them as days of kind "holiday".',
  ],
  days: {
    '2025-01-01': { kind: 'holiday', note: NEW_YEAR },
    '2025-01-02': { kind: 'holiday', note: NEW_YEAR },
    '2025-01-03': { kind: 'holiday', note: NEW_YEAR },
    '2025-01-04': { kind: 'holiday', note: `${NEW_YEAR}; выходной перенесён на пятницу 2 мая` },
    '2025-01-05': { kind: 'holiday', note: `${NEW_YEAR}; выходной перенесён на среду 31 декабря` },
    '2025-01-06': { kind: 'holiday', note: NEW_YEAR },
    '2025-01-07': { kind: 'holiday', note: 'Рождество Христово' },
    '2025-01-08': { kind: 'holiday', note: NEW_YEAR },
    '2025-02-23': { kind: 'holiday', note: 'День защитника Отечества; выходной перенесён на четверг 8 мая' },
    '2025-03-07': { kind: 'short', note: 'Предпраздничный день, короче на 1 час (ст. 95 ТК РФ)' },
    '2025-03-08': { kind: 'holiday', note: 'Международный женский день; выходной перенесён на пятницу 13 июня' },
    '2025-04-30': { kind: 'short', note: 'Предпраздничный день, короче на 1 час (ст. 95 ТК РФ)' },
    '2025-05-01': { kind: 'holiday', note: 'Праздник Весны и Труда' },
    '2025-05-02': { kind: 'holiday', note: 'Выходной, перенесённый с субботы 4 января' },
    '2025-05-08': { kind: 'holiday', note: 'Выходной, перенесённый с воскресенья 23 февраля' },
    '2025-05-09': { kind: 'holiday', note: 'День Победы' },
    '2025-06-11': { kind: 'short', note: 'Предпраздничный день, короче на 1 час (ст. 95 ТК РФ)' },
    '2025-06-12': { kind: 'holiday', note: 'День России' },
    '2025-06-13': { kind: 'holiday', note: 'Выходной, перенесённый с субботы 8 марта' },
    '2025-11-01': { kind: 'short', note: 'Рабочая суббота (выходной перенесён на 3 ноября); предпраздничный день, короче на 1 час' },
    '2025-11-03': { kind: 'holiday', note: 'Выходной, перенесённый с субботы 1 ноября' },
    '2025-11-04': { kind: 'holiday', note: 'День народного единства' },
    '2025-12-31': { kind: 'holiday', note: 'Выходной, перенесённый с воскресенья 5 января' },
  },
};
