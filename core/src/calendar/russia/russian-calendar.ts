/**
 * The Russian production calendar as BusinessCalendar data: the years shipped with Okno and a
 * factory for a Moscow calendar that uses them.
 */
import { BusinessCalendar } from '../business-calendar.js';
import type { BusinessCalendarConfig, DayOverride } from '../calendar-config.js';
import type { LocalDate } from '../local-date.js';
import type { ProductionCalendarYear } from './production-year.js';
import { RU_2025 } from './ru-2025.js';
import { RU_2026 } from './ru-2026.js';
import { RU_2027 } from './ru-2027.js';

/** The years shipped with Okno, oldest first. Check `status` and `notes` before relying on a year. */
export const RUSSIAN_PRODUCTION_CALENDAR: readonly ProductionCalendarYear[] = [RU_2025, RU_2026, RU_2027];

/** The day overrides of the given years (all shipped years by default), merged into one map. */
export function russianCalendarDays(
  years: readonly ProductionCalendarYear[] = RUSSIAN_PRODUCTION_CALENDAR,
): Record<LocalDate, DayOverride> {
  return Object.assign({}, ...years.map((y) => y.days)) as Record<LocalDate, DayOverride>;
}

/**
 * A BusinessCalendar on the Russian production calendar, Moscow time by default. `config.days` is
 * applied over the shipped data (regional holidays, corrections from the decree); `years` replaces
 * the shipped years (for instance to add `provisionalRussianYear(2028)`).
 */
export function russianBusinessCalendar(
  config: BusinessCalendarConfig = {},
  years: readonly ProductionCalendarYear[] = RUSSIAN_PRODUCTION_CALENDAR,
): BusinessCalendar {
  return new BusinessCalendar({ ...config, days: { ...russianCalendarDays(years), ...config.days } });
}
