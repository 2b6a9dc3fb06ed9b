/** One year of a national production calendar, as data an operator can read, check and edit. */
import type { DayOverride } from '../calendar-config.js';
import type { LocalDate } from '../local-date.js';

export interface ProductionCalendarYear {
  year: number;
  /** The act the data follows, e.g. 'Постановление Правительства РФ от 24.09.2025 № 1466'. */
  source: string;
  /**
   * 'decree': taken from the published decree on transferring days off.
   * 'provisional': the decree was not known when the data was written; only the Labour Code's own
   * rules are applied, and the year must be checked before it is relied on.
   */
  status: 'decree' | 'provisional';
  /** What the data does not say, what is uncertain, what to check. */
  notes: readonly string[];
  /** Every date that differs from an ordinary Monday-Friday week. */
  days: Readonly<Record<LocalDate, DayOverride>>;
}
