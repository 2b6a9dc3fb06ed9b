/**
 * What the fax channel needs from the core's edge service (core/src/edge): which agents are online
 * with a fax modem, and sending a stored TIFF-F through one of them. Behind this small interface so
 * the action names live in one place.
 */
import type { ServiceBroker } from 'moleculer';

export interface FaxAgent {
  site: string;
  agent: string;
  online: boolean;
  /** Fax modems in the agent's inventory (ready or not). */
  modems: number;
  lastSeen: string | null;
}

export interface SendFaxArgs {
  site: string;
  agent: string;
  number: string;
  attachmentId: number;
}

export interface EdgePort {
  agents(): Promise<FaxAgent[]>;
  /** Hands the document to the agent's job queue; resolves with the job's id once the agent took it. */
  sendFax(args: SendFaxArgs): Promise<{ jobId: string | null }>;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** One agent of the edge service's fleet list, read leniently (presence and inventory as published). */
export function faxAgentOf(a: Obj): FaxAgent | null {
  const site = str(a.site);
  const agent = str(a.agent) ?? str(a.id);
  if (!site || !agent) return null;
  const presence = (a.presence ?? {}) as Obj;
  const online = typeof a.online === 'boolean' ? a.online : (str(a.state) ?? str(presence.state)) === 'online';
  const inventory = (a.inventory ?? {}) as Obj;
  const modems = Array.isArray(a.modems) ? a.modems.length : Array.isArray(inventory.modems) ? inventory.modems.length : Number(a.modems ?? 0) || 0;
  const seen = a.lastSeen ?? a.lastSeenAt ?? null;
  return { site, agent, online, modems, lastSeen: seen instanceof Date ? seen.toISOString() : str(seen) };
}

export const EDGE_ACTIONS = { agents: 'edge.agents', sendFax: 'edge.sendFax' } as const;

export function brokerEdgePort(broker: ServiceBroker, opts: { timeoutMs: number }): EdgePort {
  return {
    async agents() {
      const r = await broker.call<unknown, object>(EDGE_ACTIONS.agents, {}, { timeout: opts.timeoutMs });
      const list = Array.isArray(r) ? r : Array.isArray((r as Obj)?.agents) ? ((r as Obj).agents as unknown[]) : [];
      return list.map((a) => faxAgentOf(a as Obj)).filter((a): a is FaxAgent => a !== null);
    },
    async sendFax(args) {
      const r = await broker.call<Obj | null, SendFaxArgs>(EDGE_ACTIONS.sendFax, args, { timeout: opts.timeoutMs });
      return { jobId: str(r?.jobId) ?? str(r?.transferId) ?? str(r?.id) };
    },
  };
}
