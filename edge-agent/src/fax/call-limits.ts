/**
 * Limits on one fax call, against a hostile or broken remote fax (or modem): without them a remote
 * that keeps its carrier on is buffered until the carrier drops, and one that keeps retraining or
 * sending bad pages keeps the line for hours.
 *
 * - `maxPageBytes`: T.4 data of one received page. A fine-resolution A4 page (1728 × 2287 rows) of
 *   ordinary text is 30–150 KB in MH, a dithered photo a few hundred KB; the worst case MH can
 *   encode (every pixel alternating, about 4.5 bits per pixel pair) is about 2.2 MB, and the widest
 *   fax width (2432) about 3 MB. 4 MiB passes all of them and still bounds memory; at 14400 bit/s
 *   it is 39 minutes of line time, so on a real line the call deadline comes first, and the cap
 *   matters for a modem that streams faster than any fax line.
 * - TCF (Class 1): twice the 1.5 s T.30 asks for, at the DCS's rate (not configurable: a T.30 fact).
 * - `maxPagesPerCall`: pages accepted on one incoming call (100).
 * - `maxCallMs`: the whole call, answer or dial to hangup (30 min). Checked between protocol steps
 *   and during received page data, so a call ends at most one step timeout after it.
 * - `maxRetrainSteps`: negative responses in a row without an accepted page (3, as T.30 practice:
 *   commands are repeated three times): FTT to a training (a retraining at a lower rate than the
 *   last refused one is the T.30 fall-back, bounded by the rates, and does not count), RTN to a
 *   page, CRP or an unexpected command.
 */
import { FaxCallError } from './class2/call-error.js';
import type { HangupInfo } from './class2/hangup-codes.js';
import type { Clock } from './logger.js';

export interface FaxLimits {
  maxPageBytes: number;
  maxPagesPerCall: number;
  maxCallMs: number;
  maxRetrainSteps: number;
}

export const DEFAULT_LIMITS: FaxLimits = {
  maxPageBytes: 4 * 1024 * 1024,
  maxPagesPerCall: 100,
  maxCallMs: 30 * 60_000,
  maxRetrainSteps: 3,
};

/** Which limit ended a call (LineStats failure key `limit:<name>`, with `rx:` on receive). */
export type LimitName = 'page-bytes' | 'tcf-bytes' | 'pages' | 'call-time' | 'retrain';

/** The defaults with `given` over them; throws when a value is not a positive integer (a config error). */
export function resolveLimits(given: Partial<FaxLimits> = {}): FaxLimits {
  const out: FaxLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof FaxLimits)[]) {
    const v = given[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new Error(`fax.modem.limits.${key} must be a positive integer (got ${JSON.stringify(v)})`);
    out[key] = v;
  }
  return out;
}

/** A call that broke a limit: a protocol failure naming the limit, with the hangup it ended with. */
export function limitError(limit: LimitName, message: string, hangup?: HangupInfo): FaxCallError {
  // a retry would run into the same limit
  return new FaxCallError('protocol', message, hangup, { limit, retryable: false });
}

/** The limits of one call and its deadline, started when the call starts. */
export class CallBudget {
  readonly deadline: number;

  constructor(
    readonly limits: FaxLimits,
    private readonly clock: Clock,
  ) {
    this.deadline = clock.now() + limits.maxCallMs;
  }

  get expired(): boolean {
    return this.clock.now() >= this.deadline;
  }

  error(hangup?: HangupInfo): FaxCallError {
    return limitError('call-time', `call longer than ${this.limits.maxCallMs / 1000} s (limits.maxCallMs)`, hangup);
  }

  /** Throws the call-time error once the deadline has passed. */
  check(): void {
    if (this.expired) throw this.error();
  }
}
