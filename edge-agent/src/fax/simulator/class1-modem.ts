/**
 * The simulator's Class 1 (T.31) mode: a modem that only modulates, with a remote fax machine
 * behind it that runs T.30 (the called fax when the DTE dials, the caller when it answers).
 *
 * The line is modelled as transmissions in the air. The remote's (an HDLC burst, TCF, a page) wait
 * in order until the DTE receives them: AT+FRH=3 takes the next frame of an HDLC burst (CONNECT,
 * frame + 2 FCS bytes DLE-stuffed, DLE ETX, then OK, or ERROR for a bad FCS); AT+FRM=m takes data of
 * that carrier (CONNECT, data at the line rate, DLE ETX, NO CARRIER); the wrong carrier gives
 * +FCERROR and stays in the air; with nothing in the air the command waits, and any character from
 * the DTE aborts it (OK). The DTE's transmissions (AT+FTH=3 frames: CONNECT after a non-final one,
 * OK after the final one; AT+FTM data under XON/XOFF, OK once drained) go to the remote, which
 * answers them. ATD ends in HDLC receive (CONNECT with the DIS burst's first frame), ATA in HDLC
 * transmit (CONNECT, then the DTE's CSI/DIS).
 *
 * The remote checks what a real fax would: the DCS names the carrier the TCF came in and the TCF is
 * a second of zeros (else FTT); pages are judged by their rows (mgetty's rule); rates above the
 * line's (`lineBr`) fail training. Faults on demand: FTT, bad FCS, garbage frames, DCN mid-call, and a
hostile caller: endless TCF, an endless page, endless retraining, endless pages.
 */
import { DteDataDecoder, DLE, ETX, CAN, dleStuff } from '../codec/dle.js';
import { analyzeG3Page, badCopy } from '../codec/g3.js';
import { parseSessionParams } from '../class2/params.js';
import { pageForWire, FAX_WIDTHS, type FaxPage } from '../tiff/tiff-f.js';
import { buildFrame, encodeId, fcsBytes, parseFrame, CONTROL_FINAL, describeFrame, type FcfName, type HdlcFrame } from '../class1/frames.js';
import {
  buildDcs,
  disFromParams,
  minScanMs,
  modulationByCode,
  modulationsFor,
  parseDcs,
  parseDis,
  parseModulationList,
  sameCarrier,
  tcfBytes,
  tcfGood,
  type DcsInfo,
  type DisInfo,
  type Modulation,
} from '../class1/t30-params.js';
import { TxBuffer, type SimFlow } from './tx-buffer.js';
import type { IncomingCall, IncomingCallResult, SimulatedPage } from './modem-simulator.js';

/** Faults of the remote fax in Class 1 mode. */
export interface Class1Faults {
  /** Answer this training (bit rate) with FTT although the TCF was good. */
  ftt?: (bps: number) => boolean;
  /** Deliver the n-th frame (1-based, per name) of this name with a bad FCS: the modem says ERROR. */
  badFcs?: (name: FcfName, n: number) => boolean;
  /** Put garbage frames (an unknown FCF with a good FCS, and line noise with a bad one) before it. */
  garbageBefore?: (name: FcfName, n: number) => boolean;
  /** Send DCN instead of this frame and hang up ('page': a calling remote hangs up instead of sending the page). */
  dcnInsteadOf?: FcfName | 'page';
  /** A calling remote whose TCF never ends (the carrier stays on until the DTE aborts). */
  endlessTcf?: boolean;
  /** A calling remote that trains with a bad TCF at the same rate again and again, whatever the answer. */
  endlessRetrain?: boolean;
  /** A line that garbles a calling remote's TCF above this rate (bit/s): FTT, and the caller steps down. */
  badTcfAbove?: number;
}

export interface Class1SimOptions {
  remoteId: string;
  /** The called fax's capabilities, Class 2 style "VR,BR,WD,LN,DF,EC,BF,ST". */
  remoteDis: string;
  lineBr: number;
  speedFactor: number;
  minPageMs: number;
  bufferBytes: number;
  xoffAtBytes: number;
  xonAtBytes: number;
  rxPadBytes: number;
  /** Answer to AT+FTM=? and AT+FRM=?. */
  modulations: string;
  /** How long the remote waits for the DTE (T.30 T4 / T2), ms. */
  remoteWaitMs: number;
  faults: Class1Faults;
  pageResponse?: (page: { page: number; attempt: number; br: number; rows: number; badRows: number }) => 'MCF' | 'RTN' | { hangup: string };
}

