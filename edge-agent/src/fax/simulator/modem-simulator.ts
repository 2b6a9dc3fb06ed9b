/**
 * A simulated Class 2 / Class 2.0 fax modem (DCE) on a SerialLink, built to behave like the real ones
 * described in reference section 1 and in the DTE/DCE transcripts (fax-transcripts/):
 *
 * - V.250 command parsing (several commands per line, S-registers, &-commands), echo on by default
 *   (echo lines end in CR before the CRLF of the result, tricky point 11), ERROR on unknown commands
 *   or on a command of the other class.
 * - `+FCLASS=?`, identity (ATI3, +GMI/GMM/GMR, +FMI?/+FMFR? …), capabilities (+FCC=?/+FDCC=?).
 * - Sending DTE: ATD → +FCO/+FCON, remote CSI and DIS, OK; +FDT → +FCS/+FDCS, CONNECT, XON after
 *   CONNECT in Class 2 (tricky point 4); page data with DLE doubling, `DLE ETX` (Class 2, then
 *   `AT+FET=n`) or `DLE , ; .` (Class 2.0); the page is acknowledged no sooner than the line could have
 *   carried it and never under `minPageMs` (efax divides by the elapsed seconds, tricky point 1);
 *   +FPS line counts in hex (2.0); OK = MCF, ERROR = RTN (2.0); `+FPTS:1` with `+FHNG:0` in one
 *   response after the last page (Class 2, tricky point 2).
 * - Software flow control while the DTE sends (XOFF/XON from a modelled buffer drained at line rate).
 * - Receiving DTE: RING every `ringIntervalMs` with auto-answer after S0 rings, or ATA; +FCO, caller
 *   TSI, +FCS, OK; +FDR → CONNECT, waits for DC2 or DC1 (tricky point 5), sends DLE-stuffed data
 *   (optionally with DLE SUB in 2.0), optional fill bytes before DLE ETX (tricky point 3), then
 *   +FPS/+FPTS, +FET, OK; AT+FPS=2 / AT+FPTS=2 rejects a page and the remote sends it again; CAN aborts.
 *   Class 2 data is delivered MSB-first (Rockwell) unless configured otherwise.
 * - Failures on demand: busy, no answer, no carrier, no dial tone, a hangup code at dial or after a
 *   page, RTN for chosen pages, garbage bytes instead of an answer; a hostile caller whose page data
 *   never ends or who never stops sending pages (IncomingCall endlessPage / endlessPages), or who
 *   sends a refused page again and again (resendRejected).
 * - Class 1 (AT+FCLASS=1): a T.31 modem with a T.30 remote fax behind it, in class1-modem.ts.
 */
import { EventEmitter } from 'node:events';
import type { SerialLink } from '../serial/serial-link.js';
import { DteDataDecoder, DLE, ETX, SUB, CAN, DC1, DC2, type PostPageMessage } from '../codec/dle.js';
import { reverseBits } from '../codec/bit-order.js';
import { analyzeG3Page, badCopy } from '../codec/g3.js';
import { dialectFor, type Class2Dialect } from '../class2/dialect.js';
import { bitRate, parseSessionParams, formatSessionParams, pageWidth, type SessionParams } from '../class2/params.js';
import { pageForWire, type FaxPage } from '../tiff/tiff-f.js';
import { parseAtLine, type AtCommand } from './at-parser.js';
import { CLASS2_PARAMS, CLASS20_PARAMS, SESSION_PARAMS, mergeSessionValue, type ParamSpec } from './settings.js';
import { TxBuffer, type SimFlow } from './tx-buffer.js';
import { Class1Modem, type Class1Faults } from './class1-modem.js';
import type { FaxClass } from '../class2/hangup-codes.js';

export type DialOutcome = 'answer' | 'busy' | 'no-answer' | 'no-carrier' | 'no-dialtone' | { hangup: string };

export interface SimulatorIdentity {
  ati3: string;
  manufacturer: string;
  model: string;
  revision: string;
}

export interface SimulatedPage {
  /** 1-based page number within the call. */
  page: number;
  /** 1-based transmission of this page (2 = first retransmission after RTN). */
  attempt: number;
  /** Page data as the DTE sent it, unstuffed (with +FBO=0: LSB first, FillOrder 2). */
  data: Buffer;
  /** MPS / EOM / EOP (Class 2: from AT+FET). */
  ppm: PostPageMessage | null;
  faxClass: FaxClass;
  params: SessionParams;
  rows: number;
  badRows: number;
  /** Bytes lost in the modem's buffer (the DTE ignored flow control). */
  overflowBytes: number;
  response: 'MCF' | 'RTN';
}

