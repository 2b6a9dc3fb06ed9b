/**
 * File transfers over the link.
 * - Uploads (agent -> core, e.g. received faxes): files wait in the spool; a FileSender per file
 *   publishes on files/up/<id> and the core's acks arrive on files/down/<id>. Senders pause when
 *   the link drops and re-offer when it is back (the core answers with the first missing chunk);
 *   after an agent restart new senders with the same ids do the same.
 * - Downloads (core -> agent, e.g. documents for fax.send): a FileReceiver over a DirChunkStore in
 *   <spool>/downloads, answering on files/up/<id>; completed files land in <spool>/downloads/<id>.file.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  decodeFileMessage,
  encodeFileMessage,
  envelope,
  fileTopic,
  FileReceiver,
  FileSender,
  type AgentAddress,
  type FileMessage,
  type ReceiverMessage,
  type SenderMessage,
  type Sender,
  type TransferProgress,
} from '@okno/protocol';
import { DirChunkStore, nodeSha256 } from '@okno/protocol/node';
import type { Spool } from '../spool/spool.js';

export interface TransferOptions {
  spool: Spool;
  addr: AgentAddress;
  sender: Sender;
  publish: (topic: string, payload: Uint8Array) => Promise<void>;
  isUp: () => boolean;
  chunkSize: number;
  window: number;
  ackTimeoutMs: number;
  /** Uploads running at once. */
  concurrency?: number;
  logger: Logger;
  onProgress?: (p: TransferProgress & { name: string }) => void;
  /** An upload the core refused for good (the file stays in <spool>/failed). */
  onFailed?: (transferId: string, reason: string) => void;
}

export class Transfers {
  private readonly senders = new Map<string, FileSender>();
  private readonly retryAt = new Map<string, number>();
  private readonly receiver: FileReceiver;
  private readonly downloads: string;
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly o: TransferOptions) {
    this.downloads = join(o.spool.dir, 'downloads');
    mkdirSync(this.downloads, { recursive: true });
    this.receiver = new FileReceiver({
      store: new DirChunkStore(join(this.downloads, 'chunks')),
      sha256: nodeSha256,
      envelope: () => envelope(o.sender),
      // Not awaited: this runs inside the incoming-message handler, and mqtt.js reads the PUBACK
      // only after that handler returns. A lost ack is re-sent when the sender retries.
      send: (m) => void this.publish(m).catch(() => undefined),
      onFile: ({ offer, data }) => {
        writeFileSync(this.downloadPath(offer.transferId), data);
        o.logger.info({ transferId: offer.transferId, name: offer.name, size: offer.size }, 'download complete');
        for (const w of this.waiters.get(offer.transferId) ?? []) w();
        this.waiters.delete(offer.transferId);
      },
    });
  }

  private publish(m: FileMessage): Promise<void> {
    if (!this.o.isUp()) return Promise.reject(new Error('link down'));
    return this.o.publish(fileTopic(this.o.addr, 'up', m.transferId), encodeFileMessage(m));
  }

  downloadPath(transferId: string): string {
    if (!/^[0-9A-Za-z-]+$/.test(transferId)) throw new Error(`invalid transfer id ${transferId}`);
    return join(this.downloads, `${transferId}.file`);
  }

  /** The path of a completed download, if it is there. */
  downloaded(transferId: string): string | undefined {
    const p = this.downloadPath(transferId);
    return existsSync(p) ? p : undefined;
  }

  /** Handles a payload from files/down/<id>. */
  async handleDown(payload: Uint8Array): Promise<void> {
    let msg: FileMessage;
    try {
      msg = decodeFileMessage(payload);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'bad file transfer message');
      return;
    }
    const up = this.senders.get(msg.transferId);
    if (up && (msg.type === 'ack' || msg.type === 'resume' || msg.type === 'done' || msg.type === 'abort')) {
      up.handle(msg as ReceiverMessage);
      return;
    }
    if (msg.type === 'offer' || msg.type === 'chunk' || msg.type === 'commit' || msg.type === 'abort') await this.receiver.handle(msg as SenderMessage);
  }

  /** Starts (or resumes) uploads of the files waiting in the spool. */
  pump(): void {
    if (!this.o.isUp()) return;
    for (const s of this.senders.values()) if (s.state === 'paused') s.resume();
    const limit = this.o.concurrency ?? 2;
    for (const f of this.o.spool.listFiles()) {
      if (this.senders.size >= limit) break;
      if (this.senders.has(f.transferId) || (this.retryAt.get(f.transferId) ?? 0) > Date.now()) continue;
      const sender = new FileSender({
        transferId: f.transferId,
        data: this.o.spool.readFile(f.transferId),
        name: f.name,
        contentType: f.contentType,
        meta: f.meta,
        chunkSize: this.o.chunkSize,
        window: this.o.window,
        ackTimeoutMs: this.o.ackTimeoutMs,
        sha256: nodeSha256,
        envelope: () => envelope(this.o.sender),
        send: (m) => this.publish(m),
        onProgress: (p) => this.o.onProgress?.({ ...p, name: f.name }),
      });
      this.senders.set(f.transferId, sender);
      sender.start();
      void sender.done.then((out) => {
        this.senders.delete(f.transferId);
        if (out.ok) {
          this.o.logger.info({ transferId: f.transferId, name: f.name, size: f.size, chunksSent: out.chunksSent }, 'upload complete');
          this.o.spool.removeFile(f.transferId);
        } else if (/refused|conflict|too large|aborted/.test(out.reason ?? '')) {
          this.o.logger.error({ transferId: f.transferId, reason: out.reason }, 'upload refused by the core');
          this.park(f.transferId);
          this.o.onFailed?.(f.transferId, out.reason ?? 'refused');
        } else {
          this.o.logger.warn({ transferId: f.transferId, reason: out.reason }, 'upload stalled; will retry');
          this.retryAt.set(f.transferId, Date.now() + 30_000);
        }
        this.pump();
      });
    }
  }

  /** The link dropped: pause every upload. */
  pauseAll(): void {
    for (const s of this.senders.values()) s.pause();
  }

  get activeUploads(): number {
    return this.senders.size;
  }

  /** Resolves when a download completes (or at once if it has). */
  waitForDownload(transferId: string): Promise<void> {
    if (this.downloaded(transferId)) return Promise.resolve();
    return new Promise((r) => this.waiters.set(transferId, [...(this.waiters.get(transferId) ?? []), r]));
  }

  private park(transferId: string): void {
    const failed = join(this.o.spool.dir, 'failed');
    mkdirSync(failed, { recursive: true });
    writeFileSync(join(failed, `${transferId}.bin`), this.o.spool.readFile(transferId));
    this.o.spool.removeFile(transferId);
  }
}
