/**
 * Forecasts, staffing plans, what-ifs and backlog plans for the service: resolves a request (defaults
 * from the config, demand from a forecast of reporting's history or as given), runs the math, and
 * shapes the answer (ISO times in the city's offset, heatmaps).
 */
import type { Context } from 'moleculer';
import { conflict, type BusinessCalendar, type TermName, type CheckedDeadlineConfig } from '@okno/core';
import {
  backlogPlan, fitForecast, forecastDays, holdoutAccuracy, staffingPlan, whatIf,
  type BacklogPlan, type DemandInterval, type ForecastModel, type HoldoutAccuracy, type PlanOptions, type ServiceTarget, type StaffingPlan,
  type WaitingItems, type WhatIfChange, type WhatIfResult, type HistoryPoint,
} from './math/index.js';
import type { PlanningConfig } from './config.js';
import { addDays, isoAtOffset, localDate, startOfLocalDay, utcOffsetMinutes } from './city-time.js';
import { daysWithVolume, holidaysBetween, readHistory, type Scope } from './history.js';
import { heatmap, type Heatmap } from './heatmap.js';

export interface PlanningDeps {
  config: PlanningConfig;
  timeZone: string;
  calendar: () => BusinessCalendar;
  deadlines: () => CheckedDeadlineConfig;
  /** Working minutes of an ordinary day (for deadlines in working days). */
  workingMinutesPerDay: number;
  now: () => number;
}

export interface ForecastRequest extends Scope {
  intervalMinutes?: number;
  /** First local date to forecast (default tomorrow). */
  from?: string;
  days?: number;
  historyWeeks?: number;
}

interface Window {
  fromDate: string;
  days: number;
  intervalMinutes: number;
  offset: number;
  start: number;
  end: number;
}

function windowOf(req: ForecastRequest, deps: PlanningDeps, defaultDays: number): Window {
  if (req.intervalMinutes !== undefined && ![15, 30, 60].includes(req.intervalMinutes)) throw new RangeError('intervalMinutes must be 15, 30 or 60');
  const today = localDate(deps.timeZone, deps.now());
  const fromDate = req.from ?? addDays(today, 1);
  const days = req.days ?? defaultDays;
  const start = startOfLocalDay(deps.timeZone, fromDate);
  return { fromDate, days, intervalMinutes: req.intervalMinutes ?? deps.config.intervalMinutes, offset: utcOffsetMinutes(deps.timeZone, start), start, end: startOfLocalDay(deps.timeZone, addDays(fromDate, days)) };
}

/** History before the forecast (never after it, nor after today), with its holidays; 409 when too little. */
async function historyFor(ctx: Context, req: ForecastRequest, w: Window, deps: PlanningDeps, extraDays = 0): Promise<{ history: HistoryPoint[]; from: string; to: string; days: number; holidays: string[] }> {
  const today = localDate(deps.timeZone, deps.now());
  const to = w.fromDate < today ? w.fromDate : today;
  const from = addDays(to, -7 * (req.historyWeeks ?? deps.config.historyWeeks));
  const read = await readHistory(ctx, req, w.intervalMinutes, startOfLocalDay(deps.timeZone, from), startOfLocalDay(deps.timeZone, to));
  // History starts on the first day with contacts (before it, nothing was counted yet, which is not a quiet day).
  const first = read.find((p) => p.volume > 0);
  const firstDay = first ? startOfLocalDay(deps.timeZone, localDate(deps.timeZone, Date.parse(String(first.start)))) : Infinity;
  const history = read.filter((p) => Date.parse(String(p.start)) >= firstDay);
  const days = daysWithVolume(history, deps.timeZone);
  const needed = deps.config.minHistoryDays + extraDays;
  if (days < needed) {
    throw conflict(`not enough history to forecast ${req.groupBy === 'all' ? 'all contacts' : `${req.groupBy} "${req.key ?? ''}"`}: ${days} day(s) with contacts between ${from} and ${to}, at least ${needed} needed`, {
      reason: 'NOT_ENOUGH_HISTORY', daysWithHistory: days, needed, from, to,
    });
  }
  const holidays = holidaysBetween(deps.calendar(), from, addDays(w.fromDate, w.days));
  return { history, from, to, days, holidays };
}

