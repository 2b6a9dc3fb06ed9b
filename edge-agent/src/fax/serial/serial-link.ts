/**
 * The byte pipe to a modem. `SerialLink` is the small interface the AT channel, the driver and the
 * simulator use; `openSerialLink` is the real implementation over serialport v13.
 *
 * Port settings follow reference 1.7: raw 8N1, `xon`/`xoff`/`xany` always OFF (XON and XOFF occur in
 * fax image data, and serialport cannot change them on an open port, so software flow control is done
 * in user space during Phase C transmit), `rtscts` per configuration, UUCP lock file so that efax,
 * mgetty and HylaFAX see the port as busy.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { hangupAwareBinding } from './hangup-aware-binding.js';
import { acquireUucpLock, type UucpLock, type UucpLockMode } from './uucp-lock.js';

export interface SerialLinkEvents {
  data: [Buffer];
  /** The port closed; `error` is set when it was not our own close (device gone, I/O error). */
  close: [Error | null];
}

export interface SerialSignals {
  dtr?: boolean;
  rts?: boolean;
}

export interface SerialLink {
  readonly path: string;
  readonly isOpen: boolean;
  /** Resolves once the bytes have been handed to the OS (drained). */
  write(data: Uint8Array | string): Promise<void>;
  setSignals(signals: SerialSignals): Promise<void>;
  close(): Promise<void>;
  on<K extends keyof SerialLinkEvents>(event: K, listener: (...args: SerialLinkEvents[K]) => void): this;
  off<K extends keyof SerialLinkEvents>(event: K, listener: (...args: SerialLinkEvents[K]) => void): this;
  once<K extends keyof SerialLinkEvents>(event: K, listener: (...args: SerialLinkEvents[K]) => void): this;
}

export interface SerialLinkOptions {
  path: string;
  /** DTE rate; efax and HylaFAX use 19200, mgetty 38400. Default 19200. */
  baudRate?: number;
  /** Hardware flow control (pair with AT+FLO=2 / AT&K3). Default false. */
  rtscts?: boolean;
  /** Drop DTR on close (hangs up a modem set to AT&D2). Default true. */
  hupcl?: boolean;
  /** UUCP lock file handling (default 'best-effort'); folder default /var/lock. */
  uucpLock?: UucpLockMode;
  lockDir?: string;
  /**
   * How often to check that the line is still there (ms; 0 = never). A PTY whose other end went away,
   * or an unplugged adapter, is not always reported by the read side; tcdrain() then fails with EIO.
   * Default 1000.
   */
  livenessIntervalMs?: number;
}

export class PortClosedError extends Error {
  constructor(path: string) {
    super(`serial port ${path} is closed`);
    this.name = 'PortClosedError';
  }
}

class NodeSerialLink extends EventEmitter<SerialLinkEvents> implements SerialLink {
  private closing = false;
  private closedEmitted = false;

  private readonly watchdog: NodeJS.Timeout | null;

  constructor(
    private readonly port: SerialPort,
    private readonly lock: UucpLock,
    livenessIntervalMs: number,
  ) {
    super();
    this.watchdog =
      livenessIntervalMs > 0
        ? setInterval(() => {
            if (this.port.isOpen && !this.closing) this.port.drain((err) => err && this.finish(err));
          }, livenessIntervalMs)
        : null;
    this.watchdog?.unref();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', (err: Error) => this.finish(err));
    port.on('close', (err?: Error | null) => this.finish(this.closing ? null : (err ?? new Error(`serial port ${this.path} closed`))));
  }

  get path(): string {
    return this.port.path;
  }

  get isOpen(): boolean {
    return this.port.isOpen && !this.closedEmitted;
  }

  private finish(err: Error | null): void {
    if (this.closedEmitted) return;
    this.closedEmitted = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.lock.release();
    if (this.port.isOpen && !this.closing) this.port.close(() => undefined);
    this.emit('close', err);
  }

  write(data: Uint8Array | string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new PortClosedError(this.path));
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        // EIO/ENXIO/EBADF: the device or the other end of the PTY is gone
        if (/EIO|ENXIO|EBADF|ENODEV|Input\/output error/.test(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`)) this.finish(err);
        reject(err);
      };
      this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), (err) => {
        if (err) return failed(err);
        this.port.drain((e) => (e ? failed(e) : resolve()));
      });
    });
  }

  setSignals(signals: SerialSignals): Promise<void> {
    return new Promise((resolve, reject) => this.port.set(signals, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    if (this.closedEmitted) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      if (this.port.isOpen) this.port.close((err) => (err ? this.finish(null) : undefined));
      else this.finish(null);
    });
  }
}

/** The platform's binding, reading a hung-up line as gone (see hangup-aware-binding.ts). */
const BINDING = hangupAwareBinding();

/** Opens a serial port (UUCP-locked) as a SerialLink. */
export async function openSerialLink(opts: SerialLinkOptions): Promise<SerialLink> {
  const lock = await acquireUucpLock(opts.path, { mode: opts.uucpLock ?? 'best-effort', lockDir: opts.lockDir });
  const port = new SerialPort({
    // SerialPort takes a binding in its options at run time; its types only name the detected one's.
    ...({ binding: BINDING } as object),
    path: opts.path,
    baudRate: opts.baudRate ?? 19200,
    dataBits: 8,
    stopBits: 1,
    parity: 'none',
    rtscts: opts.rtscts ?? false,
    xon: false,
    xoff: false,
    xany: false,
    hupcl: opts.hupcl ?? true,
    autoOpen: false,
  });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    lock.release();
    throw err;
  }
  return new NodeSerialLink(port, lock, opts.livenessIntervalMs ?? 1000);
}
