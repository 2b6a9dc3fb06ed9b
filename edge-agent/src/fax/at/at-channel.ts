/**
 * The AT command channel over a SerialLink (reference 1.9–1.11, section 4).
 *
 * Command mode: bytes are split into lines on CR/LF; control bytes (XON/XOFF, NUL, line noise) are
 * dropped; empty lines and echoed command lines (anything starting with "AT") are skipped. A command
 * collects response lines until a final result code. RING arriving while a command waits is a
 * collision: the command is re-sent after 100 ms like efax, or the command fails (for dialling).
 * Lines that arrive with no command waiting are unsolicited (RING, NO CARRIER, +FHS/+FHNG).
 *
 * Data mode: after CONNECT the bytes go, unparsed, to a DataSink installed with the command, from the
 * very next byte after CONNECT's line end, until the sink says it is done (DLE ETX) and hands back
 * what followed, which is parsed as lines again.
 */
import { EventEmitter } from 'node:events';
import type { SerialLink } from '../serial/serial-link.js';
import { silentLogger, systemClock, type Clock, type FaxLogger } from '../logger.js';

export interface DataSink {
  /** Takes a chunk of data-mode bytes. Returns null to stay in data mode, or the bytes after the end of data. */
  push(chunk: Buffer): Buffer | null;
}

export interface CommandOptions {
  timeoutMs?: number;
  /** Switch to data mode with this sink when the final result is CONNECT. */
  dataSink?: DataSink;
  /** What a RING before any response means: 'retry' (default: re-send after 100 ms), 'abort' (reject with RingCollisionError). */
  onRing?: 'retry' | 'abort';
  /** After a +FHNG/+FHS line, wait at most this long for the trailing OK, then finish anyway (tricky point 8). Default 2000. */
  hangupGraceMs?: number;
}

export interface AtResponse {
  command: string;
  /** Information lines, in order (finals excluded). */
  lines: string[];
  /** The final result: OK, ERROR, CONNECT…, BUSY, NO CARRIER, NO DIALTONE, NO ANSWER, +FCERROR, or HANGUP when only +FHNG/+FHS came. */
  final: string;
}

export class AtTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly lines: string[],
    readonly timeoutMs: number,
  ) {
    super(`modem did not answer ${JSON.stringify(command)} within ${timeoutMs} ms${lines.length ? ` (got ${JSON.stringify(lines)})` : ''}`);
    this.name = 'AtTimeoutError';
  }
}

export class RingCollisionError extends Error {
  constructor(readonly command: string) {
    super(`incoming call (RING) collided with ${JSON.stringify(command)}`);
    this.name = 'RingCollisionError';
  }
}

export class ModemGoneError extends Error {
  constructor(
    readonly path: string,
    override readonly cause?: Error | null,
  ) {
    super(`modem on ${path} went away${cause ? `: ${cause.message}` : ''}`);
    this.name = 'ModemGoneError';
  }
}

const FINAL = /^(OK|ERROR|CONNECT( .*)?|BUSY|NO CARRIER|NO DIAL ?TONE|NO ANSWER|\+FCERROR)$/;
const HANGUP = /^\+F(HNG|HS):/;

export function isFinalResult(line: string): boolean {
  return FINAL.test(line);
}

export interface AtChannelEvents {
  ring: [];
  /** A line that arrived while no command was waiting. */
  unsolicited: [string];
  /** Every line seen, both directions (for transcripts and debugging). */
  transcript: ['DTE' | 'DCE', string];
  /** The link closed. */
  gone: [ModemGoneError];
}

export interface AtChannelOptions {
  /** Default command timeout (efax 5 s). */
  commandTimeoutMs?: number;
  /** Minimum pause between a final result and the next command (mgetty 50 ms, efax 100 ms). Default 50. */
  commandDelayMs?: number;
  /** Pause before re-sending a command that collided with RING (efax 100 ms). */
  ringRetryDelayMs?: number;
  /** Longest line kept; longer runs of junk are cut (protects against binary garbage). Default 512. */
  maxLineLength?: number;
  clock?: Clock;
  logger?: FaxLogger;
}

interface Pending {
  command: string;
  bytes: Buffer | Uint8Array | null;
  opts: CommandOptions;
  lines: string[];
  resolve: (r: AtResponse) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
  graceTimer: NodeJS.Timeout | null;
  ringRetries: number;
}

