/**
 * The instant calculator: request shapes for Erlang B, C and A, trunk and fax-modem sizing, turned into
 * the math module's calls. Every number is checked by the math itself (a RangeError names what is
 * wrong; the service answers 422 with it).
 */
import {
  erlangAAgents, erlangAMetrics, erlangB, erlangCAgents, erlangCMetrics, linesForBlocking, trafficLoad, trunksForQueue,
  type ErlangAMetrics, type LineSizing, type QueueMetrics, type ServiceTarget, type StaffingResult, type TrunkSizing,
} from './math/index.js';

/** A queue: its load as calls in an interval with a handle time, or directly in Erlangs. */
export interface QueueInput {
  /** Calls offered in the interval. */
  calls?: number;
  /** Interval length, minutes (default 30 for calls; 60 for an hourly rate). */
  intervalMinutes?: number;
  /** Offered load in Erlangs (instead of calls). */
  load?: number;
  /** Average handle time (talk + hold + wrap-up), seconds. */
  ahtSeconds: number;
  /** Laid over the configured target. */
  target?: ServiceTarget;
  shrinkage?: number;
  /** Also evaluate this many agents. */
  agents?: number;
  /** Erlang A: average patience before a caller hangs up, seconds. */
  patienceSeconds?: number;
}

export interface CalcDefaults {
  target: ServiceTarget;
  shrinkage: number;
  intervalMinutes: number;
  maxBlocking: number;
}

/** Offered load in Erlangs from calls × AHT / interval, or as given. */
export function queueLoad(input: { calls?: number; load?: number; intervalMinutes?: number }, holdSeconds: number, defaults: Pick<CalcDefaults, 'intervalMinutes'>): number {
  if (input.load !== undefined) return input.load;
  if (input.calls === undefined) throw new RangeError('give calls (with intervalMinutes) or load');
  return trafficLoad(input.calls, holdSeconds, (input.intervalMinutes ?? defaults.intervalMinutes) * 60);
}

/** Agents from a few below the answer to a few above, for the calculator's table. */
function around(agents: number, load: number): number[] {
  const first = Math.max(Math.floor(load) + 1, agents - 3, 1);
  return Array.from({ length: Math.max(0, agents + 4 - first) }, (_, i) => first + i);
}

export interface ErlangCAnswer {
  load: number;
  target: ServiceTarget;
  staffing: StaffingResult;
  /** The figures with `agents` agents, when asked. */
  evaluated: QueueMetrics | null;
  /** The figures around the answer. */
  table: QueueMetrics[];
}

export function erlangCCalc(input: QueueInput, d: CalcDefaults): ErlangCAnswer {
  const load = queueLoad(input, input.ahtSeconds, d);
  const target = { ...d.target, ...input.target };
  const within = target.withinSeconds ?? 20;
  const staffing = erlangCAgents(load, input.ahtSeconds, target, input.shrinkage ?? d.shrinkage);
  return {
    load, target, staffing,
    evaluated: input.agents !== undefined ? erlangCMetrics(input.agents, load, input.ahtSeconds, within) : null,
    table: around(staffing.agents, load).map((n) => erlangCMetrics(n, load, input.ahtSeconds, within)),
  };
}

export interface ErlangAAnswer {
  load: number;
  target: ServiceTarget;
  staffing: StaffingResult & ErlangAMetrics;
  evaluated: ErlangAMetrics | null;
  table: ErlangAMetrics[];
}

export function erlangACalc(input: QueueInput, d: CalcDefaults): ErlangAAnswer {
  if (input.patienceSeconds === undefined) throw new RangeError('Erlang A needs patienceSeconds');
  const load = queueLoad(input, input.ahtSeconds, d);
  const target = { ...d.target, ...input.target };
  const within = target.withinSeconds ?? 20;
  const staffing = erlangAAgents(load, input.ahtSeconds, input.patienceSeconds, target, input.shrinkage ?? d.shrinkage);
  const first = Math.max(1, staffing.agents - 3);
  return {
    load, target, staffing,
    evaluated: input.agents !== undefined ? erlangAMetrics(input.agents, load, input.ahtSeconds, input.patienceSeconds, within) : null,
    table: Array.from({ length: staffing.agents + 4 - first }, (_, i) => erlangAMetrics(first + i, load, input.ahtSeconds, input.patienceSeconds as number, within)),
  };
}

/** Lines (trunks, modems) for a load: calls × holding time, or Erlangs. */
export interface LinesInput {
  calls?: number;
  intervalMinutes?: number;
  load?: number;
  /** Average holding time of a line, seconds (with calls). */
  holdSeconds?: number;
  maxBlocking?: number;
  /** Also give the blocking with this many lines. */
  lines?: number;
}

export interface LinesAnswer extends LineSizing {
  maxBlocking: number;
  /** Blocking with `lines` lines, when asked. */
  evaluated: { lines: number; blocking: number } | null;
}

export function erlangBCalc(input: LinesInput, d: CalcDefaults): LinesAnswer {
  if (input.load === undefined && input.holdSeconds === undefined) throw new RangeError('give load, or calls with holdSeconds');
  const load = queueLoad(input, input.holdSeconds ?? 0, { intervalMinutes: 60 });
  const maxBlocking = input.maxBlocking ?? d.maxBlocking;
  return {
    ...linesForBlocking(load, maxBlocking), maxBlocking,
    evaluated: input.lines !== undefined ? { lines: input.lines, blocking: erlangB(input.lines, load) } : null,
  };
}

/** Fax modems: faxes in an interval, pages per fax, and the modem time they take. */
export interface ModemsInput {
  faxes: number;
  intervalMinutes?: number;
  pagesPerFax: number;
  secondsPerPage?: number;
  setupSeconds?: number;
  maxBlocking?: number;
}

export interface ModemsAnswer extends LinesAnswer {
  /** Seconds a modem is held per fax: set-up + pages × seconds per page. */
  holdSeconds: number;
}

export function modemsCalc(input: ModemsInput, d: CalcDefaults & { secondsPerPage: number; setupSeconds: number }): ModemsAnswer {
  if (!(input.pagesPerFax > 0)) throw new RangeError('pagesPerFax must be > 0');
  const holdSeconds = (input.setupSeconds ?? d.setupSeconds) + input.pagesPerFax * (input.secondsPerPage ?? d.secondsPerPage);
  return { ...erlangBCalc({ calls: input.faxes, intervalMinutes: input.intervalMinutes ?? 60, holdSeconds, maxBlocking: input.maxBlocking }, d), holdSeconds };
}

export interface TrunksAnswer {
  load: number;
  staffing: StaffingResult;
  trunks: TrunkSizing;
}

/** Trunks for a queue staffed for its target: talking plus waiting callers, Erlang B at the blocking target. */
export function trunksCalc(input: QueueInput & { maxBlocking?: number }, d: CalcDefaults): TrunksAnswer {
  const model = input.patienceSeconds !== undefined ? erlangACalc(input, d) : erlangCCalc(input, d);
  return { load: model.load, staffing: model.staffing, trunks: trunksForQueue(model.staffing, input.maxBlocking ?? d.maxBlocking) };
}
