/**
 * @okno/planning/math — capacity-planning math for the planning plugin and the console.
 *
 * Pure functions with no imports outside this folder and no Node built-ins, so the browser
 * console imports `@okno/planning/math` and runs the same numbers as the server.
 */

/** Erlang B: blocking and lines needed (trunks, fax modems); traffic load in Erlangs. */
export { erlangB, linesForBlocking, trafficLoad, BlockingTable, type LineSizing } from './erlang-b.js';
/** Trunks for a queue: Erlang B on talking plus waiting callers. */
export { trunksForQueue, type TrunkSizing } from './trunks.js';
/** Erlang C: probability of waiting, service level, ASA, occupancy, agents for a target. */
export { erlangC, erlangCMetrics, erlangCAgents } from './erlang-c.js';
/** Erlang A: callers with exponential patience — abandonment, P(wait), SL, ASA, agents for a target. */
export { erlangAMetrics, erlangAAgents, type ErlangAMetrics, type ErlangAStaffingResult } from './erlang-a.js';
/** Targets and the figures every model reports; staff from agents with shrinkage. */
export {
  staffWithShrinkage, type ServiceTarget, type QueueMetrics, type StaffingResult, type LimitedBy,
} from './target.js';
/** Square-root staffing and the Halfin–Whitt approximation (rules of thumb). */
export { squareRootStaffing, halfinWhittWaitProbability, normalCdf, normalDensity } from './normal.js';
/** Staffing plans per interval for a day or a week, and what-if changes with deltas. */
export {
  staffingPlan, whatIf,
  type DemandInterval, type PlanOptions, type PlannedInterval, type PlanTotals, type DayPlan, type StaffingPlan,
  type WhatIfChange, type WhatIfResult, type IntervalDelta,
} from './staffing-plan.js';
/** Deferred work (e-mail, fax, portal): staff per interval to meet deadlines (fluid model, taut string). */
export {
  backlogPlan, tautString, type BacklogInput, type BacklogInterval, type BacklogPlan, type BacklogPlanInterval, type WaitingItems,
} from './backlog.js';
/** Forecasts of interval volume and AHT (trend × weekday index × intraday share; holidays apart). */
export {
  fitForecast, forecastAt, forecastDays, holdoutAccuracy,
  type HistoryPoint, type ForecastOptions, type ForecastModel, type ForecastInterval, type HoldoutAccuracy, type WeekAccuracy,
} from './forecast.js';
/** Forecast accuracy: MAPE, WAPE, sMAPE, bias. */
export { accuracy, type AccuracyFigures } from './accuracy.js';
/** Local calendar helpers at a fixed UTC offset. */
export { toEpochMs, localTime, weekdayOf, dateOfDay, dayOfDate, epochOfLocal, type TimeInput, type LocalTime } from './time.js';
/** Smallest whole number meeting a monotone target (galloping + bisection). */
export { smallestSatisfying, type SearchOptions } from './search.js';