export class AtChannel extends EventEmitter<AtChannelEvents> {
  private lineBuf: number[] = [];
  private sink: DataSink | null = null;
  private pending: Pending | null = null;
  private lastFinalAt = 0;
  private goneError: ModemGoneError | null = null;
  private readonly clock: Clock;
  private readonly log: FaxLogger;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = (err: Error | null) => this.linkClosed(err);
  /** Junk bytes dropped in command mode (control characters, overlong lines). */
  junkBytes = 0;

  constructor(
    readonly link: SerialLink,
    private readonly opts: AtChannelOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    link.on('data', this.onData);
    link.on('close', this.onClose);
  }

  get inDataMode(): boolean {
    return this.sink !== null;
  }

  get gone(): boolean {
    return this.goneError !== null || !this.link.isOpen;
  }

  /** Why the modem is gone, or null while its port is open. */
  goneReason(): ModemGoneError | null {
    return this.goneError ?? (this.link.isOpen ? null : new ModemGoneError(this.link.path, null));
  }

  /** Resolves when the modem goes away (at once when it has); the returned function stops waiting. */
  onceGone(): { gone: Promise<ModemGoneError>; cancel: () => void } {
    let listener: ((e: ModemGoneError) => void) | null = null;
    const already = this.goneReason();
    const gone = already ? Promise.resolve(already) : new Promise<ModemGoneError>((resolve) => this.once('gone', (listener = resolve)));
    return { gone, cancel: () => void (listener && this.off('gone', listener)) };
  }

  /** Stops listening to the link (it stays open). */
  detach(): void {
    this.link.off('data', this.onData);
    this.link.off('close', this.onClose);
  }

  /** Sends `AT…` and resolves with the response once a final result code arrives. */
  async command(command: string, opts: CommandOptions = {}): Promise<AtResponse> {
    if (this.goneError) throw this.goneError;
    this.checkIdle(command);
    const gap = (this.opts.commandDelayMs ?? 50) - (this.clock.now() - this.lastFinalAt);
    if (gap > 0) await new Promise<void>((r) => this.clock.setTimeout(r, gap));
    return this.begin(command, Buffer.from(`${command}\r`, 'latin1'), opts);
  }

  /**
   * Waits for a response that comes without a command (after page data: +FPS/+FET/OK), optionally
   * writing raw bytes first (a page terminator). Call it before the bytes that lead to the response
   * can arrive, e.g. from a DataSink at the moment it sees DLE ETX.
   */
  expect(label: string, opts: CommandOptions = {}, write?: Uint8Array): Promise<AtResponse> {
    if (this.goneError) return Promise.reject(this.goneError);
    this.checkIdle(label);
    return this.begin(label, write ?? null, opts);
  }

  private checkIdle(what: string): void {
    if (this.pending) throw new Error(`${JSON.stringify(what)} issued while ${JSON.stringify(this.pending.command)} is waiting`);
  }

  private begin(label: string, bytes: Buffer | Uint8Array | null, opts: CommandOptions): Promise<AtResponse> {
    if (this.goneError) return Promise.reject(this.goneError);
    return new Promise<AtResponse>((resolve, reject) => {
      this.pending = { command: label, bytes, opts, lines: [], resolve, reject, timer: null, graceTimer: null, ringRetries: 0 };
      this.send(this.pending);
    });
  }

  private send(p: Pending): void {
    const timeoutMs = p.opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 5000;
    if (p.timer) this.clock.clearTimeout(p.timer);
    p.timer = this.clock.setTimeout(() => this.settle(p, new AtTimeoutError(p.command, p.lines, timeoutMs)), timeoutMs);
    if (!p.bytes) return;
    this.emit('transcript', 'DTE', p.command);
    this.log.debug({ dte: p.command }, 'DTE');
    this.link.write(p.bytes).catch((err: Error) => this.settle(p, new ModemGoneError(this.link.path, err)));
  }

  /** Writes raw bytes (data mode, triggers such as DC2, CAN). */
  write(data: Uint8Array): Promise<void> {
    if (this.goneError) return Promise.reject(this.goneError);
    return this.link.write(data).catch((err: Error) => {
      throw this.link.isOpen ? err : (this.goneError ?? new ModemGoneError(this.link.path, err));
    });
  }

