/**
 * Receiving a fax in Class 2.0 or Class 2 (reference 1.5 and the receive transcripts):
 * ATA → +FCO/+FCON, caller TSI, +FCS/+FDCS, OK; per page: AT+FDR → CONNECT, DTE sends DC2 (or DC1),
 * DCE sends DLE-stuffed data up to DLE ETX (2.0: DLE SUB = two DLEs), then +FPS/+FPTS, +FET, OK.
 * The page is judged by our own EOL count and row check (HylaFAX never trusts the modem's counts);
 * a bad page is refused with AT+FPS=2 / AT+FPTS=2 so the sender retransmits it. After EOP one more
 * AT+FDR brings +FHS/+FHNG and OK.
 */
import { DleDecoder, DC1, DC2, CAN } from '../codec/dle.js';
import { analyzeG3Page, badCopy } from '../codec/g3.js';
import type { FillOrder } from '../codec/bit-order.js';
import type { DataSink, AtResponse } from '../at/at-channel.js';
import type { FaxPage } from '../tiff/tiff-f.js';
import { FaxCallError } from './call-error.js';
import { hangupMeaning, type HangupInfo } from './hangup-codes.js';
import { afterColon, pageWidth, parsePageStatus, parseQuotedId, parseSessionParams, yResolution, type PageStatus, type SessionParams } from './params.js';
import { hangupIn, lineWith, type SessionContext } from './session-context.js';
import { limitError } from '../call-limits.js';

export interface ReceiveOptions {
  /** Bit order the modem delivers: Class 2.0 with +FBO=0 is LSB first; Rockwell Class 2 is MSB first. */
  fillOrder: FillOrder;
  /** Data trigger after CONNECT (default DC2, as efax and mgetty send; DC1 per SP-2388-A). */
  trigger?: 'DC2' | 'DC1';
  /** Refuse pages with too many bad rows (mgetty's rule), so the sender retransmits. Default true. */
  rejectBadPages?: boolean;
  /** Pages per call (default: the call's limits.maxPagesPerCall). */
  maxPages?: number;
  onPage?: (p: ReceivedPageInfo) => void;
}

export interface ReceivedPageInfo {
  page: number;
  rows: number;
  badRows: number;
  accepted: boolean;
  /** What the modem reported (+FPS/+FPTS), for comparison. */
  modemStatus: PageStatus | null;
  bytes: number;
}

export interface ReceiveOutcome {
  remoteId: string;
  pages: FaxPage[];
  rejectedPages: number;
  hangup: HangupInfo;
}

/**
 * Collects DLE-framed data from the modem up to DLE ETX (Class 2 pages; Class 1 frames, TCF and
 * pages). Past `maxBytes` it keeps no more data (`overLimit`), but still looks for the DLE ETX that
 * ends it once the receiver has aborted.
 */
export class RxPageSink implements DataSink {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  lastDataAt = 0;
  overLimit = false;
  private readonly dec: DleDecoder;
  done = false;
  private resolveDone!: () => void;
  readonly finished = new Promise<void>((r) => (this.resolveDone = r));
  private resolveOver!: () => void;
  /** Resolves when the data passes `maxBytes`. */
  readonly overflowed = new Promise<void>((r) => (this.resolveOver = r));
  /** Set by the receiver before data ends, so the +FPS/+FET/OK lines that follow are collected. */
  onEnd: (() => void) | null = null;

  constructor(
    class20: boolean,
    private readonly now: () => number,
    readonly maxBytes = Infinity,
  ) {
    this.dec = new DleDecoder(class20);
    this.lastDataAt = now();
  }

  push(chunk: Buffer): Buffer | null {
    const r = this.dec.push(chunk);
    if (!this.overLimit && this.bytes + r.data.length > this.maxBytes) {
      this.overLimit = true;
      this.chunks.length = 0;
      this.resolveOver();
    }
    if (!this.overLimit) this.chunks.push(r.data);
    this.bytes += r.data.length;
    this.lastDataAt = this.now();
    if (!r.done) return null;
    this.done = true;
    this.onEnd?.();
    this.resolveDone();
    return r.rest;
  }

  get invalidEscapes(): number {
    return this.dec.invalidEscapes;
  }
}

