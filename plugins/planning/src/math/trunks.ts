/**
 * Trunk sizing for a queue: trunks carry callers who talk and callers who wait, so their holding
 * time is the wait plus the talk (an abandoned call holds a trunk only while it waits):
 *   trunk load = load × (1 − P(abandon)) + (load / AHT) × average wait of all callers,
 * and the trunks needed follow from Erlang B at the blocking target. The usual rule of thumb
 * (agents + 20%, regulations §8) is returned alongside for comparison.
 */
import { linesForBlocking, type LineSizing } from './erlang-b.js';
import type { QueueMetrics } from './target.js';

/** Trunks for a queue, with the load they carry. */
export interface TrunkSizing extends LineSizing {
  /** Erlangs on the trunks (talking + waiting). */
  trunkLoad: number;
  /** The rule of thumb: agents + 20%, rounded up. */
  ruleOfThumb: number;
}

/**
 * Trunks needed for a queue's figures (from erlangCMetrics/erlangCAgents or the Erlang A ones) so
 * that at most `maxBlocking` of callers find every trunk busy.
 */
export function trunksForQueue(queue: QueueMetrics & { averageWaitSeconds?: number }, maxBlocking: number): TrunkSizing {
  const waitAll = queue.averageWaitSeconds ?? (queue.abandonProbability === 0 ? queue.asaSeconds : NaN);
  if (!Number.isFinite(waitAll)) throw new RangeError('the queue needs a finite average wait (a stable queue, or Erlang A figures)');
  const trunkLoad = queue.load * (1 - queue.abandonProbability) + (queue.load / queue.ahtSeconds) * waitAll;
  return { ...linesForBlocking(trunkLoad, maxBlocking), trunkLoad, ruleOfThumb: Math.ceil(queue.agents * 1.2 - 1e-9) };
}
