/**
 * Sending a fax in Class 2.0 or Class 2 (reference 1.4 and the send transcripts):
 * ATD → +FCO/+FCON, remote CSI and DIS, OK; per page: [AT+FIS=/+FDIS= to change VR/BR], AT+FDT →
 * +FCS/+FDCS, CONNECT, [Class 2: wait for XON], DLE-stuffed data under flow control, then
 * Class 2.0: `DLE ,`/`DLE .` → +FPS, [+FHS], OK (MCF) or ERROR (RTN);
 * Class 2:   `DLE ETX` → OK, AT+FET=0/2 → +FPTS, [+FHNG], OK (+FHNG:0 alone = MCF, tricky point 2).
 * RTN: the page is sent again at the next lower BR, at most `maxRetransmits` times (HylaFAX).
 */
import { RingCollisionError, type AtResponse } from '../at/at-channel.js';
import { dleStuff, pageTerminator, type PostPageMessage } from '../codec/dle.js';
import { ensureRtc } from '../codec/g3.js';
import { pageForWire, type FaxPage } from '../tiff/tiff-f.js';
import { FaxCallError } from './call-error.js';
import { hangupMeaning, type HangupInfo } from './hangup-codes.js';
import { bitRate, pageAccepted, parsePageStatus, parseQuotedId, parseSessionParams, PPR_NAMES, type SessionParams } from './params.js';
import { hangupIn, lineWith, type SessionContext } from './session-context.js';
import { TxFlowWatcher, writeData } from './tx-flow.js';

export interface SendOptions {
  number: string;
  pages: FaxPage[];
  /** Highest BR code to start at (default 5 = 14400; the modem negotiates down). */
  maxBr?: number;
  maxRetransmits?: number;
  chunkBytes?: number;
  /**
   * Pacing of page data writes: 'line' = the negotiated fax rate (for modems with small buffers and
   * no flow control, efax's "virtual flow control"), a number = that many bit/s (the serial port's own
   * rate: a no-op on a real port, where the UART sets the pace, but needed on a PTY, which has none,
   * for XOFF to act in time). Default 'off'.
   */
  pace?: 'off' | 'line' | number;
  onPage?: (p: PageProgress) => void;
  /** Called when connected, before the first page. */
  onConnected?: (remoteId: string) => void;
}

export interface PageProgress {
  page: number;
  pages: number;
  /** 1 = first transmission. */
  attempt: number;
  ppr: string;
  accepted: boolean;
  bitRate: number;
  bytes: number;
}

export interface SendOutcome {
  remoteId: string;
  pages: number;
  retransmits: number;
  hangup: HangupInfo;
  bitRate: number;
}

export const DIAL_FINALS: Record<string, FaxCallError['reason']> = {
  BUSY: 'busy',
  'NO ANSWER': 'no-answer',
  'NO CARRIER': 'no-carrier',
  'NO DIALTONE': 'no-dialtone',
  'NO DIAL TONE': 'no-dialtone',
  ERROR: 'dial-error',
};

function classifyHangup(h: HangupInfo, what: string): FaxCallError {
  return new FaxCallError('hangup', `${what}: hangup ${h.code} (${h.meaning})`, h);
}

