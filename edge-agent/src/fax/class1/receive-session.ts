/**
 * Receiving a fax in Class 1: the host runs the T.30 receiver (efax c1sndrcv() "Receiver",
 * HylaFAX Class1Recv.c++, the T.30 flow charts).
 *
 * ATA → CONNECT leaves the modem in HDLC transmit mode: CSI + DIS go out at once, and again via
 * AT+FTH=3 every T4 until a command comes (T1). TSI + DCS → AT+FRM=<modulation> receives the TCF,
 * which passes with a run of zeros of at least one second (efax gettrain()): CFR, else FTT and the
 * caller retrains. The page comes via AT+FRM (DLE ETX, NO CARRIER), then the post-page message
 * via AT+FRH=3 (T2): MPS/EOP/EOM are answered MCF when the page is good (our own row check,
 * mgetty's rule) or RTN. After MPS the next page follows at once; after EOM we send DIS again;
 * after EOP the caller's DCN ends the call. A CRP repeats our last response.
 */
import { analyzeG3Page, badCopy } from '../codec/g3.js';
import { FAX_WIDTHS, type FaxPage } from '../tiff/tiff-f.js';
import { FaxCallError } from '../class2/call-error.js';
import { hangupMeaning, type HangupInfo } from '../class2/hangup-codes.js';
import type { ReceivedPageInfo, ReceiveOutcome } from '../class2/receive-session.js';
import { yResolution } from '../class2/params.js';
import { buildFrame, decodeId, encodeId, type FcfName, type HdlcFrame } from './frames.js';
import { buildDis, maxBrOf, modulationByCode, parseDcs, sameCarrier, tcfBytes, tcfGood, type DcsInfo, type Modulation } from './t30-params.js';
import { disconnect, receiveBurst, receiveData, sendFrames, t30Hangup, type Burst, type Class1Context } from './line.js';
import { limitError, type LimitName } from '../call-limits.js';

export interface Class1ReceiveOptions {
  /** Our CSI. */
  localId: string;
  /** Highest BR to offer in DIS (default: what AT+FRM=? allows). */
  maxBr?: number;
  /** Refuse pages with too many bad rows (RTN), so the caller sends them again. Default true. */
  rejectBadPages?: boolean;
  /** Pages per call (default: the call's limits.maxPagesPerCall). */
  maxPages?: number;
  onPage?: (p: ReceivedPageInfo) => void;
}

const PPM: ReadonlySet<FcfName> = new Set(['MPS', 'EOP', 'EOM', 'PRI_MPS', 'PRI_EOP', 'PRI_EOM']);

/** The modulation for receiving page data: V.17 short training when the modem has it. */
function dataModulation(ctx: Class1Context, dcs: DcsInfo): Modulation {
  if (dcs.modulation.family === 'V.17') {
    const short = ctx.rxModulations.map(modulationByCode).find((m) => m && m.shortTrain && sameCarrier(m, dcs.modulation));
    if (short) return short;
  }
  return dcs.modulation;
}

/** The hangup a call we end for a limit reports: 2, the call was aborted (as Class 2 modems say after +FKS). */
const ABORTED = hangupMeaning('2', '1');

export async function receiveFax(ctx: Class1Context, o: Class1ReceiveOptions): Promise<ReceiveOutcome> {
  const state = { remoteId: '', pages: [] as FaxPage[], rejected: 0 };
  try {
    return await receive(ctx, o, state);
  } catch (err) {
    if (err instanceof FaxCallError && err.limit) {
      // a call ended by a limit: DCN, and the pages accepted so far are kept
      await disconnect(ctx);
      err.partial = { remoteId: state.remoteId, pages: state.pages, rejectedPages: state.rejected };
    }
    throw err;
  }
}