/** What the simulator does for the Class 1 mode. */
export interface Class1Host {
  respond(lines: string[], final?: string): void;
  raw(data: Buffer): void;
  log(s: string): void;
  later(ms: number, fn: () => void): void;
  page(p: SimulatedPage): void;
  /** The outgoing call (DTE dialled) ended. */
  outgoingEnded(hangup: string): void;
  /** The incoming call ended. */
  incomingEnded(end: IncomingCallResult['end']): void;
  flowK(): SimFlow;
}

type Air =
  | { kind: 'hdlc'; frames: Array<{ bytes: Buffer; bad: boolean; label: string }>; next: number }
  /** endless: the data again and again, never DLE ETX (a carrier that stays on). */
  | { kind: 'data'; mod: Modulation; data: Buffer; label: string; endless?: boolean };
type Heard = { kind: 'hdlc'; frames: HdlcFrame[] } | { kind: 'data'; mod: Modulation; data: Buffer; overflow: number };
type Mode = 'command' | 'hdlc-tx' | 'data-tx' | 'rx-wait' | 'rx-sending';

const ALL_CODES = [24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146];

class Cancelled extends Error {}

export class Class1Modem {
  private mode: Mode = 'command';
  private air: Air[] = [];
  private rxReq: { kind: 'hdlc' } | { kind: 'data'; mod: Modulation } | null = null;
  private heard: Heard[] = [];
  private hearWaiter: ((h: Heard | null) => void) | null = null;
  /** Bumped when a call ends: a running remote sees it and stops. */
  private callId = 0;
  private remoteActive = false;
  private direction: 'out' | 'in' | null = null;
  private decoder: DteDataDecoder | null = null;
  private txFrames: Buffer[] = [];
  private txChunks: Buffer[] = [];
  private txMod: Modulation | null = null;
  private txStartedAt = 0;
  private txBuffer: TxBuffer | null = null;
  private flo: SimFlow | null = null;
  private counts = new Map<string, number>();
  private pump: { stop: () => void } | null = null;

  constructor(
    private readonly host: Class1Host,
    private readonly o: Class1SimOptions,
  ) {}

  /** True while the Class 1 mode takes the DTE's bytes (data, frames, or aborting a wait). */
  get takesInput(): boolean {
    return this.mode !== 'command';
  }

  get inCall(): boolean {
    return this.direction !== null;
  }

  // ------------------------------------------------------------------------------ commands

  /** The Class 1 extended commands; 'error' for anything else. */
  command(name: string, op: 'exec' | 'query' | 'test' | 'set', value: string, info: string[]): 'ok' | 'error' | 'async' {
    const mods = parseModulationList(this.o.modulations);
    switch (name) {
      case '+FTH':
      case '+FRH':
        if (op === 'test') return info.push('3'), 'ok';
        if (op !== 'set' || value !== '3' || !this.inCall) return 'error';
        if (name === '+FRH') return this.startRx({ kind: 'hdlc' });
        this.startHdlcTx();
        return 'async';
      case '+FTM':
      case '+FRM': {
        if (op === 'test') return info.push(this.o.modulations), 'ok';
        const m = modulationByCode(Number(value));
        if (op !== 'set' || !m || !mods.includes(m.code) || !this.inCall) return 'error';
        if (name === '+FRM') return this.startRx({ kind: 'data', mod: m });
        this.startDataTx(m);
        return 'async';
      }
      case '+FTS':
      case '+FRS':
        if (op === 'test') return info.push('(0-255)'), 'ok';
        if (op !== 'set' || !/^\d+$/.test(value) || Number(value) > 255) return 'error';
        this.host.later(Math.max(1, (Number(value) * 10) / this.o.speedFactor), () => this.host.respond([], 'OK'));
        return 'async';
      case '+FLO':
        if (op === 'test') return info.push('(0-2)'), 'ok';
        if (op === 'query') return info.push(this.flo === 'soft' ? '1' : this.flo === 'hard' ? '2' : '0'), 'ok';
        if (op !== 'set' || !/^[0-2]$/.test(value)) return 'error';
        this.flo = value === '1' ? 'soft' : value === '2' ? 'hard' : 'none';
        return 'ok';
      default:
        return 'error';
    }
  }

  private flow(): SimFlow {
    return this.flo ?? this.host.flowK();
  }

