/**
 * Files agents upload (received faxes as TIFF Class F, ...): the protocol's FileReceiver over a
 * DirChunkStore under the data folder, so a transfer resumes after a core restart. A completed file
 * goes into the attachment store, and its attachment row, an `edge_files` row and the journal row
 * `edge.file_received` are written in one transaction; only after that commit does the agent get
 * `done ok` (FileReceiver calls onFile before answering). A repeated commit of a stored transfer
 * finds its `edge_files` row and is answered ok again without storing anything twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger as LoggerInstance } from 'moleculer';
import { encodeFileMessage, envelope, coreSender, fileTopic, FileReceiver, type ReceivedFile, type SenderMessage } from '@okno/protocol';
import { DirChunkStore, nodeSha256 } from '@okno/protocol/node';
import type { Database } from '../persistence/database.js';
import { Attachment } from '../persistence/entities/index.js';
import { safeFilename, type AttachmentStore } from '../domain/attachments.js';
import { appendJournal } from '../domain/journal.js';
import { EdgeFileRecord } from './entities.js';
import { AGENT_AGGREGATE, type AgentRef } from './fleet-store.js';

export interface UploadOptions {
  db: Database;
  attachments: AttachmentStore;
  /** Folder of the chunk store. */
  dir: string;
  nodeId: string;
  /** Publishes a reply (not awaited: this runs inside the MQTT message handler). */
  publish: (topic: string, payload: Uint8Array) => void;
  logger: LoggerInstance;
  /** After a file's rows are committed (nudges the journal relay). */
  committed?: () => void;
}

/** Journal meta: the offer's meta without what may identify a person (the remote fax id is a number). */
const PRIVATE_META = new Set(['remoteId', 'number', 'callerId']);

export class UploadReceiver {
  private readonly receiver: FileReceiver;
  private readonly store: DirChunkStore;
  private readonly owners = new Map<string, AgentRef>();
  stored = 0;

  constructor(private readonly o: UploadOptions) {
    mkdirSync(o.dir, { recursive: true });
    this.store = new DirChunkStore(o.dir);
    this.receiver = new FileReceiver({
      store: this.store,
      sha256: nodeSha256,
      maxSize: o.attachments.limits.maxBytes,
      envelope: () => envelope(coreSender(o.nodeId)),
      send: (m) => {
        const owner = this.owners.get(m.transferId);
        if (owner) o.publish(fileTopic({ site: owner.siteCode, agent: owner.agentId }, 'down', m.transferId), encodeFileMessage(m));
        if (m.type === 'done') this.owners.delete(m.transferId);
      },
      onFile: (f) => this.keep(f),
    });
  }

  /**
   * Feeds a sender message from `agent`. Returns false (and does nothing) when the transfer id
   * belongs to another agent.
   */
  async handle(agent: AgentRef, msg: SenderMessage): Promise<boolean> {
    const id = msg.transferId;
    const known = this.owners.get(id);
    if (known) {
      if (known.id !== agent.id) return false;
    } else {
      const offer = await this.store.getOffer(id);
      const s = offer?.sender;
      if (s && !(s.role === 'agent' && s.site === agent.siteCode && s.agent === agent.agentId)) return false;
      this.owners.set(id, agent);
    }
    await this.receiver.handle(msg);
    return true;
  }

  private async keep({ offer, data }: ReceivedFile): Promise<void> {
    const agent = this.owners.get(offer.transferId);
    if (!agent) throw new Error('transfer owner unknown');
    const existing = await this.o.db.read((em) => em.findOne(EdgeFileRecord, { where: { transferId: offer.transferId } }));
    if (existing) return;
    const mime = offer.contentType.toLowerCase().slice(0, 120);
    this.o.attachments.checkType(mime);
    if (data.length > this.o.attachments.limits.maxBytes) throw new Error(`file too large for the attachment store (${data.length} > ${this.o.attachments.limits.maxBytes})`);
    await this.writeBlob(offer.sha256, data);
    const now = new Date();
    const meta = offer.meta as Record<string, unknown>;
    const publicMeta = Object.fromEntries(Object.entries(meta).filter(([k]) => !PRIVATE_META.has(k)));
    await this.o.db.transaction(async (em) => {
      const att = await em.save(Attachment, em.create(Attachment, { sha256: offer.sha256, size: data.length, mime, filename: safeFilename(offer.name), createdAt: now }));
      await em.save(EdgeFileRecord, em.create(EdgeFileRecord, {
        transferId: offer.transferId, agentRowId: agent.id, attachmentId: att.id, name: offer.name.slice(0, 255), contentType: mime, size: data.length, sha256: offer.sha256, meta, receivedAt: now,
      }));
      await appendJournal(em, {
        type: 'edge.file_received', aggregateType: AGENT_AGGREGATE, aggregateId: agent.id, siteId: agent.siteId,
        data: { agent: agent.agentId, site: agent.siteCode, transferId: offer.transferId, attachmentId: att.id, contentType: mime, meta: publicMeta },
      });
    });
    this.stored++;
    this.o.committed?.();
    this.o.logger.info({ transferId: offer.transferId, agent: `${agent.siteCode}.${agent.agentId}`, size: data.length }, 'edge file stored');
  }

  /** Content-addressed like the attachment store: written to a temporary name, synced, renamed. */
  private async writeBlob(sha256: string, data: Uint8Array): Promise<void> {
    const target = this.o.attachments.pathOf(sha256);
    const st = await stat(target).catch(() => null);
    if (st?.size === data.length) return;
    mkdirSync(join(this.o.attachments.dir, sha256.slice(0, 2)), { recursive: true });
    const tmp = join(this.o.attachments.dir, 'tmp', `edge-${Date.now()}-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  }

  /** Removes transfers (finished or abandoned) not touched for `maxAgeMs`. */
  async sweep(maxAgeMs: number): Promise<number> {
    let n = 0;
    const limit = Date.now() - maxAgeMs;
    for (const name of await readdir(this.o.dir).catch(() => [] as string[])) {
      const p = join(this.o.dir, name);
      const st = await stat(p).catch(() => null);
      if (st && st.mtimeMs < limit) {
        await rm(p, { recursive: true, force: true });
        this.owners.delete(name);
        n++;
      }
    }
    return n;
  }
}