  /** Enters data mode now (for a sink that must see bytes without a CONNECT, e.g. after a DC2 re-trigger). */
  enterDataMode(sink: DataSink): void {
    this.sink = sink;
  }

  /** Leaves data mode (transmit side: after our page terminator, responses are lines again). */
  leaveDataMode(): void {
    this.sink = null;
  }

  private settle(p: Pending, result: AtResponse | Error): void {
    if (this.pending !== p) return;
    this.pending = null;
    if (p.timer) this.clock.clearTimeout(p.timer);
    if (p.graceTimer) this.clock.clearTimeout(p.graceTimer);
    this.lastFinalAt = this.clock.now();
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  private receive(chunk: Buffer): void {
    let buf: Buffer | null = chunk;
    while (buf && buf.length) {
      if (this.sink) {
        const rest: Buffer | null = this.sink.push(buf);
        if (rest === null) return;
        this.sink = null;
        buf = rest;
        continue;
      }
      buf = this.parseLines(buf);
    }
  }

  /** Parses bytes as lines until the end, or until a CONNECT switches to data mode; returns the unparsed rest. */
  private parseLines(buf: Buffer): Buffer | null {
    const max = this.opts.maxLineLength ?? 512;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (b === 0x0d || b === 0x0a) {
        if (this.lineBuf.length) {
          const line = Buffer.from(this.lineBuf).toString('latin1').trim();
          this.lineBuf = [];
          if (line) this.line(line);
          if (this.sink) return buf.subarray(i + 1 + (b === 0x0d && buf[i + 1] === 0x0a ? 1 : 0));
        }
      } else if (b < 0x20 || b > 0x7e) this.junkBytes++;
      else if (this.lineBuf.length >= max) this.junkBytes++;
      else this.lineBuf.push(b);
    }
    return null;
  }

  private line(line: string): void {
    if (/^AT/i.test(line)) {
      this.emit('transcript', 'DCE', `(echo) ${line}`);
      return;
    }
    this.emit('transcript', 'DCE', line);
    this.log.debug({ dce: line }, 'DCE');
    const p = this.pending;
    if (line === 'RING') {
      this.emit('ring');
      if (p && p.bytes && p.lines.length === 0 && !/^ATA$/i.test(p.command)) {
        if ((p.opts.onRing ?? 'retry') === 'abort') {
          this.settle(p, new RingCollisionError(p.command));
        } else if (p.ringRetries++ < 3) {
          if (p.timer) this.clock.clearTimeout(p.timer);
          p.timer = this.clock.setTimeout(() => this.send(p), this.opts.ringRetryDelayMs ?? 100);
        }
        return;
      }
      if (!p) this.emit('unsolicited', line);
      return;
    }
    if (!p) {
      this.emit('unsolicited', line);
      return;
    }
    if (isFinalResult(line)) {
      if (line.startsWith('CONNECT') && p.opts.dataSink) this.sink = p.opts.dataSink;
      this.settle(p, { command: p.command, lines: p.lines, final: line });
      return;
    }
    p.lines.push(line);
    if (HANGUP.test(line) && !p.graceTimer) {
      p.graceTimer = this.clock.setTimeout(() => this.settle(p, { command: p.command, lines: p.lines, final: 'HANGUP' }), p.opts.hangupGraceMs ?? 2000);
    }
  }

  private linkClosed(err: Error | null): void {
    this.goneError = new ModemGoneError(this.link.path, err);
    if (this.pending) this.settle(this.pending, this.goneError);
    this.emit('gone', this.goneError);
  }

  /**
   * Waits for an unsolicited line matching `re` (used between data and results, e.g. +FHNG after a
   * receive). Lines that do not match are kept in `seen`.
   */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    if (this.goneError) return Promise.reject(this.goneError);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        this.clock.clearTimeout(timer);
        this.off('unsolicited', onLine);
        this.off('gone', onGone);
      };
      const onLine = (l: string) => {
        if (!re.test(l)) return;
        cleanup();
        resolve(l);
      };
      const onGone = (e: ModemGoneError) => {
        cleanup();
        reject(e);
      };
      const timer = this.clock.setTimeout(() => {
        cleanup();
        reject(new AtTimeoutError(`(waiting for ${re})`, [], timeoutMs));
      }, timeoutMs);
      this.on('unsolicited', onLine);
      this.on('gone', onGone);
    });
  }
}
