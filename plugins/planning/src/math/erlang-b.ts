/**
 * Erlang B: the blocking probability of a loss system (calls finding every line busy are lost),
 * for trunks and fax modems.
 *
 * Computed by the recurrence B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)), which only ever divides
 * numbers in [0, 1] by numbers ≥ n, so it neither overflows nor loses precision at any load.
 */
import { smallestSatisfying } from './search.js';

function checkLoad(load: number): void {
  if (!(load >= 0) || !Number.isFinite(load)) throw new RangeError(`load must be a finite number ≥ 0 Erlangs, got ${load}`);
}

/** Offered traffic in Erlangs: calls in an interval × average holding time / interval length. */
export function trafficLoad(calls: number, holdSeconds: number, intervalSeconds: number): number {
  if (!(calls >= 0) || !(holdSeconds >= 0) || !(intervalSeconds > 0)) {
    throw new RangeError('calls and holdSeconds must be ≥ 0 and intervalSeconds > 0');
  }
  return (calls * holdSeconds) / intervalSeconds;
}

/**
 * Erlang B values B(0), B(1), … for one load, computed once by the recurrence and extended
 * on demand, so a search over the number of lines costs one recurrence pass in all.
 */
export class BlockingTable {
  readonly load: number;
  private values: Float64Array;
  private size = 1;

  constructor(load: number) {
    checkLoad(load);
    this.load = load;
    this.values = new Float64Array(64);
    this.values[0] = 1;
  }

  /** Erlang B blocking probability with `lines` lines (a whole number ≥ 0). */
  at(lines: number): number {
    if (!Number.isInteger(lines) || lines < 0) throw new RangeError(`lines must be a whole number ≥ 0, got ${lines}`);
    if (lines >= this.size) this.extendTo(lines);
    return this.values[lines] as number;
  }

  private extendTo(lines: number): void {
    if (lines >= this.values.length) {
      const grown = new Float64Array(Math.max(lines + 1, this.values.length * 2));
      grown.set(this.values.subarray(0, this.size));
      this.values = grown;
    }
    const a = this.load;
    let b = this.values[this.size - 1] as number;
    for (let n = this.size; n <= lines; n++) {
      const ab = a * b;
      b = ab / (n + ab);
      this.values[n] = b;
    }
    this.size = lines + 1;
  }
}

/** Erlang B blocking probability: the share of calls lost when `load` Erlangs are offered to `lines` lines. */
export function erlangB(lines: number, load: number): number {
  if (!Number.isInteger(lines) || lines < 0) throw new RangeError(`lines must be a whole number ≥ 0, got ${lines}`);
  checkLoad(load);
  let b = 1;
  for (let n = 1; n <= lines; n++) {
    const ab = load * b;
    b = ab / (n + ab);
  }
  return b;
}

/** Result of {@link linesForBlocking}. */
export interface LineSizing {
  /** Lines (trunks, modems) needed. */
  lines: number;
  /** Blocking probability with that many lines. */
  blocking: number;
  /** Offered load in Erlangs. */
  load: number;
  /** Traffic carried (Erlangs): load × (1 − blocking). */
  carried: number;
  /** Average share of time a line is busy: carried / lines. */
  lineOccupancy: number;
}

/**
 * Lines needed so that no more than `maxBlocking` of the calls are lost (e.g. 10 Erlangs at 2% → 17).
 * Since carried traffic A·(1 − B) cannot exceed the lines, the search starts at A·(1 − maxBlocking).
 */
export function linesForBlocking(load: number, maxBlocking: number): LineSizing {
  checkLoad(load);
  if (!(maxBlocking > 0 && maxBlocking <= 1)) throw new RangeError(`maxBlocking must be in (0, 1], got ${maxBlocking}`);
  if (load === 0) return { lines: 0, blocking: 0, load, carried: 0, lineOccupancy: 0 };
  const table = new BlockingTable(load);
  const lowest = Math.max(0, Math.floor(load * (1 - maxBlocking)));
  const lines = smallestSatisfying((n) => table.at(n) <= maxBlocking, lowest);
  const blocking = table.at(lines);
  const carried = load * (1 - blocking);
  return { lines, blocking, load, carried, lineOccupancy: lines === 0 ? 0 : carried / lines };
}
