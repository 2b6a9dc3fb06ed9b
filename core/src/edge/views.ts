/**
 * What the API shows of an agent: a summary for lists, and the detail with devices (modems with
 * their state and line statistics, headsets with their state), host and spool figures.
 */
import { agentUsername, COMMAND_KINDS, commandSupported, type HeadsetInfo, type InventoryMessage, type ModemInfo, type TelemetryMessage } from '@okno/protocol';
import type { EdgeAgentRecord, EdgeEventRecord } from './entities.js';

type Inventory = Omit<InventoryMessage, 'id' | 'sender'>;
type Telemetry = Omit<TelemetryMessage, 'id' | 'sender'>;

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** An online agent not heard of for three telemetry intervals (at least 15 s) is stale. */
export function isStale(r: EdgeAgentRecord, now: Date): boolean {
  if (!r.online || !r.lastSeenAt) return false;
  const interval = Number((r.telemetry as Partial<Telemetry> | null)?.intervalMs ?? 5000);
  return now.getTime() - r.lastSeenAt.getTime() > Math.max(15_000, 3 * interval);
}

export function agentSummary(r: EdgeAgentRecord, now = new Date()) {
  const inv = r.inventory as Inventory | null;
  const tel = r.telemetry as Telemetry | null;
  const modemStates = (tel?.modems ?? inv?.modems ?? []).map((m) => m.state);
  return {
    id: r.id,
    site: r.siteCode,
    siteId: r.siteId,
    agent: r.agentId,
    username: agentUsername({ site: r.siteCode, agent: r.agentId }),
    label: r.label,
    enabled: r.enabled,
    online: r.online,
    stale: isStale(r, now),
    lastSeenAt: iso(r.lastSeenAt),
    onlineSince: iso(r.onlineSince),
    offlineReason: r.offlineReason,
    agentVersion: r.agentVersion,
    protocolVersion: r.protocolVersion,
    startedAt: iso(r.startedAt),
    passwordSetAt: iso(r.passwordSetAt),
    devices: {
      modems: inv?.modems.length ?? 0,
      headsets: inv?.headsets?.length ?? 0,
      modemsInError: modemStates.filter((s) => s === 'error' || s === 'offline').length,
    },
    spoolDepth: tel?.spool.depth ?? null,
  };
}

export function agentDetail(r: EdgeAgentRecord, now = new Date()) {
  const inv = r.inventory as Inventory | null;
  const tel = r.telemetry as Telemetry | null;
  const lineOf = new Map((tel?.modems ?? []).map((m) => [m.id, m]));
  const stateOf = new Map((tel?.headsets ?? []).map((h) => [h.id, h]));
  const modems = (inv?.modems ?? []).map((m: ModemInfo) => {
    const t = lineOf.get(m.id);
    return { ...m, state: t?.state ?? m.state, line: t?.line ?? null };
  });
  // modems telemetry knows of that the inventory does not (yet)
  for (const [id, t] of lineOf) if (!modems.some((m) => m.id === id)) modems.push({ id, port: id, state: t.state, classes: [], line: t.line });
  const headsets = (inv?.headsets ?? []).map((h: HeadsetInfo) => {
    const s = stateOf.get(h.id);
    return { ...h, state: s ? { offHook: s.offHook, muted: s.muted, ringing: s.ringing } : null };
  });
  return {
    ...agentSummary(r, now),
    host: inv?.host ?? null,
    inventoryAt: r.inventoryTs ? new Date(r.inventoryTs).toISOString() : null,
    modems,
    headsets,
    telemetry: tel ? { at: new Date(tel.ts).toISOString(), intervalMs: tel.intervalMs, host: tel.host, spool: tel.spool, link: tel.link } : null,
    /** Commands this agent's protocol version understands. */
    commands: COMMAND_KINDS.filter((k) => !r.protocolVersion || commandSupported(k, r.protocolVersion)),
  };
}

/** Fax numbers and remote fax ids may identify a person: the fleet pages show only their end. */
const MASKED = new Set(['number', 'remoteId']);
export function maskNumber(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return v.length <= 2 ? '**' : `${'*'.repeat(Math.min(8, v.length - 2))}${v.slice(-2)}`;
}

export function eventView(e: EdgeEventRecord & { siteCode?: string; agentId?: string }) {
  return {
    id: e.id,
    agentRowId: e.agentRowId,
    ...(e.siteCode ? { site: e.siteCode, agent: e.agentId } : {}),
    type: e.type,
    level: e.level,
    deviceId: e.deviceId,
    at: e.at.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
    data: Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, MASKED.has(k) ? maskNumber(v) : v])),
  };
}
