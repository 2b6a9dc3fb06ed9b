/**
 * The engine never reads the wall clock itself: every decision takes its time from an injected
 * Clock, so a simulated day runs in milliseconds and every run with the same inputs is the same.
 * Times are epoch milliseconds.
 */
export interface Clock {
  now(): number;
}

/** The wall clock, for production. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to; never backwards. */
export class ManualClock implements Clock {
  private t: number;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Moves to `at` (epoch ms); refuses to go back in time. */
  set(at: number): void {
    if (!Number.isFinite(at)) throw new RangeError(`ManualClock.set: not a time: ${at}`);
    if (at < this.t) throw new RangeError(`ManualClock.set: ${at} is before the current time ${this.t}`);
    this.t = at;
  }

  advance(ms: number): number {
    this.set(this.t + ms);
    return this.t;
  }
}