  /** ATD answered by the called fax: it sends CSI + DIS; the modem reports CONNECT with the first frame. */
  dialAnswered(): void {
    const id = this.beginCall('out');
    this.rxReq = { kind: 'hdlc' };
    this.mode = 'rx-wait';
    void this.run(id, () => this.calledFax(id));
  }

  /** ATA with a call ringing: the modem answers and is in HDLC transmit mode for the DTE's CSI/DIS. */
  answered(call: IncomingCall & { result: IncomingCallResult }): void {
    const id = this.beginCall('in');
    this.host.respond([], 'CONNECT');
    this.mode = 'hdlc-tx';
    this.decoder = new DteDataDecoder(false);
    this.txFrames = [];
    this.txChunks = [];
    void this.run(id, () => this.callingFax(id, call));
  }

  /** ATH / ATZ or the line closing. */
  hangUp(): void {
    this.pump?.stop();
    this.txBuffer?.stop();
    const was = this.direction;
    const active = this.remoteActive;
    this.endCall();
    this.mode = 'command';
    if (was === 'out' && active) this.host.outgoingEnded('0');
  }

  private beginCall(direction: 'out' | 'in'): number {
    this.endCall();
    this.direction = direction;
    this.remoteActive = true;
    this.counts.clear();
    return ++this.callId;
  }

  private endCall(): void {
    this.callId++;
    this.air = [];
    this.heard = [];
    this.rxReq = null;
    this.direction = null;
    this.remoteActive = false;
    const w = this.hearWaiter;
    this.hearWaiter = null;
    w?.(null);
  }

  // ------------------------------------------------------------------------------ DTE input

  input(buf: Buffer): Buffer {
    switch (this.mode) {
      case 'rx-wait':
        // any character aborts a receive command still waiting for its carrier (T.31)
        this.host.log('DTE> (abort)');
        this.mode = 'command';
        this.rxReq = null;
        this.host.respond([], 'OK');
        return buf.subarray(1);
      case 'rx-sending': {
        const i = buf.indexOf(CAN);
        if (i < 0) return Buffer.alloc(0);
        this.host.log('DTE> CAN');
        this.pump?.stop();
        this.host.raw(Buffer.from([DLE, ETX]));
        this.mode = 'command';
        this.host.respond([], 'OK');
        return buf.subarray(i + 1);
      }
      case 'hdlc-tx':
        return this.hdlcTxData(buf);
      case 'data-tx':
        return this.dataTxData(buf);
      default:
        return buf;
    }
  }

  // ------------------------------------------------------------------------------ DTE transmits

  private startHdlcTx(): void {
    this.host.respond([], 'CONNECT');
    this.mode = 'hdlc-tx';
    this.decoder = new DteDataDecoder(false);
    this.txFrames = [];
    this.txChunks = [];
  }

  private hdlcTxData(buf: Buffer): Buffer {
    const r = this.decoder!.push(buf);
    this.txChunks.push(r.data);
    if (!r.end) return Buffer.alloc(0);
    const frame = Buffer.concat(this.txChunks);
    this.txChunks = [];
    this.txFrames.push(frame);
    let label = frame.toString('hex');
    try {
      label = describeFrame(parseFrame(frame, { hasFcs: false }));
    } catch {
      // the remote will ignore it
    }
    this.host.log(`DTE> frame ${label}`);
    const final = frame[1] === CONTROL_FINAL;
    const ms = ((frame.length + 4) * 8 * 1000) / 300 / this.o.speedFactor;
    if (!final) {
      this.decoder = new DteDataDecoder(false);
      this.host.later(ms, () => this.host.respond([], 'CONNECT'));
      return r.rest;
    }
    this.mode = 'command';
    const frames = this.txFrames;
    this.txFrames = [];
    this.host.later(ms, () => {
      this.host.respond([], 'OK');
      const parsed: HdlcFrame[] = [];
      for (const f of frames) {
        try {
          parsed.push(parseFrame(f, { hasFcs: false }));
        } catch {
          // a real receiver drops a frame it cannot read
        }
      }
      this.toRemote({ kind: 'hdlc', frames: parsed });
    });
    return r.rest;
  }

