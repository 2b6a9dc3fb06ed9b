/**
 * Sending a fax in Class 1: the host runs the T.30 transmitter (efax c1sndrcv(), HylaFAX
 * Class1Send.c++, the T.30 flow charts).
 *
 * Phase A/B: ATD → CONNECT with the called fax's first frame; its burst (NSF, CSI, DIS) is read
 * with AT+FRH=3 up to the final DIS (T1). Then TSI + DCS (X bit set: we received DIS) via AT+FTH=3,
 * AT+FTS=8, TCF (1.5 s of zeros) at the chosen modulation via AT+FTM, and the response via AT+FRH=3
 * within T4: CFR → go; FTT → the next lower speed; no response or DIS again → DCS repeated, at most
 * three times. Phase C: AT+FTS=8, AT+FTM=<data modulation>, the page (bit order LSB first, rows
 * padded to the remote's minimum scan time, RTC) with DLE doubling and DLE ETX. Phase D: AT+FTS=8,
 * MPS/EOM/EOP via AT+FTH=3, the response within T4 (repeated up to three times): MCF/PIP = page
 * taken; RTP = taken, retrain; RTN/PIN = not taken: retrain one speed lower and send it again (as
 * the Class 2 path does). After EOM the remote sends DIS again (back to phase B). At the end DCN.
 */
import { RingCollisionError } from '../at/at-channel.js';
import { FAX_WIDTHS, pageForWire, type FaxPage } from '../tiff/tiff-f.js';
import { ensureRtc, padRows } from '../codec/g3.js';
import { FaxCallError } from '../class2/call-error.js';
import { hangupMeaning } from '../class2/hangup-codes.js';
import { DIAL_FINALS, dialString, type SendOptions, type SendOutcome } from '../class2/send-session.js';
import { buildFrame, decodeId, encodeId, type FcfName, type HdlcFrame } from './frames.js';
import { buildDcs, maxBrOf, minScanMs, modulationsFor, parseDis, tcfBytes, type DisInfo, type Modulation } from './t30-params.js';
import { receiveBurst, receiveFrame, sendData, sendFrames, silence, t30Hangup, type Class1Context, type FrameRx } from './line.js';

/** As in Class 2 (maxBr: the highest BR to try, lowered to what the modem and the remote offer), plus our TSI. */
export type Class1SendOptions = Pick<SendOptions, 'pages' | 'maxBr' | 'maxRetransmits' | 'chunkBytes' | 'pace' | 'onPage' | 'onConnected'> & { localId: string };

interface Format {
  vr: number;
  wd: number;
  df: number;
}

interface Trained {
  br: number;
  train: Modulation;
  data: Modulation;
  scanMs: number;
}

/** Silence between V.21 and high-speed signals (T.30: 75 ± 20 ms; the brief's +FTS=8). */
const GAP = 8;

function formatOf(page: FaxPage): Format {
  const wd = (FAX_WIDTHS as readonly number[]).indexOf(page.width);
  if (wd < 0) throw new FaxCallError('bad-document', `page width ${page.width} is not a fax width (${FAX_WIDTHS.join(', ')})`);
  return { vr: page.yResolution === 196 ? 1 : 0, wd, df: page.twoD ? 1 : 0 };
}

function checkFormat(f: Format, dis: DisInfo, page: number): void {
  if (f.vr === 1 && !dis.fine) throw new FaxCallError('bad-document', `page ${page} is fine resolution and the remote takes only normal`);
  if (f.wd > dis.maxWd) throw new FaxCallError('bad-document', `page ${page} is wider than the remote takes`);
  if (f.df === 1 && !dis.twoD) throw new FaxCallError('bad-document', `page ${page} is MR (2D) coded and the remote takes only MH`);
}

