/**
 * `channel.fax.send`. Answers to written appeals (59-FZ art. 10) go to the postal address, or to the
 * e-mail address when the applicant gave one; a fax answer is not required, and an operator's text
 * cannot simply be "faxed": a fax is a page image. So replies and notices are refused with a
 * permanent failure that says what to do instead, and the only thing sent is a document that already
 * is a fax: exactly one attachment, a TIFF Class F the edge agent's modems can transmit as it is.
 * It goes to an agent of the appeal's site with a fax modem online (or the configured default agent)
 * through the core's edge service.
 */
import type { Logger } from 'moleculer';
import { Appeal, DomainError, Site, normalizeContact, type AttachmentStore, type Database, type OutboundMessage, type SendResult } from '@okno/core';
import { sendProblems, type FaxPageInfo } from '../tiff/fax-tiff.js';
import { FaxCommandError, type EdgePort, type FaxAgent } from '../edge-port.js';
import { faxJobId } from './fax-outcomes.js';

export const REPLIES_NOT_SUPPORTED = 'replies by fax are not supported; answer by post or e-mail';

export interface FaxSenderDeps {
  db: Database;
  attachments: Pick<AttachmentStore, 'read'>;
  /** Reads a TIFF's pages (in a worker); throws with the reason when it cannot. */
  inspect: (tiff: Buffer) => Promise<FaxPageInfo[]>;
  edge: EdgePort;
  enabled: boolean;
  defaultAgent: { site: string; agent: string } | null;
  logger: Logger;
}

/**
 * Whether retrying cannot help: the request itself was refused (422, or a file or agent that does not
 * exist), or the agent found the arguments wrong. Offline agents, busy modems and time-outs may pass.
 */
function isPermanent(err: unknown): boolean {
  if (err instanceof FaxCommandError) return err.code === 'invalid-args' || err.code === 'unsupported';
  const code = (err as { code?: number }).code;
  return code === 422 || code === 404;
}

const refuse = (why: string): SendResult => ({ ok: false, error: `${REPLIES_NOT_SUPPORTED} (${why})`, permanent: true });
const later = (why: string): SendResult => ({ ok: false, error: why, permanent: false });

export class FaxSender {
  constructor(private readonly d: FaxSenderDeps) {}

  async send(msg: OutboundMessage): Promise<SendResult> {
    if (!this.d.enabled) return refuse('sending faxes is turned off in this installation');
    if (msg.attachments.length !== 1) return refuse('only a document that is already a fax, one TIFF Class F attachment, can be sent');
    const att = msg.attachments[0]!;
    if (!/^image\/tiff\b/i.test(att.mime)) return refuse(`the attachment "${att.filename}" is ${att.mime}, not a TIFF Class F fax document`);
    const number = msg.to?.trim() ?? '';
    if (normalizeContact('fax', number).length < 5) return { ok: false, error: `"${number}" is not a fax number`, permanent: true };

    const file = await this.d.attachments.read(att.attachmentId).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 404) return null;
      throw err;
    });
    if (!file) return { ok: false, error: `the attachment ${att.attachmentId} is not in the attachment store`, permanent: true };
    let pages: FaxPageInfo[];
    try {
      pages = await this.d.inspect(file.content);
    } catch (err) {
      return refuse(`"${att.filename}" cannot be read as TIFF: ${(err as Error).message}`);
    }
    const problems = sendProblems(pages);
    if (problems.length) return refuse(`"${att.filename}" is not a TIFF Class F fax document: ${problems.join('; ')}`);

    let agents: FaxAgent[];
    try {
      agents = await this.d.edge.agents();
    } catch (err) {
      return later(`the edge service did not answer: ${(err as Error).message}`);
    }
    const siteCode = await this.siteOf(msg.appealId);
    const agent = this.pick(agents, siteCode);
    if (!agent) return later(`no edge agent with a fax modem is online for site ${siteCode ?? '?'}${this.d.defaultAgent ? ` nor the default agent ${this.d.defaultAgent.site}/${this.d.defaultAgent.agent}` : ''}`);
    try {
      const r = await this.d.edge.sendFax({ site: agent.site, agent: agent.agent, number, attachmentId: att.attachmentId });
      this.d.logger.info({ appealId: msg.appealId, deliveryId: msg.deliveryId, site: agent.site, agent: agent.agent, jobId: r.jobId, pages: pages.length }, 'fax queued by the edge agent');
      return { ok: true, externalId: r.jobId ? faxJobId(agent.site, agent.agent, r.jobId) : null };
    } catch (err) {
      return { ok: false, error: `the edge agent ${agent.site}/${agent.agent} did not take the fax: ${(err as Error).message}`, permanent: isPermanent(err) };
    }
  }

  private pick(agents: FaxAgent[], siteCode: string | null): FaxAgent | null {
    const ready = agents.filter((a) => a.online && a.modems > 0).sort((a, b) => a.agent.localeCompare(b.agent));
    const own = siteCode ? ready.find((a) => a.site === siteCode) : undefined;
    if (own) return own;
    const dflt = this.d.defaultAgent;
    return dflt ? (ready.find((a) => a.site === dflt.site && a.agent === dflt.agent) ?? null) : null;
  }

  private async siteOf(appealId: number): Promise<string | null> {
    return this.d.db.read(async (em) => {
      const appeal = await em.findOne(Appeal, { where: { id: appealId }, select: { id: true, siteId: true } });
      const site = appeal ? await em.findOne(Site, { where: { id: appeal.siteId } }) : null;
      return site?.code ?? null;
    });
  }
}
