/**
 * Operators' headsets: which headset rings for which operator (bindings), what the core last knew
 * of each bound headset (a live overlay on the agent's telemetry: command results and hook / mute
 * events are newer than the last telemetry), and the signals routing sends to a bound headset
 * (ring, off-hook LED, mute LED) over the ordinary command path (commands.ts: recorded, timed out,
 * answered).
 *
 * Who may bind: an operator (or a supervisor working the desk) only their own headset, at their
 * site, while its agent is online; a technician or an administrator anybody's, to any headset the
 * agent's inventory lists. One headset per operator and one operator per headset. Every change is
 * journaled with its actor (`edge.headset_bound`, `edge.headset_unbound`), like the fleet's other
 * administrative changes.
 */
import { In, type EntityManager } from 'typeorm';
import type { HeadsetInfo, HeadsetState, InventoryMessage, TelemetryMessage } from '@okno/protocol';
import type { Database } from '../persistence/database.js';
import { isUniqueViolation } from '../persistence/database.js';
import { User, type Role } from '../persistence/entities/index.js';
import { appendJournal } from '../domain/journal.js';
import type { Actor } from '../domain/actor.js';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import type { CommandCenter, CommandView } from './commands.js';
import { EdgeAgentRecord, EdgeHeadsetBinding } from './entities.js';
import { AGENT_AGGREGATE } from './fleet-store.js';

/** Who may call the binding routes at all (the handler then checks whose binding it is). */
export const ROLES_HEADSET: readonly Role[] = ['operator', 'supervisor', 'technician', 'admin'];
/** Who may bind anybody's headset. */
export const ROLES_HEADSET_ANY: readonly Role[] = ['technician', 'admin'];
/** Who can have a headset bound (the users of the operator desk). */
export const ROLES_HEADSET_USER: readonly Role[] = ['operator', 'supervisor'];

type Inventory = Omit<InventoryMessage, 'id' | 'sender'>;
type Telemetry = Omit<TelemetryMessage, 'id' | 'sender'>;

/** Why `actor` may not bind or unbind the headset of `userId`, or null when it may. */
export function bindDenial(actor: Pick<Actor, 'userId' | 'roles'>, userId: number): string | null {
  if (ROLES_HEADSET_ANY.some((r) => actor.roles.includes(r))) return null;
  if (actor.userId === userId && ROLES_HEADSET_USER.some((r) => actor.roles.includes(r))) return null;
  return 'an operator may bind only their own headset; a technician or an administrator binds anybody\'s';
}

/** How a headset is called on screens: its product name, else the maker, else its device id. */
export function headsetName(h: Pick<HeadsetInfo, 'id' | 'product' | 'manufacturer'> | undefined, id: string): string {
  return h?.product?.trim() || h?.manufacturer?.trim() || id;
}

/** The state a headset is in after an event it reported (null: the event does not change it). */
export function stateAfterEvent(prev: HeadsetState | null, e: { type: string; offHook?: boolean; muted?: boolean; button?: string }): HeadsetState | null {
  const base = prev ?? { offHook: false, muted: false, ringing: false };
  if (e.type === 'headset.hook') return { offHook: !!e.offHook, muted: false, ringing: false };
  if (e.type === 'headset.mute') return { ...base, muted: !!e.muted };
  if (e.type === 'headset.button' && e.button === 'reject') return { ...base, ringing: false };
  return null;
}

export type HeadsetSignalKind = 'ring' | 'offHook' | 'mute';
const SIGNAL_COMMAND = {
  ring: { kind: 'headset.ring', arg: 'on' },
  offHook: { kind: 'headset.offHook', arg: 'offHook' },
  mute: { kind: 'headset.muteLed', arg: 'muted' },
} as const;

/** The last thing that went wrong driving a bound headset (shown on the desk). */
export interface HeadsetProblem {
  code: string;
  message: string;
  at: string;
}

