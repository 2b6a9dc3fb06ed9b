/**
 * What became of a fax the channel sent. `send` succeeds when the agent queued the job; the agent
 * then dials, retries, and reports `fax.sent` or `fax.failed` as events, which the edge service
 * records with a journal row `edge.event { eventType, jobId, eventId, site, agent }`. A final
 * failure (no more retries) is recorded on the outbound interaction, so the appeal shows it.
 */
import { Interaction, type Database, type JournalEvent } from '@okno/core';
import type { EdgePort } from '../edge-port.js';

export const EDGE_EVENT = 'edge.event';

/** The id the channel gives a delivery the agent queued: unique per agent. */
export const faxJobId = (site: string, agent: string, jobId: string) => `fax-job:${site}/${agent}/${jobId}`;

export function isFaxFailure(e: JournalEvent): boolean {
  return e.type === EDGE_EVENT && e.data.eventType === 'fax.failed' && typeof e.data.jobId === 'string';
}

export interface FaxOutcomeDeps {
  db: Database;
  edge: Pick<EdgePort, 'event'>;
  recordDelivery: (p: { interactionId: number; status: 'failed'; error: string }) => Promise<unknown>;
}

function failureText(d: Record<string, unknown>): string {
  const hangup = d.hangup && typeof d.hangup === 'object' ? (d.hangup as Record<string, unknown>) : null;
  const parts = [`the fax to ${String(d.number ?? '?')} failed after ${String(d.attempts ?? '?')} attempt(s): ${String(d.reason ?? 'no reason given')}`];
  if (hangup) parts.push(`hangup ${String(hangup.code ?? '?')}${hangup.meaning ? ` (${String(hangup.meaning)})` : ''}`);
  return parts.join('; ');
}

export class FaxOutcomes {
  constructor(private readonly d: FaxOutcomeDeps) {}

  /** Records a final failure on the interaction of the job; other rows and other jobs are left alone. */
  async handle(e: JournalEvent): Promise<void> {
    if (!isFaxFailure(e)) return;
    const externalId = faxJobId(String(e.data.site), String(e.data.agent), String(e.data.jobId));
    const inter = await this.d.db.read((em) => em.findOne(Interaction, { where: { channel: 'fax', direction: 'out', externalId } }));
    if (!inter || inter.deliveryStatus === 'failed') return; // not ours (a technician's test fax), or recorded already
    const ev = await this.d.edge.event(Number(e.data.eventId));
    if (!ev || ev.data.willRetry === true) return;
    await this.d.recordDelivery({ interactionId: inter.id, status: 'failed', error: failureText(ev.data) });
  }
}
