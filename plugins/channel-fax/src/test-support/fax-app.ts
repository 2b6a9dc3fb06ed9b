/**
 * Test support: a whole core with the fax channel, and received faxes put in the way the core's edge
 * service does it when an agent's upload completes: the TIFF into the attachment store, then an
 * `edge.file_received` journal row naming it.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceSchema } from 'moleculer';
import { startTestApp, type TestApp } from '@okno/core/testing';
import { waitFor } from '@okno/testkit';
import { appendJournal, EdgeAgentRecord, EdgeFileRecord, Interaction, type Database, type AttachmentStore, type CoreContext, type PluginDefinition } from '@okno/core';
import faxPlugin from '../index.js';
import type { FaxConfig } from '../config.js';
import { FILE_RECEIVED } from '../inbound/fax-upload.js';

export interface Upload {
  tiff: Buffer;
  site?: string;
  agent?: string;
  filename?: string;
  contentType?: string;
  /** The agent's file offer meta; default what the edge agent sends for a received fax. */
  meta?: Record<string, unknown>;
  /** Use this attachment id instead of storing `tiff` (e.g. one that does not exist). */
  attachmentId?: number;
  /** The same transfer again (a row read twice). */
  transferId?: string;
}

export interface Uploaded {
  seq: number;
  transferId: string;
  attachmentId: number;
}

/** What the edge service keeps out of the journal (it may identify a person). */
const PRIVATE_META = ['remoteId', 'number', 'callerId'];

/**
 * Stores the file and records the upload as the edge service does when an agent's upload completes
 * (core/src/edge/uploads.ts): an `edge_files` row with the full offer meta and the journal row
 * `edge.file_received` without the fax number, in one transaction. The agent must be registered.
 */
export async function putUpload(db: Database, attachments: AttachmentStore, u: Upload): Promise<Uploaded> {
  const site = u.site ?? 'cao-arbat';
  const agentId = u.agent ?? 'arbat-1';
  const agent = await db.read((em) => em.findOne(EdgeAgentRecord, { where: { siteCode: site, agentId } }));
  if (!agent) throw new Error(`register the edge agent ${site}.${agentId} first`);
  const transferId = u.transferId ?? randomUUID();
  const contentType = u.contentType ?? 'image/tiff';
  const name = u.filename ?? 'fax-2025-03-05T11-07-00-000Z.tif';
  const stored = u.attachmentId ? null : await attachments.put(u.tiff, { filename: name, mime: contentType });
  const attachmentId = u.attachmentId ?? stored!.id;
  const meta = u.meta ?? { modemId: '/dev/ttyACM0', pages: 2, remoteId: '+7 495 123-45-67' };
  const seq = await db.transaction(async (em) => {
    if (!(await em.findOne(EdgeFileRecord, { where: { transferId } }))) {
      await em.save(EdgeFileRecord, em.create(EdgeFileRecord, { transferId, agentRowId: agent.id, attachmentId, name, contentType, size: u.tiff.length, sha256: stored?.sha256 ?? '', meta, receivedAt: new Date() }));
    }
    const row = await appendJournal(em, {
      type: FILE_RECEIVED, aggregateType: 'edge_agent', aggregateId: agent.id, siteId: agent.siteId,
      data: { agent: agentId, site, transferId, attachmentId, contentType, meta: Object.fromEntries(Object.entries(meta).filter(([k]) => !PRIVATE_META.includes(k))) },
    });
    return row.seq;
  });
  return { seq, transferId, attachmentId };
}

export interface FaxApp {
  app: TestApp;
  core: CoreContext;
  /** Registers the agent (if need be) and records an upload of it, as the edge service does. */
  upload(u: Upload): Promise<Uploaded>;
  /** The inbound interaction of an upload once it is an appeal (waits for it). */
  interactionOf(transferId: string, timeoutMs?: number): Promise<Interaction>;
  stop(): Promise<void>;
}

export async function startFaxApp(o: { fax?: Partial<FaxConfig>; dbUrl?: string; attachmentsDir?: string; services?: (core: CoreContext) => ServiceSchema[]; deliveryPollMs?: number } = {}): Promise<FaxApp> {
  const app = await startTestApp({
    plugins: { 'channel-fax': faxPlugin as unknown as PluginDefinition },
    dbUrl: o.dbUrl,
    services: o.services,
    deliveryPollMs: o.deliveryPollMs,
    config: {
      plugins: [{ name: 'channel-fax', config: { pollMs: 100, ...o.fax } }],
      ...(o.attachmentsDir ? { attachments: { dir: o.attachmentsDir, maxBytes: 25 * 1024 * 1024, allowedTypes: [] } } : {}),
    },
  });
  const core = app.app.core;
  const register = (site: string, agent: string) =>
    core.broker.call('edge.register', { site, agent }).catch((err: { code?: number }) => {
      if (err.code !== 409) throw err; // registered already
    });
  return {
    app,
    core,
    upload: async (u) => {
      await register(u.site ?? 'cao-arbat', u.agent ?? 'arbat-1');
      const r = await putUpload(core.db, core.attachments, u);
      core.journalCommitted();
      return r;
    },
    interactionOf: (transferId, ms) =>
      waitFor(`the appeal of fax ${transferId}`, () => core.db.read((em) => em.findOne(Interaction, { where: { channel: 'fax', externalId: `fax:${transferId}` } })), ms ?? 20_000) as Promise<Interaction>,
    stop: () => app.stop(),
  };
}