export interface ForecastAnswer {
  scope: Scope;
  timeZone: string;
  utcOffsetMinutes: number;
  intervalMinutes: number;
  from: string;
  days: number;
  history: { from: string; to: string; daysWithContacts: number };
  model: ForecastModel;
  /** Forecast per interval, with the actual figures where the interval is past. */
  intervals: { start: string; volume: number; aht: number; holiday: boolean; actualVolume: number | null; actualAht: number | null }[];
  totals: { date: string; volume: number; actualVolume: number | null }[];
}

export async function forecast(ctx: Context, req: ForecastRequest, deps: PlanningDeps): Promise<ForecastAnswer> {
  const w = windowOf(req, deps, 7);
  const h = await historyFor(ctx, req, w, deps);
  const model = fitForecast(h.history, { intervalMinutes: w.intervalMinutes, utcOffsetMinutes: w.offset, holidays: h.holidays });
  const predicted = forecastDays(model, w.start, w.days);
  const now = deps.now();
  const actual = new Map<number, HistoryPoint>();
  if (w.start < now) for (const p of await readHistory(ctx, req, w.intervalMinutes, w.start, Math.min(w.end, now))) actual.set(Date.parse(String(p.start)), p);
  const intervals = predicted.map((f) => {
    const a = f.start + w.intervalMinutes * 60_000 <= now ? actual.get(f.start) : undefined;
    return { start: isoAtOffset(f.start, w.offset), volume: f.volume, aht: f.aht, holiday: f.holiday, actualVolume: a ? a.volume : null, actualAht: a?.aht ?? null };
  });
  const totals = new Map<string, { date: string; volume: number; actualVolume: number | null }>();
  for (const i of intervals) {
    const date = i.start.slice(0, 10);
    const t = totals.get(date) ?? { date, volume: 0, actualVolume: null };
    t.volume += i.volume;
    if (i.actualVolume !== null) t.actualVolume = (t.actualVolume ?? 0) + i.actualVolume;
    totals.set(date, t);
  }
  return {
    scope: { groupBy: req.groupBy, ...(req.key !== undefined ? { key: req.key } : {}) }, timeZone: deps.timeZone, utcOffsetMinutes: w.offset,
    intervalMinutes: w.intervalMinutes, from: w.fromDate, days: w.days, history: { from: h.from, to: h.to, daysWithContacts: h.days }, model, intervals, totals: [...totals.values()],
  };
}

export interface AccuracyRequest extends Scope {
  intervalMinutes?: number;
  holdoutWeeks?: number;
  historyWeeks?: number;
}

export async function accuracy(ctx: Context, req: AccuracyRequest, deps: PlanningDeps): Promise<Omit<HoldoutAccuracy, 'model'> & { holdoutWeeks: number; history: { from: string; to: string; daysWithContacts: number } }> {
  const holdoutWeeks = req.holdoutWeeks ?? 1;
  const w = windowOf({ ...req, from: localDate(deps.timeZone, deps.now()) }, deps, 0);
  const h = await historyFor(ctx, req, w, deps, 7 * holdoutWeeks);
  const { model: _model, ...figures } = holdoutAccuracy(h.history, { intervalMinutes: w.intervalMinutes, utcOffsetMinutes: w.offset, holidays: h.holidays, holdoutWeeks });
  return { ...figures, holdoutWeeks, history: { from: h.from, to: h.to, daysWithContacts: h.days } };
}

export interface PlanRequest extends Partial<Scope> {
  /** The demand as given; without it, the forecast of the scope's history. */
  demand?: DemandInterval[];
  from?: string;
  days?: number;
  intervalMinutes?: number;
  historyWeeks?: number;
  target?: ServiceTarget;
  shrinkage?: number;
  model?: 'erlangC' | 'erlangA';
  patienceSeconds?: number;
  minAgents?: number;
}

