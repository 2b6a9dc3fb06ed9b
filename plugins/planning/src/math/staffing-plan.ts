/**
 * A staffing plan per interval (15, 30 or 60 minutes) for a day or a week from a forecast, and
 * what-if changes to it. Each interval is sized on its own (the steady-state Erlang assumption:
 * an interval's queue does not carry into the next), with Erlang C or Erlang A.
 */
import { erlangAAgents, erlangAMetrics } from './erlang-a.js';
import { trafficLoad } from './erlang-b.js';
import { erlangCAgents, erlangCMetrics } from './erlang-c.js';
import { checkTarget, staffingResult, type LimitedBy, type ServiceTarget, type StaffingResult } from './target.js';
import { checkIntervalMinutes, dateOfDay, localTime, toEpochMs, type TimeInput } from './time.js';

/** One forecast interval to staff. */
export interface DemandInterval {
  start: TimeInput;
  /** Calls offered. */
  volume: number;
  /** Average handle time, seconds. */
  aht: number;
}

/** How to staff. */
export interface PlanOptions {
  intervalMinutes: number;
  target: ServiceTarget;
  /** Share of paid time not on the phones (default 0.3, regulations §7 item 31). */
  shrinkage?: number;
  /** 'erlangC' (default) or 'erlangA' (needs patienceSeconds). */
  model?: 'erlangC' | 'erlangA';
  /** Average patience before callers hang up, seconds (Erlang A). */
  patienceSeconds?: number;
  /** Fewest agents in any interval (e.g. 1 to keep the line open; 'limitedBy' is then 'none'), default 0. */
  minAgents?: number;
  /** Local time for grouping into days, minutes east of UTC (Moscow: 180). */
  utcOffsetMinutes?: number;
}

/** The plan for one interval. */
export interface PlannedInterval {
  /** Start, epoch ms. */
  start: number;
  volume: number;
  aht: number;
  /** Offered load, Erlangs. */
  load: number;
  /** Agents on the line. */
  agents: number;
  /** Staff to roster (with shrinkage). */
  staff: number;
  occupancy: number;
  /** Expected service level (share answered within the target's seconds). */
  serviceLevel: number;
  asaSeconds: number;
  /** Expected share of calls abandoned (0 under Erlang C). */
  abandonProbability: number;
  limitedBy: LimitedBy;
}

/** Totals over a day or the whole plan. */
export interface PlanTotals {
  volume: number;
  /** Agent-hours on the line. */
  agentHours: number;
  /** Staff-hours to roster. */
  staffHours: number;
  peakAgents: number;
  peakStaff: number;
  /** Volume-weighted service level. */
  serviceLevel: number;
  /** Volume-weighted ASA, seconds. */
  asaSeconds: number;
  /** Carried load / agents over the period. */
  occupancy: number;
  /** Expected calls abandoned. */
  abandonedCalls: number;
}

/** Totals of one local day. */
export interface DayPlan extends PlanTotals {
  date: string;
}

/** A staffing plan. */
export interface StaffingPlan {
  intervals: PlannedInterval[];
  days: DayPlan[];
  total: PlanTotals;
}

function checkPlanOptions(options: PlanOptions): void {
  checkIntervalMinutes(options.intervalMinutes);
  checkTarget(options.target);
  if (options.model === 'erlangA' && !(options.patienceSeconds !== undefined && options.patienceSeconds > 0)) {
    throw new RangeError('the Erlang A model needs patienceSeconds > 0');
  }
}

function sizeInterval(demand: DemandInterval, options: PlanOptions): PlannedInterval {
  const intervalSeconds = options.intervalMinutes * 60;
  const shrinkage = options.shrinkage ?? 0.3;
  if (!(demand.volume >= 0) || (demand.volume > 0 && !(demand.aht > 0))) {
    throw new RangeError(`interval ${String(demand.start)}: volume must be ≥ 0 and aht > 0 when there are calls`);
  }
  const aht = demand.aht > 0 ? demand.aht : 1;
  const load = trafficLoad(demand.volume, aht, intervalSeconds);
  const within = options.target.withinSeconds ?? 20;
  const patience = options.patienceSeconds as number;
  let r: StaffingResult =
    options.model === 'erlangA'
      ? erlangAAgents(load, aht, patience, options.target, shrinkage)
      : erlangCAgents(load, aht, options.target, shrinkage);
  const minAgents = options.minAgents ?? 0;
  if (r.agents < minAgents) {
    const m = options.model === 'erlangA'
      ? erlangAMetrics(minAgents, load, aht, patience, within)
      : erlangCMetrics(minAgents, load, aht, within);
    r = staffingResult(m, shrinkage, 'none');
  }
  return {
    start: toEpochMs(demand.start),
    volume: demand.volume,
    aht: demand.aht,
    load,
    agents: r.agents,
    staff: r.staff,
    occupancy: r.occupancy,
    serviceLevel: r.serviceLevel,
    asaSeconds: r.asaSeconds,
    abandonProbability: r.abandonProbability,
    limitedBy: r.limitedBy,
  };
}