/** A headset as screens name it: where it is and what it is called. */
export interface HeadsetPlace {
  agentRowId: number;
  site: string;
  agent: string;
  agentLabel: string;
  headsetId: string;
  headsetName: string;
}

export interface BindingView extends HeadsetPlace {
  userId: number;
  userName: string | null;
  userLogin: string | null;
  /** The agent is connected. */
  agentOnline: boolean;
  /** The agent's inventory lists the headset (plugged in). */
  present: boolean;
  /** Both: the headset can ring now. */
  online: boolean;
  /** The newest of telemetry, command results and events; null when unknown. */
  state: HeadsetState | null;
  problem: HeadsetProblem | null;
  boundAt: string;
  boundBy: number | null;
}

/** A headset an operator may pick: at an online agent of their site. */
export interface AvailableHeadset extends HeadsetPlace {
  boundTo: { userId: number; name: string | null } | null;
}

/** Outcome of one signal to an operator's headset. */
export type SignalOutcome =
  | { bound: false }
  | { bound: true; sent: false; reason: 'offline' | 'absent' | 'unavailable'; message: string; headset: BindingView | null }
  | { bound: true; sent: true; command: CommandView; headset: BindingView | null };

interface Live {
  state: HeadsetState | null;
  at: number;
  problem: HeadsetProblem | null;
}

const key = (agentRowId: number, headsetId: string) => `${agentRowId}/${headsetId}`;

export interface HeadsetBindingsOptions {
  db: Database;
  commands: CommandCenter;
  clock?: () => Date;
  /** Sends a frame to users' consoles (Moleculer `console.push`). */
  push: (userIds: number[], frame: Record<string, unknown>) => void;
}

export class HeadsetBindings {
  private readonly live = new Map<string, Live>();
  /** Per user: the publication of the previous signal (signals reach the agent in the order asked). */
  private readonly order = new Map<string, Promise<void>>();
  private readonly db: Database;
  private readonly clock: () => Date;

  constructor(private readonly o: HeadsetBindingsOptions) {
    this.db = o.db;
    this.clock = o.clock ?? (() => new Date());
  }

  // ---------------------------------------------------------------- reads

  async ofUser(userId: number): Promise<EdgeHeadsetBinding | null> {
    return this.db.read((em) => em.findOne(EdgeHeadsetBinding, { where: { userId } }));
  }

  async ofHeadset(agentRowId: number, headsetId: string): Promise<EdgeHeadsetBinding | null> {
    return this.db.read((em) => em.findOne(EdgeHeadsetBinding, { where: { agentRowId, headsetId } }));
  }

  /** The user's binding as the desk shows it, or null. */
  async viewOf(userId: number): Promise<BindingView | null> {
    return (await this.list({ userId }))[0] ?? null;
  }

  async list(filter: { userId?: number; agentRowId?: number; site?: string } = {}): Promise<BindingView[]> {
    return this.db.read(async (em) => {
      const qb = em.getRepository(EdgeHeadsetBinding).createQueryBuilder('b').orderBy('b.id', 'ASC');
      if (filter.userId !== undefined) qb.andWhere('b.userId = :u', { u: filter.userId });
      if (filter.agentRowId !== undefined) qb.andWhere('b.agentRowId = :a', { a: filter.agentRowId });
      if (filter.site) qb.andWhere('b.agentRowId IN (SELECT x.id FROM edge_agents x WHERE x.siteCode = :site)', { site: filter.site });
      const rows = await qb.getMany();
      return this.views(em, rows);
    });
  }

  private async views(em: EntityManager, rows: EdgeHeadsetBinding[]): Promise<BindingView[]> {
    if (!rows.length) return [];
    const agents = await em.find(EdgeAgentRecord, { where: { id: In([...new Set(rows.map((r) => r.agentRowId))]) } });
    const users = await em.find(User, { where: { id: In(rows.map((r) => r.userId)) }, select: { id: true, fullName: true, login: true } });
    const agentOf = new Map(agents.map((a) => [a.id, a]));
    const userOf = new Map(users.map((u) => [u.id, u]));
    return rows.flatMap((b) => {
      const a = agentOf.get(b.agentRowId);
      return a ? [this.view(b, a, userOf.get(b.userId) ?? null)] : [];
    });
  }

