/** What a Class 2 / 2.0 call needs: the channel, the dialect, timeouts, a clock and a logger. */
import type { AtChannel, AtResponse } from '../at/at-channel.js';
import type { Class2Dialect } from './dialect.js';
import type { Clock, FaxLogger } from '../logger.js';
import { hangupMeaning, type HangupInfo } from './hangup-codes.js';
import { afterColon } from './params.js';
import type { CallBudget } from '../call-limits.js';

/** Step timeouts in ms (reference 1.9; defaults between efax's and HylaFAX's). */
export interface FaxTimeouts {
  command: number;
  dial: number;
  answer: number;
  /** +FDT -> CONNECT */
  pageStart: number;
  /** XON after CONNECT (Class 2) */
  xon: number;
  /** XOFF without XON before we give up */
  xoff: number;
  /** end of page data -> result */
  pageDone: number;
  /** AT+FET -> +FPTS */
  postPage: number;
  /** AT+FDR -> CONNECT */
  pageReceive: number;
  /** longest silence inside received page data */
  rxDataIdle: number;
  /** DLE ETX -> +FPS/+FET/OK */
  rxPageDone: number;
  /** +FHNG/+FHS -> trailing OK */
  hangupGrace: number;
  /** Class 1, T.30 T1: how long a call may go without a valid DIS or DCS (35 s). */
  t1: number;
  /** Class 1, T.30 T2: waiting for a command or for page data (6 s). */
  t2: number;
  /** Class 1, T.30 T4: waiting for a response before the command is repeated (3 s). */
  t4: number;
  /** Class 1: +FTH frame (DLE ETX) -> CONNECT/OK, the frame's time at 300 bit/s plus the modem's buffer (efax 13.6 s). */
  hdlc: number;
}

export const DEFAULT_TIMEOUTS: FaxTimeouts = {
  command: 5000,
  dial: 120_000,
  answer: 120_000,
  pageStart: 45_000,
  xon: 10_000,
  xoff: 60_000,
  pageDone: 180_000,
  postPage: 60_000,
  pageReceive: 60_000,
  rxDataIdle: 60_000,
  rxPageDone: 60_000,
  hangupGrace: 2000,
  t1: 35_000,
  t2: 6000,
  t4: 3000,
  hdlc: 15_000,
};

export interface SessionContext {
  ch: AtChannel;
  d: Class2Dialect;
  timeouts: FaxTimeouts;
  clock: Clock;
  log: FaxLogger;
  /** Limits and deadline of the current call. */
  budget: CallBudget;
}

/** The hangup reported in a response, if any. */
export function hangupIn(ctx: SessionContext, r: AtResponse): HangupInfo | null {
  const line = r.lines.find((l) => l.startsWith(`${ctx.d.hangup}:`));
  return line ? hangupMeaning(afterColon(line), ctx.d.faxClass) : null;
}

export function lineWith(r: AtResponse, prefix: string): string | undefined {
  return r.lines.find((l) => l.startsWith(`${prefix}:`));
}