export interface IncomingCall {
  /** Pages the remote sender transmits. */
  pages: FaxPage[];
  /** Remote TSI. */
  callerId?: string;
  /** Give up ringing after this many rings (default 10). */
  maxRings?: number;
  /** How often the remote re-sends a page the DTE rejected (AT+FPS=2); default 1. */
  resendRejected?: number;
  /** Do not ring: the call waits for the DTE's ATA (as with `efax -r`, which answers at once). */
  silent?: boolean;
  /** Fault: the data of this page (1-based) never ends (the carrier stays on) until the DTE aborts. */
  endlessPage?: number;
  /** Fault: the remote never stops sending pages: `pages` over and over, each followed by MPS. */
  endlessPages?: boolean;
}

export interface IncomingCallResult {
  answered: boolean;
  /** Pages the DTE accepted (1-based numbers). */
  accepted: number[];
  /** Pages the DTE rejected, one entry per rejection. */
  rejected: number[];
  /** How the call ended, from the simulated modem's point of view. */
  end: 'completed' | 'not-answered' | 'aborted' | 'hung-up';
}

export interface ModemSimulatorOptions {
  /** Answer to AT+FCLASS=? (default "0,1,2,2.0"). */
  classes?: string;
  identity?: Partial<SimulatorIdentity>;
  /** CSI of the called fax (default "REMOTE SIM"). */
  remoteId?: string;
  /** DIS of the called fax (default 1,5,0,2,0,0,0,0). */
  remoteDis?: string;
  /** Highest BR code the line trains at (default 3 = 9600, as in the transcripts). */
  lineBr?: number;
  /** Multiplies the line rate for pacing (tests use large values; default 1 = real time). */
  speedFactor?: number;
  /**
   * A page is never acknowledged sooner than this after its first data byte (default 1100 ms: efax
   * divides by the whole seconds it measured, tricky point 1).
   */
  minPageMs?: number;
  /** Handshake time for dial and answer (default 300 ms). */
  connectDelayMs?: number;
  /** Delay of the XON after CONNECT in Class 2 (default 200 ms). */
  xonDelayMs?: number;
  /** Pause between commands' results (default 0). */
  ringIntervalMs?: number;
  /** Zero fill bytes before DLE ETX on receive (default 8; 0 reproduces tricky point 3). */
  rxPadBytes?: number;
  /** Class 2.0 receive: send a data DLE pair as DLE SUB (default false). */
  rxUseDleSub?: boolean;
  /** Class 2 receive data bit order (default 'msb-first', like Rockwell). */
  class2RxBitOrder?: 'msb-first' | 'lsb-first';
  /** Class 2: `+FHNG:0` right after `+FPTS:1` for the last page (default true). */
  class2HangupWithPageStatus?: boolean;
  /**
   * Modem transmit buffer (default 8192 bytes): XOFF above `xoffAtBytes` (default 1024), XON below
   * `xonAtBytes` (default 256); bytes beyond the capacity are lost. Over a socat PTY pair a DTE that
   * writes a whole page at once (efax) has the page in flight before an XOFF can act, since PTYs have
   * no baud rate; give such runs a large buffer.
   */
  bufferBytes?: number;
  xoffAtBytes?: number;
  xonAtBytes?: number;
  /** Outcome of each dial (default: always answer). */
  dial?: (number: string, attempt: number) => DialOutcome;
  /** Forces the response to a sent page; default judges quality (mgetty's rule) and buffer overruns. */
  pageResponse?: (page: { page: number; attempt: number; br: number; rows: number; badRows: number }) => 'MCF' | 'RTN' | { hangup: string };
  /** Replace the answer to commands matching `command` by garbage bytes, `times` times. */
  garbage?: { command: RegExp; bytes: Buffer; times?: number };
  /** Class 1: answer to AT+FTM=? and AT+FRM=? (default all of V.27ter, V.29 and V.17). */
  class1Modulations?: string;
  /** Class 1: how long the remote fax waits for the DTE before repeating itself or giving up (default 6000 ms). */
  class1RemoteWaitMs?: number;
  /** Class 1: faults of the remote fax (FTT, bad FCS, garbage frames, DCN mid-call). */
  class1Faults?: Class1Faults;
}

type State =
  | 'idle'
  | 'dialing'
  | 'answering'
  | 'tx-session'
  | 'tx-data'
  | 'tx-page-done' // Class 2: after DLE ETX, waiting for AT+FET
  | 'rx-session'
  | 'rx-trigger'
  | 'rx-data';

export interface ModemSimulatorEvents {
  page: [SimulatedPage];
  transcript: [string];
  /** Page data bytes received so far in the current page (for tests that pull the plug mid-page). */
  progress: [number];
  callEnded: [{ direction: 'out' | 'in'; hangup: string }];
}

const RESULT_CODES: Record<string, number> = { OK: 0, CONNECT: 1, RING: 2, 'NO CARRIER': 3, ERROR: 4, 'NO DIALTONE': 6, BUSY: 7, 'NO ANSWER': 8 };

function hex2(code: string): string {
  return code.length < 2 ? code.padStart(2, '0') : code;
}