/** Phase B, caller side: frames up to the final DIS (or DTC), within T1. */
async function awaitDis(ctx: Class1Context, first: FrameRx | null): Promise<{ remoteId: string; dis: DisInfo }> {
  const until = ctx.clock.now() + ctx.timeouts.t1;
  let remoteId = '';
  let pending = first;
  for (;;) {
    const frames: HdlcFrame[] = [];
    let final: HdlcFrame | null = null;
    if (pending?.kind === 'frame') {
      frames.push(pending.frame);
      if (pending.frame.final) final = pending.frame;
    }
    pending = null;
    if (!final) {
      const left = until - ctx.clock.now();
      if (left <= 0) throw t30Hangup(23, 'no DIS from the called fax within T1');
      const b = await receiveBurst(ctx, left);
      frames.push(...b.frames);
      final = b.final;
    }
    for (const f of frames) if (f.name === 'CSI') remoteId = decodeId(f.fif);
    if (final?.name === 'DIS' || final?.name === 'DTC') return { remoteId, dis: parseDis(final.fif) };
    if (final?.name === 'DCN') throw t30Hangup(22, 'the called fax disconnected (DCN) before DIS');
    if (final) ctx.log.warn({ frame: final.name }, 'unexpected frame while waiting for DIS');
  }
}

/** A response to a command: repeats `command` (frames) up to three times while none comes in T4. */
async function commandResponse(ctx: Class1Context, frames: Buffer[], what: string): Promise<{ response: HdlcFrame | null; tries: number }> {
  let lastResponse: HdlcFrame | null = null;
  for (let tries = 1; tries <= 3; tries++) {
    await sendFrames(ctx, frames);
    const b = await receiveBurst(ctx, ctx.timeouts.t4);
    lastResponse = b.final;
    if (b.final && b.final.name !== 'CRP') return { response: b.final, tries };
    ctx.log.warn({ what, tries, bad: b.bad, crp: b.final?.name === 'CRP' }, `no valid response to ${what}; repeating it`);
  }
  return { response: lastResponse?.name === 'CRP' ? null : lastResponse, tries: 3 };
}

export async function sendFax(ctx: Class1Context, number: string, o: Class1SendOptions): Promise<SendOutcome> {
  const clean = dialString(number);
  const maxRetransmits = o.maxRetransmits ?? 3;
  let first: FrameRx;
  try {
    first = await receiveFrame(ctx, ctx.timeouts.dial, `ATD${clean}`, 'abort');
  } catch (err) {
    if (err instanceof RingCollisionError) throw new FaxCallError('ring-collision', err.message);
    throw err;
  }
  if (first.kind === 'final') throw new FaxCallError(DIAL_FINALS[first.final] ?? 'dial-error', `dial: ${first.final}${first.lines.length ? ` (${first.lines.join(' | ')})` : ''}`);
  if (first.kind === 'timeout') throw t30Hangup(11, `no fax answer within ${ctx.timeouts.dial} ms`);
  try {
    return await transmit(ctx, first, o, maxRetransmits);
  } catch (err) {
    if (err instanceof FaxCallError && err.reason !== 'modem-gone' && err.reason !== 'no-carrier' && !ctx.ch.gone) {
      await sendFrames(ctx, [buildFrame('DCN', undefined, { x: true })]).catch(() => undefined);
    }
    throw err;
  }
}

