/**
 * Erlang C (M/M/N, callers wait patiently): probability of waiting, service level, average
 * speed of answer, occupancy, and the agents needed for a target.
 *
 * C(N, A) = N·B / (N − A·(1 − B)) from the Erlang B value B (stable recurrence), and for N > A
 *   SL(t) = 1 − C·e^{−(N−A)·t/AHT},  ASA = C·AHT / (N − A),  occupancy = A / N.
 * With N ≤ A the queue grows without bound: C = 1, SL = 0, ASA = Infinity, occupancy = 1.
 */
import { BlockingTable, erlangB } from './erlang-b.js';
import { smallestSatisfying } from './search.js';
import {
  checkTarget, missedPart, staffingResult, type QueueMetrics, type ServiceTarget, type StaffingResult,
} from './target.js';

function checkQueue(load: number, ahtSeconds: number): void {
  if (!(load >= 0) || !Number.isFinite(load)) throw new RangeError(`load must be a finite number ≥ 0 Erlangs, got ${load}`);
  if (!(ahtSeconds > 0)) throw new RangeError(`ahtSeconds must be > 0, got ${ahtSeconds}`);
}

function waitProbabilityFromBlocking(agents: number, load: number, blocking: number): number {
  if (agents <= load) return 1;
  return (agents * blocking) / (agents - load * (1 - blocking));
}

/** Erlang C: the probability that a call waits, with `agents` agents and `load` Erlangs. */
export function erlangC(agents: number, load: number): number {
  checkQueue(load, 1);
  if (load === 0) return 0;
  return waitProbabilityFromBlocking(agents, load, erlangB(agents, load));
}

function metricsFromBlocking(agents: number, load: number, ahtSeconds: number, withinSeconds: number, blocking: number): QueueMetrics {
  const base = { agents, load, ahtSeconds, withinSeconds, abandonProbability: 0 };
  if (load === 0) return { ...base, waitProbability: 0, serviceLevel: 1, asaSeconds: 0, occupancy: 0 };
  if (agents <= load) return { ...base, waitProbability: 1, serviceLevel: 0, asaSeconds: Infinity, occupancy: 1 };
  const c = waitProbabilityFromBlocking(agents, load, blocking);
  const spare = agents - load;
  return {
    ...base,
    waitProbability: c,
    serviceLevel: 1 - c * Math.exp((-spare * withinSeconds) / ahtSeconds),
    asaSeconds: (c * ahtSeconds) / spare,
    occupancy: load / agents,
  };
}

/** Erlang C figures for `agents` agents: P(wait), SL(withinSeconds), ASA, occupancy. */
export function erlangCMetrics(agents: number, load: number, ahtSeconds: number, withinSeconds = 20): QueueMetrics {
  checkQueue(load, ahtSeconds);
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError(`agents must be a whole number ≥ 0, got ${agents}`);
  return metricsFromBlocking(agents, load, ahtSeconds, withinSeconds, erlangB(agents, load));
}

/**
 * Agents needed by Erlang C for a target (service level and/or ASA, with an occupancy cap),
 * and the staff to roster with `shrinkage`. Cost: one Erlang B recurrence pass up to the answer
 * plus O(log) checks (galloping then bisection from the stability bound ⌊A⌋+1).
 */
export function erlangCAgents(load: number, ahtSeconds: number, target: ServiceTarget, shrinkage = 0): StaffingResult {
  checkQueue(load, ahtSeconds);
  checkTarget(target);
  const within = target.withinSeconds ?? 20;
  if (load === 0) return staffingResult(metricsFromBlocking(0, 0, ahtSeconds, within, 0), shrinkage, 'none');
  const table = new BlockingTable(load);
  const at = (n: number): QueueMetrics => metricsFromBlocking(n, load, ahtSeconds, within, table.at(n));
  const stable = Math.floor(load) + 1;
  const agents = smallestSatisfying((n) => missedPart(at(n), target) === undefined, stable);
  const limitedBy = agents === stable ? 'stability' : (missedPart(at(agents - 1), target) ?? 'stability');
  return staffingResult(at(agents), shrinkage, limitedBy);
}