  /** One binding with its agent's last reports and the live overlay. */
  view(b: EdgeHeadsetBinding, a: EdgeAgentRecord, u: Pick<User, 'fullName' | 'login'> | null): BindingView {
    const inv = a.inventory as Inventory | null;
    const tel = a.telemetry as Telemetry | null;
    const h = inv?.headsets?.find((x) => x.id === b.headsetId);
    const t = tel?.headsets?.find((x) => x.id === b.headsetId);
    const live = this.live.get(key(b.agentRowId, b.headsetId));
    const fromTelemetry = t && a.telemetryTs !== null ? { state: { offHook: t.offHook, muted: t.muted, ringing: t.ringing }, at: a.telemetryTs } : null;
    const newest = live?.state && (!fromTelemetry || live.at >= fromTelemetry.at) ? live.state : (fromTelemetry?.state ?? null);
    const present = !!h;
    return {
      userId: b.userId, userName: u?.fullName ?? null, userLogin: u?.login ?? null,
      agentRowId: a.id, site: a.siteCode, agent: a.agentId, agentLabel: a.label,
      headsetId: b.headsetId, headsetName: headsetName(h, b.headsetId),
      agentOnline: a.online, present, online: a.online && present,
      state: a.online && present ? newest : null,
      problem: live?.problem ?? null,
      boundAt: b.boundAt.toISOString(), boundBy: b.boundBy,
    };
  }

  /** Headsets of the online agents of a core site (or of every site), with whom each is bound to. */
  async available(siteId: number | null): Promise<AvailableHeadset[]> {
    return this.db.read(async (em) => {
      const agents = await em.find(EdgeAgentRecord, { where: { online: true, enabled: true, ...(siteId !== null ? { siteId } : {}) }, order: { siteCode: 'ASC', agentId: 'ASC' } });
      if (!agents.length) return [];
      const bindings = await em.find(EdgeHeadsetBinding, { where: { agentRowId: In(agents.map((a) => a.id)) } });
      const users = bindings.length ? await em.find(User, { where: { id: In(bindings.map((b) => b.userId)) }, select: { id: true, fullName: true } }) : [];
      const nameOf = new Map(users.map((u) => [u.id, u.fullName]));
      return agents.flatMap((a) => ((a.inventory as Inventory | null)?.headsets ?? []).map((h) => {
        const b = bindings.find((x) => x.agentRowId === a.id && x.headsetId === h.id);
        return {
          agentRowId: a.id, site: a.siteCode, agent: a.agentId, agentLabel: a.label, headsetId: h.id, headsetName: headsetName(h, h.id),
          boundTo: b ? { userId: b.userId, name: nameOf.get(b.userId) ?? null } : null,
        };
      }));
    });
  }

  /** Who each headset of an agent is bound to (the technician's agent page). */
  async boundOnAgent(agentRowId: number): Promise<Map<string, { userId: number; name: string | null; login: string | null }>> {
    const views = await this.list({ agentRowId });
    return new Map(views.map((v) => [v.headsetId, { userId: v.userId, name: v.userName, login: v.userLogin }]));
  }

  // ---------------------------------------------------------------- changes

