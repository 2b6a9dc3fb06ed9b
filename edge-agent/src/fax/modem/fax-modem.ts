/**
 * One fax modem on one serial line: initialisation for Class 2.0, Class 2 or Class 1 (where the
 * class1/ sessions run T.30 on the host), sending (one call per
 * `send`), answering after N rings and receiving, line statistics, recovery after trouble (the modem
 * is re-initialised after any failed call), and close. Calls are serialised: a send and a receive
 * never overlap.
 */
import { EventEmitter } from 'node:events';
import { AtChannel, AtTimeoutError, ModemGoneError } from '../at/at-channel.js';
import type { SerialLink } from '../serial/serial-link.js';
import { silentLogger, systemClock, type Clock, type FaxLogger } from '../logger.js';
import { dialectFor, type Class2Dialect } from '../class2/dialect.js';
import { hangupMeaning, type FaxClass, type HangupInfo } from '../class2/hangup-codes.js';
import { probeModem, resync, type ModemInfo } from '../class2/probe.js';
import { FaxCallError, type FailureReason } from '../class2/call-error.js';
import { DEFAULT_TIMEOUTS, type FaxTimeouts, type SessionContext } from '../class2/session-context.js';
import { dial, sendPages, type PageProgress, type SendOutcome } from '../class2/send-session.js';
import { answer, receivePages, type ReceivedPageInfo, type ReceiveOutcome } from '../class2/receive-session.js';
import { parseModulationList } from '../class1/t30-params.js';
import type { Class1Context } from '../class1/line.js';
import { sendFax as sendClass1 } from '../class1/send-session.js';
import { receiveFax as receiveClass1 } from '../class1/receive-session.js';
import { PageAbortedError } from '../class2/tx-flow.js';
import { writeTiffF, type FaxPage } from '../tiff/tiff-f.js';
import { emptyLineStats, recordFailure, type LineStats } from './line-stats.js';
import { CallBudget, resolveLimits, type FaxLimits, type LimitName } from '../call-limits.js';

export interface FaxModemConfig {
  /**
   * Class to use; default: the best the probe found (2.0, then 2, then 1). Set '1' to run T.30 on
   * the host even where the modem has Class 2 (e.g. buggy Class 2 firmware).
   */
  faxClass?: FaxClass;
  /** Our station id (TSI/CSI), up to 20 characters. */
  localId?: string;
  /** 'xonxoff' (AT+FLO=1 / AT&K4, flow control in user space) or 'rtscts' (AT+FLO=2 / AT&K3; open the port with rtscts). */
  flowControl?: 'xonxoff' | 'rtscts';
  /**
   * Class 2 flow command, sent when flowControl is set (default AT&K4 / AT&K3); '' to send none.
   * Class 1 sends AT+FLO=1/2 and falls back to this command (errors ignored) if the modem refuses it.
   */
  class2FlowCommand?: string;
  /** Bit order of received Class 2 data; Rockwell modems deliver MSB first (default). */
  class2ReceiveBitOrder?: 'msb-first' | 'lsb-first';
  /** Receive data trigger (default DC2). */
  receiveTrigger?: 'DC2' | 'DC1';
  /** Answer after this many rings; 0 = never answer (default 2). */
  answerAfterRings?: number;
  /** A RING not followed by another within this time ends the ringing (default 10 s). */
  ringResetMs?: number;
  maxRetransmits?: number;
  /** Highest BR to offer (default 5 = 14400). */
  maxBr?: number;
  /** Pacing of page data: 'off' (default: flow control only), 'line' (negotiated fax rate) or bit/s. */
  pace?: 'off' | 'line' | number;
  rejectBadPages?: boolean;
  /** Extra init commands after the class is selected. */
  extraInit?: string[];
  timeouts?: Partial<FaxTimeouts>;
  /**
   * Limits per call against a hostile or broken remote (call-limits.ts): maxPageBytes (4 MiB),
   * maxPagesPerCall (100), maxCallMs (30 min), maxRetrainSteps (3). Positive integers.
   */
  limits?: Partial<FaxLimits>;
  /** Pause between commands (default 50 ms, mgetty's FAX_COMMAND_DELAY). */
  commandDelayMs?: number;
}

