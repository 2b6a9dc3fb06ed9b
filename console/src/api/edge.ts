/**
 * The core's fleet API (`/api/edge`, core/src/edge/README.md): edge agents, their devices and
 * telemetry, events, and commands. Reads: technician, admin, supervisor; commands: technician, admin;
 * registration and passwords: admin.
 */
import type { ApiClient } from './http.ts';

export type ModemState = 'idle' | 'ringing' | 'sending' | 'receiving' | 'probing' | 'error' | 'offline';

export interface AgentSummary {
  id: number;
  site: string;
  siteId: number | null;
  agent: string;
  username: string;
  label: string | null;
  enabled: boolean;
  online: boolean;
  stale: boolean;
  lastSeenAt: string | null;
  onlineSince: string | null;
  offlineReason: string | null;
  agentVersion: string | null;
  protocolVersion: string | null;
  startedAt: string | null;
  passwordSetAt: string | null;
  devices: { modems: number; headsets: number; modemsInError: number };
  spoolDepth: number | null;
}

export interface ModemLine {
  callsIn: number;
  callsOut: number;
  pagesIn: number;
  pagesOut: number;
  failures: number;
  lastHangup?: { code: string; fclass: '1' | '2' | '2.0'; meaning: string };
  lastBitRate?: number;
}

export interface ModemView {
  id: string;
  port: string;
  state: ModemState;
  manufacturer?: string;
  model?: string;
  revision?: string;
  classes: string[];
  faxClass?: string;
  line: ModemLine | null;
}

export interface HeadsetView {
  id: string;
  path: string;
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
  state: { offHook: boolean; muted: boolean; ringing: boolean } | null;
  /** The operator this headset rings for (edge headset bindings). */
  boundTo?: { userId: number; name: string | null; login: string | null } | null;
}

export interface HeadsetLive {
  offHook: boolean;
  muted: boolean;
  ringing: boolean;
}

/** Where a headset is and what it is called (as core/src/edge/headsets.ts says it: the console imports no server package). */
export interface HeadsetPlace {
  agentRowId: number;
  site: string;
  agent: string;
  /** The workplace: the agent's label. */
  agentLabel: string;
  headsetId: string;
  headsetName: string;
}

/** An operator's headset as the desk shows it (GET /edge/headset-bindings/me, frames headset.state / headset.binding). */
export interface HeadsetBinding extends HeadsetPlace {
  userId: number;
  userName: string | null;
  agentOnline: boolean;
  present: boolean;
  online: boolean;
  state: HeadsetLive | null;
  problem: { code: string; message: string; at: string } | null;
  boundAt: string;
}

/** A headset an operator may bind (GET /edge/headsets). */
export interface HeadsetChoice extends HeadsetPlace {
  boundTo: { userId: number; name: string | null } | null;
}

export type HeadsetFrame =
  | { type: 'headset.state'; headset: HeadsetBinding | null }
  | { type: 'headset.binding'; headset: HeadsetBinding | null };

export function isHeadsetFrame(f: { type: string }): f is HeadsetFrame {
  return f.type === 'headset.state' || f.type === 'headset.binding';
}

export interface EdgeEvent {
  id: number;
  agentRowId: number;
  site?: string;
  agent?: string;
  type: string;
  level: 'info' | 'warn' | 'error';
  deviceId: string | null;
  at: string;
  receivedAt: string;
  data: Record<string, unknown>;
}

export type CommandStatus = 'pending' | 'ok' | 'error' | 'timeout';

export interface CommandView {
  id: number;
  correlationId: string;
  agentRowId: number;
  kind: string;
  args: Record<string, unknown> | null;
  status: CommandStatus;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  late: boolean;
  requestedBy: number | null;
  createdAt: string;
  deadline: string;
  finishedAt: string | null;
  roundTripMs: number | null;
}

export interface AgentDetail extends AgentSummary {
  host: { hostname: string; os: string; arch: string; agentVersion: string; nodeVersion: string } | null;
  inventoryAt: string | null;
  modems: ModemView[];
  headsets: HeadsetView[];
  telemetry: {
    at: string;
    intervalMs: number;
    host: { load1: number; cpuPercent: number; rssBytes: number; memFreeBytes: number; memTotalBytes: number; uptimeSec: number };
    spool: { depth: number; bytes: number; files: number; fileBytes: number; droppedTelemetry: number; refused: number; oldestTs?: number };
    link: { reconnects: number };
  } | null;
  commands: string[];
  events: EdgeEvent[];
  errors: EdgeEvent[];
  recentCommands: CommandView[];
}

export interface FleetSite {
  site: string;
  siteId: number | null;
  agents: number;
  online: number;
  offline: number;
  stale: number;
  disabled: number;
  modems: number;
  headsets: number;
  modemsInError: number;
}

export interface Registration {
  agent: AgentSummary;
  password: string;
  config: Record<string, unknown>;
  env: Record<string, string>;
  topics?: unknown;
  brokerUrl: string | null;
  brokerNote?: string;
}

export function edgeApi(api: ApiClient) {
  return {
    sites: () => api.get<FleetSite[]>('/edge/sites'),
    agents: (q: { site?: string; online?: boolean } = {}) => api.get<AgentSummary[]>('/edge/agents', q),
    agent: (id: number) => api.get<AgentDetail>(`/edge/agents/${id}`),
    events: (id: number, q: { level?: string; limit?: number } = {}) => api.get<EdgeEvent[]>(`/edge/agents/${id}/events`, q),
    commands: (id: number, limit = 20) => api.get<CommandView[]>(`/edge/agents/${id}/commands`, { limit }),
    command: (id: number, kind: string, args?: Record<string, unknown>, timeoutMs?: number) =>
      api.post<CommandView>(`/edge/agents/${id}/commands`, { kind, ...(args ? { args } : {}), ...(timeoutMs ? { timeoutMs } : {}) }),
    register: (body: { site: string; agent: string; label?: string }) => api.post<Registration>('/edge/agents', body),
    update: (id: number, body: { label?: string; enabled?: boolean }) => api.put<AgentSummary>(`/edge/agents/${id}`, body),
    newPassword: (id: number) => api.post<Registration>(`/edge/agents/${id}/password`, {}),
    myHeadset: () => api.get<{ headset: HeadsetBinding | null }>('/edge/headset-bindings/me'),
    headsetChoices: () => api.get<HeadsetChoice[]>('/edge/headsets'),
    bindHeadset: (userId: number, agentRowId: number, headsetId: string) => api.put<HeadsetBinding>(`/edge/headset-bindings/${userId}`, { agentRowId, headsetId }),
    unbindHeadset: (userId: number) => api.del<unknown>(`/edge/headset-bindings/${userId}`),
  };
}
export type EdgeApi = ReturnType<typeof edgeApi>;
