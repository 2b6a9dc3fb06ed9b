/**
 * FileReceiver: the receiving side of file transfers (any number of them, keyed by transferId),
 * as a transport-agnostic state machine over an injected ChunkStore.
 *
 * - offer: new -> stored, ack next=0; known -> ack next=<first missing chunk> (resume after either
 *   side restarted); complete -> done again; same id with another hash -> done ok=false.
 * - chunk: checked (offset, size, whole-file hash, chunk hash); a bad one is not stored and the
 *   sender is asked to resume from it; a duplicate is ignored (idempotent) and re-acknowledged;
 *   out-of-order chunks are kept, and a gap is reported once as resume {from: first missing}.
 * - commit: all chunks there -> whole-file sha256 verified -> `onFile`, then done ok; mismatch ->
 *   chunks dropped and resume from 0 (reason file-hash); missing chunks -> resume from the first.
 */
import { sha256Hex, type Sha256 } from '../hash.js';
import type { Envelope } from '../schemas/envelope.js';
import type { FileChunk, FileCommit, FileOffer, ReceiverMessage, SenderMessage } from './messages.js';
import type { ChunkStore } from './store.js';

export interface ReceivedFile {
  offer: FileOffer;
  data: Uint8Array;
}

export interface FileReceiverOptions {
  store: ChunkStore;
  send: (msg: ReceiverMessage) => void | Promise<void>;
  envelope: () => Envelope;
  /**
   * Called once per completed file, before `done ok` is sent. Throwing makes the receiver answer
   * done ok=false (e.g. the attachment store is full) so the sender does not consider it delivered.
   */
  onFile: (file: ReceivedFile) => void | Promise<void>;
  sha256?: Sha256;
  /** Largest file accepted (default 64 MiB). */
  maxSize?: number;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ReplyBody = DistributiveOmit<ReceiverMessage, keyof Envelope>;

interface Live {
  offer: FileOffer;
  have: Set<number>;
  next: number;
  /** The `from` of the last gap report, so a gap is reported once until it moves. */
  reportedGap?: number;
}

export class FileReceiver {
  private readonly live = new Map<string, Live>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly sha: Sha256;
  private readonly maxSize: number;

  constructor(private readonly o: FileReceiverOptions) {
    this.sha = o.sha256 ?? sha256Hex;
    this.maxSize = o.maxSize ?? 64 * 1024 * 1024;
  }

  /** Feeds one message from a sender; messages of one transfer are handled in order. */
  handle(msg: SenderMessage): Promise<void> {
    const id = msg.transferId;
    const prev = this.queues.get(id) ?? Promise.resolve();
    const run = prev.then(() => this.dispatch(msg));
    const tail = run.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return run;
  }

  /** Progress of a transfer this receiver has seen (undefined if unknown in memory). */
  progress(transferId: string): { next: number; received: number; chunkCount: number } | undefined {
    const l = this.live.get(transferId);
    return l && { next: l.next, received: l.have.size, chunkCount: l.offer.chunkCount };
  }

  private async dispatch(msg: SenderMessage): Promise<void> {
    switch (msg.type) {
      case 'offer':
        return this.onOffer(msg);
      case 'chunk':
        return this.onChunk(msg);
      case 'commit':
        return this.onCommit(msg);
      case 'abort':
        this.live.delete(msg.transferId);
        return this.o.store.discard(msg.transferId);
    }
  }

  private reply(msg: ReplyBody): Promise<void> | void {
    return this.o.send({ ...this.o.envelope(), ...msg } as ReceiverMessage);
  }

  private async load(id: string): Promise<Live | undefined> {
    const cached = this.live.get(id);
    if (cached) return cached;
    const offer = await this.o.store.getOffer(id);
    if (!offer) return undefined;
    const have = new Set(await this.o.store.chunkIndexes(id));
    const l: Live = { offer, have, next: 0 };
    advance(l);
    this.live.set(id, l);
    return l;
  }