export interface SendRequest {
  number: string;
  pages: FaxPage[];
  onPage?: (p: PageProgress) => void;
}

export type SendResult =
  | { ok: true; remoteId: string; pages: number; retransmits: number; hangup: HangupInfo; bitRate: number; durationMs: number }
  | { ok: false; reason: FailureReason; message: string; retryable: boolean; hangup?: HangupInfo; pagesSent: number; remoteId?: string; durationMs: number };

export interface ReceivedFax {
  /** All accepted pages as one TIFF Class F file. */
  tiff: Buffer;
  pages: number;
  remoteId: string;
  startedAt: Date;
  durationMs: number;
  rejectedPages: number;
  badRows: number;
  hangup: HangupInfo;
  /** Each page as received (T.4 data with its FillOrder). */
  pageData: FaxPage[];
  /** Set when the call failed after these pages were accepted (a limit ended it): why. */
  incomplete?: { reason: FailureReason; message: string; limit?: LimitName };
}

export type ModemState = 'closed' | 'initializing' | 'idle' | 'ringing' | 'sending' | 'receiving' | 'recovering' | 'failed';

export interface FaxModemEvents {
  state: [ModemState];
  ring: [number];
  /** A fax came in. */
  fax: [ReceivedFax];
  /** An incoming call failed. */
  receiveFailed: [{ reason: FailureReason; message: string; hangup?: HangupInfo; pages: number }];
  receivePage: [ReceivedPageInfo];
  /** The port went away. */
  gone: [Error];
}

export interface FaxModemDeps {
  clock?: Clock;
  logger?: FaxLogger;
}

export class FaxModem extends EventEmitter<FaxModemEvents> {
  readonly channel: AtChannel;
  readonly stats: LineStats = emptyLineStats();
  info: ModemInfo | null = null;
  private _state: ModemState = 'closed';
  private dialect: Class2Dialect | null = null;
  private cls: FaxClass | null = null;
  /** Class 1 modulations (AT+FTM=? / AT+FRM=?), read at initialisation. */
  private class1: { tx: number[]; rx: number[] } | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private rings = 0;
  /** receive() was called and waits for its turn. */
  private answering = false;
  private ringTimer: NodeJS.Timeout | null = null;
  private readonly timeouts: FaxTimeouts;
  readonly limits: FaxLimits;
  private readonly clock: Clock;
  private readonly log: FaxLogger;

  constructor(
    readonly link: SerialLink,
    private readonly config: FaxModemConfig = {},
    deps: FaxModemDeps = {},
  ) {
    super();
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.limits = resolveLimits(config.limits);
    this.channel = new AtChannel(link, {
      clock: this.clock,
      logger: this.log,
      commandTimeoutMs: this.timeouts.command,
      commandDelayMs: config.commandDelayMs ?? 50,
    });
    this.channel.on('ring', () => this.onRing());
    this.channel.on('gone', (err) => {
      this.setState('closed');
      this.emit('gone', err);
    });
  }

  get state(): ModemState {
    return this._state;
  }

  get faxClass(): FaxClass | null {
    return this.cls;
  }

  /** True while the line is ringing (a send should wait). */
  get ringing(): boolean {
    return this._state === 'ringing';
  }

  private setState(s: ModemState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
  }

  /** Runs `fn` when no other call or command sequence is running. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Probes the modem (identity, classes, capabilities) and initialises it for faxing. */
  async open(): Promise<ModemInfo> {
    return this.exclusive(async () => {
      this.setState('initializing');
      try {
        this.info = await probeModem(this.channel);
        await this.initialise();
        this.setState('idle');
        return this.info;
      } catch (err) {
        this.setState(this.channel.gone ? 'closed' : 'failed');
        throw err;
      }
    });
  }

  private async ok(cmd: string): Promise<void> {
    const r = await this.channel.command(cmd);
    if (r.final !== 'OK') throw new FaxCallError('protocol', `${cmd} answered ${r.final}`);
  }