async function receive(ctx: Class1Context, o: Class1ReceiveOptions, state: { remoteId: string; pages: FaxPage[]; rejected: number }): Promise<ReceiveOutcome> {
  const { budget } = ctx;
  const { limits } = budget;
  const maxPages = o.maxPages ?? limits.maxPagesPerCall;
  const r = await ctx.ch.command('ATA', { timeoutMs: ctx.timeouts.answer });
  if (!r.final.startsWith('CONNECT')) {
    throw new FaxCallError(r.final === 'NO CARRIER' ? 'no-carrier' : 'protocol', `answer: ${r.final}${r.lines.length ? ` (${r.lines.join(' | ')})` : ''}`);
  }
  const maxBr = Math.min(o.maxBr ?? 5, maxBrOf(ctx.rxModulations));
  const dis = buildDis({ receiver: true, maxBr: Math.max(0, maxBr), fine: true, twoD: true, maxWd: 2, maxLn: 2, st: 0 });
  const identify = [buildFrame('CSI', encodeId(o.localId)), buildFrame('DIS', dis)];
  let connected = true;

  let dcs: DcsInfo | null = null;
  const pages = state.pages;
  /** The page received since the last post-page message, judged. */
  let received: { page: FaxPage; good: boolean } | null = null;
  let lastResponse: Buffer | null = null;
  let lastPpm: FcfName | null = null;
  let gotDcs = false;

  const respond = async (name: FcfName): Promise<void> => {
    lastResponse = buildFrame(name);
    await sendFrames(ctx, [lastResponse]);
  };

  /** Phase B: CSI + DIS every T4 until a command comes, at most T1. */
  const identifyUntilCommand = async (): Promise<Burst> => {
    const until = ctx.clock.now() + ctx.timeouts.t1;
    for (;;) {
      await sendFrames(ctx, identify, connected);
      connected = false;
      const b = await receiveBurst(ctx, ctx.timeouts.t4);
      if (b.final && b.final.name !== 'CRP') return b;
      if (ctx.clock.now() >= until) throw t30Hangup(gotDcs ? 74 : 11, gotDcs ? 'no command after EOM within T1' : 'no DCS from the caller within T1');
    }
  };

  /** A page via AT+FRM, judged as HylaFAX does: our own row count and check. */
  const receivePage = async (): Promise<'page' | 'hdlc' | 'none'> => {
    const m = dataModulation(ctx, dcs!);
    const rx = await receiveData(ctx, m, ctx.timeouts.t2, limits.maxPageBytes);
    if (rx.kind === 'aborted') {
      if (rx.why === 'deadline') throw budget.error(ABORTED);
      throw limitError('page-bytes', `page longer than ${limits.maxPageBytes} bytes (limits.maxPageBytes); page ${pages.length + 1} aborted`, ABORTED);
    }
    if (rx.kind === 'fcerror') return 'hdlc';
    if (rx.kind !== 'data') return 'none';
    const width = FAX_WIDTHS[dcs!.wd] ?? 1728;
    const twoD = dcs!.df === 1;
    const a = analyzeG3Page(rx.data, 2, width, twoD);
    const good = !badCopy(a) || !(o.rejectBadPages ?? true);
    received = {
      good,
      page: { data: rx.data, fillOrder: 2, width, rows: a.rows, yResolution: yResolution(dcs!.vr), twoD, badRows: a.badRows, consecutiveBadRows: a.consecutiveBadRows },
    };
    o.onPage?.({ page: pages.length + 1, rows: a.rows, badRows: a.badRows, accepted: good, modemStatus: null, bytes: rx.data.length });
    return 'page';
  };

  const outcome = (hangup: HangupInfo): ReceiveOutcome => ({ remoteId: state.remoteId, pages, rejectedPages: state.rejected, hangup });

  /**
   * Steps without progress since the last accepted page: FTT (unless the training is at a lower
   * rate than the last refused one: the T.30 fall-back), RTN, CRP, an unexpected command.
   */
  let strikes = 0;
  let lastRefusedBps = 0;
  const strike = (what: string, limit: LimitName = 'retrain'): void => {
    if (++strikes > limits.maxRetrainSteps) throw limitError(limit, `${what}: ${strikes} steps in a row without an accepted page (limits.maxRetrainSteps ${limits.maxRetrainSteps})`, ABORTED);
  };
  const refuseTraining = async (bps: number, what: string): Promise<void> => {
    if (bps >= lastRefusedBps) strike(what);
    lastRefusedBps = bps;
    await respond('FTT');
  };

  let burst = await identifyUntilCommand();
  for (;;) {
    if (budget.expired) throw budget.error(ABORTED);
    const cmd: HdlcFrame | null = burst.final;
    for (const f of burst.frames) if (f.name === 'TSI') state.remoteId = decodeId(f.fif);
    const name = cmd?.name ?? null;
    if (name === 'DCS') {
      gotDcs = true;
      dcs = parseDcs(cmd!.fif);
      if (!dcs || !ctx.rxModulations.includes(dcs.modulation.code)) {
        ctx.log.warn({ dcs: cmd!.fif.toString('hex') }, 'DCS names a modulation we cannot receive: FTT');
        await refuseTraining(dcs?.modulation.bps ?? Infinity, 'DCS with a modulation we cannot receive');
        burst = await receiveBurst(ctx, ctx.timeouts.t2);
        continue;
      }
      // TCF is 1.5 s of zeros: twice that is kept at most
      const tcf = await receiveData(ctx, dcs.modulation, ctx.timeouts.t2, 2 * tcfBytes(dcs.modulation));
      if (tcf.kind === 'aborted') {
        if (tcf.why === 'deadline') throw budget.error(ABORTED);
        throw limitError('tcf-bytes', `TCF longer than ${2 * tcfBytes(dcs.modulation)} bytes (twice 1.5 s at ${dcs.modulation.name})`, ABORTED);
      }
      const check = tcf.kind === 'data' ? tcfGood(tcf.data, dcs.modulation) : null;
      ctx.log.info({ modulation: dcs.modulation.name, tcf: check ?? tcf.kind }, 'training check');
      if (!check?.good) {
        await refuseTraining(dcs.modulation.bps, `training at ${dcs.modulation.name} refused (FTT)`);
        burst = await receiveBurst(ctx, ctx.timeouts.t2);
        continue;
      }
      await respond('CFR');
    } else if (name !== null && PPM.has(name)) {
      lastPpm = name;
      const got = received as { page: FaxPage; good: boolean } | null;
      received = null;
      if (got?.good) {
        pages.push(got.page);
        strikes = 0;
        lastRefusedBps = 0;
        await respond('MCF');
      } else {
        if (got) state.rejected++;
        ctx.log.warn({ page: pages.length + 1, received: !!got }, 'page refused (RTN)');
        strike(`page ${pages.length + 1} refused (RTN)`);
        await respond('RTN');
        burst = await receiveBurst(ctx, ctx.timeouts.t2); // the caller retrains (DCS) or gives up (DCN)
        continue;
      }
      const more = name !== 'EOP' && name !== 'PRI_EOP';
      if (more && pages.length >= maxPages) throw limitError('pages', `more than ${maxPages} pages (limits.maxPagesPerCall)`, ABORTED);
      if (name === 'EOP' || name === 'PRI_EOP') {
        burst = await receiveBurst(ctx, ctx.timeouts.t2);
        if (!burst.final || burst.final.name === 'DCN') return outcome(hangupMeaning('0', '1'));
        continue;
      }
      if (name === 'EOM' || name === 'PRI_EOM') {
        burst = await identifyUntilCommand();
        continue;
      }
    } else if (name === 'DCN') {
      if (lastPpm === 'EOP' || lastPpm === 'PRI_EOP') return outcome(hangupMeaning('0', '1'));
      const e = t30Hangup(gotDcs ? 71 : 70, `the caller disconnected (DCN) ${pages.length ? `after ${pages.length} page(s)` : 'before sending a page'}`);
      if (pages.length) return outcome(e.hangup!);
      throw e;
    } else if (name === 'CRP' && lastResponse) {
      strike('CRP');
      await sendFrames(ctx, [lastResponse]);
      burst = await receiveBurst(ctx, ctx.timeouts.t2);
      continue;
    } else if (name === 'DIS' || name === 'DTC') {
      throw t30Hangup(70, 'the caller wants to be sent a document (polling is not supported)');
    } else if (cmd) {
      ctx.log.warn({ frame: cmd.name ?? cmd.fcf }, 'unexpected command; waiting for the next one');
      strike(`unexpected command ${cmd.name ?? `0x${cmd.fcf.toString(16)}`}`);
      burst = await receiveBurst(ctx, ctx.timeouts.t2);
      continue;
    } else if (!burst.fcerror) {
      if (pages.length && (lastPpm === 'EOP' || lastPpm === 'PRI_EOP')) return outcome(hangupMeaning('0', '1'));
      const e = t30Hangup(dcs ? 73 : 70, dcs ? 'T2 timeout: expected page or command not received' : 'no command from the caller');
      if (pages.length) return outcome(e.hangup!);
      throw e;
    }
    // phase C (after CFR, MCF to MPS, or a data carrier where a command was expected)
    if (!dcs) throw t30Hangup(70, 'page data before DCS');
    const got = await receivePage();
    if (got === 'none') {
      burst = await receiveBurst(ctx, ctx.timeouts.t2);
      if (!burst.final && !burst.fcerror) throw t30Hangup(73, 'T2 timeout: expected page not received');
      continue;
    }
    burst = await receiveBurst(ctx, ctx.timeouts.t2);
  }
}