  private startDataTx(m: Modulation): void {
    this.host.respond([], 'CONNECT');
    this.mode = 'data-tx';
    this.decoder = new DteDataDecoder(false);
    this.txChunks = [];
    this.txMod = m;
    this.txStartedAt = 0;
    this.txBuffer = new TxBuffer({
      capacity: this.o.bufferBytes,
      highWater: this.o.xoffAtBytes,
      lowWater: this.o.xonAtBytes,
      rate: (m.bps / 8) * this.o.speedFactor,
      flow: this.flow(),
      now: () => Date.now(),
      signal: (b) => {
        this.host.log(`DCE> flow ${b === 0x11 ? 'XON' : 'XOFF'}`);
        this.host.raw(Buffer.from([b]));
      },
    });
  }

  private dataTxData(buf: Buffer): Buffer {
    if (this.txStartedAt === 0) this.txStartedAt = Date.now();
    const r = this.decoder!.push(buf);
    this.txBuffer!.accept(buf.length - r.rest.length);
    this.txChunks.push(r.data);
    if (!r.end) return Buffer.alloc(0);
    const data = Buffer.concat(this.txChunks);
    this.txChunks = [];
    const mod = this.txMod!;
    const overflow = Math.round(this.txBuffer!.overflow);
    const wait = Math.max(this.o.minPageMs - (Date.now() - this.txStartedAt), this.txBuffer!.drainMs());
    this.txBuffer!.stop();
    this.mode = 'command';
    this.host.log(`DTE> ${data.length} bytes at ${mod.name}${overflow ? ` (${overflow} lost in the buffer)` : ''}`);
    this.host.later(wait, () => {
      this.host.respond([], 'OK');
      this.toRemote({ kind: 'data', mod, data, overflow });
    });
    return r.rest;
  }

  // ------------------------------------------------------------------------------ DTE receives

  private startRx(req: { kind: 'hdlc' } | { kind: 'data'; mod: Modulation }): 'async' {
    this.rxReq = req;
    this.mode = 'rx-wait';
    this.deliver();
    return 'async';
  }

  /** Hands the DTE's waiting receive command what is in the air. */
  private deliver(): void {
    const req = this.rxReq;
    if (this.mode !== 'rx-wait' || !req) return;
    const head = this.air[0];
    if (!head) {
      if (!this.remoteActive) {
        // the remote hung up: no carrier will come
        this.rxReq = null;
        this.mode = 'command';
        this.host.later(20, () => this.host.respond([], 'NO CARRIER'));
      }
      return;
    }
    this.rxReq = null;
    if (req.kind === 'hdlc' && head.kind === 'hdlc') return this.deliverFrame(head);
    if (req.kind === 'data' && head.kind === 'data' && sameCarrier(req.mod, head.mod)) return this.deliverData(head);
    this.host.log(`DCE> +FCERROR (asked for ${req.kind === 'hdlc' ? 'V.21 HDLC' : req.mod.name}, the line carries ${head.kind === 'hdlc' ? 'V.21 HDLC' : head.mod.name})`);
    this.mode = 'command';
    this.host.respond([], '+FCERROR');
  }

  private deliverFrame(burst: Extract<Air, { kind: 'hdlc' }>): void {
    const f = burst.frames[burst.next++]!;
    if (burst.next >= burst.frames.length) this.air.shift();
    this.mode = 'rx-sending';
    this.host.respond([], 'CONNECT');
    const ms = ((f.bytes.length + 4) * 8 * 1000) / 300 / this.o.speedFactor;
    this.host.later(ms, () => {
      this.host.log(`DCE> frame ${f.label}${f.bad ? ' (bad FCS)' : ''}`);
      this.host.raw(Buffer.concat([dleStuff(f.bytes), Buffer.from([DLE, ETX])]));
      this.mode = 'command';
      this.host.respond([], f.bad ? 'ERROR' : 'OK');
    });
  }

  private deliverData(item: Extract<Air, { kind: 'data' }>): void {
    this.air.shift();
    this.mode = 'rx-sending';
    this.host.respond([], 'CONNECT');
    const stuffed = dleStuff(item.data);
    const rate = (item.mod.bps / 8) * this.o.speedFactor;
    let off = 0;
    let stopped = false;
    this.pump = { stop: () => (stopped = true) };
    const step = () => {
      if (stopped || this.mode !== 'rx-sending') return;
      const part = stuffed.subarray(off, off + 512);
      off += part.length;
      this.host.raw(part);
      if (item.endless && off >= stuffed.length) off = 0;
      if (off < stuffed.length) return this.host.later((part.length / rate) * 1000, step);
      this.host.raw(Buffer.from([DLE, ETX]));
      this.host.log(`DCE> ${item.label}: ${item.data.length} bytes at ${item.mod.name}, DLE ETX`);
      this.mode = 'command';
      this.pump = null;
      this.host.respond([], 'NO CARRIER');
    };
    step();
  }