export interface ShapedPlan {
  intervals: (Omit<StaffingPlan['intervals'][number], 'start'> & { start: string })[];
  days: StaffingPlan['days'];
  total: StaffingPlan['total'];
  heatmap: Heatmap;
}

interface ResolvedPlan {
  demand: DemandInterval[];
  options: PlanOptions;
  source: 'given' | 'forecast';
}

async function resolvePlan(ctx: Context, req: PlanRequest, deps: PlanningDeps): Promise<ResolvedPlan> {
  const w = windowOf({ groupBy: req.groupBy ?? 'all', ...req }, deps, 1);
  const options: PlanOptions = {
    intervalMinutes: w.intervalMinutes, target: { ...deps.config.target, ...req.target }, shrinkage: req.shrinkage ?? deps.config.shrinkage,
    model: req.model ?? 'erlangC', ...(req.patienceSeconds !== undefined ? { patienceSeconds: req.patienceSeconds } : {}),
    minAgents: req.minAgents ?? 0, utcOffsetMinutes: w.offset,
  };
  if (req.demand) return { demand: req.demand, options, source: 'given' };
  const f = await forecast(ctx, { groupBy: req.groupBy ?? 'all', ...(req.key !== undefined ? { key: req.key } : {}), intervalMinutes: w.intervalMinutes, from: w.fromDate, days: w.days, ...(req.historyWeeks ? { historyWeeks: req.historyWeeks } : {}) }, deps);
  return { demand: f.intervals.map((i) => ({ start: i.start, volume: i.volume, aht: i.aht })), options, source: 'forecast' };
}

function shape(plan: StaffingPlan, options: PlanOptions): ShapedPlan {
  const offset = options.utcOffsetMinutes ?? 0;
  return {
    intervals: plan.intervals.map((i) => ({ ...i, start: isoAtOffset(i.start, offset) })),
    days: plan.days, total: plan.total,
    heatmap: heatmap(plan.intervals, options.intervalMinutes, offset),
  };
}

export async function plan(ctx: Context, req: PlanRequest, deps: PlanningDeps): Promise<{ source: 'given' | 'forecast'; options: PlanOptions; plan: ShapedPlan }> {
  const r = await resolvePlan(ctx, req, deps);
  return { source: r.source, options: r.options, plan: shape(staffingPlan(r.demand, r.options), r.options) };
}

export async function planWhatIf(ctx: Context, req: PlanRequest & { change: WhatIfChange }, deps: PlanningDeps): Promise<{ source: 'given' | 'forecast'; options: PlanOptions; change: WhatIfChange; before: ShapedPlan; after: ShapedPlan; delta: WhatIfResult['delta'] & { heatmap: Heatmap } }> {
  const r = await resolvePlan(ctx, req, deps);
  const w = whatIf(r.demand, r.options, req.change);
  const offset = r.options.utcOffsetMinutes ?? 0;
  return {
    source: r.source, options: r.options, change: req.change, before: shape(w.before, r.options), after: shape(w.after, r.options),
    delta: { ...w.delta, heatmap: heatmap(w.delta.intervals, r.options.intervalMinutes, offset) },
  };
}

export interface BacklogRequest extends Partial<Scope> {
  from?: string;
  days?: number;
  intervalMinutes?: number;
  historyWeeks?: number;
  /** Items arriving in each interval (without it: the forecast of the scope). */
  arrivals?: number[];
  /** Handle time of one item, seconds (without it: the forecast's AHT). */
  handleSeconds?: number;
  /** A 59-FZ term from the deadline configuration, or minutes on a clock. */
  deadline?: TermName | { minutes: number; clock: 'calendar' | 'working' };
  waiting?: WaitingItems[];
  utilisation?: number;
  shrinkage?: number;
  /** 'calendar' (default): staff work in the business calendar's working hours; 'always': around the clock. */
  working?: 'calendar' | 'always';
  endBacklogItems?: number;
}

