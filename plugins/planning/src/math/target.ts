/**
 * What a queue must achieve (service level, answer time, occupancy cap, abandonment) and the
 * figures every queueing model reports, shared by Erlang C and Erlang A.
 */

/** A staffing target. Give at least one of `serviceLevel`, `maxAsaSeconds`, `maxAbandonRate`, `maxOccupancy`. */
export interface ServiceTarget {
  /** Share of offered calls to answer within `withinSeconds`, e.g. 0.8 for 80/20. */
  serviceLevel?: number;
  /** The T of the service level, in seconds (default 20). */
  withinSeconds?: number;
  /** Largest average speed of answer, in seconds. */
  maxAsaSeconds?: number;
  /** Largest occupancy (share of agents' time on calls), e.g. 0.85; more agents are added to stay below. */
  maxOccupancy?: number;
  /** Largest share of callers who hang up before an answer (Erlang A only; Erlang C has none). */
  maxAbandonRate?: number;
}

/** Figures of one queue with a given number of agents. */
export interface QueueMetrics {
  /** Agents on the line (answering, not counting shrinkage). */
  agents: number;
  /** Offered load in Erlangs (calls × AHT / interval). */
  load: number;
  /** Average handle time, seconds. */
  ahtSeconds: number;
  /** The T of the service level, seconds. */
  withinSeconds: number;
  /** Share of calls that have to wait (Erlang C's C). */
  waitProbability: number;
  /** Share of offered calls answered within `withinSeconds`. */
  serviceLevel: number;
  /** Average speed of answer of answered calls, seconds (Infinity when the queue is unstable). */
  asaSeconds: number;
  /** Share of agents' time spent on calls: carried load / agents. */
  occupancy: number;
  /** Share of offered calls abandoned (0 in Erlang C). */
  abandonProbability: number;
}

/** Which part of the target fixed the number of agents. */
export type LimitedBy = 'serviceLevel' | 'asa' | 'occupancy' | 'abandonment' | 'stability' | 'none';

/** Agents needed for a target, with the figures they achieve and the staff to roster. */
export interface StaffingResult extends QueueMetrics {
  /** Staff to roster: agents / (1 − shrinkage), rounded up. */
  staff: number;
  /** Shrinkage used (share of paid time not available for calls). */
  shrinkage: number;
  /** The part of the target that needed the last agent. */
  limitedBy: LimitedBy;
}

const SLACK = 1e-12;

/** Checks a target's numbers; throws a RangeError naming the bad one. */
export function checkTarget(target: ServiceTarget): void {
  const { serviceLevel, withinSeconds, maxAsaSeconds, maxOccupancy, maxAbandonRate } = target;
  if (serviceLevel === undefined && maxAsaSeconds === undefined && maxOccupancy === undefined && maxAbandonRate === undefined) {
    throw new RangeError('a target needs serviceLevel, maxAsaSeconds, maxAbandonRate or maxOccupancy');
  }
  if (serviceLevel !== undefined && !(serviceLevel >= 0 && serviceLevel < 1)) throw new RangeError('serviceLevel must be in [0, 1)');
  if (withinSeconds !== undefined && !(withinSeconds >= 0)) throw new RangeError('withinSeconds must be ≥ 0');
  if (maxAsaSeconds !== undefined && !(maxAsaSeconds > 0)) throw new RangeError('maxAsaSeconds must be > 0');
  if (maxOccupancy !== undefined && !(maxOccupancy > 0 && maxOccupancy <= 1)) throw new RangeError('maxOccupancy must be in (0, 1]');
  if (maxAbandonRate !== undefined && !(maxAbandonRate > 0 && maxAbandonRate < 1)) throw new RangeError('maxAbandonRate must be in (0, 1)');
}

/** The first part of the target these figures miss, or undefined when they meet all of it. */
export function missedPart(m: QueueMetrics, target: ServiceTarget): LimitedBy | undefined {
  if (target.serviceLevel !== undefined && m.serviceLevel < target.serviceLevel - SLACK) return 'serviceLevel';
  if (target.maxAsaSeconds !== undefined && !(m.asaSeconds <= target.maxAsaSeconds + SLACK)) return 'asa';
  if (target.maxAbandonRate !== undefined && m.abandonProbability > target.maxAbandonRate + SLACK) return 'abandonment';
  if (target.maxOccupancy !== undefined && m.occupancy > target.maxOccupancy + SLACK) return 'occupancy';
  return undefined;
}

/** Staff to roster for `agents` on the line: ceil(agents / (1 − shrinkage)). */
export function staffWithShrinkage(agents: number, shrinkage: number): number {
  if (!(shrinkage >= 0 && shrinkage < 1)) throw new RangeError(`shrinkage must be in [0, 1), got ${shrinkage}`);
  // 119 / 0.7 is 170.00000000000003 in floating point: do not round that up to 171.
  return Math.ceil(agents / (1 - shrinkage) - 1e-9);
}

/** Builds the result of a staffing search from the figures at the answer and the reason for it. */
export function staffingResult(m: QueueMetrics, shrinkage: number, limitedBy: LimitedBy): StaffingResult {
  return { ...m, staff: staffWithShrinkage(m.agents, shrinkage), shrinkage, limitedBy };
}