async function transmit(ctx: Class1Context, first: FrameRx, o: Class1SendOptions, maxRetransmits: number): Promise<SendOutcome> {
  let { remoteId, dis } = await awaitDis(ctx, first);
  o.onConnected?.(remoteId);
  if (!dis.receiver) throw t30Hangup(21, 'the called fax cannot receive');
  const localId = encodeId(o.localId);
  let br = Math.min(o.maxBr ?? 5, dis.maxBr, maxBrOf(ctx.txModulations));
  if (br < 0) throw new FaxCallError('protocol', `the modem offers no data modulation (AT+FTM=? said ${ctx.txModulations.join(',')})`);
  let trained: Trained | null = null;
  let retransmits = 0;
  let lastRate = 0;

  /** DCS + TCF until CFR; FTT steps the speed down. */
  const train = async (fmt: Format): Promise<Trained> => {
    let noResponse = 0;
    let disAgain = 0;
    for (;;) {
      ctx.budget.check();
      const mods = modulationsFor(br, ctx.txModulations, dis.modems);
      if (!mods) {
        if (br === 0) throw t30Hangup(27, 'no modulation in common with the remote');
        br--;
        continue;
      }
      const scanMs = minScanMs(dis.st, fmt.vr === 1);
      const dcs = buildDcs({ ...fmt, ln: dis.maxLn === 2 ? 2 : 0, modulation: mods.train, scanMs });
      await sendFrames(ctx, [buildFrame('TSI', localId, { x: true }), buildFrame('DCS', dcs, { x: true })]);
      await silence(ctx, 'FTS', GAP);
      await sendData(ctx, mods.train, Buffer.alloc(tcfBytes(mods.train)));
      const b = await receiveBurst(ctx, ctx.timeouts.t4);
      const r = b.final?.name;
      ctx.log.info({ modulation: mods.train.name, response: r ?? 'none' }, 'training');
      if (r === 'CFR') return { br, train: mods.train, data: mods.data, scanMs };
      if (r === 'FTT') {
        if (br === 0) throw t30Hangup(27, 'the remote refused the training (FTT) at every speed down to 2400 bit/s');
        br--;
        continue;
      }
      if (r === 'DCN') throw t30Hangup(24, 'the remote disconnected (DCN) instead of answering DCS');
      if (r === 'DIS' || r === 'DTC') {
        dis = parseDis(b.final!.fif);
        if (++disAgain >= 3) throw t30Hangup(26, 'DIS received 3 times; the remote did not take our DCS');
        continue;
      }
      if (++noResponse >= 3) throw t30Hangup(25, `DCS sent 3 times without response${b.bad ? ` (${b.bad} bad frames)` : ''}`);
    }
  };

  for (let i = 0; i < o.pages.length; ) {
    const page = o.pages[i]!;
    const fmt = formatOf(page);
    checkFormat(fmt, dis, i + 1);
    const next = o.pages[i + 1];
    const nextFmt = next ? formatOf(next) : null;
    const ppm: FcfName = !nextFmt ? 'EOP' : nextFmt.vr !== fmt.vr || nextFmt.wd !== fmt.wd || nextFmt.df !== fmt.df ? 'EOM' : 'MPS';
    for (let attempt = 1; ; attempt++) {
      ctx.budget.check(); // the call deadline (sendFax sends DCN)
      trained ??= await train(fmt);
      const rate = trained.data.bps;
      lastRate = rate;
      const minBits = Math.ceil((rate * trained.scanMs) / 1000);
      const wire = padRows(ensureRtc(pageForWire(page, 2), 2, page.width, page.twoD), 2, minBits);
      await silence(ctx, 'FTS', GAP);
      await sendData(ctx, trained.data, wire, {
        chunkBytes: o.chunkBytes ?? 256,
        paceBps: o.pace === 'line' ? rate : typeof o.pace === 'number' ? o.pace : 0,
      });
      await silence(ctx, 'FTS', GAP);
      const { response } = await commandResponse(ctx, [buildFrame(ppm, undefined, { x: true })], ppm);
      const r = response?.name ?? null;
      const accepted = r === 'MCF' || r === 'RTP' || r === 'PIP';
      if (r === 'MCF' || r === 'RTP' || r === 'PIP' || r === 'RTN' || r === 'PIN') {
        o.onPage?.({ page: i + 1, pages: o.pages.length, attempt, ppr: r, accepted, bitRate: rate, bytes: wire.length });
      }
      if (!response) throw t30Hangup(ppm === 'MPS' ? 52 : ppm === 'EOP' ? 54 : 56, `no response to ${ppm} repeated 3 times`);
      if (r === 'DCN') throw t30Hangup(51, `the remote disconnected (DCN) after page ${i + 1}`);
      if (!accepted && r !== 'RTN' && r !== 'PIN') throw t30Hangup(ppm === 'MPS' ? 53 : ppm === 'EOP' ? 55 : 57, `invalid response to ${ppm}: ${r ?? `0x${response.fcf.toString(16)}`}`);
      if (accepted) {
        if (r === 'RTP') trained = null;
        break;
      }
      if (attempt > maxRetransmits) throw new FaxCallError('rtn', `page ${i + 1} refused (${r}) ${attempt} times, last at ${rate} bit/s`);
      retransmits++;
      br = Math.max(0, trained.br - 1);
      trained = null;
      ctx.log.info({ page: i + 1, response: r }, 'page refused: retraining one speed lower and sending it again');
    }
    i++;
    if (ppm === 'EOM') {
      // a new document: the remote goes back to phase B and sends DIS again
      ({ remoteId, dis } = await awaitDis(ctx, null));
      trained = null;
    }
  }
  await sendFrames(ctx, [buildFrame('DCN', undefined, { x: true })]).catch((err: Error) => ctx.log.warn({ err: err.message }, 'DCN not sent'));
  return { remoteId, pages: o.pages.length, retransmits, hangup: hangupMeaning('0', '1'), bitRate: lastRate };
}
