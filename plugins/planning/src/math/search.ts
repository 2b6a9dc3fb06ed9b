/**
 * Finding the smallest whole number that meets a target, for staffing and line sizing.
 *
 * The predicate must be monotone (false … false, true … true). The search gallops from a
 * starting guess (steps 1, 2, 4, … up or down) and then bisects, so it evaluates the predicate
 * O(log d) times, d being the distance from the guess to the answer.
 */

/** Options of {@link smallestSatisfying}. */
export interface SearchOptions {
  /** The first value tried (defaults to `lowest`). */
  start?: number;
  /** Give up above this value (defaults to 10,000,000). */
  highest?: number;
}

/** The smallest integer n ≥ `lowest` with `ok(n)` true; throws a RangeError if none up to `highest`. */
export function smallestSatisfying(ok: (n: number) => boolean, lowest: number, options: SearchOptions = {}): number {
  const highest = options.highest ?? 10_000_000;
  const start = Math.min(Math.max(Math.ceil(options.start ?? lowest), lowest), highest);
  let fail: number; // largest value known to fail (or lowest − 1)
  let pass: number; // smallest value known to pass
  if (ok(start)) {
    pass = start;
    fail = lowest - 1;
    for (let step = 1; pass > lowest; step *= 2) {
      const candidate = Math.max(pass - step, lowest);
      if (ok(candidate)) pass = candidate;
      else {
        fail = candidate;
        break;
      }
    }
  } else {
    fail = start;
    for (let step = 1; ; step *= 2) {
      if (fail >= highest) throw new RangeError(`no value up to ${highest} meets the target`);
      const candidate = Math.min(fail + step, highest);
      if (ok(candidate)) {
        pass = candidate;
        break;
      }
      fail = candidate;
    }
  }
  while (pass - fail > 1) {
    const mid = fail + Math.floor((pass - fail) / 2);
    if (ok(mid)) pass = mid;
    else fail = mid;
  }
  return pass;
}
