/**
 * Phase C transmit: the port runs without termios XON/XOFF (it cannot be switched per phase, and
 * XON/XOFF bytes occur in received image data), so flow control is done here (reference 1.7):
 * while we send a page, bytes from the modem are watched for XOFF (pause) and XON (resume; in
 * Class 2 also the "ready" XON after CONNECT). Writes go in small chunks, each awaited, and can be
 * paced to the negotiated line rate. Anything else the modem says meanwhile (a +FHS line, NO CARRIER)
 * aborts the page.
 */
import { DC1, DC3 } from '../codec/dle.js';
import type { AtChannel, DataSink } from '../at/at-channel.js';
import { sleep, type Clock } from '../logger.js';

export class TxFlowWatcher implements DataSink {
  paused = false;
  xonSeen = false;
  xoffs = 0;
  /** Text the modem sent during the data phase (it should send none). */
  private text = '';
  abortLine: string | null = null;
  private waiters: Array<() => void> = [];

  push(chunk: Buffer): Buffer | null {
    for (const b of chunk) {
      if (b === DC3) {
        this.paused = true;
        this.xoffs++;
      } else if (b === DC1) {
        this.paused = false;
        this.xonSeen = true;
      } else if (b === 0x0a || b === 0x0d) {
        const line = this.text.trim();
        this.text = '';
        if (/^(\+F(HS|HNG):|NO CARRIER|ERROR)/.test(line)) this.abortLine = line;
      } else if (b >= 0x20 && b < 0x7f && this.text.length < 256) this.text += String.fromCharCode(b);
    }
    if (!this.paused || this.abortLine) this.wake();
    return null;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when not paused (or aborted). */
  ready(): Promise<void> {
    if (!this.paused || this.abortLine) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Resolves true once an XON has been seen, false after the timeout. */
  async waitXon(clock: Clock, timeoutMs: number): Promise<boolean> {
    const until = clock.now() + timeoutMs;
    while (!this.xonSeen && !this.abortLine && clock.now() < until) await sleep(clock, Math.min(10, timeoutMs));
    return this.xonSeen;
  }
}

export interface WriteDataOptions {
  chunkBytes: number;
  /** Line rate to pace to, bit/s; 0 = no pacing. */
  paceBps: number;
  /** Longest wait for XON after an XOFF. */
  xoffTimeoutMs: number;
  clock: Clock;
  onProgress?: (bytes: number) => void;
}

export class PageAbortedError extends Error {
  constructor(readonly line: string) {
    super(`modem ended the page: ${line}`);
    this.name = 'PageAbortedError';
  }
}

/**
 * Waits out an XOFF: until XON (or an abort line), the modem going away (a modem that vanished while
 * holding us off is reported as gone, not as a protocol fault), or the timeout.
 */
async function waitForXon(ch: AtChannel, watcher: TxFlowWatcher, o: WriteDataOptions): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = o.clock.setTimeout(() => resolve('timeout'), o.xoffTimeoutMs)));
  const gone = ch.onceGone();
  try {
    const outcome = await Promise.race([watcher.ready().then(() => 'ok' as const), timeout, gone.gone]);
    if (outcome instanceof Error) throw outcome;
    const reason = ch.goneReason();
    if (reason) throw reason;
    if (outcome === 'timeout') throw new PageAbortedError(`no XON within ${o.xoffTimeoutMs} ms after XOFF`);
  } finally {
    if (timer) o.clock.clearTimeout(timer);
    gone.cancel();
  }
}

/** Writes stuffed page data under user-space flow control and optional pacing. */
export async function writeData(ch: AtChannel, watcher: TxFlowWatcher, data: Buffer, o: WriteDataOptions): Promise<void> {
  let due = o.clock.now();
  for (let off = 0; off < data.length; off += o.chunkBytes) {
    if (watcher.paused) await waitForXon(ch, watcher, o);
    if (watcher.abortLine) throw new PageAbortedError(watcher.abortLine);
    const chunk = data.subarray(off, off + o.chunkBytes);
    await ch.write(chunk);
    o.onProgress?.(off + chunk.length);
    if (o.paceBps > 0) {
      // like a UART: never faster than the rate in any stretch, and no catching up after a stall
      due = Math.max(due, o.clock.now()) + (chunk.length * 8 * 1000) / o.paceBps;
      const wait = due - o.clock.now();
      if (wait > 0) await sleep(o.clock, wait);
    }
  }
  if (watcher.abortLine) throw new PageAbortedError(watcher.abortLine);
}