  private async onOffer(offer: FileOffer): Promise<void> {
    const id = offer.transferId;
    const done = await this.o.store.completedSha256(id);
    if (done !== undefined) {
      await this.reply({ type: 'done', transferId: id, ok: done === offer.sha256, sha256: done, ...(done === offer.sha256 ? {} : { reason: 'conflict: this transfer id completed with another file' }) });
      return;
    }
    const problem = checkOffer(offer, this.maxSize);
    if (problem) {
      await this.reply({ type: 'done', transferId: id, ok: false, reason: problem });
      return;
    }
    let l = await this.load(id);
    if (l && (l.offer.sha256 !== offer.sha256 || l.offer.size !== offer.size || l.offer.chunkSize !== offer.chunkSize)) {
      await this.reply({ type: 'done', transferId: id, ok: false, reason: 'conflict: this transfer id is in use for another file' });
      return;
    }
    if (!l) {
      await this.o.store.putOffer(offer);
      l = { offer, have: new Set(), next: 0 };
      this.live.set(id, l);
    }
    l.reportedGap = undefined;
    await this.reply({ type: 'ack', transferId: id, next: l.next, received: l.have.size });
  }

  private async onChunk(c: FileChunk): Promise<void> {
    const id = c.transferId;
    if ((await this.o.store.completedSha256(id)) !== undefined) {
      const offer = await this.o.store.getOffer(id);
      if (offer) await this.reply({ type: 'ack', transferId: id, next: offer.chunkCount, received: offer.chunkCount });
      return;
    }
    const l = await this.load(id);
    if (!l) {
      await this.reply({ type: 'resume', transferId: id, from: 0, reason: 'unknown-transfer' });
      return;
    }
    const { offer } = l;
    const expectedSize = c.index === offer.chunkCount - 1 ? offer.size - c.index * offer.chunkSize : offer.chunkSize;
    const bad =
      c.index >= offer.chunkCount ||
      c.offset !== c.index * offer.chunkSize ||
      c.size !== expectedSize ||
      c.data.length !== c.size ||
      c.fileSha256 !== offer.sha256 ||
      this.sha(c.data) !== c.sha256;
    if (bad) {
      if (c.index < offer.chunkCount && !l.have.has(c.index)) {
        l.reportedGap = Math.min(l.next, c.index);
        await this.reply({ type: 'resume', transferId: id, from: l.reportedGap, reason: 'checksum' });
      }
      return;
    }
    if (!l.have.has(c.index)) {
      await this.o.store.putChunk(id, c.index, c.data);
      l.have.add(c.index);
      advance(l);
    }
    if (c.index > l.next && l.reportedGap !== l.next) {
      l.reportedGap = l.next;
      await this.reply({ type: 'resume', transferId: id, from: l.next, reason: 'gap' });
      return;
    }
    await this.reply({ type: 'ack', transferId: id, next: l.next, received: l.have.size });
  }

  private async onCommit(c: FileCommit): Promise<void> {
    const id = c.transferId;
    const done = await this.o.store.completedSha256(id);
    if (done !== undefined) {
      await this.reply({ type: 'done', transferId: id, ok: done === c.sha256, sha256: done });
      return;
    }
    const l = await this.load(id);
    if (!l) {
      await this.reply({ type: 'resume', transferId: id, from: 0, reason: 'unknown-transfer' });
      return;
    }
    if (l.next < l.offer.chunkCount) {
      l.reportedGap = l.next;
      await this.reply({ type: 'resume', transferId: id, from: l.next, reason: 'gap' });
      return;
    }
    const data = await this.o.store.readFile(id);
    const sha = this.sha(data);
    if (sha !== l.offer.sha256 || data.length !== l.offer.size) {
      await this.o.store.dropChunks(id);
      l.have.clear();
      l.next = 0;
      l.reportedGap = 0;
      await this.reply({ type: 'resume', transferId: id, from: 0, reason: 'file-hash' });
      return;
    }
    try {
      await this.o.onFile({ offer: l.offer, data });
    } catch (err) {
      await this.reply({ type: 'done', transferId: id, ok: false, reason: `receiver could not keep the file: ${(err as Error).message}` });
      return;
    }
    await this.o.store.markComplete(id, sha);
    this.live.delete(id);
    await this.reply({ type: 'done', transferId: id, ok: true, sha256: sha });
  }
}

function advance(l: Live): void {
  while (l.have.has(l.next)) l.next++;
}

function checkOffer(o: FileOffer, maxSize: number): string | undefined {
  if (o.size > maxSize) return `file too large: ${o.size} bytes, the limit is ${maxSize}`;
  if (o.chunkCount !== Math.ceil(o.size / o.chunkSize)) return `chunkCount ${o.chunkCount} does not fit size ${o.size} / chunkSize ${o.chunkSize}`;
  return undefined;
}
