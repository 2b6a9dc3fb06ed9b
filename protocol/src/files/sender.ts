/**
 * FileSender: the sending side of one transfer, as a transport-agnostic state machine.
 *
 * offer -> (ack) -> chunks in a sliding window, each acknowledged cumulatively -> commit -> done.
 * - Lost chunks or acks: after `ackTimeoutMs` without progress it goes back to the first
 *   unacknowledged chunk (go-back-N; the receiver keeps out-of-order chunks, so re-sent ones are
 *   harmless duplicates), with the timeout doubling up to 8x; after `maxRetries` it fails.
 * - `resume {from}` from the receiver (gap, bad checksum, receiver restarted): continue from there.
 * - `pause()` when the link drops; `resume()` after reconnecting re-sends the offer, and the
 *   receiver answers with the first chunk it is missing. A new FileSender with the same transferId
 *   (after an agent restart) does the same.
 */
import { systemClock, type Clock } from '../clock.js';
import { sha256Hex, type Sha256 } from '../hash.js';
import type { Envelope } from '../schemas/envelope.js';
import type { FileOffer, ReceiverMessage, SenderMessage } from './messages.js';

export const DEFAULT_CHUNK_SIZE = 64 * 1024;

export interface FileSenderOptions {
  transferId: string;
  data: Uint8Array;
  name: string;
  contentType: string;
  meta?: Record<string, string | number | boolean>;
  /** Bytes per chunk (default 64 KiB). */
  chunkSize?: number;
  /** Chunks sent but not yet acknowledged at most (default 8). */
  window?: number;
  ackTimeoutMs?: number;
  /** Consecutive timeouts without progress before giving up (default 8). */
  maxRetries?: number;
  /** Whole-file hash mismatches (receiver starts over) before giving up (default 2). */
  maxRestarts?: number;
  /** Sends one message; rejections are treated like a lost message (retried on timeout). */
  send: (msg: SenderMessage) => void | Promise<void>;
  /** A fresh envelope (id, v, ts, sender) for each message. */
  envelope: () => Envelope;
  clock?: Clock;
  sha256?: Sha256;
  onProgress?: (p: TransferProgress) => void;
}

export interface TransferProgress {
  transferId: string;
  ackedChunks: number;
  chunkCount: number;
  ackedBytes: number;
  size: number;
}

export type SenderState = 'idle' | 'offering' | 'sending' | 'committing' | 'paused' | 'done' | 'failed';

export interface TransferOutcome {
  ok: boolean;
  transferId: string;
  sha256: string;
  reason?: string;
  /** Chunk messages sent, including re-sends. */
  chunksSent: number;
}

export class FileSender {
  readonly transferId: string;
  readonly sha256: string;
  readonly chunkCount: number;
  readonly done: Promise<TransferOutcome>;
  private readonly o: Required<Omit<FileSenderOptions, 'meta' | 'onProgress'>> & Pick<FileSenderOptions, 'meta' | 'onProgress'>;
  private readonly chunkHashes: (string | undefined)[];
  private st: SenderState = 'idle';
  private base = 0; // first chunk not acknowledged
  private nextToSend = 0;
  private retries = 0;
  private restarts = 0;
  private timer: unknown;
  private lastRewind: { from: number; at: number } | undefined;
  private chunksSent = 0;
  private resolve!: (o: TransferOutcome) => void;

  constructor(opts: FileSenderOptions) {
    this.o = {
      chunkSize: 64 * 1024,
      window: 8,
      ackTimeoutMs: 5000,
      maxRetries: 8,
      maxRestarts: 2,
      clock: systemClock,
      sha256: sha256Hex,
      ...opts,
    };
    if (this.o.chunkSize < 1) throw new Error('chunkSize must be at least 1 byte');
    if (this.o.window < 1) throw new Error('window must be at least 1');
    this.transferId = opts.transferId;
    this.sha256 = this.o.sha256(opts.data);
    this.chunkCount = Math.ceil(opts.data.length / this.o.chunkSize);
    this.chunkHashes = new Array(this.chunkCount);
    this.done = new Promise((r) => (this.resolve = r));
  }

  get state(): SenderState {
    return this.st;
  }

  /** Sends the offer; the transfer proceeds as the receiver answers. */
  start(): void {
    if (this.st !== 'idle' && this.st !== 'paused') return;
    this.offer();
  }

  /** Stop sending (link down). Nothing is lost: resume() picks up where the receiver is. */
  pause(): void {
    if (this.finished()) return;
    this.disarm();
    this.st = 'paused';
  }

  /** After a reconnect: re-offer; the receiver's ack tells where to continue. */
  resume(): void {
    if (this.st !== 'paused') return;
    this.retries = 0;
    this.offer();
  }

  /** Gives up: tells the receiver and settles `done` as failed. */
  abort(reason: string): void {
    if (this.finished()) return;
    this.emit({ ...this.o.envelope(), type: 'abort', transferId: this.transferId, reason });
    this.fail(reason);
  }