  /**
   * Binds `userId` to a headset (replacing the user's previous one). 403 when the actor may not,
   * 404 for an unknown user or agent, 422 for a user who is not at the desk or a headset the agent
   * does not list (or, for an operator binding themselves, an agent of another site or offline),
   * 409 when the headset is another operator's.
   */
  async bind(input: { userId: number; agentRowId: number; headsetId: string }, actor: Actor): Promise<BindingView> {
    const denial = bindDenial(actor, input.userId);
    if (denial) throw forbidden(denial);
    const self = !ROLES_HEADSET_ANY.some((r) => actor.roles.includes(r));
    const now = this.clock();
    try {
      const view = await this.db.transaction(async (em) => {
        const user = await em.findOne(User, { where: { id: input.userId } });
        if (!user) throw notFound('user', input.userId);
        if (!user.active || !ROLES_HEADSET_USER.some((r) => user.roles.includes(r))) throw invalid(['userId', 'only an active operator (or supervisor) at the desk can have a headset']);
        const agent = await em.findOne(EdgeAgentRecord, { where: { id: input.agentRowId } });
        if (!agent) throw notFound('edge agent', input.agentRowId);
        const listed = ((agent.inventory as Inventory | null)?.headsets ?? []).some((h) => h.id === input.headsetId);
        if (!listed) throw invalid(['headsetId', `edge agent ${agent.siteCode}.${agent.agentId} does not list headset ${input.headsetId}`]);
        if (self) {
          if (user.siteId === null || agent.siteId !== user.siteId) throw invalid(['agentRowId', 'the headset is at another site than yours']);
          if (!agent.online || !agent.enabled) throw conflict(`edge agent ${agent.siteCode}.${agent.agentId} is offline; pick a headset that is online`);
        }
        const taken = await em.findOne(EdgeHeadsetBinding, { where: { agentRowId: agent.id, headsetId: input.headsetId } });
        if (taken && taken.userId !== user.id) {
          const other = await em.findOne(User, { where: { id: taken.userId }, select: { id: true, fullName: true } });
          throw conflict(`the headset is bound to ${other?.fullName ?? `user ${taken.userId}`}; unbind it first`, { boundTo: { userId: taken.userId, name: other?.fullName ?? null } });
        }
        const previous = await em.findOne(EdgeHeadsetBinding, { where: { userId: user.id } });
        let row: EdgeHeadsetBinding;
        if (previous) {
          if (previous.agentRowId === agent.id && previous.headsetId === input.headsetId) return this.view(previous, agent, user);
          await em.update(EdgeHeadsetBinding, { id: previous.id }, { agentRowId: agent.id, headsetId: input.headsetId, boundBy: actor.userId, boundAt: now });
          row = Object.assign(previous, { agentRowId: agent.id, headsetId: input.headsetId, boundBy: actor.userId, boundAt: now });
        } else {
          row = await em.save(EdgeHeadsetBinding, em.create(EdgeHeadsetBinding, { userId: user.id, agentRowId: agent.id, headsetId: input.headsetId, boundBy: actor.userId, boundAt: now }));
        }
        await appendJournal(em, {
          type: 'edge.headset_bound', aggregateType: AGENT_AGGREGATE, aggregateId: agent.id, siteId: agent.siteId, actorId: actor.userId,
          data: { agent: agent.agentId, site: agent.siteCode, headsetId: input.headsetId, userId: user.id, ...(previous ? { previous: { agentRowId: previous.agentRowId, headsetId: previous.headsetId } } : {}) },
        });
        return this.view(row, agent, user);
      });
      this.o.push([input.userId], { type: 'headset.binding', headset: view });
      return view;
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('the headset or the user was bound meanwhile; try again');
      throw err;
    }
  }

  /** Unbinds the user's headset; 403 when the actor may not, 404 when the user has none. */
  async unbind(userId: number, actor: Actor): Promise<{ userId: number; unbound: true }> {
    const denial = bindDenial(actor, userId);
    if (denial) throw forbidden(denial);
    await this.db.transaction(async (em) => {
      const row = await em.findOne(EdgeHeadsetBinding, { where: { userId } });
      if (!row) throw notFound('headset binding of user', userId);
      const agent = await em.findOne(EdgeAgentRecord, { where: { id: row.agentRowId } });
      await em.delete(EdgeHeadsetBinding, { id: row.id });
      await appendJournal(em, {
        type: 'edge.headset_unbound', aggregateType: AGENT_AGGREGATE, aggregateId: row.agentRowId, siteId: agent?.siteId ?? null, actorId: actor.userId,
        data: { agent: agent?.agentId ?? null, site: agent?.siteCode ?? null, headsetId: row.headsetId, userId },
      });
    });
    this.o.push([userId], { type: 'headset.binding', headset: null });
    return { userId, unbound: true };
  }

