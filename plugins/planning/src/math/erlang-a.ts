/**
 * Erlang A (M/M/N+M, Palm's model): callers wait, but each hangs up after an exponentially
 * distributed patience with mean `patienceSeconds`. Formulas of Garnett, Mandelbaum & Reiman
 * (2002, "Designing a call center with impatient customers") and Mandelbaum & Zeltyn, in the
 * time unit of the AHT, with r = patience/AHT, x = N·r, y = A·r:
 *
 *   weights of the queue length k ahead of an arrival that waits: w_k = y^k / ((x+1)…(x+k)),
 *   S = Σ w_k (GMR's A(x,y)), B = Erlang B(N, A),
 *   P(wait)              = S·B / (1 + (S−1)·B),
 *   P(served | k ahead)  = x / (x+k+1)          (patience against the k+1 exponential stages),
 *   E[wait·1{served} | k] = x/(x+k+1) · r · Σ_{i=1..k+1} 1/(x+i),
 *   P(offered wait > t | wait) = γ(x, y·e^{−t/r}) / γ(x, y)  (regularized incomplete gamma),
 *   P(answered within t | wait) = P(served | wait) · (1 − P(x+1, y·e^{−t/patience}) / P(x+1, y)).
 *
 * The sums run outward from the largest weight (k* = ⌊y − x⌋⁺, found through ln Γ) until the terms
 * fall below 1e-17 of the sum, so they cost O(√y) terms at any load and never overflow; the incomplete
 * gamma ratios are taken in log space. Patience = Infinity is Erlang C.
 */
import { BlockingTable, erlangB } from './erlang-b.js';
import { erlangCMetrics } from './erlang-c.js';
import { digammaDifference, logGamma, regularizedGamma } from './gamma.js';
import { smallestSatisfying } from './search.js';
import {
  checkTarget, missedPart, staffingResult, type QueueMetrics, type ServiceTarget, type StaffingResult,
} from './target.js';

/** Erlang A figures: Erlang C's plus the patience and the average wait of all callers. */
export interface ErlangAMetrics extends QueueMetrics {
  /** Average patience (time before a waiting caller hangs up), seconds. */
  patienceSeconds: number;
  /** Average wait of every offered call, answered or abandoned, seconds (= P(abandon) × patience). */
  averageWaitSeconds: number;
}

/** Agents for a target under Erlang A. */
export type ErlangAStaffingResult = StaffingResult & ErlangAMetrics;

const EPS = 1e-17;
const DIRECT_HARMONIC_LIMIT = 10_000;

interface QueueSums {
  /** ln S. */
  logS: number;
  /** P(served | wait). */
  served: number;
  /** E[wait·1{served} | wait] in units of the AHT. */
  servedWait: number;
}

function queueSums(x: number, y: number, r: number): QueueSums {
  const peak = Math.max(0, Math.floor(y - x));
  const logPeak = peak === 0 ? 0 : peak * Math.log(y) - (logGamma(x + peak + 1) - logGamma(x + 1));
  let harmonicAtPeak = 0;
  if (peak < DIRECT_HARMONIC_LIMIT) for (let i = 1; i <= peak + 1; i++) harmonicAtPeak += 1 / (x + i);
  else harmonicAtPeak = digammaDifference(x + 1, x + peak + 2);

  let sum = 0;
  let served = 0;
  let servedWait = 0;
  const add = (k: number, w: number, harmonic: number): void => {
    const s = (w * x) / (x + k + 1);
    sum += w;
    served += s;
    servedWait += s * harmonic;
  };
  add(peak, 1, harmonicAtPeak);
  // Upward from the peak: w_k = w_{k−1} · y/(x+k).
  for (let k = peak + 1, w = 1, h = harmonicAtPeak; ; k++) {
    w *= y / (x + k);
    h += 1 / (x + k + 1);
    if (w <= sum * EPS) break;
    add(k, w, h);
  }
  // Downward: w_k = w_{k+1} · (x+k+1)/y.
  for (let k = peak - 1, w = 1, h = harmonicAtPeak; k >= 0; k--) {
    w *= (x + k + 1) / y;
    h -= 1 / (x + k + 2);
    if (w <= sum * EPS) break;
    add(k, w, h);
  }
  return { logS: logPeak + Math.log(sum), served: served / sum, servedWait: (r * servedWait) / sum };
}

/** 1 − P(a, z1)/P(a, z2) for z1 ≤ z2, without cancellation in either tail. */
function oneMinusGammaRatio(a: number, z1: number, z2: number): number {
  const g1 = regularizedGamma(a, z1);
  const g2 = regularizedGamma(a, z2);
  if (g2.p < 0.5) return -Math.expm1(g1.logP - g2.logP);
  return (g1.q - g2.q) / g2.p;
}

