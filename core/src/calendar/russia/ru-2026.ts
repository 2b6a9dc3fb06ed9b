/**
 * Russian production calendar for 2026 (five-day week).
 *
 * Follows: Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»,
 * with the non-working holidays of Labour Code art. 112 and the pre-holiday short days of art. 95.
 * Transfers by the decree: Sat 3 Jan -> Fri 9 Jan; Sun 4 Jan -> Thu 31 Dec. Transfers by art. 112
 * part 2 itself (a holiday on a weekend moves the day off to the next working day): Sun 8 Mar -> Mon
 * 9 Mar; Sat 9 May -> Mon 11 May.
 * Totals the data must give (checked by a test): 247 working days, 118 days off; short days 30 Apr,
 * 8 May, 11 Jun, 3 Nov, so 1972 hours at 40 h/week.
 *
 * Operators must check this against the published decree before relying on it, and can edit it (the
 * calendar is configurable; regional holidays are not included).
 */
import type { ProductionCalendarYear } from './production-year.js';

const NEW_YEAR = 'Новогодние каникулы (ст. 112 ТК РФ)';
const PRE_HOLIDAY = 'Предпраздничный день, короче на 1 час (ст. 95 ТК РФ)';

export const RU_2026: ProductionCalendarYear = {
  year: 2026,
  source: 'Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»',
  status: 'decree',
  notes: [
    'Cross-checked against press reports of the decree (days off 31.12.2025-11.01.2026, 21-23 Feb, 7-9 Mar, 1-3 May, 9-11 May, 12-14 Jun, 4 Nov, 31 Dec; 247 working days); check against the published text.',
    'Regional non-working holidays (e.g. Uraza Bayram, Kurban Bayram, Republic Day in Bashkortostan or Tatarstan) are not included; add them as days of kind "holiday".',
  ],
  days: {
    '2026-01-01': { kind: 'holiday', note: NEW_YEAR },
    '2026-01-02': { kind: 'holiday', note: NEW_YEAR },
    '2026-01-03': { kind: 'holiday', note: `${NEW_YEAR}; выходной перенесён на пятницу 9 января` },
    '2026-01-04': { kind: 'holiday', note: `${NEW_YEAR}; выходной перенесён на четверг 31 декабря` },
    '2026-01-05': { kind: 'holiday', note: NEW_YEAR },
    '2026-01-06': { kind: 'holiday', note: NEW_YEAR },
    '2026-01-07': { kind: 'holiday', note: 'Рождество Христово' },
    '2026-01-08': { kind: 'holiday', note: NEW_YEAR },
    '2026-01-09': { kind: 'holiday', note: 'Выходной, перенесённый с субботы 3 января' },
    '2026-02-23': { kind: 'holiday', note: 'День защитника Отечества' },
    '2026-03-08': { kind: 'holiday', note: 'Международный женский день' },
    '2026-03-09': { kind: 'holiday', note: 'Выходной, перенесённый с воскресенья 8 марта (ст. 112 ч. 2 ТК РФ)' },
    '2026-04-30': { kind: 'short', note: PRE_HOLIDAY },
    '2026-05-01': { kind: 'holiday', note: 'Праздник Весны и Труда' },
    '2026-05-08': { kind: 'short', note: PRE_HOLIDAY },
    '2026-05-09': { kind: 'holiday', note: 'День Победы' },
    '2026-05-11': { kind: 'holiday', note: 'Выходной, перенесённый с субботы 9 мая (ст. 112 ч. 2 ТК РФ)' },
    '2026-06-11': { kind: 'short', note: PRE_HOLIDAY },
    '2026-06-12': { kind: 'holiday', note: 'День России' },
    '2026-11-03': { kind: 'short', note: PRE_HOLIDAY },
    '2026-11-04': { kind: 'holiday', note: 'День народного единства' },
    '2026-12-31': { kind: 'holiday', note: 'Выходной, перенесённый с воскресенья 4 января' },
  },
};