  // ---------------------------------------------------------------- live state

  /** A headset's state as a command result or event told it (newer than telemetry). */
  noteState(agentRowId: number, headsetId: string, state: HeadsetState | null, problem: HeadsetProblem | null, at = this.clock().getTime()): void {
    const k = key(agentRowId, headsetId);
    const prev = this.live.get(k);
    this.live.set(k, { state: state ?? prev?.state ?? null, at: state ? at : (prev?.at ?? 0), problem });
    if (this.live.size > 10_000) this.live.delete(this.live.keys().next().value!);
  }

  liveState(agentRowId: number, headsetId: string): HeadsetState | null {
    return this.live.get(key(agentRowId, headsetId))?.state ?? null;
  }

  /** Tells the bound user's desk how their headset is now. */
  async pushState(userId: number): Promise<void> {
    this.o.push([userId], { type: 'headset.state', headset: await this.viewOf(userId) });
  }

  // ---------------------------------------------------------------- signals

  /**
   * Rings (or stops), lights the Off-Hook LED or the Mute LED of the user's headset, through the
   * command path; resolves with the outcome (never throws for an offline agent, a missing headset
   * or a failed command: the outcome says so, it is logged by the caller and shown on the desk).
   * Signals to one headset are published in the order they were asked for.
   */
  async signal(userId: number, kind: HeadsetSignalKind, on: boolean): Promise<SignalOutcome> {
    // The turn of this signal is taken before anything is awaited, so signals keep the order asked.
    const k = `user:${userId}`;
    const before = this.order.get(k) ?? Promise.resolve();
    let published!: () => void;
    const gate = new Promise<void>((resolve) => (published = resolve));
    this.order.set(k, gate);
    try {
      await before;
      return await this.send(userId, kind, on, published);
    } finally {
      published();
      if (this.order.get(k) === gate) this.order.delete(k);
    }
  }

  private async send(userId: number, kind: HeadsetSignalKind, on: boolean, published: () => void): Promise<SignalOutcome> {
    const b = await this.ofUser(userId);
    if (!b) return { bound: false };
    const agent = await this.db.read((em) => em.findOne(EdgeAgentRecord, { where: { id: b.agentRowId } }));
    const at = () => this.clock().toISOString();
    const skip = async (reason: 'offline' | 'absent' | 'unavailable', message: string): Promise<SignalOutcome> => {
      this.noteState(b.agentRowId, b.headsetId, null, { code: reason, message, at: at() });
      const headset = await this.viewOf(userId);
      this.o.push([userId], { type: 'headset.state', headset });
      return { bound: true, sent: false, reason, message, headset };
    };
    if (!agent || !agent.online || !agent.enabled) return skip('offline', `edge agent ${agent ? `${agent.siteCode}.${agent.agentId}` : b.agentRowId} is offline`);
    if (!((agent.inventory as Inventory | null)?.headsets ?? []).some((h) => h.id === b.headsetId)) return skip('absent', `headset ${b.headsetId} is not plugged in at ${agent.siteCode}.${agent.agentId}`);
    let command: CommandView;
    try {
      const c = SIGNAL_COMMAND[kind];
      command = await this.o.commands.run({ agent, kind: c.kind, args: { headsetId: b.headsetId, [c.arg]: on } }, { published });
    } catch (err) {
      return skip('unavailable', (err as Error).message);
    }
    if (command.status === 'ok') this.noteState(b.agentRowId, b.headsetId, command.result as unknown as HeadsetState, null);
    else this.noteState(b.agentRowId, b.headsetId, null, { code: command.error?.code ?? command.status, message: command.error?.message ?? command.status, at: at() });
    const headset = await this.viewOf(userId);
    this.o.push([userId], { type: 'headset.state', headset });
    return { bound: true, sent: true, command, headset };
  }
}