export interface BacklogAnswer extends Omit<BacklogPlan, 'intervals'> {
  intervals: (Omit<BacklogPlan['intervals'][number], 'start'> & { start: string })[];
  deadline: { minutes: number; clock: 'calendar' | 'working' };
  handleSeconds: number;
  source: 'given' | 'forecast';
  heatmap: Heatmap;
}

/** A term of the deadline configuration in minutes on its clock. */
export function termMinutes(term: TermName, deps: PlanningDeps): { minutes: number; clock: 'calendar' | 'working' } {
  const t = deps.deadlines().terms[term];
  if (t.unit === 'calendarDays') return { minutes: t.amount * 1440, clock: 'calendar' };
  if (t.unit === 'workingDays') return { minutes: t.amount * deps.workingMinutesPerDay, clock: 'working' };
  return { minutes: t.amount * 60, clock: 'working' };
}

export async function backlog(ctx: Context, req: BacklogRequest, deps: PlanningDeps): Promise<BacklogAnswer> {
  const w = windowOf({ groupBy: req.groupBy ?? 'channel', ...req, intervalMinutes: req.intervalMinutes ?? 60 }, deps, 7);
  const slots = (w.end - w.start) / (w.intervalMinutes * 60_000);
  let arrivals = req.arrivals;
  let handleSeconds = req.handleSeconds;
  let source: 'given' | 'forecast' = 'given';
  if (!arrivals || handleSeconds === undefined) {
    const f = await forecast(ctx, { groupBy: req.groupBy ?? 'channel', ...(req.key !== undefined ? { key: req.key } : {}), intervalMinutes: w.intervalMinutes, from: w.fromDate, days: w.days, ...(req.historyWeeks ? { historyWeeks: req.historyWeeks } : {}) }, deps);
    if (!arrivals) {
      arrivals = f.intervals.map((i) => i.volume);
      source = 'forecast';
    }
    if (handleSeconds === undefined) {
      const volume = f.intervals.reduce((s, i) => s + i.volume, 0);
      handleSeconds = volume > 0 ? f.intervals.reduce((s, i) => s + i.volume * i.aht, 0) / volume : 0;
    }
  }
  if (arrivals.length !== slots) throw new RangeError(`arrivals must have ${slots} values (${w.days} day(s) of ${w.intervalMinutes}-minute intervals), got ${arrivals.length}`);
  const deadline = typeof req.deadline === 'object' ? req.deadline : termMinutes(req.deadline ?? 'answer', deps);
  const calendar = deps.calendar();
  const starts = arrivals.map((_, i) => w.start + i * w.intervalMinutes * 60_000);
  const result = backlogPlan({
    intervals: arrivals.map((a, i) => ({ start: starts[i]!, arrivals: a, working: req.working === 'always' || calendar.isWorkingTime(new Date(starts[i]! + 60_000)) })),
    intervalMinutes: w.intervalMinutes, handleSeconds: handleSeconds as number, deadlineMinutes: deadline.minutes, clock: deadline.clock,
    ...(req.waiting ? { waiting: req.waiting } : {}), utilisation: req.utilisation ?? 1, shrinkage: req.shrinkage ?? deps.config.shrinkage,
    // Steady state by default: hand the next period no more waiting work than this one started with.
    endBacklogItems: req.endBacklogItems ?? (req.waiting ?? []).reduce((s, x) => s + x.items, 0),
  });
  return {
    ...result, intervals: result.intervals.map((i) => ({ ...i, start: isoAtOffset(i.start ?? 0, w.offset) })), deadline, handleSeconds: handleSeconds as number, source,
    heatmap: heatmap(result.intervals.map((i) => ({ start: i.start ?? 0, agents: i.agents, staff: i.staff })), w.intervalMinutes, w.offset),
  };
}