export async function answer(ctx: SessionContext): Promise<{ remoteId: string; params: SessionParams | null }> {
  const r = await ctx.ch.command('ATA', { timeoutMs: ctx.timeouts.answer, hangupGraceMs: ctx.timeouts.hangupGrace });
  const h = hangupIn(ctx, r);
  if (h && !h.normal) throw new FaxCallError('hangup', `answer failed: hangup ${h.code} (${h.meaning})`, h);
  if (r.final !== 'OK' || !r.lines.includes(ctx.d.connectReport)) {
    throw new FaxCallError(r.final === 'NO CARRIER' ? 'no-carrier' : 'protocol', `answer: ${r.final}${r.lines.length ? ` (${r.lines.join(' | ')})` : ''}`);
  }
  const tsi = lineWith(r, ctx.d.remoteTsi);
  const cs = lineWith(r, ctx.d.negotiated);
  return { remoteId: tsi ? parseQuotedId(tsi) : '', params: cs ? parseSessionParams(cs, ctx.d.faxClass) : null };
}

/**
 * Waits for the end of received data: 'end' (DLE ETX, or the line is gone), 'bytes' (more than the
 * sink takes) or 'deadline' (the call's); the last two leave the modem sending, for the caller to
 * abort as its class does. After `rxDataIdle` without a byte it sends CAN and fails.
 */
export async function waitData(ctx: Pick<SessionContext, 'ch' | 'clock' | 'timeouts' | 'budget'>, sink: RxPageSink): Promise<'end' | 'bytes' | 'deadline'> {
  while (!sink.done) {
    if (sink.overLimit) return 'bytes';
    if (ctx.budget.expired) return 'deadline';
    const idle = ctx.clock.now() - sink.lastDataAt;
    if (idle > ctx.timeouts.rxDataIdle) {
      await ctx.ch.write(Buffer.from([CAN])).catch(() => undefined);
      ctx.ch.leaveDataMode();
      throw new FaxCallError('timeout', `no page data for ${ctx.timeouts.rxDataIdle} ms (after ${sink.bytes} bytes)`);
    }
    if (ctx.ch.gone) return 'end';
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((r) => (timer = ctx.clock.setTimeout(r, Math.min(100, ctx.timeouts.rxDataIdle))));
    await Promise.race([sink.finished, sink.overflowed, tick]);
    if (timer) ctx.clock.clearTimeout(timer);
  }
  return 'end';
}

/**
 * Stops received data the modem is still sending: CAN, then up to `waitMs` for the DLE ETX that
 * ends it and for `post` (the response after it). Returns that response, or null.
 */
export async function cancelData(ctx: Pick<SessionContext, 'ch' | 'clock'>, sink: RxPageSink, post: () => Promise<AtResponse> | null, waitMs: number): Promise<AtResponse | null> {
  await ctx.ch.write(Buffer.from([CAN])).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((r) => (timer = ctx.clock.setTimeout(r, waitMs)));
  await Promise.race([sink.finished, limit]);
  if (timer) ctx.clock.clearTimeout(timer);
  const p = sink.done ? post() : null;
  // the response has its own timeout (the expect's); waiting for it keeps the channel in step
  const res = p ? await p.catch(() => null) : null;
  ctx.ch.leaveDataMode();
  return res;
}

/**
 * Ends a Class 2 / 2.0 receive that broke a limit: CAN if page data is still coming, then AT+FKS /
 * AT+FK (the modem sends DCN). Returns the hangup the modem reported (else 2, "call aborted").
 */
async function abortReceive(ctx: SessionContext, data: { sink: RxPageSink; post: () => Promise<AtResponse> | null } | null): Promise<HangupInfo> {
  let h: HangupInfo | null = null;
  if (data && !data.sink.done) {
    const res = await cancelData(ctx, data.sink, data.post, ctx.timeouts.command);
    if (res) h = hangupIn(ctx, res);
  }
  const r = await ctx.ch.command(`AT${ctx.d.abort}`, { timeoutMs: ctx.timeouts.command, hangupGraceMs: ctx.timeouts.hangupGrace }).catch(() => null);
  if (r) h ??= hangupIn(ctx, r);
  return h ?? hangupMeaning('2', ctx.d.faxClass);
}

export async function receivePages(ctx: SessionContext, remoteId: string, initial: SessionParams | null, o: ReceiveOptions): Promise<ReceiveOutcome> {
  const pages: FaxPage[] = [];
  const state = { rejected: 0 };
  try {
    return await receiveLoop(ctx, remoteId, initial, o, pages, state);
  } catch (err) {
    // a call ended by a limit keeps what it had accepted (the modem stores it like a partial fax)
    if (err instanceof FaxCallError && err.limit) err.partial = { remoteId, pages, rejectedPages: state.rejected };
    throw err;
  }
}

