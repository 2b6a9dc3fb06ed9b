/**
 * Fleet pages' logic: an agent's status at a glance, which journal events concern the fleet (and
 * which agent), the arguments of the technician's commands, and a command's outcome in words.
 */
import type { AgentSummary, CommandView } from '../api/edge.ts';

export type AgentStatus = 'disabled' | 'online' | 'stale' | 'offline' | 'never';

export function agentStatus(a: Pick<AgentSummary, 'enabled' | 'online' | 'stale' | 'lastSeenAt'>): AgentStatus {
  if (!a.enabled) return 'disabled';
  if (a.online) return a.stale ? 'stale' : 'online';
  return a.lastSeenAt ? 'offline' : 'never';
}

export const STATUS_COLOR: Record<AgentStatus, string> = { online: 'positive', stale: 'warning', offline: 'negative', never: 'grey-7', disabled: 'grey-7' };

/** Journal events of the fleet (`edge.*`); with an agent row id, only that agent's. */
export function affectsFleet(e: { type: string; aggregateType?: string; aggregateId?: string | number }, agentRowId?: number): boolean {
  if (!e.type.startsWith('edge.')) return false;
  return agentRowId === undefined || Number(e.aggregateId) === agentRowId;
}

/** The technician's actions: a command kind and how to build its arguments from the form. */
export type FleetAction = 'fax.test' | 'headset.ring' | 'modems.probe' | 'spool.flush' | 'inventory.refresh' | 'ping';
export const FLEET_ACTIONS: readonly FleetAction[] = ['fax.test', 'headset.ring', 'modems.probe', 'spool.flush', 'inventory.refresh', 'ping'];

export interface ActionForm {
  modemId?: string | null;
  headsetId?: string | null;
  mode?: 'probe' | 'loopback';
  on?: boolean;
}

/** Arguments of a command, as `@okno/protocol` COMMANDS define them; null when the form lacks what the command needs. */
export function commandArgs(kind: FleetAction, f: ActionForm): Record<string, unknown> | null {
  switch (kind) {
    case 'fax.test':
      return { mode: f.mode ?? 'probe', ...(f.modemId ? { modemId: f.modemId } : {}) };
    case 'headset.ring':
      return f.headsetId ? { headsetId: f.headsetId, on: f.on ?? true } : null;
    case 'modems.probe':
      return f.modemId ? { modemId: f.modemId } : {};
    default:
      return {};
  }
}

export type Outcome = 'pending' | 'ok' | 'error' | 'timeout';

/** A command's outcome with its detail: the error's code and message, or the result as short text. */
export function commandOutcome(c: Pick<CommandView, 'status' | 'result' | 'error' | 'late'>): { outcome: Outcome; detail: string } {
  if (c.status === 'error') return { outcome: 'error', detail: c.error ? `${c.error.code}: ${c.error.message}` : '' };
  if (c.status === 'timeout') return { outcome: 'timeout', detail: c.late ? 'late' : '' };
  if (c.status === 'ok') return { outcome: 'ok', detail: c.result ? shortResult(c.result) : '' };
  return { outcome: 'pending', detail: '' };
}

/** A result object as "key: value, …" (nested objects as JSON), at most `max` characters. */
export function shortResult(r: Record<string, unknown>, max = 240): string {
  const text = Object.entries(r).map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Last hangup as "code (class) — meaning". */
export function hangupText(h: { code: string; fclass: string; meaning: string } | undefined): string {
  return h ? `${h.code} (Class ${h.fclass}) — ${h.meaning}` : '—';
}
