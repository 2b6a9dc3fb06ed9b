/**
 * A received fax as the core's edge service records it: when an agent's upload is complete, the file
 * goes into the attachment store and, in the same transaction, a journal row
 *   edge.file_received { agent, site, transferId, attachmentId, contentType, meta }
 * is appended, `meta` being the agent's file offer meta without what may identify a person: the
 * edge agent offers { modemId, pages, remoteId?, incomplete? } for a received fax (edge-agent/src/agent/agent.ts),
 * and the remote fax id is kept only in the edge service's `edge_files` row (`edge.file`).
 * `kind: 'fax'` and `receivedAt` are read when present.
 */
import type { JournalEvent } from '@okno/core';
import type { EdgeEvent, EdgeFile } from '../edge-port.js';

export const FILE_RECEIVED = 'edge.file_received';

export interface FaxUpload {
  seq: number;
  site: string;
  agent: string;
  transferId: string;
  attachmentId: number;
  /** The sender's station id (CSI/TSI, usually its fax number), null when it sent none. */
  remoteId: string | null;
  /** Pages the modem counted, null when the agent did not say. */
  pages: number | null;
  modemId: string | null;
  /** When the fax came in: the agent's time when it says, else when the core stored the file. */
  receivedAt: Date;
  /** The journal row's site (the edge service's mapping of the agent's site), if any. */
  siteId: number | null;
  /** The agent cut the call short (a receive limit): why; the pages accepted before are in the file. */
  incomplete: string | null;
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);

function date(v: unknown): Date | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Whether an upload is a received fax: said so, or a TIFF from a modem (what the agent sends today). */
function isFax(contentType: string, meta: Record<string, unknown>): boolean {
  if (meta.kind !== undefined) return meta.kind === 'fax';
  return /^image\/tiff\b/i.test(contentType) && typeof meta.modemId === 'string';
}

/** The fax of an `edge.file_received` row; null for other rows and other uploads. */
export function faxUploadOf(e: JournalEvent): FaxUpload | null {
  if (e.type !== FILE_RECEIVED) return null;
  const d = e.data;
  const meta = d.meta && typeof d.meta === 'object' ? (d.meta as Record<string, unknown>) : {};
  const attachmentId = Number(d.attachmentId);
  const transferId = text(d.transferId, 200);
  if (!isFax(String(d.contentType ?? ''), meta) || !transferId || !Number.isInteger(attachmentId) || attachmentId <= 0) return null;
  const pages = Number(meta.pages);
  return {
    seq: e.seq,
    site: text(d.site, 32) ?? '',
    agent: text(d.agent, 64) ?? '',
    transferId,
    attachmentId,
    remoteId: text(meta.remoteId, 40),
    pages: Number.isInteger(pages) && pages > 0 ? pages : null,
    modemId: text(meta.modemId, 200),
    receivedAt: date(meta.receivedAt) ?? new Date(e.at),
    siteId: e.siteId,
    incomplete: text(meta.incomplete, 300),
  };
}

/** The intake message id of a fax: one appeal per upload, however often the row is read. */
export const faxMessageId = (transferId: string) => `fax:${transferId}`;

/**
 * The upload completed with the edge service's records of it: the remote fax id from the file's
 * offer meta, and when the fax came in: the offer's `receivedAt` if the agent says, else the time of
 * the agent's `fax.received` event, else when the core stored the file (later, if the site was
 * offline for a while).
 */
export function withEdgeRecords(fax: FaxUpload, file: EdgeFile | null, received: EdgeEvent | null): FaxUpload {
  return {
    ...fax,
    remoteId: text(file?.meta.remoteId, 40) ?? text(received?.data.remoteId, 40) ?? fax.remoteId,
    receivedAt: date(file?.meta.receivedAt) ?? date(received?.at) ?? date(file?.receivedAt) ?? fax.receivedAt,
    siteId: fax.siteId ?? file?.siteId ?? null,
  };
}