async function receiveLoop(ctx: SessionContext, remoteId: string, initial: SessionParams | null, o: ReceiveOptions, pages: FaxPage[], state: { rejected: number }): Promise<ReceiveOutcome> {
  const { ch, d, budget } = ctx;
  const { limits } = budget;
  const maxPages = o.maxPages ?? limits.maxPagesPerCall;
  let params = initial;
  let okRetries = 0;
  /** Pages refused in a row (the remote sends a refused page again). */
  let refusedInRow = 0;
  const outcome = (hangup: HangupInfo): ReceiveOutcome => ({ remoteId, pages, rejectedPages: state.rejected, hangup });
  for (;;) {
    if (budget.expired) throw budget.error(await abortReceive(ctx, null));
    const sink = new RxPageSink(d.faxClass === '2.0', () => ctx.clock.now(), limits.maxPageBytes);
    let post: Promise<AtResponse> | null = null;
    sink.onEnd = () => {
      post = ch.expect('<page end>', { timeoutMs: ctx.timeouts.rxPageDone, hangupGraceMs: ctx.timeouts.hangupGrace });
      post.catch(() => undefined);
    };
    const r = await ch.command('AT+FDR', { timeoutMs: ctx.timeouts.pageReceive, dataSink: sink, hangupGraceMs: ctx.timeouts.hangupGrace });
    const h = hangupIn(ctx, r);
    if (!r.final.startsWith('CONNECT')) {
      if (h?.normal) return outcome(h);
      if (h) throw new FaxCallError('hangup', `AT+FDR: hangup ${h.code} (${h.meaning})`, h);
      if (r.final === 'OK' && okRetries++ < 1) continue; // some modems answer OK between documents (tricky point 9)
      throw new FaxCallError('protocol', `AT+FDR answered ${r.final}`);
    }
    const cs = lineWith(r, d.negotiated);
    if (cs) params = parseSessionParams(cs, d.faxClass);
    await ch.write(Buffer.from([o.trigger === 'DC1' ? DC1 : DC2]));
    const end = await waitData(ctx, sink);
    if (end !== 'end') {
      const hangup = await abortReceive(ctx, { sink, post: () => post });
      if (end === 'deadline') throw budget.error(hangup);
      throw limitError('page-bytes', `page longer than ${limits.maxPageBytes} bytes (limits.maxPageBytes); page ${pages.length + 1} aborted`, hangup);
    }
    if (!sink.done || !post) throw new FaxCallError('modem-gone', 'line dropped during page data');
    const res: AtResponse = await post;
    const data = Buffer.concat(sink.chunks);
    const width = pageWidth(params?.wd ?? 0);
    const twoD = (params?.df ?? 0) === 1;
    const a = analyzeG3Page(data, o.fillOrder, width, twoD);
    const ps = lineWith(res, d.pageStatus);
    const fet = lineWith(res, '+FET');
    const ppm = fet ? Number(afterColon(fet)) : NaN;
    const modemStatus = ps ? parsePageStatus(ps, d.faxClass) : null;
    const bad = badCopy(a) || res.final === 'ERROR';
    const accept = !(bad && (o.rejectBadPages ?? true));
    refusedInRow = accept ? 0 : refusedInRow + 1;
    const giveUp = refusedInRow > limits.maxRetrainSteps;
    o.onPage?.({ page: pages.length + 1, rows: a.rows, badRows: a.badRows, accepted: accept, modemStatus, bytes: data.length });
    if (accept) {
      pages.push({
        data,
        fillOrder: o.fillOrder,
        width,
        rows: a.rows,
        yResolution: yResolution(params?.vr ?? 0),
        twoD,
        badRows: a.badRows,
        consecutiveBadRows: a.consecutiveBadRows,
      });
    } else {
      state.rejected++;
      ctx.log.warn({ rows: a.rows, badRows: a.badRows, inRow: refusedInRow }, giveUp ? 'bad page again: giving up' : 'refusing a bad page (RTN)');
      if (!giveUp) await ch.command(`AT${d.pageStatus}=2`);
    }
    const hh = hangupIn(ctx, res);
    if (hh) return outcome(hh);
    if (Number.isNaN(ppm)) throw new FaxCallError('protocol', `no +FET after page (${res.lines.join(' | ')} ${res.final})`);
    if (giveUp) {
      throw limitError('retrain', `${refusedInRow} bad pages in a row (limits.maxRetrainSteps ${limits.maxRetrainSteps})`, await abortReceive(ctx, null));
    }
    // +FET: 0 MPS, 1 EOM (more pages follow), 2 EOP
    if (ppm !== 2 && pages.length >= maxPages) {
      throw limitError('pages', `more than ${maxPages} pages (limits.maxPagesPerCall)`, await abortReceive(ctx, null));
    }
  }
}

export function normalHangup(ctx: SessionContext): HangupInfo {
  return hangupMeaning('0', ctx.d.faxClass);
}
