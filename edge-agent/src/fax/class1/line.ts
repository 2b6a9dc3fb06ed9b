/**
 * The Class 1 (T.31) primitives the T.30 sessions are built from (reference 1.2):
 *
 *   AT+FTH=3 → CONNECT; frame bytes (DLE doubled) DLE ETX → CONNECT (control said "more") or OK (final)
 *   AT+FRH=3 → CONNECT; frame + 2 FCS bytes DLE ETX → OK (FCS good) or ERROR; +FCERROR = other carrier
 *   AT+FTM=m → CONNECT; data (DLE doubled, under XON/XOFF) DLE ETX → OK once sent
 *   AT+FRM=m → CONNECT; data … DLE ETX → NO CARRIER (carrier dropped); +FCERROR = other carrier
 *   AT+FTS=n / AT+FRS=n → OK after n×10 ms of silence
 *
 * A receive command that sees no carrier in time is aborted with one character (CAN), after which
 * the modem says OK (T.31 8.3.x; efax getfr()). ATD and ATA leave the modem in HDLC receive and
 * transmit mode respectively, so the first frame of a call goes without +FRH/+FTH.
 */
import { AtTimeoutError, type AtResponse } from '../at/at-channel.js';
import { CAN, DLE, ETX, dleStuff } from '../codec/dle.js';
import { sleep, type Clock, type FaxLogger } from '../logger.js';
import type { AtChannel } from '../at/at-channel.js';
import type { FaxTimeouts } from '../class2/session-context.js';
import { FaxCallError } from '../class2/call-error.js';
import { hangupMeaning } from '../class2/hangup-codes.js';
import { RxPageSink, cancelData, waitData } from '../class2/receive-session.js';
import type { CallBudget } from '../call-limits.js';
import { TxFlowWatcher, writeData } from '../class2/tx-flow.js';
import { CONTROL, CONTROL_FINAL, MAX_FRAME_BYTES, buildFrame, describeFrame, parseFrame, type HdlcFrame } from './frames.js';
import type { Modulation } from './t30-params.js';

export interface Class1Context {
  ch: AtChannel;
  timeouts: FaxTimeouts;
  clock: Clock;
  log: FaxLogger;
  /** Codes of AT+FTM=? and AT+FRM=?. */
  txModulations: number[];
  rxModulations: number[];
  /** Limits and deadline of the current call. */
  budget: CallBudget;
}

export type FrameRx =
  | { kind: 'frame'; frame: HdlcFrame }
  /** ERROR after the frame (bad FCS) or bytes that are no T.30 frame. */
  | { kind: 'bad'; reason: string }
  /** No carrier within the time; the wait was aborted. */
  | { kind: 'timeout' }
  /** +FCERROR: a carrier, but not V.21 (the remote sends data). */
  | { kind: 'fcerror' }
  /** Any other final result (NO CARRIER, ERROR, BUSY …). */
  | { kind: 'final'; final: string; lines: string[] };

/** Aborts a receive command that is still waiting for its carrier: one CAN, then the modem's OK. */
async function abortReceive(ctx: Class1Context): Promise<void> {
  ctx.ch.leaveDataMode();
  await ctx.ch.expect('<abort>', { timeoutMs: 2000 }, Buffer.from([CAN])).catch(() => undefined);
}

interface Pending {
  sink: RxPageSink;
  post: () => Promise<AtResponse> | null;
}

function dataSink(ctx: Class1Context, endTimeoutMs: number, maxBytes: number): Pending {
  const sink = new RxPageSink(false, () => ctx.clock.now(), maxBytes);
  let post: Promise<AtResponse> | null = null;
  sink.onEnd = () => {
    post = ctx.ch.expect('<DLE ETX>', { timeoutMs: endTimeoutMs });
    post.catch(() => undefined);
  };
  return { sink, post: () => post };
}

/**
 * Starts a receive command (AT+FRH=3, AT+FRM=m, or ATD… which ends in HDLC receive) and waits for
 * CONNECT; returns the sink collecting the data, or why there is none.
 */
async function startReceive(ctx: Class1Context, command: string, timeoutMs: number, p: Pending, onRing: 'retry' | 'abort' = 'retry'): Promise<FrameRx | null> {
  let r: AtResponse;
  try {
    r = await ctx.ch.command(command, { timeoutMs, dataSink: p.sink, onRing });
  } catch (err) {
    if (!(err instanceof AtTimeoutError)) throw err;
    ctx.log.debug({ command, timeoutMs }, 'no carrier in time; aborting the receive');
    await abortReceive(ctx);
    return { kind: 'timeout' };
  }
  if (r.final === '+FCERROR') return { kind: 'fcerror' };
  if (!r.final.startsWith('CONNECT')) return { kind: 'final', final: r.final, lines: r.lines };
  return null;
}