export class ModemSimulator extends EventEmitter<ModemSimulatorEvents> {
  readonly transcript: string[] = [];
  private readonly o: Required<Omit<ModemSimulatorOptions, 'pageResponse' | 'garbage' | 'identity' | 'class1Faults'>> & Pick<ModemSimulatorOptions, 'pageResponse' | 'garbage'>;
  private readonly c1: Class1Modem;
  private readonly identity: SimulatorIdentity;
  private state: State = 'idle';
  private lineBuf = '';
  private echo = true;
  private verbose = true;
  private quiet = false;
  private fclass = '0';
  private flowK: SimFlow = 'hard';
  private sreg = new Map<number, number>([[0, 0]]);
  private params = new Map<string, string>();
  private timers = new Set<NodeJS.Timeout>();
  private dialAttempts = 0;
  private garbageLeft: number;
  // transmit (DTE sends)
  private decoder: DteDataDecoder | null = null;
  private pageChunks: Buffer[] = [];
  private pageBytes = 0;
  private txPage = 0;
  private txAttempt = 0;
  /** When the page's first data byte came. */
  private txConnectAt = 0;
  private txBuffer: TxBuffer | null = null;
  private lastTxResult: { response: 'MCF' | 'RTN' | { hangup: string }; page: SimulatedPage } | null = null;
  private negotiated: SessionParams | null = null;
  // receive (DTE receives)
  private call: (IncomingCall & { resolve: (r: IncomingCallResult) => void; result: IncomingCallResult; rings: number; next: number; attempt: number; resends: number }) | null = null;
  private lastRxRejectable = false;
  private rxAbort = false;
  private rxLastParams = '';
  private closed = false;
  private readonly onData = (b: Buffer) => this.input(b);

  constructor(
    private readonly link: SerialLink,
    opts: ModemSimulatorOptions = {},
  ) {
    super();
    this.o = {
      classes: opts.classes ?? '0,1,2,2.0',
      remoteId: opts.remoteId ?? 'REMOTE SIM',
      remoteDis: opts.remoteDis ?? '1,5,0,2,0,0,0,0',
      lineBr: opts.lineBr ?? 3,
      speedFactor: opts.speedFactor ?? 1,
      minPageMs: opts.minPageMs ?? 1100,
      connectDelayMs: opts.connectDelayMs ?? 300,
      xonDelayMs: opts.xonDelayMs ?? 200,
      ringIntervalMs: opts.ringIntervalMs ?? 6000,
      rxPadBytes: opts.rxPadBytes ?? 8,
      rxUseDleSub: opts.rxUseDleSub ?? false,
      class2RxBitOrder: opts.class2RxBitOrder ?? 'msb-first',
      class2HangupWithPageStatus: opts.class2HangupWithPageStatus ?? true,
      bufferBytes: opts.bufferBytes ?? 8192,
      xoffAtBytes: opts.xoffAtBytes ?? 1024,
      xonAtBytes: opts.xonAtBytes ?? 256,
      dial: opts.dial ?? (() => 'answer'),
      pageResponse: opts.pageResponse,
      garbage: opts.garbage,
      class1Modulations: opts.class1Modulations ?? '24,48,72,73,74,96,97,98,121,122,145,146',
      class1RemoteWaitMs: opts.class1RemoteWaitMs ?? 6000,
    };
    this.c1 = new Class1Modem(
      {
        respond: (lines, final) => this.respond(lines, final),
        raw: (b) => this.raw(b),
        log: (s) => this.log(s),
        later: (ms, fn) => this.later(ms, fn),
        page: (p) => this.emit('page', p),
        outgoingEnded: (hangup) => this.emit('callEnded', { direction: 'out', hangup }),
        incomingEnded: (end) => this.finishCall(end),
        flowK: () => this.flowK,
      },
      {
        ...this.o,
        modulations: this.o.class1Modulations,
        remoteWaitMs: this.o.class1RemoteWaitMs,
        faults: opts.class1Faults ?? {},
        ...(opts.pageResponse ? { pageResponse: opts.pageResponse } : {}),
      },
    );
    this.identity = {
      ati3: 'OknoSim 1.0 (simulated Class 2/2.0 fax modem)',
      manufacturer: 'OKNO',
      model: 'SIMFAX-2000',
      revision: '1.0',
      ...opts.identity,
    };
    this.garbageLeft = opts.garbage?.times ?? 1;
    link.on('data', this.onData);
    link.on('close', () => this.shutdown());
  }

  /** Current class selected by the DTE. */
  get faxClass(): string {
    return this.fclass;
  }

  get lineState(): string {
    return this.state;
  }

  private get dialect(): Class2Dialect {
    return dialectFor(this.fclass === '2' ? '2' : '2.0');
  }