  /** The init sequence of the transcripts (efax for 2.0, efax/sendfax for 2). */
  private async initialise(): Promise<void> {
    const cls = this.config.faxClass ?? this.info?.preferredClass;
    if (!cls) throw new FaxCallError('protocol', `modem offers no fax class (AT+FCLASS=? said ${JSON.stringify(this.info?.fclass ?? '')})`);
    if (cls === '1') return this.initialiseClass1();
    const d = dialectFor(cls);
    await resync(this.channel);
    await this.ok('ATE0');
    await this.ok(`AT+FCLASS=${d.fclass}`);
    const hard = this.config.flowControl === 'rtscts';
    const id = (this.config.localId ?? '').replace(/"/g, '').slice(0, 20);
    if (cls === '2.0') {
      await this.ok('AT+FIP');
      await this.ok('AT+FNR=1,1,1,0');
      await this.ok(`AT+FLO=${hard ? 2 : 1}`);
    } else {
      const flowCmd = this.config.class2FlowCommand ?? (hard ? 'AT&K3' : 'AT&K4');
      if (flowCmd) await this.ok(flowCmd);
    }
    await this.ok(`AT${d.bitOrder}=0`);
    await this.ok('AT+FCR=1');
    await this.ok(`AT${d.localId}="${id}"`);
    for (const c of this.config.extraInit ?? []) await this.ok(c);
    this.dialect = d;
    this.cls = cls;
  }

  /** Class 1: the class, flow control (+FLO, else the &K command, best effort) and the modulations. */
  private async initialiseClass1(): Promise<void> {
    await resync(this.channel);
    await this.ok('ATE0');
    await this.ok('AT+FCLASS=1');
    const hard = this.config.flowControl === 'rtscts';
    const flo = await this.channel.command(`AT+FLO=${hard ? 2 : 1}`);
    if (flo.final !== 'OK') {
      const flowCmd = this.config.class2FlowCommand ?? (hard ? 'AT&K3' : 'AT&K4');
      const r = flowCmd ? await this.channel.command(flowCmd) : null;
      if (r && r.final !== 'OK') this.log.warn({ command: flowCmd }, 'modem takes neither +FLO nor the flow command; relying on pacing');
    }
    const list = async (cmd: string) => {
      const r = await this.channel.command(cmd);
      return r.final === 'OK' ? parseModulationList(r.lines.join(',')) : [];
    };
    const tx = await list('AT+FTM=?');
    const rx = await list('AT+FRM=?');
    if (!tx.length || !rx.length) throw new FaxCallError('protocol', `Class 1 modem reports no modulations (AT+FTM=? ${tx.join(',')}; AT+FRM=? ${rx.join(',')})`);
    for (const c of this.config.extraInit ?? []) await this.ok(c);
    this.class1 = { tx, rx };
    this.dialect = null;
    this.cls = '1';
  }

  /** A call's limits, its deadline starting now. */
  private budget(): CallBudget {
    return new CallBudget(this.limits, this.clock);
  }

  private class1Ctx(budget: CallBudget): Class1Context {
    if (!this.class1) throw new Error('modem is not initialised (call open() first)');
    return { ch: this.channel, timeouts: this.timeouts, clock: this.clock, log: this.log, txModulations: this.class1.tx, rxModulations: this.class1.rx, budget };
  }

  private ctx(budget: CallBudget): SessionContext {
    if (!this.dialect) throw new Error(this.cls === '1' ? 'Class 2 session on a Class 1 modem' : 'modem is not initialised (call open() first)');
    return { ch: this.channel, d: this.dialect, timeouts: this.timeouts, clock: this.clock, log: this.log, budget };
  }

  private onRing(): void {
    // Answering already (the answer waits its turn, and RING lines read in one chunk come in one
    // go): the rings of the call being answered are not a new call.
    if (this.answering) return;
    if (this._state !== 'idle' && this._state !== 'ringing') return;
    this.rings++;
    this.setState('ringing');
    this.emit('ring', this.rings);
    if (this.ringTimer) this.clock.clearTimeout(this.ringTimer);
    this.ringTimer = this.clock.setTimeout(() => {
      this.rings = 0;
      if (this._state === 'ringing') this.setState('idle');
    }, this.config.ringResetMs ?? 10_000);
    const n = this.config.answerAfterRings ?? 2;
    if (n > 0 && this.rings === n) {
      this.receive().catch((err: Error) => this.log.error({ err: err.message }, 'receive failed'));
    }
  }

  /** Answers now and receives the fax (also called by the ring handler). */
  receive(): Promise<ReceivedFax | null> {
    if (this.ringTimer) this.clock.clearTimeout(this.ringTimer);
    this.rings = 0;
    this.answering = true;
    return this.exclusive(async () => {
      this.answering = false;
      const budget = this.budget();
      if (this.cls !== '1') this.ctx(budget); // throws when not initialised
      else this.class1Ctx(budget);
      const startedAt = new Date(this.clock.now());
      this.setState('receiving');
      this.stats.callsIn++;
      this.stats.lastCallAt = startedAt.toISOString();
      let pagesSoFar = 0;
      const onPage = (p: ReceivedPageInfo) => {
        if (p.accepted) pagesSoFar++;
        else this.stats.pagesRejected++;
        this.emit('receivePage', p);
      };
      try {
        let out: ReceiveOutcome;
        if (this.cls === '1') {
          out = await receiveClass1(this.class1Ctx(budget), { localId: this.config.localId ?? '', maxBr: this.config.maxBr ?? 5, rejectBadPages: this.config.rejectBadPages ?? true, onPage });
        } else {
          const ctx = this.ctx(budget);
          const a = await answer(ctx);
          out = await receivePages(ctx, a.remoteId, a.params, {
            fillOrder: ctx.d.faxClass === '2' && (this.config.class2ReceiveBitOrder ?? 'msb-first') === 'msb-first' ? 1 : 2,
            trigger: this.config.receiveTrigger ?? 'DC2',
            rejectBadPages: this.config.rejectBadPages ?? true,
            onPage,
          });
        }
        await this.hangUp(true);
        this.stats.pagesReceived += out.pages.length;
        if (out.pages.length === 0) throw new FaxCallError('protocol', 'call ended without a page');
        this.stats.callsInOk++;
        const fax = this.receivedFax(out, startedAt);
        this.setState('idle');
        this.emit('fax', fax);
        return fax;
      } catch (err) {
        const e = this.asCallError(err);
        recordFailure(this.stats, `rx:${e.key}`, e.message, new Date(this.clock.now()));
        // a call a limit ended keeps the pages it had accepted: stored like any received fax
        const p = e.partial;
        const fax = p?.pages.length
          ? this.receivedFax({ ...p, hangup: e.hangup ?? hangupMeaning('2', this.cls ?? '2.0') }, startedAt, { reason: e.reason, message: e.message, ...(e.limit ? { limit: e.limit } : {}) })
          : null;
        if (fax) this.stats.pagesReceived += fax.pages;
        this.emit('receiveFailed', { reason: e.reason, message: e.message, ...(e.hangup ? { hangup: e.hangup } : {}), pages: pagesSoFar });
        await this.recover(e);
        if (fax) this.emit('fax', fax);
        return fax;
      }
    });
  }

  private receivedFax(out: ReceiveOutcome, startedAt: Date, incomplete?: ReceivedFax['incomplete']): ReceivedFax {
    return {
      tiff: writeTiffF(out.pages, { remoteId: out.remoteId, software: 'okno edge-agent', date: startedAt }),
      pages: out.pages.length,
      remoteId: out.remoteId,
      startedAt,
      durationMs: this.clock.now() - startedAt.getTime(),
      rejectedPages: out.rejectedPages,
      badRows: out.pages.reduce((n, p) => n + (p.badRows ?? 0), 0),
      hangup: out.hangup,
      pageData: out.pages,
      ...(incomplete ? { incomplete } : {}),
    };
  }

  /** One call: dial, send the pages, hang up. Never throws; failures come back as results. */
  send(req: SendRequest): Promise<SendResult> {
    return this.exclusive(async () => {
      const started = this.clock.now();
      let pagesSent = 0;
      let remoteId: string | undefined;
      if (this._state === 'closed' || this._state === 'failed') {
        return { ok: false, reason: 'modem-gone', message: `modem is ${this._state}`, retryable: false, pagesSent: 0, durationMs: 0 };
      }
      this.setState('sending');
      const budget = this.budget();
      this.stats.callsOut++;
      this.stats.lastCallAt = new Date(started).toISOString();
      try {
        if (req.pages.length === 0) throw new FaxCallError('bad-document', 'nothing to send');
        const onPage = (p: PageProgress) => {
          if (p.accepted) pagesSent++;
          else this.stats.retransmits++;
          req.onPage?.(p);
        };
        const common = { pages: req.pages, maxRetransmits: this.config.maxRetransmits ?? 3, pace: this.config.pace ?? 'off', onPage };
        let out: SendOutcome;
        if (this.cls === '1') {
          out = await sendClass1(this.class1Ctx(budget), req.number, {
            ...common,
            localId: this.config.localId ?? '',
            maxBr: this.config.maxBr ?? 5,
            onConnected: (id) => (remoteId = id),
          });
        } else {
          const ctx = this.ctx(budget);
          const c = await dial(ctx, req.number);
          remoteId = c.remoteId;
          out = await sendPages(ctx, c.remoteId, c.dis, { ...common, number: req.number, maxBr: this.config.maxBr ?? this.info?.class20?.maxBr ?? 5 });
        }
        this.stats.pagesSent += out.pages;
        this.stats.callsOutOk++;
        await this.hangUp(true);
        this.setState('idle');
        return { ok: true, remoteId: out.remoteId, pages: out.pages, retransmits: out.retransmits, hangup: out.hangup, bitRate: out.bitRate, durationMs: this.clock.now() - started };
      } catch (err) {
        const e = this.asCallError(err);
        this.stats.pagesSent += pagesSent;
        recordFailure(this.stats, e.key, e.message, new Date(this.clock.now()));
        await this.recover(e);
        return {
          ok: false,
          reason: e.reason,
          message: e.message,
          retryable: e.retryable,
          ...(e.hangup ? { hangup: e.hangup } : {}),
          pagesSent,
          ...(remoteId !== undefined ? { remoteId } : {}),
          durationMs: this.clock.now() - started,
        };
      }
    });
  }

  private asCallError(err: unknown): FaxCallError {
    if (err instanceof FaxCallError) return err;
    if (err instanceof ModemGoneError) return new FaxCallError('modem-gone', err.message);
    if (err instanceof AtTimeoutError) return new FaxCallError('timeout', err.message);
    if (err instanceof PageAbortedError) {
      const m = /^\+F(?:HS|HNG):\s*(\S+)/.exec(err.line);
      if (m && this.dialect) return new FaxCallError('hangup', err.message, hangupMeaning(m[1]!, this.dialect.faxClass));
      return new FaxCallError('protocol', err.message);
    }
    return new FaxCallError('protocol', err instanceof Error ? err.message : String(err));
  }

  /** After a call: ATH (efax does the same); errors ignored when `quiet`. */
  private async hangUp(quiet: boolean): Promise<void> {
    try {
      await this.channel.command('ATH', { timeoutMs: this.timeouts.command });
    } catch (err) {
      if (!quiet) throw err;
    }
  }

  /** After a failed call: leave data mode, abort the session, hang up and re-initialise. */
  private async recover(e: FaxCallError): Promise<void> {
    this.channel.leaveDataMode();
    if (this.channel.gone) {
      this.setState('closed');
      return;
    }
    this.setState('recovering');
    this.log.warn({ reason: e.reason, err: e.message }, 'fax call failed; re-initialising the modem');
    try {
      if (!e.hangup && this.dialect) await this.channel.command(`AT${this.dialect.abort}`, { timeoutMs: 2000 }).catch(() => undefined);
      await this.hangUp(true);
      await this.initialise();
      this.setState('idle');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'modem did not come back');
      this.setState(this.channel.gone ? 'closed' : 'failed');
    }
  }

  /** Re-initialises a modem in state 'failed' (e.g. after it was power-cycled). */
  async reinitialise(): Promise<void> {
    return this.exclusive(async () => {
      this.setState('initializing');
      try {
        await this.initialise();
        this.setState('idle');
      } catch (err) {
        this.setState(this.channel.gone ? 'closed' : 'failed');
        throw err;
      }
    });
  }

  /** Closes the port (waits for a running call to end first unless `force`). */
  async close(force = false): Promise<void> {
    if (this.ringTimer) this.clock.clearTimeout(this.ringTimer);
    if (!force) await this.lock;
    this.channel.detach();
    await this.link.close();
    this.setState('closed');
  }
}