  // ------------------------------------------------------------------------------ the remote fax

  private async run(id: number, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      if (!(err instanceof Cancelled)) this.host.log(`remote: failed: ${(err as Error).message}`);
    }
    if (id === this.callId) this.remoteActive = false;
    if (this.mode === 'rx-wait') this.deliver();
  }

  private count(name: string): number {
    const n = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, n);
    return n;
  }

  /** The remote puts frames on the line (one V.21 transmission), with the faults asked for. */
  private sendFrames(id: number, frames: Array<{ name: FcfName; fif?: Buffer }>, x: boolean): void {
    if (id !== this.callId) throw new Cancelled();
    const out: Array<{ bytes: Buffer; bad: boolean; label: string }> = [];
    const f = this.o.faults;
    frames.forEach((fr, i) => {
      const n = this.count(fr.name);
      if (f.garbageBefore?.(fr.name, n)) {
        const junk = Buffer.from([0xff, 0x03, 0x77, 0x5a, 0xa5]);
        out.push({ bytes: Buffer.concat([junk, fcsBytes(junk)]), bad: false, label: 'garbage (unknown FCF 0x77)' });
        out.push({ bytes: Buffer.from([0x3c, 0x00, 0xe1, 0x7e]), bad: true, label: 'line noise' });
      }
      const bytes = buildFrame(fr.name, fr.fif, { final: i === frames.length - 1, x });
      const bad = f.badFcs?.(fr.name, n) ?? false;
      const fcs = fcsBytes(bytes);
      if (bad) fcs[0] = fcs[0]! ^ 0xff;
      out.push({ bytes: Buffer.concat([bytes, fcs]), bad, label: `${fr.name}${i === frames.length - 1 ? '' : ' (more)'}` });
    });
    this.host.log(`remote> ${frames.map((fr) => fr.name).join(' ')}`);
    this.air.push({ kind: 'hdlc', frames: out, next: 0 });
    this.deliver();
  }

  private sendData(id: number, mod: Modulation, data: Buffer, label: string, endless = false): void {
    if (id !== this.callId) throw new Cancelled();
    this.host.log(`remote> ${label} (${endless ? 'endless, ' : ''}${data.length} bytes at ${mod.name})`);
    this.air.push({ kind: 'data', mod, data, label, endless });
    this.deliver();
  }

  private toRemote(h: Heard): void {
    if (!this.remoteActive) return;
    const w = this.hearWaiter;
    if (w) {
      this.hearWaiter = null;
      w(h);
    } else this.heard.push(h);
  }

  /** The next transmission of the DTE, or null after `ms` of silence. */
  private hear(id: number, ms: number): Promise<Heard | null> {
    if (id !== this.callId) return Promise.reject(new Cancelled());
    const h = this.heard.shift();
    if (h) return Promise.resolve(h);
    return new Promise((resolve, reject) => {
      let done = false;
      this.hearWaiter = (x) => {
        if (done) return;
        done = true;
        if (id !== this.callId) reject(new Cancelled());
        else resolve(x);
      };
      this.host.later(ms, () => {
        if (done) return;
        done = true;
        this.hearWaiter = null;
        resolve(null);
      });
    });
  }

  /** Sends a response, unless the fault says DCN instead (then the call ends: false). */
  private respond(id: number, name: FcfName, x: boolean): boolean {
    if (this.o.faults.dcnInsteadOf === name) {
      this.sendFrames(id, [{ name: 'DCN' }], x);
      return false;
    }
    this.sendFrames(id, [{ name }], x);
    return true;
  }

  /** The called fax (the DTE sends). */
  private async calledFax(id: number): Promise<void> {
    const caps = parseSessionParams(this.o.remoteDis, '2');
    const identify = () => this.sendFrames(id, [{ name: 'CSI', fif: encodeId(this.o.remoteId) }, { name: 'DIS', fif: disFromParams(caps) }], false);
    identify();
    let dcs: DcsInfo | null = null;
    let trained = false;
    let page: { data: Buffer; overflow: number } | null = null;
    let pageNo = 0;
    let attempt = 0;
    let last: FcfName = 'MCF';
    let silentTries = 0;
    let afterEop = false;
    const end = (hangup: string) => {
      if (id !== this.callId) return;
      this.remoteActive = false;
      this.host.outgoingEnded(hangup);
    };
    for (;;) {
      const h = await this.hear(id, this.o.remoteWaitMs);
      if (!h) {
        if (!dcs && ++silentTries < 3) {
          identify();
          continue;
        }
        this.host.log('remote: the caller went silent; hanging up');
        return end(afterEop ? '0' : dcs ? '50' : '11');
      }
      if (h.kind === 'data') {
        if (!dcs) continue;
        if (!trained) {
          const check = tcfGood(h.data, dcs.modulation);
          const carrier = sameCarrier(h.mod, dcs.modulation);
          const ok = carrier && check.good && dcs.br <= this.o.lineBr && !(this.o.faults.ftt?.(dcs.modulation.bps) ?? false);
          this.host.log(`remote: TCF ${h.data.length} bytes at ${h.mod.name} for DCS ${dcs.modulation.name}, zero run ${check.longestZeroRun}: ${ok ? 'CFR' : 'FTT'}`);
          if (!this.respond(id, ok ? 'CFR' : 'FTT', false)) return end('24');
          trained = ok;
          continue;
        }
        page = { data: sameCarrier(h.mod, dcs.modulation) ? h.data : Buffer.alloc(0), overflow: h.overflow };
        continue;
      }
      for (const f of h.frames) {
        if (f.name === 'DCS') {
          dcs = parseDcs(f.fif);
          trained = false;
        }
      }
      const cmd = h.frames.at(-1);
      const name = cmd?.name;
      if (!cmd?.final || !name) continue;
      if (name === 'MPS' || name === 'EOP' || name === 'EOM' || name === 'PRI_MPS' || name === 'PRI_EOP' || name === 'PRI_EOM') {
        const ppm = name.replace('PRI_', '') as 'MPS' | 'EOP' | 'EOM';
        if (!page && pageNo > 0) {
          // the same post-page message again: our response was lost; T.30 repeats it
          this.host.log(`remote: ${ppm} repeated; answering ${last} again`);
          this.sendFrames(id, [{ name: last }], false);
          continue;
        }
        const params = dcs ?? parseDcs(Buffer.from([0, 0x02, 0]))!;
        const width = FAX_WIDTHS[params.wd] ?? 1728;
        const data = page?.data ?? Buffer.alloc(0);
        const a = analyzeG3Page(data, 2, width, params.df === 1);
        if (last === 'MCF') {
          pageNo++;
          attempt = 1;
        } else attempt++;
        const overflowBytes = page?.overflow ?? 0;
        const quality = badCopy(a) || overflowBytes > 0 ? 'RTN' : 'MCF';
        const response = this.o.pageResponse?.({ page: pageNo, attempt, br: params.br, rows: a.rows, badRows: a.badRows }) ?? quality;
        const answer: FcfName = typeof response === 'object' ? 'DCN' : response;
        this.host.log(`page ${pageNo}: ${data.length} bytes, ${a.rows} rows, ${a.badRows} bad, ${ppm} -> ${typeof response === 'object' ? `hangup ${response.hangup}` : response}`);
        this.host.page({ page: pageNo, attempt, data, ppm, faxClass: '1', params, rows: a.rows, badRows: a.badRows, overflowBytes, response: answer === 'MCF' ? 'MCF' : 'RTN' });
        page = null;
        if (typeof response === 'object') {
          this.sendFrames(id, [{ name: 'DCN' }], false);
          return end(response.hangup);
        }
        if (!this.respond(id, answer, false)) return end('51');
        last = answer;
        if (answer === 'MCF' && ppm === 'EOP') afterEop = true;
        if (answer === 'MCF' && ppm === 'EOM') {
          dcs = null;
          trained = false;
          identify();
        }
        continue;
      }
      if (name === 'DCN') {
        this.host.log('remote: DCN received');
        return end(afterEop ? '0' : '22');
      }
      if (name === 'CRP') this.sendFrames(id, [{ name: last }], false);
    }
  }

  /** The calling fax (the DTE receives). */
  private async callingFax(id: number, call: IncomingCall & { result: IncomingCallResult }): Promise<void> {
    const end = (how: IncomingCallResult['end']) => {
      if (id !== this.callId) return;
      this.remoteActive = false;
      this.host.incomingEnded(how);
    };
    const waitDis = async (): Promise<DisInfo | null> => {
      for (;;) {
        const h = await this.hear(id, this.o.remoteWaitMs * 3);
        if (!h) return null;
        if (h.kind !== 'hdlc') continue;
        const dis = h.frames.find((f) => f.name === 'DIS');
        if (dis) return parseDis(dis.fif);
      }
    };
    /** The DTE's final frame in answer to ours, or null after three silent tries. */
    const response = async (resend: () => void): Promise<FcfName | null> => {
      for (let tries = 0; tries < 3; tries++) {
        if (tries) resend();
        const h = await this.hear(id, this.o.remoteWaitMs);
        if (h?.kind === 'hdlc') {
          const f = h.frames.at(-1);
          if (f?.final && f.name) return f.name;
        }
      }
      return null;
    };
    let dis = await waitDis();
    if (!dis) return end('hung-up');
    let br = Math.min(this.o.lineBr, dis.maxBr);
    let trained: { train: Modulation; data: Modulation } | null = null;
    let resends = 0;
    const callerId = call.callerId ?? 'CALLER SIM';
    const faults = this.o.faults;
    for (let i = 0; call.endlessPages || i < call.pages.length; ) {
      const page: FaxPage = call.pages[i % call.pages.length]!;
      const fmt = { vr: page.yResolution === 196 ? 1 : 0, wd: Math.max(0, (FAX_WIDTHS as readonly number[]).indexOf(page.width)), df: page.twoD ? 1 : 0 };
      while (!trained) {
        const mods = modulationsFor(br, ALL_CODES, dis.modems);
        if (!mods) {
          if (br-- <= 0) return this.hangUpCaller(id, end);
          continue;
        }
        const dcs = buildDcs({ ...fmt, ln: dis.maxLn === 2 ? 2 : 0, modulation: mods.train, scanMs: minScanMs(dis.st, fmt.vr === 1) });
        const train = () => {
          this.sendFrames(id, [{ name: 'TSI', fif: encodeId(callerId) }, { name: 'DCS', fif: dcs }], true);
          // a bad TCF (no run of zeros) when retraining endlessly or above the rate the line carries
          const bad = faults.endlessRetrain || mods.train.bps > (faults.badTcfAbove ?? Infinity);
          this.sendData(id, mods.train, Buffer.alloc(tcfBytes(mods.train), bad ? 0x55 : 0), 'TCF', faults.endlessTcf ?? false);
        };
        train();
        const r = await response(train);
        if (r === 'CFR') trained = mods;
        else if (r === 'FTT' && faults.endlessRetrain) continue;
        else if (r === 'FTT') {
          if (br-- <= 0) return this.hangUpCaller(id, end);
        } else if (r === 'DCN') return end('hung-up');
        else return this.hangUpCaller(id, end);
      }
      if (this.o.faults.dcnInsteadOf === 'page') return this.hangUpCaller(id, end);
      const next = call.endlessPages ? page : call.pages[i + 1];
      const ppm: FcfName = !next ? 'EOP' : (next.yResolution === 196 ? 1 : 0) !== fmt.vr || next.width !== page.width || next.twoD !== page.twoD ? 'EOM' : 'MPS';
      const data = Buffer.concat([pageForWire(page, 2), Buffer.alloc(this.o.rxPadBytes)]);
      this.sendData(id, trained.data, data, `page ${i + 1}`, call.endlessPage === i + 1);
      this.sendFrames(id, [{ name: ppm }], true);
      const r = await response(() => this.sendFrames(id, [{ name: ppm }], true));
      if (r === 'MCF' || r === 'RTP' || r === 'PIP') {
        call.result.accepted.push(i + 1);
        i++;
        resends = 0;
        if (r === 'RTP') trained = null;
        if (ppm === 'EOM') {
          dis = await waitDis();
          if (!dis) return end('hung-up');
          trained = null;
        }
      } else if (r === 'RTN' || r === 'PIN') {
        call.result.rejected.push(i + 1);
        trained = null;
        if (resends < (call.resendRejected ?? 1)) resends++;
        else i++;
      } else if (r === 'DCN') return end('hung-up');
      else return this.hangUpCaller(id, end);
    }
    this.sendFrames(id, [{ name: 'DCN' }], true);
    end('completed');
  }

  private hangUpCaller(id: number, end: (how: IncomingCallResult['end']) => void): void {
    this.sendFrames(id, [{ name: 'DCN' }], true);
    end('hung-up');
  }
}