/** Receives one HDLC frame with `command` (default AT+FRH=3). */
export async function receiveFrame(ctx: Class1Context, timeoutMs: number, command = 'AT+FRH=3', onRing: 'retry' | 'abort' = 'retry'): Promise<FrameRx> {
  // a frame is at most MAX_FRAME_BYTES + FCS; anything much longer is not kept
  const p = dataSink(ctx, ctx.timeouts.command, 2 * MAX_FRAME_BYTES);
  const early = await startReceive(ctx, command, timeoutMs, p, onRing);
  if (early) return early;
  // a frame lasts at most 3.45 s at 300 bit/s; allow for the modem's latency
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((r) => (timer = ctx.clock.setTimeout(r, ctx.timeouts.t2)));
  const gone = ctx.ch.onceGone();
  await Promise.race([p.sink.finished, limit, gone.gone]);
  if (timer) ctx.clock.clearTimeout(timer);
  gone.cancel();
  const goneReason = ctx.ch.goneReason();
  if (goneReason) throw goneReason;
  const post = p.post();
  if (!p.sink.done || !post) {
    await abortReceive(ctx);
    return { kind: 'bad', reason: `frame did not end within ${ctx.timeouts.t2} ms (${p.sink.bytes} bytes)` };
  }
  const res = await post;
  if (p.sink.overLimit) return { kind: 'bad', reason: `frame too long (${p.sink.bytes} bytes)` };
  const bytes = Buffer.concat(p.sink.chunks);
  if (res.final === 'ERROR') return { kind: 'bad', reason: `modem reported a bad frame (FCS) after ${bytes.length} bytes` };
  if (res.final !== 'OK' && res.final !== 'CONNECT') return { kind: 'final', final: res.final, lines: res.lines };
  if (bytes.length > MAX_FRAME_BYTES + 2) return { kind: 'bad', reason: `frame too long (${bytes.length} bytes)` };
  try {
    const frame = parseFrame(bytes);
    ctx.log.debug({ frame: describeFrame(frame) }, 'frame received');
    return { kind: 'frame', frame };
  } catch (err) {
    // the modem vouched for the FCS: some modems strip it (HylaFAX Class1FrameOverhead)
    try {
      const frame = parseFrame(bytes, { hasFcs: false });
      return { kind: 'frame', frame };
    } catch {
      return { kind: 'bad', reason: `${(err as Error).message}: ${bytes.toString('hex')}` };
    }
  }
}

export interface Burst {
  /** Every good frame received, in order. */
  frames: HdlcFrame[];
  /** The final frame (control 0x13), or null when none came in time. */
  final: HdlcFrame | null;
  /** Frames lost to ERROR (bad FCS) or garbage. */
  bad: number;
  /** +FCERROR seen: the remote is sending page data or TCF instead. */
  fcerror: boolean;
}

/**
 * Receives frames until a final one (CSI, NSF … DIS; TSI … DCS; a lone response) or until
 * `timeoutMs` has passed. A NO CARRIER means the line is gone.
 */
export async function receiveBurst(ctx: Class1Context, timeoutMs: number, firstCommand?: string): Promise<Burst> {
  const until = ctx.clock.now() + timeoutMs;
  const out: Burst = { frames: [], final: null, bad: 0, fcerror: false };
  let command = firstCommand ?? 'AT+FRH=3';
  for (;;) {
    const left = until - ctx.clock.now();
    if (left <= 0) return out;
    const rx = await receiveFrame(ctx, left, command);
    command = 'AT+FRH=3';
    switch (rx.kind) {
      case 'frame':
        out.frames.push(rx.frame);
        if (rx.frame.final) {
          out.final = rx.frame;
          return out;
        }
        break;
      case 'bad':
        out.bad++;
        ctx.log.warn({ reason: rx.reason }, 'bad HDLC frame');
        break;
      case 'fcerror':
        out.fcerror = true;
        return out;
      case 'timeout':
        return out;
      case 'final':
        if (rx.final === 'NO CARRIER') throw new FaxCallError('no-carrier', `the line dropped (${command} answered NO CARRIER)`);
        ctx.log.warn({ final: rx.final }, 'unexpected answer to AT+FRH=3');
        await sleep(ctx.clock, 100);
        break;
    }
  }
}

/**
 * Sends frames as one V.21 transmission: the control field of each is set here (0x03, the last
 * 0x13). `connected` = the modem is already in HDLC transmit mode (after ATA).
 */
export async function sendFrames(ctx: Class1Context, frames: Buffer[], connected = false): Promise<void> {
  if (!connected) {
    const r = await ctx.ch.command('AT+FTH=3', { timeoutMs: ctx.timeouts.command });
    if (r.final !== 'CONNECT') throw new FaxCallError(r.final === 'NO CARRIER' ? 'no-carrier' : 'protocol', `AT+FTH=3 answered ${r.final}`);
  }
  for (let i = 0; i < frames.length; i++) {
    const last = i === frames.length - 1;
    const f = Buffer.from(frames[i]!);
    f[1] = last ? CONTROL_FINAL : CONTROL;
    const label = `<frame ${describeFrame(parseFrame(f, { hasFcs: false }))}>`;
    const r = await ctx.ch.expect(label, { timeoutMs: ctx.timeouts.hdlc }, Buffer.concat([dleStuff(f), Buffer.from([DLE, ETX])]));
    const want = last ? 'OK' : 'CONNECT';
    if (r.final !== want) throw new FaxCallError(r.final === 'NO CARRIER' ? 'no-carrier' : 'protocol', `frame ${label} answered ${r.final} (expected ${want})`);
  }
}