/** The dial string for ATD: digits and dial modifiers only. */
export function dialString(number: string): string {
  const clean = number.replace(/[^0-9*#,+PTWpwt!@]/g, '');
  if (!clean) throw new FaxCallError('bad-document', `bad number ${JSON.stringify(number)}`);
  return clean;
}

export async function dial(ctx: SessionContext, number: string): Promise<{ remoteId: string; dis: SessionParams | null }> {
  const { ch, d } = ctx;
  const clean = dialString(number);
  let r: AtResponse;
  try {
    r = await ch.command(`ATD${clean}`, { timeoutMs: ctx.timeouts.dial, onRing: 'abort', hangupGraceMs: ctx.timeouts.hangupGrace });
  } catch (err) {
    if (err instanceof RingCollisionError) throw new FaxCallError('ring-collision', err.message);
    throw err;
  }
  const h = hangupIn(ctx, r);
  if (h && !h.normal) throw classifyHangup(h, 'dial failed');
  if (r.final !== 'OK' || !r.lines.some((l) => l === d.connectReport)) {
    const reason = DIAL_FINALS[r.final] ?? 'dial-error';
    throw new FaxCallError(reason, `dial: ${r.final}${r.lines.length ? ` (${r.lines.join(' | ')})` : ''}`);
  }
  const csi = lineWith(r, d.remoteCsi);
  const dis = lineWith(r, d.remoteDis);
  return { remoteId: csi ? parseQuotedId(csi) : '', dis: dis ? parseSessionParams(dis, d.faxClass) : null };
}

async function startPage(ctx: SessionContext, watcher: TxFlowWatcher): Promise<SessionParams | null> {
  for (let i = 0; i < 3; i++) {
    const r = await ctx.ch.command('AT+FDT', { timeoutMs: ctx.timeouts.pageStart, dataSink: watcher, hangupGraceMs: ctx.timeouts.hangupGrace });
    const h = hangupIn(ctx, r);
    if (h) throw classifyHangup(h, 'AT+FDT');
    if (r.final.startsWith('CONNECT')) {
      const cs = lineWith(r, ctx.d.negotiated);
      return cs ? parseSessionParams(cs, ctx.d.faxClass) : null;
    }
    if (r.final !== 'OK') throw new FaxCallError('protocol', `AT+FDT answered ${r.final}`);
    // some modems answer OK instead of CONNECT; HylaFAX retries up to 3 times (tricky point 9)
  }
  throw new FaxCallError('protocol', 'AT+FDT never answered CONNECT');
}

interface PageResult {
  ppr: number;
  hangup: HangupInfo | null;
}

async function finishPage20(ctx: SessionContext, ppm: PostPageMessage): Promise<PageResult> {
  const r = await ctx.ch.expect(`<DLE ${ppm}>`, { timeoutMs: ctx.timeouts.pageDone, hangupGraceMs: ctx.timeouts.hangupGrace }, pageTerminator(ppm));
  const ps = lineWith(r, ctx.d.pageStatus);
  const h = hangupIn(ctx, r);
  if (h && !h.normal) throw classifyHangup(h, 'after page');
  let ppr = ps ? parsePageStatus(ps, '2.0').ppr : r.final === 'OK' ? 1 : r.final === 'ERROR' ? 2 : NaN;
  if (!ps && r.final === 'HANGUP' && h?.normal) ppr = 1;
  if (Number.isNaN(ppr)) throw h ? classifyHangup(h, 'after page') : new FaxCallError('protocol', `page end answered ${r.final}`);
  return { ppr, hangup: h };
}

async function finishPage2(ctx: SessionContext, ppm: PostPageMessage): Promise<PageResult> {
  const end = await ctx.ch.expect('<DLE ETX>', { timeoutMs: ctx.timeouts.pageDone, hangupGraceMs: ctx.timeouts.hangupGrace }, pageTerminator(null));
  const h0 = hangupIn(ctx, end);
  if (h0 && !h0.normal) throw classifyHangup(h0, 'after page data');
  if (end.final !== 'OK') throw new FaxCallError('protocol', `page data answered ${end.final}`);
  const fet = ppm === 'MPS' ? 0 : ppm === 'EOM' ? 1 : 2;
  const r = await ctx.ch.command(`AT+FET=${fet}`, { timeoutMs: ctx.timeouts.postPage, hangupGraceMs: ctx.timeouts.hangupGrace });
  const ps = lineWith(r, ctx.d.pageStatus);
  const h = hangupIn(ctx, r);
  if (h && !h.normal) throw classifyHangup(h, `AT+FET=${fet}`);
  if (ps) return { ppr: parsePageStatus(ps, '2').ppr, hangup: h };
  // "Certain modems respond +FHNG:0 on the final page w/o providing post-page status" (HylaFAX): MCF
  if (h?.normal) return { ppr: 1, hangup: h };
  if (h) throw classifyHangup(h, `AT+FET=${fet}`);
  throw new FaxCallError('protocol', `AT+FET=${fet} gave no page status (${r.final})`);
}

/** Sets VR and BR for the next page when they differ from what the modem has. */
async function setSessionParams(ctx: SessionContext, vr: number, br: number): Promise<void> {
  const r = await ctx.ch.command(`AT${ctx.d.session}=${vr},${br.toString(ctx.d.radix).toUpperCase()}`);
  if (r.final !== 'OK') throw new FaxCallError('protocol', `AT${ctx.d.session}= answered ${r.final}`);
}

/** Sends the pages on a call that `dial` connected. */
export async function sendPages(ctx: SessionContext, remoteId: string, remoteDis: SessionParams | null, o: SendOptions): Promise<SendOutcome> {
  const maxRetransmits = o.maxRetransmits ?? 3;
  let br = Math.min(o.maxBr ?? 5, remoteDis?.br ?? 5);
  let setVr = -1;
  let setBr = -1;
  let retransmits = 0;
  let lastHangup: HangupInfo | null = null;
  let lastRate = bitRate(br);
  for (let i = 0; i < o.pages.length; i++) {
    const page = o.pages[i]!;
    const vr = page.yResolution === 196 ? 1 : 0;
    const ppm: PostPageMessage = i === o.pages.length - 1 ? 'EOP' : 'MPS';
    const wire = dleStuff(ensureRtc(pageForWire(page, 2), 2, page.width, page.twoD));
    for (let attempt = 1; ; attempt++) {
      ctx.budget.check(); // the call deadline (recover() aborts the session with AT+FKS / AT+FK)
      if (vr !== setVr || br !== setBr) {
        await setSessionParams(ctx, vr, br);
        setVr = vr;
        setBr = br;
      }
      const watcher = new TxFlowWatcher();
      const cs = await startPage(ctx, watcher);
      const rate = bitRate(cs?.br ?? br);
      lastRate = rate;
      try {
        if (ctx.d.waitXonAfterConnect && !(await watcher.waitXon(ctx.clock, ctx.timeouts.xon))) {
          ctx.log.warn({ timeoutMs: ctx.timeouts.xon }, 'no XON after CONNECT; sending anyway (as efax does)');
        }
        await writeData(ctx.ch, watcher, wire, {
          chunkBytes: o.chunkBytes ?? 256,
          paceBps: o.pace === 'line' ? rate : typeof o.pace === 'number' ? o.pace : 0,
          xoffTimeoutMs: ctx.timeouts.xoff,
          clock: ctx.clock,
        });
      } finally {
        ctx.ch.leaveDataMode();
      }
      const res = ctx.d.fetAfterPage ? await finishPage2(ctx, ppm) : await finishPage20(ctx, ppm);
      lastHangup = res.hangup ?? lastHangup;
      const accepted = pageAccepted(res.ppr);
      o.onPage?.({ page: i + 1, pages: o.pages.length, attempt, ppr: PPR_NAMES[res.ppr] ?? String(res.ppr), accepted, bitRate: rate, bytes: wire.length });
      if (res.hangup && !res.hangup.normal) throw classifyHangup(res.hangup, `page ${i + 1}`);
      if (accepted) break;
      if (res.hangup) throw new FaxCallError('rtn', `page ${i + 1} refused (${PPR_NAMES[res.ppr] ?? res.ppr}) and the remote hung up`, res.hangup);
      if (attempt > maxRetransmits || br === 0) {
        throw new FaxCallError('rtn', `page ${i + 1} refused (${PPR_NAMES[res.ppr] ?? res.ppr}) ${attempt} times, last at ${rate} bit/s`);
      }
      retransmits++;
      br = Math.max(0, Math.min(br, cs?.br ?? br) - 1);
      ctx.log.info({ page: i + 1, nextBitRate: bitRate(br) }, 'RTN: sending the page again at a lower rate');
    }
  }
  return { remoteId, pages: o.pages.length, retransmits, hangup: lastHangup ?? hangupMeaning('0', ctx.d.faxClass), bitRate: lastRate };
}