  private log(s: string): void {
    this.transcript.push(s);
    this.emit('transcript', s);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Stops all activity (the link stays as it is). */
  shutdown(): void {
    this.closed = true;
    this.c1.hangUp();
    this.clearTimers();
    this.txBuffer?.stop();
    this.link.off('data', this.onData);
    if (this.call) this.finishCall('hung-up');
  }

  private raw(data: Buffer | string): void {
    if (this.closed || !this.link.isOpen) return;
    this.link.write(data).catch(() => this.shutdown());
  }

  /** Writes information lines and a final result code, V.250 framing (CR LF around each). */
  private respond(lines: string[], final?: string): void {
    let out = '';
    for (const l of lines) {
      this.log(`DCE> '${l}'`);
      out += this.verbose ? `\r\n${l}\r\n` : `${l}\r\n`;
    }
    if (final !== undefined && !this.quiet) {
      this.log(`DCE> '${final}'`);
      const key = final.startsWith('CONNECT') ? 'CONNECT' : final;
      out += this.verbose ? `\r\n${final}\r\n` : `${RESULT_CODES[key] ?? 4}\r`;
    }
    if (out) this.raw(out);
  }

  /** Sends arbitrary bytes now, as line noise would. */
  injectGarbage(bytes: Buffer): void {
    this.log(`DCE> (garbage ${bytes.length} bytes)`);
    this.raw(bytes);
  }

  private input(chunk: Buffer): void {
    let buf = chunk;
    while (buf.length && !this.closed) {
      if (this.c1.takesInput) {
        buf = this.c1.input(buf);
        continue;
      }
      switch (this.state) {
        case 'tx-data':
          buf = this.txData(buf);
          break;
        case 'rx-trigger':
        case 'rx-data': {
          const i = buf.findIndex((b) => b === CAN || (this.state === 'rx-trigger' && (b === DC1 || b === DC2)));
          if (i < 0) return;
          const b = buf[i]!;
          buf = buf.subarray(i + 1);
          if (b === CAN) this.rxCancel();
          else this.rxTriggered(b);
          break;
        }
        case 'dialing':
        case 'answering':
          // A character during dialling or answering aborts it, as on real modems.
          this.clearTimers();
          this.state = 'idle';
          this.respond([], 'NO CARRIER');
          buf = Buffer.alloc(0);
          break;
        default:
          buf = this.commandBytes(buf);
      }
    }
  }

  private commandBytes(buf: Buffer): Buffer {
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === 0x0d) {
        const line = this.lineBuf.trim();
        this.lineBuf = '';
        if (this.echo) this.raw(`${line}\r`);
        if (line) this.commandLine(line);
        // a command may have switched us into data mode: the rest is data
        if (this.state === 'tx-data' || this.state === 'rx-trigger' || this.c1.takesInput) return buf.subarray(i + 1);
      } else if (c === 0x08 || c === 0x7f) this.lineBuf = this.lineBuf.slice(0, -1);
      else if (c >= 0x20 && c < 0x7f) this.lineBuf += String.fromCharCode(c);
    }
    return Buffer.alloc(0);
  }

  private commandLine(line: string): void {
    this.log(`DTE> '${line}'`);
    if (!/^AT/i.test(line)) return; // real modems ignore lines that do not start with AT
    const g = this.o.garbage;
    if (g && this.garbageLeft > 0 && g.command.test(line)) {
      this.garbageLeft--;
      this.injectGarbage(g.bytes);
      return;
    }
    let cmds: AtCommand[];
    try {
      cmds = parseAtLine(line);
    } catch {
      this.respond([], 'ERROR');
      return;
    }
    const info: string[] = [];
    for (const c of cmds) {
      const r = this.execute(c, info);
      if (r === 'error') return this.respond(info, 'ERROR');
      if (r === 'async') {
        if (info.length) this.respond(info);
        return;
      }
    }
    this.respond(info, 'OK');
  }

  /** Runs one command; 'ok' to continue, 'error' to stop with ERROR, 'async' when the command answers later. */
  private execute(c: AtCommand, info: string[]): 'ok' | 'error' | 'async' {
    const inSession = this.state !== 'idle';
    switch (c.kind) {
      case 'dial':
        if (inSession) return 'error';
        this.startDial(c.number);
        return 'async';
      case 'sreg':
        if (c.op === 'query') info.push(String(this.sreg.get(c.reg) ?? 0).padStart(3, '0'));
        else if (c.value > 255) return 'error';
        else this.sreg.set(c.reg, c.value);
        return 'ok';
      case 'basic':
        return this.basic(c.name, c.arg, info);
      case 'ext':
        return this.extended(c.name, c.op, c.value, info);
    }
  }

  private basic(name: string, arg: string, info: string[]): 'ok' | 'error' | 'async' {
    const n = arg === '' ? 0 : Number(arg);
    switch (name) {
      case 'E':
        this.echo = n === 1;
        return n <= 1 ? 'ok' : 'error';
      case 'Q':
        this.quiet = n === 1;
        return n <= 1 ? 'ok' : 'error';
      case 'V':
        this.verbose = n === 1;
        return n <= 1 ? 'ok' : 'error';
      case 'I':
        info.push(n === 3 ? this.identity.ati3 : n === 0 ? '56000' : this.identity.model);
        return 'ok';
      case 'H':
        this.hangUp('0');
        return 'ok';
      case 'Z':
      case '&F':
        this.hangUp('0');
        this.reset();
        return 'ok';
      case 'A':
        this.answer();
        return 'async';
      case '&K':
        if (![0, 3, 4].includes(n)) return 'error';
        this.flowK = n === 4 ? 'soft' : n === 3 ? 'hard' : 'none';
        return 'ok';
      case 'L':
      case 'M':
      case 'X':
      case '&C':
      case '&D':
      case '&S':
      case '&W':
        return 'ok';
      default:
        return 'error';
    }
  }

  private reset(): void {
    this.fclass = '0';
    this.params.clear();
    this.flowK = 'hard';
    this.echo = true;
    this.verbose = true;
    this.quiet = false;
  }

  private paramTable(): Record<string, ParamSpec> | null {
    return this.fclass === '2.0' ? CLASS20_PARAMS : this.fclass === '2' ? CLASS2_PARAMS : null;
  }

  private param(name: string): string {
    return this.params.get(name) ?? this.paramTable()?.[name]?.initial ?? '';
  }

  private extended(name: string, op: 'exec' | 'query' | 'test' | 'set', value: string, info: string[]): 'ok' | 'error' | 'async' {
    const d = this.dialect;
    const isFax = this.fclass === '2' || this.fclass === '2.0';
    switch (name) {
      case '+FCLASS':
        if (op === 'test') info.push(this.o.classes);
        else if (op === 'query') info.push(this.fclass);
        else if (op === 'set') {
          const tokens = this.o.classes.replace(/[()]/g, '').split(',');
          if (!tokens.includes(value) || this.state !== 'idle') return 'error';
          this.fclass = value;
          this.params.clear();
        } else return 'error';
        return 'ok';
      case '+GMI':
      case '+GMM':
      case '+GMR':
        if (op !== 'exec' && op !== 'query') return 'error';
        info.push(name === '+GMI' ? this.identity.manufacturer : name === '+GMM' ? this.identity.model : this.identity.revision);
        return 'ok';
    }
    if (this.fclass === '1') return this.c1.command(name, op, value, info);
    if (!isFax) return 'error';
    if (name === d.manufacturer || name === d.model || name === d.revision) {
      if (op !== 'query') return 'error';
      info.push(name === d.manufacturer ? this.identity.manufacturer : name === d.model ? this.identity.model : this.identity.revision);
      return 'ok';
    }
    if (this.fclass === '2.0' && name === '+FIP' && op === 'exec') {
      this.params.clear();
      return 'ok';
    }
    if (name === '+FDT' && op === 'exec') return this.fdt();
    if (name === '+FDR' && op === 'exec') return this.fdr(info);
    if (name === '+FET' && this.fclass === '2' && op === 'set') return this.fet(value);
    if (name === d.abort && op === 'exec') {
      if (this.state !== 'idle') {
        info.push(`${d.hangup}:${this.fclass === '2.0' ? '02' : '2'}`);
        this.hangUp('2');
      }
      return 'ok';
    }
    if (name === d.pageStatus && op === 'set' && (this.state === 'rx-session' || this.state === 'idle')) {
      if (!/^[1-5]$/.test(value)) return 'error';
      if (this.lastRxRejectable && Number(value) % 2 === 0) this.rxRejected();
      return 'ok';
    }
    if (name === d.hangup && op === 'query') {
      info.push(this.fclass === '2.0' ? '00' : '0');
      return 'ok';
    }
    const spec = this.paramTable()![name];
    if (!spec) return 'error';
    if (op === 'test') info.push(spec.test);
    else if (op === 'query') info.push(this.param(name));
    else if (op === 'set') {
      if (!(spec.valid ?? ((v: string) => v !== ''))(value)) return 'error';
      this.params.set(name, SESSION_PARAMS.has(name) ? mergeSessionValue(this.param(name), value) : value);
    } else return 'error';
    return 'ok';
  }

  private flow(): SimFlow {
    if (this.fclass === '2.0') {
      const v = this.param('+FLO');
      return v === '1' ? 'soft' : v === '2' ? 'hard' : 'none';
    }
    return this.flowK;
  }

  private padId(id: string): string {
    return `"${id.slice(0, 20).padStart(Math.min(20, id.length + 3)).padEnd(20)}"`;
  }

  // ---------------------------------------------------------------- sending DTE (we receive)

  private startDial(number: string): void {
    const c1 = this.fclass === '1';
    if (!c1 && this.fclass !== '2' && this.fclass !== '2.0') {
      this.state = 'dialing';
      this.later(this.o.connectDelayMs, () => {
        this.state = 'idle';
        this.respond([], 'NO CARRIER');
      });
      return;
    }
    this.state = 'dialing';
    const outcome = this.o.dial(number, ++this.dialAttempts);
    const d = this.dialect;
    this.later(this.o.connectDelayMs, () => {
      if (outcome === 'answer' && c1) {
        this.state = 'idle';
        this.c1.dialAnswered();
        return;
      }
      if (outcome === 'answer') {
        this.state = 'tx-session';
        this.txPage = 0;
        this.txAttempt = 0;
        this.respond([d.connectReport, `${d.remoteCsi}:${this.padId(this.o.remoteId)}`, `${d.remoteDis}:${this.o.remoteDis}`], 'OK');
        return;
      }
      this.state = 'idle';
      if (typeof outcome === 'object' && c1) return this.respond([], 'NO CARRIER');
      if (typeof outcome === 'object') {
        this.respond([`${d.hangup}:${this.fclass === '2.0' ? hex2(outcome.hangup) : outcome.hangup}`], 'OK');
        return;
      }
      const final = { busy: 'BUSY', 'no-answer': 'NO ANSWER', 'no-carrier': 'NO CARRIER', 'no-dialtone': 'NO DIALTONE' }[outcome];
      this.respond([], final);
    });
  }

  private negotiate(local: string, remote: string): SessionParams {
    const fc = this.fclass === '2' ? '2' : '2.0';
    const a = parseSessionParams(local, fc);
    const b = parseSessionParams(remote, fc);
    return {
      vr: Math.min(a.vr & 1, b.vr & 1),
      br: Math.min(a.br, b.br, this.o.lineBr),
      wd: Math.min(a.wd, b.wd),
      ln: Math.min(a.ln, b.ln),
      df: Math.min(a.df, b.df, 1),
      ec: 0,
      bf: 0,
      st: Math.max(a.st, b.st),
    };
  }

  private fdt(): 'ok' | 'error' | 'async' {
    if (this.state !== 'tx-session') return 'error';
    const d = this.dialect;
    const local = this.params.get(d.session) ?? this.params.get(d.capabilities) ?? this.param(d.session);
    this.negotiated = this.negotiate(local, this.o.remoteDis);
    const fc = this.fclass === '2' ? '2' : '2.0';
    this.respond([`${d.negotiated}:${formatSessionParams(this.negotiated, fc)}`], 'CONNECT');
    if (this.lastTxResult === null || this.lastTxResult.response === 'MCF') {
      this.txPage++;
      this.txAttempt = 1;
    } else this.txAttempt++;
    this.lastTxResult = null;
    this.state = 'tx-data';
    this.decoder = new DteDataDecoder(this.fclass === '2.0');
    this.pageChunks = [];
    this.pageBytes = 0;
    this.txConnectAt = 0;
    this.txBuffer = new TxBuffer({
      capacity: this.o.bufferBytes,
      highWater: this.o.xoffAtBytes,
      lowWater: this.o.xonAtBytes,
      rate: this.lineRate(),
      flow: this.flow(),
      now: () => Date.now(),
      signal: (b) => {
        this.log(`DCE> flow ${b === 0x11 ? 'XON' : 'XOFF'}`);
        this.raw(Buffer.from([b]));
      },
    });
    if (this.fclass === '2') {
      this.later(this.o.xonDelayMs, () => {
        this.log('DCE> XON');
        this.raw(Buffer.from([DC1]));
      });
    }
    return 'async';
  }

  private lineRate(): number {
    return (bitRate(this.negotiated?.br ?? this.o.lineBr) / 8) * this.o.speedFactor;
  }

  private txData(buf: Buffer): Buffer {
    if (this.txConnectAt === 0) this.txConnectAt = Date.now();
    const r = this.decoder!.push(buf);
    this.txBuffer!.accept(buf.length - r.rest.length);
    this.pageChunks.push(r.data);
    this.pageBytes += r.data.length;
    this.emit('progress', this.pageBytes);
    if (!r.end) return Buffer.alloc(0);
    const ppm = r.end.kind === 'ppm' ? r.end.ppm : this.fclass === '2.0' ? 'EOP' : null;
    this.pageDone(ppm);
    return r.rest;
  }

  private pageDone(ppm: PostPageMessage | null): void {
    const data = Buffer.concat(this.pageChunks);
    const params = this.negotiated!;
    const width = pageWidth(params.wd);
    const a = analyzeG3Page(data, 2, width, params.df === 1);
    const overflowBytes = Math.round(this.txBuffer!.overflow);
    const elapsed = Date.now() - this.txConnectAt;
    const wait = Math.max(this.o.minPageMs - elapsed, this.txBuffer!.drainMs());
    this.txBuffer!.stop();
    this.state = this.fclass === '2' ? 'tx-page-done' : 'tx-session';
    const quality = badCopy(a) || overflowBytes > 0 ? 'RTN' : 'MCF';
    const forced = this.o.pageResponse?.({ page: this.txPage, attempt: this.txAttempt, br: params.br, rows: a.rows, badRows: a.badRows });
    const response = forced ?? quality;
    const page: SimulatedPage = {
      page: this.txPage,
      attempt: this.txAttempt,
      data,
      ppm,
      faxClass: this.fclass === '2' ? '2' : '2.0',
      params,
      rows: a.rows,
      badRows: a.badRows,
      overflowBytes,
      response: response === 'MCF' ? 'MCF' : 'RTN',
    };
    this.log(`page ${page.page}: ${data.length} bytes, ${a.rows} rows, ${a.badRows} bad, terminator ${ppm ?? 'ETX'} -> ${typeof response === 'string' ? response : `hangup ${response.hangup}`}`);
    this.lastTxResult = { response, page };
    this.later(wait, () => {
      this.emit('page', page);
      if (this.fclass === '2') return this.respond([], 'OK');
      this.pagePostResponse(ppm ?? 'EOP');
    });
  }

  /** Post-page response: Class 2.0 right after the data, Class 2 after AT+FET. */
  private pagePostResponse(ppm: PostPageMessage): void {
    const d = this.dialect;
    const res = this.lastTxResult!;
    const c20 = this.fclass === '2.0';
    if (typeof res.response === 'object') {
      const code = res.response.hangup;
      this.endCallOut(code);
      this.respond([`${d.hangup}:${c20 ? hex2(code) : code}`], 'OK');
      return;
    }
    const ppr = res.response === 'MCF' ? 1 : 2;
    const lines: string[] = [];
    if (c20) {
      const h4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
      lines.push(`+FPS:${ppr},${h4(res.page.rows)},${h4(res.page.badRows)},0000,0000`);
    } else lines.push(`+FPTS:${ppr}`);
    const last = ppm === 'EOP' && ppr === 1;
    if (last && (c20 || this.o.class2HangupWithPageStatus)) {
      lines.push(c20 ? '+FHS:00' : '+FHNG:0');
      this.endCallOut('0');
    } else if (ppr === 1 && ppm === 'EOP') {
      this.endCallOut('0');
    }
    this.respond(lines, c20 && ppr !== 1 ? 'ERROR' : 'OK');
    if (!c20 && ppr === 1 && ppm !== 'EOP') this.state = 'tx-session';
  }

  private fet(value: string): 'ok' | 'error' | 'async' {
    if (this.state !== 'tx-page-done' || !/^[0-2]$/.test(value)) return 'error';
    const ppm: PostPageMessage = value === '0' ? 'MPS' : value === '1' ? 'EOM' : 'EOP';
    this.lastTxResult!.page.ppm = ppm;
    this.state = 'tx-session';
    this.pagePostResponse(ppm);
    return 'async';
  }

  private endCallOut(code: string): void {
    this.state = 'idle';
    this.emit('callEnded', { direction: 'out', hangup: code });
  }

  private hangUp(code: string): void {
    const was = this.state;
    this.c1.hangUp();
    this.clearTimers();
    this.txBuffer?.stop();
    this.state = 'idle';
    if (this.call && this.call.result.answered) this.finishCall(code === '2' ? 'aborted' : 'hung-up');
    if (was.startsWith('tx')) this.emit('callEnded', { direction: 'out', hangup: code });
  }

  // ---------------------------------------------------------------- receiving DTE (we send)

  /**
   * An incoming fax call: rings until the DTE answers (ATA, or S0 auto-answer) and then sends the
   * pages. Resolves when the call is over.
   */
  placeCall(call: IncomingCall): Promise<IncomingCallResult> {
    if (this.call) return Promise.reject(new Error('a call is already in progress'));
    return new Promise((resolve) => {
      this.call = { ...call, resolve, result: { answered: false, accepted: [], rejected: [], end: 'not-answered' }, rings: 0, next: 0, attempt: 1, resends: 0 };
      if (!call.silent) this.ringOnce();
    });
  }

  private ringOnce(): void {
    const c = this.call;
    if (!c || c.result.answered) return;
    if (c.rings >= (c.maxRings ?? 10)) return this.finishCall('not-answered');
    if (this.state === 'idle') {
      c.rings++;
      this.respond(['RING']);
      const s0 = this.sreg.get(0) ?? 0;
      if (s0 > 0 && c.rings >= s0) {
        this.answer();
        return;
      }
    }
    this.later(this.o.ringIntervalMs, () => this.ringOnce());
  }

  private finishCall(end: IncomingCallResult['end']): void {
    const c = this.call;
    if (!c) return;
    this.call = null;
    c.result.end = end;
    this.lastRxRejectable = false;
    if (c.result.answered) this.emit('callEnded', { direction: 'in', hangup: end === 'completed' ? '0' : end === 'aborted' ? '2' : '100' });
    c.resolve(c.result);
  }

  private answer(): void {
    const c = this.call;
    this.state = 'answering';
    this.later(this.o.connectDelayMs, () => {
      if (c && this.fclass === '1') {
        c.result.answered = true;
        this.state = 'idle';
        this.c1.answered(c);
        return;
      }
      const isFax = this.fclass === '2' || this.fclass === '2.0';
      if (!c || !isFax) {
        this.state = 'idle';
        this.respond([], 'NO CARRIER');
        return;
      }
      c.result.answered = true;
      const d = this.dialect;
      this.rxLastParams = formatSessionParams(this.rxParams(), this.fclass === '2' ? '2' : '2.0');
      this.state = 'rx-session';
      this.respond([d.connectReport, `${d.remoteTsi}:${this.padId(c.callerId ?? 'CALLER SIM')}`, `${d.negotiated}:${formatSessionParams(this.rxParams(), this.fclass === '2' ? '2' : '2.0')}`], 'OK');
    });
  }

  /** The page the remote sends as its `i`-th (0-based); `pages` cycle when they never end. */
  private rxPage(i: number): FaxPage {
    const c = this.call!;
    return c.pages[c.endlessPages ? i % c.pages.length : Math.min(i, c.pages.length - 1)]!;
  }

  private rxParams(): SessionParams {
    const p = this.rxPage(this.call!.next);
    return { vr: p.yResolution === 196 ? 1 : 0, br: this.o.lineBr, wd: Math.max(0, [1728, 2048, 2432].indexOf(p.width)), ln: 2, df: p.twoD ? 1 : 0, ec: 0, bf: 0, st: 0 };
  }

  private fdr(info: string[]): 'ok' | 'error' | 'async' {
    if (this.state !== 'rx-session' || !this.call) return 'error';
    const c = this.call;
    const d = this.dialect;
    this.lastRxRejectable = false;
    if (c.next >= c.pages.length && !c.endlessPages) {
      info.push(`${d.hangup}:${this.fclass === '2.0' ? '00' : '0'}`);
      this.state = 'idle';
      this.finishCall('completed');
      return 'ok';
    }
    // a new DCS (resolution or width change) is reported before CONNECT
    const params = formatSessionParams(this.rxParams(), this.fclass === '2' ? '2' : '2.0');
    const changed = params !== this.rxLastParams;
    this.rxLastParams = params;
    this.respond(changed ? [`${d.negotiated}:${params}`] : [], 'CONNECT');
    this.state = 'rx-trigger';
    this.rxAbort = false;
    return 'async';
  }

  private rxTriggered(byte: number): void {
    this.log(`DTE> trigger 0x${byte.toString(16).padStart(2, '0')} (${byte === DC2 ? 'DC2' : 'DC1'})`);
    this.state = 'rx-data';
    const c = this.call!;
    const page = this.rxPage(c.next);
    const endless = c.endlessPage === c.next + 1;
    let data = pageForWire(page, 2);
    if (this.fclass === '2' && this.o.class2RxBitOrder === 'msb-first') data = reverseBits(data);
    const stuffed = this.stuff(Buffer.concat([data, Buffer.alloc(this.o.rxPadBytes)]));
    const rate = (bitRate(this.o.lineBr) / 8) * this.o.speedFactor;
    const chunk = 512;
    let off = 0;
    const pump = () => {
      if (this.rxAbort || this.state !== 'rx-data') return;
      const part = stuffed.subarray(off, off + chunk);
      off += part.length;
      this.raw(part);
      if (endless && off >= stuffed.length) off = 0; // the same data again, never DLE ETX
      if (off < stuffed.length) return this.later((part.length / rate) * 1000, pump);
      this.raw(Buffer.from([DLE, ETX]));
      this.log(`DCE> page ${c.next + 1}: ${data.length} bytes + ${this.o.rxPadBytes} fill + DLE ETX`);
      this.rxPageSent(page);
    };
    pump();
  }

  private stuff(data: Buffer): Buffer {
    const out: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (b !== DLE) {
        out.push(b);
        continue;
      }
      if (this.fclass === '2.0' && this.o.rxUseDleSub && data[i + 1] === DLE) {
        out.push(DLE, SUB);
        i++;
      } else out.push(DLE, DLE);
    }
    return Buffer.from(out);
  }

  private rxPageSent(page: FaxPage): void {
    const c = this.call!;
    const last = !c.endlessPages && c.next === c.pages.length - 1;
    const ppm = last ? 2 : 0;
    const c20 = this.fclass === '2.0';
    const lc = page.rows;
    const counts = c20 ? [lc, 0, 0].map((n) => n.toString(16).toUpperCase().padStart(4, '0')) : [lc, 0, 0].map(String);
    this.state = 'rx-session';
    this.lastRxRejectable = true;
    c.result.accepted.push(c.next + 1);
    c.next++;
    this.later(50, () => this.respond([`${this.dialect.pageStatus}:1,${counts.join(',')}`, `+FET:${ppm}`], 'OK'));
  }

  private rxRejected(): void {
    const c = this.call;
    if (!c) return;
    const pageNo = c.next; // the page just sent (1-based)
    c.result.accepted = c.result.accepted.filter((p) => p !== pageNo);
    c.result.rejected.push(pageNo);
    this.lastRxRejectable = false;
    if (c.resends < (c.resendRejected ?? 1)) {
      c.resends++;
      c.next--; // the remote sends the page again after RTN
    }
  }

  private rxCancel(): void {
    this.log('DTE> CAN');
    this.rxAbort = true;
    this.raw(Buffer.from([DLE, ETX]));
    const d = this.dialect;
    this.state = 'idle';
    this.respond([`${d.hangup}:${this.fclass === '2.0' ? '02' : '2'}`], 'OK');
    this.finishCall('aborted');
  }
}