function totals(intervals: PlannedInterval[], intervalMinutes: number): PlanTotals {
  const hours = intervalMinutes / 60;
  let volume = 0;
  let agentHours = 0;
  let staffHours = 0;
  let peakAgents = 0;
  let peakStaff = 0;
  let slWeighted = 0;
  let asaWeighted = 0;
  let carried = 0;
  let abandonedCalls = 0;
  for (const p of intervals) {
    volume += p.volume;
    agentHours += p.agents * hours;
    staffHours += p.staff * hours;
    peakAgents = Math.max(peakAgents, p.agents);
    peakStaff = Math.max(peakStaff, p.staff);
    if (p.volume > 0) {
      slWeighted += p.serviceLevel * p.volume;
      asaWeighted += p.asaSeconds * p.volume;
    }
    carried += p.load * (1 - p.abandonProbability) * hours;
    abandonedCalls += p.volume * p.abandonProbability;
  }
  return {
    volume, agentHours, staffHours, peakAgents, peakStaff,
    serviceLevel: volume > 0 ? slWeighted / volume : 1,
    asaSeconds: volume > 0 ? asaWeighted / volume : 0,
    occupancy: agentHours > 0 ? carried / agentHours : 0,
    abandonedCalls,
  };
}

/** Staffs every interval of a forecast and sums the plan by local day and in total. */
export function staffingPlan(demand: DemandInterval[], options: PlanOptions): StaffingPlan {
  checkPlanOptions(options);
  const intervals = demand.map((d) => sizeInterval(d, options)).sort((a, b) => a.start - b.start);
  const byDay = new Map<number, PlannedInterval[]>();
  for (const p of intervals) {
    const day = localTime(p.start, options.utcOffsetMinutes ?? 0).day;
    byDay.set(day, [...(byDay.get(day) ?? []), p]);
  }
  const days = [...byDay].map(([day, list]) => ({ date: dateOfDay(day), ...totals(list, options.intervalMinutes) }));
  return { intervals, days, total: totals(intervals, options.intervalMinutes) };
}

/** A what-if change to a plan's inputs. */
export interface WhatIfChange {
  /** Volume change in percent (+10 = 10% more calls). */
  volumePercent?: number;
  /** AHT change in percent. */
  ahtPercent?: number;
  /** AHT change in seconds, added after `ahtPercent`. */
  ahtSeconds?: number;
  /** Parts of the target to replace. */
  target?: Partial<ServiceTarget>;
  shrinkage?: number;
  model?: 'erlangC' | 'erlangA';
  patienceSeconds?: number;
  minAgents?: number;
}

/** Changes of one interval (after − before). */
export interface IntervalDelta {
  start: number;
  agents: number;
  staff: number;
  serviceLevel: number;
}

/** A plan before and after a change, with the differences. */
export interface WhatIfResult {
  before: StaffingPlan;
  after: StaffingPlan;
  delta: { intervals: IntervalDelta[]; total: PlanTotals };
}

/** Applies a what-if change and returns both plans and their differences. */
export function whatIf(demand: DemandInterval[], options: PlanOptions, change: WhatIfChange): WhatIfResult {
  const volumeFactor = 1 + (change.volumePercent ?? 0) / 100;
  const ahtFactor = 1 + (change.ahtPercent ?? 0) / 100;
  if (!(volumeFactor >= 0) || !(ahtFactor > 0)) throw new RangeError('volumePercent must be ≥ −100 and ahtPercent > −100');
  const changedDemand = demand.map((d) => ({ ...d, volume: d.volume * volumeFactor, aht: Math.max(0, d.aht * ahtFactor + (change.ahtSeconds ?? 0)) }));
  const changedOptions: PlanOptions = {
    ...options,
    target: { ...options.target, ...change.target },
    ...(change.shrinkage !== undefined ? { shrinkage: change.shrinkage } : {}),
    ...(change.model !== undefined ? { model: change.model } : {}),
    ...(change.patienceSeconds !== undefined ? { patienceSeconds: change.patienceSeconds } : {}),
    ...(change.minAgents !== undefined ? { minAgents: change.minAgents } : {}),
  };
  const before = staffingPlan(demand, options);
  const after = staffingPlan(changedDemand, changedOptions);
  const intervals = after.intervals.map((a, i) => {
    const b = before.intervals[i] as PlannedInterval;
    return { start: a.start, agents: a.agents - b.agents, staff: a.staff - b.staff, serviceLevel: a.serviceLevel - b.serviceLevel };
  });
  const total = Object.fromEntries(
    Object.entries(after.total).map(([k, v]) => [k, v - (before.total[k as keyof PlanTotals] as number)]),
  ) as unknown as PlanTotals;
  return { before, after, delta: { intervals, total } };
}