function checkErlangA(agents: number, load: number, ahtSeconds: number, patienceSeconds: number): void {
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError(`agents must be a whole number ≥ 0, got ${agents}`);
  if (!(load >= 0) || !Number.isFinite(load)) throw new RangeError(`load must be a finite number ≥ 0 Erlangs, got ${load}`);
  if (!(ahtSeconds > 0)) throw new RangeError(`ahtSeconds must be > 0, got ${ahtSeconds}`);
  if (!(patienceSeconds > 0)) throw new RangeError(`patienceSeconds must be > 0 (Infinity for Erlang C), got ${patienceSeconds}`);
}

function metricsFromBlocking(
  agents: number, load: number, ahtSeconds: number, patienceSeconds: number, withinSeconds: number, blocking: number,
): ErlangAMetrics {
  const base = { agents, load, ahtSeconds, withinSeconds, patienceSeconds };
  if (patienceSeconds === Infinity) {
    const c = erlangCMetrics(agents, load, ahtSeconds, withinSeconds);
    return { ...c, patienceSeconds, averageWaitSeconds: c.waitProbability === 0 ? 0 : c.asaSeconds };
  }
  if (load === 0) {
    return { ...base, waitProbability: 0, serviceLevel: 1, asaSeconds: 0, occupancy: 0, abandonProbability: 0, averageWaitSeconds: 0 };
  }
  if (agents === 0) {
    return { ...base, waitProbability: 1, serviceLevel: 0, asaSeconds: Infinity, occupancy: 0, abandonProbability: 1, averageWaitSeconds: patienceSeconds };
  }
  const r = patienceSeconds / ahtSeconds;
  const x = agents * r;
  const y = load * r;
  const sums = queueSums(x, y, r);
  // P(wait) = 1 / (1 + (1/B − 1)/S), in logs since S can be huge and B tiny.
  const waitProbability = blocking === 0 ? 0 : 1 / (1 + Math.exp(Math.log1p(-blocking) - Math.log(blocking) - sums.logS));
  const answered = 1 - waitProbability + waitProbability * sums.served;
  const abandonProbability = waitProbability * (1 - sums.served);
  const withinShare = oneMinusGammaRatio(x + 1, y * Math.exp(-withinSeconds / patienceSeconds), y);
  return {
    ...base,
    waitProbability,
    serviceLevel: 1 - waitProbability + waitProbability * sums.served * withinShare,
    asaSeconds: (waitProbability * sums.servedWait * ahtSeconds) / answered,
    occupancy: Math.min(1, (load * (1 - abandonProbability)) / agents),
    abandonProbability,
    averageWaitSeconds: abandonProbability * patienceSeconds,
  };
}

/**
 * Erlang A figures for `agents` agents: P(wait), P(abandon), SL (answered within `withinSeconds`
 * out of all offered), ASA of answered calls, occupancy, average wait of all callers.
 */
export function erlangAMetrics(
  agents: number, load: number, ahtSeconds: number, patienceSeconds: number, withinSeconds = 20,
): ErlangAMetrics {
  checkErlangA(agents, load, ahtSeconds, patienceSeconds);
  return metricsFromBlocking(agents, load, ahtSeconds, patienceSeconds, withinSeconds, erlangB(agents, load));
}

/**
 * Agents needed under Erlang A for a target (service level, ASA, abandonment, occupancy cap),
 * and the staff with `shrinkage`. Gallops from ⌈A⌉ (down or up) and bisects; Erlang B comes from
 * one recurrence table, so each check costs O(√(A·patience/AHT)).
 */
export function erlangAAgents(
  load: number, ahtSeconds: number, patienceSeconds: number, target: ServiceTarget, shrinkage = 0,
): ErlangAStaffingResult {
  checkErlangA(0, load, ahtSeconds, patienceSeconds);
  checkTarget(target);
  const within = target.withinSeconds ?? 20;
  const table = new BlockingTable(load);
  const at = (n: number): ErlangAMetrics => metricsFromBlocking(n, load, ahtSeconds, patienceSeconds, within, table.at(n));
  const agents = load === 0 ? 0 : smallestSatisfying((n) => missedPart(at(n), target) === undefined, 1, { start: Math.ceil(load) });
  const result = at(agents);
  const limitedBy = agents === 0 ? 'none' : (missedPart(at(agents - 1), target) ?? 'none');
  return { ...result, ...staffingResult(result, shrinkage, limitedBy) };
}
