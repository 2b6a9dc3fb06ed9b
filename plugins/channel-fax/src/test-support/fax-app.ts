/**
 * Test support: a whole core with the fax channel, and received faxes put in the way the core's edge
 * service does it when an agent's upload completes: the TIFF into the attachment store, then an
 * `edge.file_received` journal row naming it.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceSchema } from 'moleculer';
import { startTestApp, type TestApp } from '@okno/core/testing';
import { waitFor } from '@okno/testkit';
import { appendJournal, Interaction, Site, type Database, type AttachmentStore, type CoreContext, type PluginDefinition } from '@okno/core';
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
}

export interface Uploaded {
  seq: number;
  transferId: string;
  attachmentId: number;
}

/** Stores the file and appends the journal row, as the edge service does. */
export async function putUpload(db: Database, attachments: AttachmentStore, u: Upload): Promise<Uploaded> {
  const transferId = randomUUID();
  const attachmentId = u.attachmentId ?? (await attachments.put(u.tiff, { filename: u.filename ?? 'fax-2025-03-05T11-07-00-000Z.tif', mime: u.contentType ?? 'image/tiff' })).id;
  const site = u.site ?? 'cao-arbat';
  const seq = await db.transaction(async (em) => {
    const s = await em.findOne(Site, { where: { code: site } });
    const row = await appendJournal(em, {
      type: FILE_RECEIVED, aggregateType: 'edge_transfer', aggregateId: transferId, siteId: s?.id ?? null,
      data: { agent: u.agent ?? 'arbat-1', site, transferId, attachmentId, contentType: u.contentType ?? 'image/tiff', meta: u.meta ?? { modemId: '/dev/ttyACM0', pages: 2, remoteId: '+7 495 123-45-67' } },
    });
    return row.seq;
  });
  return { seq, transferId, attachmentId };
}

export interface FaxApp {
  app: TestApp;
  core: CoreContext;
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
  return {
    app,
    core,
    upload: async (u) => {
      const r = await putUpload(core.db, core.attachments, u);
      core.journalCommitted();
      return r;
    },
    interactionOf: (transferId, ms) =>
      waitFor(`the appeal of fax ${transferId}`, () => core.db.read((em) => em.findOne(Interaction, { where: { channel: 'fax', externalId: `fax:${transferId}` } })), ms ?? 20_000) as Promise<Interaction>,
    stop: () => app.stop(),
  };
}
