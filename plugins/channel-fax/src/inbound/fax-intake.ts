/**
 * One received fax becomes one appeal, "received" but not registered: the applicant's name, address
 * and request are on the pages, and an operator keys them in from the page images and registers it.
 * Attached: the TIFF as received plus one PNG per page (browsers do not show TIFF). A file that
 * cannot be read still makes its appeal, with the TIFF and a note: nothing is lost.
 *
 * Idempotent by the upload's transferId (intake message id `fax:<transferId>`); an upload that is
 * already an appeal is not drawn again.
 */
import type { Logger } from 'moleculer';
import { DomainError, Interaction, Site, type AttachmentStore, type Database, type IntakeInput, type IntakeResult } from '@okno/core';
import type { FaxPreviews } from '../tiff/previews.js';
import type { EdgePort } from '../edge-port.js';
import { faxMessageId, withEdgeRecords, type FaxUpload } from './fax-upload.js';
import { faxBody, faxContact, faxSubject } from './fax-text.js';

export const CHANNEL = 'fax';

export interface FaxIntakeDeps {
  db: Database;
  attachments: Pick<AttachmentStore, 'read' | 'put'>;
  /** `appeals.intake` through the broker. */
  intake: (input: IntakeInput) => Promise<IntakeResult>;
  /** The edge service's records of an upload (with the remote fax id the journal leaves out). */
  edge: Pick<EdgePort, 'file' | 'faxReceived'>;
  /** Reads the TIFF and draws its pages (in a worker); throws with the reason when it cannot. */
  previews: (tiff: Buffer) => Promise<FaxPreviews>;
  timeZone: string;
  fallbackSiteCode: string | null;
  logger: Logger;
}

export interface FaxIntakeResult {
  appealId: number;
  created: boolean;
  previews: number;
  problem: string | null;
}

const isNotFound = (err: unknown) => err instanceof DomainError && err.code === 404;

export class FaxIntake {
  constructor(private readonly d: FaxIntakeDeps) {}

  async take(upload: FaxUpload): Promise<FaxIntakeResult> {
    const messageId = faxMessageId(upload.transferId);
    const done = await this.d.db.read((em) => em.findOne(Interaction, { where: { channel: CHANNEL, externalId: messageId }, select: { id: true, appealId: true } }));
    if (done) return { appealId: done.appealId, created: false, previews: 0, problem: null };
    const [record, received] = await Promise.all([this.d.edge.file(upload.transferId), this.d.edge.faxReceived(upload.site, upload.transferId)]);
    const fax = withEdgeRecords(upload, record, received);

    const file = await this.d.attachments.read(fax.attachmentId).catch((err: unknown) => {
      if (isNotFound(err)) return null;
      throw err;
    });
    let fileProblem: string | null = file ? null : `the fax file (attachment ${fax.attachmentId}) is not in the attachment store`;
    let drawn: FaxPreviews | null = null;
    if (file) {
      try {
        drawn = await this.d.previews(file.content);
      } catch (err) {
        fileProblem = (err as Error).message;
      }
    }
    const base = (file?.meta.filename ?? `fax-${fax.transferId}`).replace(/\.tiff?$/i, '');
    const stored: { attachmentId: number; filename: string }[] = [];
    const pageProblems = [...(drawn?.problems ?? [])];
    for (const p of drawn?.previews ?? []) {
      const filename = `${base}-${String(p.page).padStart(2, '0')}.png`;
      try {
        const a = await this.d.attachments.put(p.png, { filename, mime: 'image/png' });
        stored.push({ attachmentId: a.id, filename });
      } catch (err) {
        // A refused type or size (the core's attachment limits) loses the picture, never the fax.
        if (!(err instanceof DomainError)) throw err;
        pageProblems.push(`page ${p.page}: the preview was not stored (${err.message})`);
      }
    }
    if (drawn && !drawn.previews.length && !fileProblem) fileProblem = 'no page could be decoded';

    const site = await this.site(fax);
    const pages = drawn?.pages.length ?? fax.pages;
    const contact = faxContact(fax.remoteId);
    const input: IntakeInput = {
      channel: CHANNEL,
      messageId,
      kind: 'fax',
      type: 'written',
      register: false,
      receivedAt: fax.receivedAt,
      applicant: { contacts: contact ? [contact] : [] },
      subject: faxSubject({ remoteId: fax.remoteId, pages }),
      body: faxBody({
        remoteId: fax.remoteId, pages, receivedAt: fax.receivedAt, timeZone: this.d.timeZone, siteName: site.name, agent: fax.agent,
        modemId: fax.modemId, fileProblem, pageProblems, unknownSite: site.unknown ? fax.site : null, incomplete: fax.incomplete,
      }),
      attachments: [...(file ? [{ attachmentId: fax.attachmentId, filename: file.meta.filename }] : []), ...stored],
      ...(site.id != null ? { siteId: site.id } : {}),
      meta: {
        transferId: fax.transferId, site: fax.site, agent: fax.agent, modemId: fax.modemId, remoteId: fax.remoteId, pages,
        tiffAttachmentId: fax.attachmentId, previewAttachmentIds: stored.map((s) => s.attachmentId),
        previews: drawn?.previews.map((p) => ({ page: p.page, width: p.width, height: p.height, scale: p.scale })) ?? [],
        problem: fileProblem, pageProblems, incomplete: fax.incomplete,
      },
    };
    const r = await this.d.intake(input);
    if (fileProblem || pageProblems.length) this.d.logger.warn({ transferId: fax.transferId, appealId: r.appealId, problem: fileProblem, pageProblems }, 'fax taken in without (some) page previews');
    else this.d.logger.info({ transferId: fax.transferId, appealId: r.appealId, pages }, 'fax taken in');
    return { appealId: r.appealId, created: r.created, previews: stored.length, problem: fileProblem };
  }

  /** The agent's site when the core knows it, else the row's site, else the fallback or the core's default. */
  private async site(fax: FaxUpload): Promise<{ id: number | null; name: string | null; unknown: boolean }> {
    const byCode = (code: string) => this.d.db.read((em) => em.findOne(Site, { where: { code } }));
    const own = fax.site ? await byCode(fax.site) : null;
    if (own) return { id: own.id, name: own.name, unknown: false };
    const row = fax.siteId != null ? await this.d.db.read((em) => em.findOne(Site, { where: { id: fax.siteId! } })) : null;
    if (row) return { id: row.id, name: row.name, unknown: false };
    const fallback = this.d.fallbackSiteCode ? await byCode(this.d.fallbackSiteCode) : null;
    return { id: fallback?.id ?? null, name: fallback?.name ?? null, unknown: true };
  }
}