  /** Feeds a message from the receiver. Messages of other transfers are ignored. */
  handle(msg: ReceiverMessage): void {
    if (msg.transferId !== this.transferId || this.finished() || this.st === 'paused') return;
    switch (msg.type) {
      case 'ack':
        return this.onAck(msg.next);
      case 'resume':
        return this.onResume(msg.from, msg.reason);
      case 'done':
        if (msg.ok) return this.finish();
        return this.fail(`receiver refused the file: ${msg.reason ?? 'no reason given'}`);
      case 'abort':
        return this.fail(`receiver aborted: ${msg.reason}`);
    }
  }

  private offer(): void {
    this.st = 'offering';
    const offer: FileOffer = {
      ...this.o.envelope(),
      type: 'offer',
      transferId: this.transferId,
      name: this.o.name,
      contentType: this.o.contentType,
      size: this.o.data.length,
      sha256: this.sha256,
      chunkSize: this.o.chunkSize,
      chunkCount: this.chunkCount,
      meta: this.o.meta ?? {},
    };
    this.emit(offer);
    this.arm();
  }

  private onAck(next: number): void {
    if (next > this.chunkCount) return this.abort(`receiver acknowledged chunk ${next} of ${this.chunkCount}`);
    const progressed = next > this.base || this.st === 'offering';
    if (this.st === 'offering') {
      // The answer to an offer is authoritative: the receiver may know more or less than we think.
      this.base = next;
      this.nextToSend = next;
      this.st = 'sending';
    } else if (next > this.base) {
      this.base = next;
      if (this.nextToSend < next) this.nextToSend = next;
    }
    if (progressed) {
      this.retries = 0;
      this.report();
    }
    if (this.st === 'sending' || this.st === 'committing') this.pump();
  }

  private onResume(from: number, reason: string): void {
    if (from > this.chunkCount) return this.abort(`receiver asked for chunk ${from} of ${this.chunkCount}`);
    if (reason === 'unknown-transfer') return this.offer();
    if (reason === 'file-hash') {
      if (++this.restarts > this.o.maxRestarts) return this.abort('whole-file sha256 did not match after re-sending');
      this.lastRewind = undefined;
    } else if (this.lastRewind && this.lastRewind.from === from && this.o.clock.now() - this.lastRewind.at < this.o.ackTimeoutMs) {
      return; // the same request again, already being served
    }
    this.lastRewind = { from, at: this.o.clock.now() };
    this.base = from;
    this.nextToSend = from;
    this.st = 'sending';
    this.pump();
  }

  private pump(): void {
    if (this.base >= this.chunkCount) {
      if (this.st !== 'committing') {
        this.st = 'committing';
        this.sendCommit();
      }
      return;
    }
    this.st = 'sending';
    const limit = Math.min(this.base + this.o.window, this.chunkCount);
    while (this.nextToSend < limit) this.sendChunk(this.nextToSend++);
    this.arm();
  }

  private sendChunk(index: number): void {
    const offset = index * this.o.chunkSize;
    const data = this.o.data.subarray(offset, Math.min(offset + this.o.chunkSize, this.o.data.length));
    const hash = (this.chunkHashes[index] ??= this.o.sha256(data));
    this.chunksSent++;
    this.emit({
      ...this.o.envelope(),
      type: 'chunk',
      transferId: this.transferId,
      index,
      offset,
      size: data.length,
      sha256: hash,
      fileSha256: this.sha256,
      data,
    });
  }

  private sendCommit(): void {
    this.emit({ ...this.o.envelope(), type: 'commit', transferId: this.transferId, chunkCount: this.chunkCount, sha256: this.sha256 });
    this.arm();
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.finished() || this.st === 'paused') return;
    if (++this.retries > this.o.maxRetries) return this.abort(`no answer from the receiver after ${this.o.maxRetries} retries`);
    if (this.st === 'offering') return this.offer();
    if (this.st === 'committing') return this.sendCommit();
    this.nextToSend = this.base; // go back N
    this.pump();
  }

  private arm(): void {
    this.disarm();
    const backoff = Math.min(2 ** this.retries, 8);
    this.timer = this.o.clock.setTimeout(() => this.onTimeout(), this.o.ackTimeoutMs * backoff);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(msg: SenderMessage): void {
    try {
      const r = this.o.send(msg);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => undefined);
    } catch {
      // treated as lost: the ack timeout re-sends
    }
  }

  private report(): void {
    const ackedBytes = Math.min(this.base * this.o.chunkSize, this.o.data.length);
    this.o.onProgress?.({ transferId: this.transferId, ackedChunks: this.base, chunkCount: this.chunkCount, ackedBytes, size: this.o.data.length });
  }

  private finished(): boolean {
    return this.st === 'done' || this.st === 'failed';
  }

  private finish(): void {
    this.disarm();
    this.st = 'done';
    this.base = this.chunkCount;
    this.report();
    this.resolve({ ok: true, transferId: this.transferId, sha256: this.sha256, chunksSent: this.chunksSent });
  }

  private fail(reason: string): void {
    this.disarm();
    this.st = 'failed';
    this.resolve({ ok: false, transferId: this.transferId, sha256: this.sha256, reason, chunksSent: this.chunksSent });
  }
}
