/**
 * @okno/core calendar: the business calendar and 59-FZ deadlines. Pure: no database, no broker.
 *
 * Business calendar
 *   new BusinessCalendar(config?)        config: { timeZone = 'Europe/Moscow', workWeek = [1..5] (ISO),
 *                                          workingHours = { start: '09:00', end: '18:00', break? },
 *                                          shortDayMinutes = 60, days: { 'YYYY-MM-DD': { kind, note? } } }
 *                                          kind: 'holiday' | 'workday' (worked weekend) | 'short' (pre-holiday,
 *                                          worked, ends shortDayMinutes early). Bad config -> ConfigError(issues[]).
 *   .localDate(instant)                  'YYYY-MM-DD' in the calendar's zone
 *   .describeDay(date) / .isWorkingDay(date)          date: 'YYYY-MM-DD' or a Date (its local date)
 *   .nextWorkingDay(date, { inclusive? })             -> 'YYYY-MM-DD'
 *   .workingDaysBetween(from, to)        working days in (from, to], signed
 *   .addCalendarDays(instant, n, { rollForward = true })   same wall time n days on; non-working -> next working day
 *   .addWorkingDays(instant, n)          same wall time on the n-th working day after
 *   .addWorkingHours(instant, hours)     counts only working time (breaks, short days, weekends, holidays)
 *   .workingHoursBetween(a, b) / .workingMillisBetween(a, b)   working time in [a, b), signed
 *   .isWorkingTime(instant) / .nextWorkingInstant(instant) / .workingIntervals(date)
 *   .startOfLocalDay(date) / .endOfLocalDay(date) / .closeOfBusiness(date)
 *
 * Russian production calendar
 *   RUSSIAN_PRODUCTION_CALENDAR          2025, 2026 (per decree), 2027 (provisional) with source, status, notes
 *   russianBusinessCalendar(config?, years?)   Moscow calendar on that data; config.days applied on top
 *   russianCalendarDays(years?), provisionalRussianYear(year), statutoryHolidays(year)
 *
 * 59-FZ deadlines
 *   new DeadlinePolicy(calendar, config?)   config per term (register, redirect, answer, secondLine, courtReturn):
 *                                          { amount, unit: 'calendarDays'|'workingDays'|'workingHours',
 *                                            rollForward, warnWithin }; categoryAnswer (default migration: 20 days);
 *                                          extension { maxDays 30, maxCount 1, ... }; dayTermEnds; warnWithin.
 *   .computeDeadlines({ receivedAt, registeredAt, category?, extension? })
 *        -> { registerBy, redirectBy, answerBy, answerByExtended?, secondLineBy, courtReturnBy, answerCategory? }
 *   .extend({ answerBy, extensionsGranted? }, { days, reason, at? }) -> { answerBy, ... } or throws DeadlineRuleError(code)
 *   .isOverdue(due, now) / .isNearDue(due, now, { term?, category?, warnWithin? })
 *   .nearDueHorizon(now, options)        near due  <=>  now <= due <= horizon (for SQL queries)
 *   .remaining(due, now)                 { overdue, ms, calendarDays, workingDays, workingHours }
 *   .due(term, from, category?) / .termFor(term, category?)
 */
export { BusinessCalendar, type DateInput, type DayInfo, type WorkingInterval } from './business-calendar.js';
export {
  DAY_KINDS,
  DEFAULT_CALENDAR_CONFIG,
  checkCalendarConfig,
  type BusinessCalendarConfig,
  type CheckedCalendarConfig,
  type DayKind,
  type DayOverride,
  type TimeRange,
  type WorkingHoursConfig,
} from './calendar-config.js';
export {
  DEFAULT_CATEGORY_ANSWER,
  DEFAULT_EXTENSION,
  DEFAULT_TERMS,
  DEFAULT_WARN_WITHIN,
  MIGRATION_CATEGORY,
  TERM_NAMES,
  TERM_UNITS,
  checkDeadlineConfig,
  type CheckedDeadlineConfig,
  type CheckedTerm,
  type DeadlinePolicyConfig,
  type ExtensionConfig,
  type Span,
  type TermConfig,
  type TermName,
  type TermUnit,
} from './deadline-config.js';
export {
  DeadlinePolicy,
  type AppealDeadlines,
  type CurrentAnswerTerm,
  type DeadlineInput,
  type ExtensionRequest,
  type ExtensionResult,
  type Remaining,
  type WarnOptions,
} from './deadline-policy.js';
export { ConfigError, DeadlineRuleError, type DeadlineErrorCode } from './errors.js';
export { isLocalDate, type LocalDate } from './local-date.js';
export { provisionalRussianYear, statutoryHolidays } from './russia/labour-code.js';
export type { ProductionCalendarYear } from './russia/production-year.js';
export { RUSSIAN_PRODUCTION_CALENDAR, russianBusinessCalendar, russianCalendarDays } from './russia/russian-calendar.js';