export interface SendDataOptions {
  chunkBytes?: number;
  /** Write pacing in bit/s (0 = flow control only). */
  paceBps?: number;
}

/** Transmits TCF or page data at a modulation (AT+FTM), under user-space XON/XOFF flow control. */
export async function sendData(ctx: Class1Context, m: Modulation, data: Uint8Array, o: SendDataOptions = {}): Promise<void> {
  const watcher = new TxFlowWatcher();
  const r = await ctx.ch.command(`AT+FTM=${m.code}`, { timeoutMs: ctx.timeouts.pageStart, dataSink: watcher });
  if (!r.final.startsWith('CONNECT')) throw new FaxCallError(r.final === 'NO CARRIER' ? 'no-carrier' : 'protocol', `AT+FTM=${m.code} answered ${r.final}`);
  try {
    await writeData(ctx.ch, watcher, dleStuff(data), {
      chunkBytes: o.chunkBytes ?? 256,
      paceBps: o.paceBps ?? 0,
      xoffTimeoutMs: ctx.timeouts.xoff,
      clock: ctx.clock,
    });
  } finally {
    ctx.ch.leaveDataMode();
  }
  const end = await ctx.ch.expect('<DLE ETX>', { timeoutMs: ctx.timeouts.pageDone }, Buffer.from([DLE, ETX]));
  if (end.final !== 'OK') throw new FaxCallError(end.final === 'NO CARRIER' ? 'no-carrier' : 'protocol', `data at ${m.name} answered ${end.final}`);
}

export type DataRx =
  | { kind: 'data'; data: Buffer; final: string }
  /** More than `maxBytes` (or the call's deadline passed): the receive was stopped with CAN. */
  | { kind: 'aborted'; why: 'bytes' | 'deadline'; bytes: number }
  | Exclude<FrameRx, { kind: 'frame' } | { kind: 'bad' }>;

/**
 * Receives TCF or page data at a modulation (AT+FRM): everything up to DLE ETX, then NO CARRIER.
 * Data longer than `maxBytes`, or still coming at the call's deadline, is stopped with CAN.
 */
export async function receiveData(ctx: Class1Context, m: Modulation, timeoutMs: number, maxBytes: number): Promise<DataRx> {
  const p = dataSink(ctx, ctx.timeouts.rxPageDone, maxBytes);
  const early = await startReceive(ctx, `AT+FRM=${m.code}`, timeoutMs, p);
  if (early) return early as DataRx;
  const end = await waitData(ctx, p.sink);
  if (end !== 'end') {
    ctx.log.warn({ modulation: m.name, bytes: p.sink.bytes, why: end }, 'stopping the received data (CAN)');
    await cancelData(ctx, p.sink, p.post, ctx.timeouts.command);
    return { kind: 'aborted', why: end, bytes: p.sink.bytes };
  }
  const post = p.post();
  if (!p.sink.done || !post) throw ctx.ch.goneReason() ?? new FaxCallError('modem-gone', 'line dropped during page data');
  const res = await post;
  return { kind: 'data', data: Buffer.concat(p.sink.chunks), final: res.final };
}

/**
 * Ends a call we give up on (a limit): waits for the remote's carrier to stop (AT+FRS, aborted when
 * the carrier stays on), then sends DCN. Errors are ignored: the modem is hung up afterwards.
 */
export async function disconnect(ctx: Class1Context): Promise<void> {
  if (ctx.ch.gone) return;
  try {
    await silence(ctx, 'FRS', 20);
  } catch (err) {
    if (!(err instanceof AtTimeoutError)) return;
    await abortReceive(ctx);
  }
  await sendFrames(ctx, [buildFrame('DCN')]).catch((err: Error) => ctx.log.warn({ err: err.message }, 'DCN not sent'));
}

/** AT+FTS=n (stop transmitting, wait n×10 ms) or AT+FRS=n (wait for n×10 ms of silence). */
export async function silence(ctx: Class1Context, kind: 'FTS' | 'FRS', tens: number): Promise<void> {
  const r = await ctx.ch.command(`AT+${kind}=${tens}`, { timeoutMs: ctx.timeouts.command + tens * 10 });
  if (r.final !== 'OK') ctx.log.warn({ final: r.final }, `AT+${kind}=${tens} not accepted`);
}

/** A failed call with a T.30 hangup code (decimal Class 2 numbering, reported as Class 1). */
export function t30Hangup(code: number, what: string): FaxCallError {
  const h = hangupMeaning(String(code), '1');
  return new FaxCallError('hangup', `${what}: hangup ${h.code} (${h.meaning})`, h);
}
