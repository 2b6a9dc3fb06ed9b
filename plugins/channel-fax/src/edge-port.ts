/**
 * What the fax channel asks of the core's edge service (core/src/edge/edge.service.ts), behind one
 * small interface so the action names and answer shapes live in one place:
 *   edge.agents            the fleet: online, stale, device counts
 *   edge.sendFax           document down to the agent, then the `fax.send` command; its outcome
 *   edge.file              an upload with its full offer meta (the remote fax id stays out of the journal)
 *   edge.event             one agent event in full (fax.failed: reason and hangup code)
 *   edge.events            recent events of a site (fax.received: when the fax came in)
 */
import type { ServiceBroker } from 'moleculer';

export interface FaxAgent {
  site: string;
  agent: string;
  /** Online and heard from recently. */
  online: boolean;
  /** Fax modems in its inventory that are not in error. */
  modems: number;
  lastSeen: string | null;
}

export interface SendFaxArgs {
  site: string;
  agent: string;
  number: string;
  attachmentId: number;
}

/** The agent answered the `fax.send` command with an error, or not in time. */
export class FaxCommandError extends Error {
  override name = 'FaxCommandError';
  constructor(readonly status: string, readonly code: string, message: string) {
    super(message);
  }
}

export interface EdgeFile {
  site: string;
  agent: string;
  siteId: number | null;
  /** The agent's file offer meta: modemId, pages, remoteId, ... */
  meta: Record<string, unknown>;
  /** When the core stored it. */
  receivedAt: string;
}

export interface EdgeEvent {
  type: string;
  site: string;
  agent: string;
  at: string;
  data: Record<string, unknown>;
}

export interface EdgePort {
  agents(): Promise<FaxAgent[]>;
  /** The agent's `fax.received` event of an upload (its time is when the fax came in), if the core has it. */
  faxReceived(site: string, transferId: string): Promise<EdgeEvent | null>;
  /** Hands the document to the agent's fax queue; resolves with the job id once the agent took it. */
  sendFax(args: SendFaxArgs): Promise<{ jobId: string | null; transferId: string | null }>;
  /** An upload in full; null when the edge service has no such file. */
  file(transferId: string): Promise<EdgeFile | null>;
  event(id: number): Promise<EdgeEvent | null>;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** An agent of the edge service's fleet list (`agentSummary`). */
export function faxAgentOf(a: Obj): FaxAgent | null {
  const site = str(a.site);
  const agent = str(a.agent);
  if (!site || !agent) return null;
  const devices = (a.devices ?? {}) as Obj;
  const modems = Math.max(0, (Number(devices.modems) || 0) - (Number(devices.modemsInError) || 0));
  return { site, agent, online: a.online === true && a.stale !== true && a.enabled !== false, modems, lastSeen: str(a.lastSeenAt) };
}

export const EDGE_ACTIONS = { agents: 'edge.agents', sendFax: 'edge.sendFax', file: 'edge.file', event: 'edge.event', events: 'edge.events' } as const;

/** The edge service answered "no such thing" (not: the edge service itself is not there yet). */
const isNotFound = (err: unknown) => (err as { type?: string }).type === 'NOT_FOUND';

/** A failure that passes by itself: a service not started yet or busy, a call that timed out. */
export function isTransientCallError(err: unknown): boolean {
  return ['SERVICE_NOT_FOUND', 'SERVICE_NOT_AVAILABLE', 'REQUEST_TIMEOUT', 'REQUEST_SKIPPED'].includes((err as { type?: string }).type ?? '');
}

export function brokerEdgePort(broker: ServiceBroker, opts: { timeoutMs: number }): EdgePort {
  const call = <R>(action: string, params: object, timeout = opts.timeoutMs) => broker.call<R, object>(action, params, { timeout });
  const orNull = <R>(p: Promise<R>) => p.catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err)));
  return {
    async agents() {
      const list = await call<Obj[]>(EDGE_ACTIONS.agents, {});
      return (Array.isArray(list) ? list : []).map(faxAgentOf).filter((a): a is FaxAgent => a !== null);
    },
    async sendFax(args) {
      // The document goes down in chunks before the command: allow for a slow site link.
      const r = await call<{ transferId?: string; command?: { status: string; result: Obj | null; error: { code: string; message: string } | null } }>(EDGE_ACTIONS.sendFax, args, 15 * 60_000);
      const cmd = r.command;
      if (!cmd || cmd.status !== 'ok') {
        throw new FaxCommandError(cmd?.status ?? 'unknown', cmd?.error?.code ?? cmd?.status ?? 'unknown', cmd?.error?.message ?? `the agent did not answer the fax.send command (${cmd?.status ?? 'no answer'})`);
      }
      return { jobId: str(cmd.result?.jobId), transferId: str(r.transferId) };
    },
    async file(transferId) {
      const f = await orNull(call<Obj>(EDGE_ACTIONS.file, { transferId }));
      if (!f) return null;
      return { site: String(f.site), agent: String(f.agent), siteId: typeof f.siteId === 'number' ? f.siteId : null, meta: (f.meta ?? {}) as Obj, receivedAt: String(f.receivedAt) };
    },
    async faxReceived(site, transferId) {
      // The event is sent just before the upload, so it is among the site's latest.
      const list = await call<Obj[]>(EDGE_ACTIONS.events, { site, type: 'fax.received', limit: 200 });
      const e = (Array.isArray(list) ? list : []).find((x) => (x.data as Obj | undefined)?.transferId === transferId);
      return e ? { type: String(e.type), site, agent: String(e.agent ?? ''), at: String(e.at), data: (e.data ?? {}) as Obj } : null;
    },
    async event(id) {
      const e = await orNull(call<Obj>(EDGE_ACTIONS.event, { id }));
      if (!e) return null;
      return { type: String(e.type), site: String(e.site), agent: String(e.agent), at: String(e.at), data: (e.data ?? {}) as Obj };
    },
  };
}
