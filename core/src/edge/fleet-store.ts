/**
 * The fleet registry in the database: agents and their credentials, and what their reports change
 * (presence, inventory, telemetry, events), with the journal rows of each change in the same
 * transaction. The journal carries ids and facts only (agent, site, event type, device).
 */
import type { EntityManager } from 'typeorm';
import type { DecodedOf, EventBody, UnknownEvent } from '@okno/protocol';
import { AgentId, SiteId } from '@okno/protocol';
import type { Database } from '../persistence/database.js';
import { isUniqueViolation } from '../persistence/database.js';
import { Site } from '../persistence/entities/index.js';
import { appendJournal } from '../domain/journal.js';
import type { Actor } from '../domain/actor.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { EdgeAgentRecord, EdgeEventRecord, type EdgeEventLevel } from './entities.js';
import { hashPassword, newPassword } from './credentials.js';

export const AGENT_AGGREGATE = 'edge_agent';

/** What the consumer needs to know of an agent on every message. */
export interface AgentRef {
  id: number;
  siteCode: string;
  agentId: string;
  siteId: number | null;
  enabled: boolean;
}

export interface PendingTelemetry {
  telemetry: Record<string, unknown>;
  ts: number;
}

/** A JSON column's value in an update (TypeORM's partial-entity type cannot express `unknown` leaves). */
const json = (v: object) => v as never;

function refOf(r: EdgeAgentRecord): AgentRef {
  return { id: r.id, siteCode: r.siteCode, agentId: r.agentId, siteId: r.siteId, enabled: r.enabled };
}

function journalData(a: AgentRef, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { agent: a.agentId, site: a.siteCode, ...extra };
}

/** Without the envelope: what is kept of a report. */
function body<T extends { id: string; v: string; ts: number; sender: unknown }>(msg: T): Omit<T, 'id' | 'sender'> {
  const { id: _id, sender: _sender, ...rest } = msg;
  return rest;
}

/** How bad an event is (for "recent errors"). */
export function eventLevel(e: EventBody | UnknownEvent): EdgeEventLevel {
  if (e.type === 'error') return 'error';
  if (e.type === 'fax.failed') return e.willRetry ? 'warn' : 'error';
  if (e.type === 'spool.overflow') return 'warn';
  return 'info';
}

/** The device an event is about, if any. */
export function eventDevice(e: EventBody | UnknownEvent): string | null {
  if ('modemId' in e && e.modemId) return e.modemId;
  if ('headsetId' in e) return e.headsetId;
  if ('device' in e) return e.device.id;
  if ('deviceId' in e && e.deviceId) return e.deviceId;
  return null;
}

export class FleetStore {
  constructor(private readonly db: Database, private readonly clock: () => Date = () => new Date()) {}

  /** The credential the broker checks. */
  async credential(site: string, agent: string): Promise<{ passwordHash: string; enabled: boolean } | undefined> {
    const r = await this.db.read((em) => em.findOne(EdgeAgentRecord, { where: { siteCode: site, agentId: agent }, select: { id: true, passwordHash: true, enabled: true } }));
    return r ? { passwordHash: r.passwordHash, enabled: r.enabled } : undefined;
  }

  async ref(site: string, agent: string): Promise<AgentRef | undefined> {
    const r = await this.db.read((em) => em.findOne(EdgeAgentRecord, { where: { siteCode: site, agentId: agent }, select: { id: true, siteCode: true, agentId: true, siteId: true, enabled: true } }));
    return r ? refOf(r) : undefined;
  }

  async get(id: number): Promise<EdgeAgentRecord> {
    const r = await this.db.read((em) => em.findOne(EdgeAgentRecord, { where: { id } }));
    if (!r) throw notFound('edge agent', id);
    return r;
  }

  async find(site: string, agent: string): Promise<EdgeAgentRecord> {
    const r = await this.db.read((em) => em.findOne(EdgeAgentRecord, { where: { siteCode: site, agentId: agent } }));
    if (!r) throw notFound('edge agent', `${site}.${agent}`);
    return r;
  }

  async list(filter: { site?: string; online?: boolean } = {}): Promise<EdgeAgentRecord[]> {
    return this.db.read((em) => {
      const qb = em.getRepository(EdgeAgentRecord).createQueryBuilder('a').orderBy('a.siteCode', 'ASC').addOrderBy('a.agentId', 'ASC');
      if (filter.site) qb.andWhere('a.siteCode = :site', { site: filter.site });
      if (filter.online !== undefined) qb.andWhere('a.online = :online', { online: filter.online });
      return qb.getMany();
    });
  }

  /** Registers an agent; returns it and its password (shown once, stored only hashed). */
  async create(input: { site: string; agent: string; label?: string | null }, actor: Actor): Promise<{ record: EdgeAgentRecord; password: string }> {
    const problems: [string, string][] = [];
    const site = SiteId.safeParse(input.site);
    const agent = AgentId.safeParse(input.agent);
    if (!site.success) problems.push(['site', site.error.issues[0]!.message]);
    if (!agent.success) problems.push(['agent', agent.error.issues[0]!.message]);
    if (problems.length) throw invalid(...problems);
    const password = newPassword();
    const now = this.clock();
    try {
      const record = await this.db.transaction(async (em) => {
        const coreSite = await em.findOne(Site, { where: { code: input.site } });
        const r = await em.save(EdgeAgentRecord, em.create(EdgeAgentRecord, {
          siteCode: input.site, agentId: input.agent, siteId: coreSite?.id ?? null, label: input.label?.trim() || `${input.site}.${input.agent}`,
          enabled: true, passwordHash: hashPassword(password), passwordSetAt: now, online: false, onlineSince: null, lastSeenAt: null,
          presenceTs: null, offlineReason: null, agentVersion: null, protocolVersion: null, startedAt: null, inventory: null, inventoryTs: null,
          telemetry: null, telemetryTs: null, createdAt: now, updatedAt: now,
        }));
        await appendJournal(em, { type: 'edge.agent_registered', aggregateType: AGENT_AGGREGATE, aggregateId: r.id, siteId: r.siteId, actorId: actor.userId, data: journalData(refOf(r)) });
        return r;
      });
      return { record, password };
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`edge agent ${input.site}.${input.agent} already exists`, { site: input.site, agent: input.agent });
      throw err;
    }
  }

  /** A new password for an agent (the old one stops working); returns it once. */
  async rotatePassword(id: number, actor: Actor): Promise<{ record: EdgeAgentRecord; password: string }> {
    const password = newPassword();
    const record = await this.db.transaction(async (em) => {
      const r = await em.findOne(EdgeAgentRecord, { where: { id } });
      if (!r) throw notFound('edge agent', id);
      r.passwordHash = hashPassword(password);
      r.passwordSetAt = r.updatedAt = this.clock();
      await em.save(r);
      await appendJournal(em, { type: 'edge.agent_updated', aggregateType: AGENT_AGGREGATE, aggregateId: r.id, siteId: r.siteId, actorId: actor.userId, data: journalData(refOf(r), { passwordRotated: true }) });
      return r;
    });
    return { record, password };
  }

  async update(id: number, change: { label?: string; enabled?: boolean }, actor: Actor): Promise<EdgeAgentRecord> {
    return this.db.transaction(async (em) => {
      const r = await em.findOne(EdgeAgentRecord, { where: { id } });
      if (!r) throw notFound('edge agent', id);
      if (change.label !== undefined) r.label = change.label.trim() || r.label;
      if (change.enabled !== undefined) r.enabled = change.enabled;
      r.updatedAt = this.clock();
      await em.save(r);
      await appendJournal(em, { type: 'edge.agent_updated', aggregateType: AGENT_AGGREGATE, aggregateId: r.id, siteId: r.siteId, actorId: actor.userId, data: journalData(refOf(r), { enabled: r.enabled }) });
      return r;
    });
  }

  /**
   * Presence: online (connect) or offline (shutdown, or the last will the broker published).
   * A late copy older than the presence applied is ignored, except a will: its envelope was made when
   * the agent connected, and the broker publishes it only once that connection is gone.
   */
  async applyPresence(a: AgentRef, msg: DecodedOf['presence']): Promise<'online' | 'offline' | 'unchanged'> {
    const now = this.clock();
    return this.db.transaction(async (em) => {
      const r = await em.findOne(EdgeAgentRecord, { where: { id: a.id } });
      if (!r) return 'unchanged';
      if (msg.reason !== 'will' && r.presenceTs !== null && msg.ts <= r.presenceTs) return 'unchanged';
      const online = msg.state === 'online';
      const was = r.online;
      r.online = online;
      r.lastSeenAt = now;
      r.updatedAt = now;
      if (msg.reason !== 'will') r.presenceTs = msg.ts;
      r.agentVersion = msg.agentVersion.slice(0, 32);
      r.protocolVersion = msg.v;
      r.startedAt = new Date(msg.startedAt);
      r.offlineReason = online ? null : msg.reason;
      if (online && (!was || !r.onlineSince)) r.onlineSince = now;
      if (!online) r.onlineSince = null;
      await em.save(r);
      if (online === was) return 'unchanged';
      await appendJournal(em, online
        ? { type: 'edge.agent_online', aggregateType: AGENT_AGGREGATE, aggregateId: a.id, siteId: a.siteId, data: journalData(a, { agentVersion: r.agentVersion, protocolVersion: msg.v }) }
        : { type: 'edge.agent_offline', aggregateType: AGENT_AGGREGATE, aggregateId: a.id, siteId: a.siteId, data: journalData(a, { reason: msg.reason }) });
      return online ? 'online' : 'offline';
    });
  }

  /** Every agent still marked online goes offline (the embedded broker starts: nobody is connected). */
  async markAllOffline(reason: string): Promise<number> {
    const now = this.clock();
    return this.db.transaction(async (em) => {
      const rows = await em.find(EdgeAgentRecord, { where: { online: true }, select: { id: true, siteCode: true, agentId: true, siteId: true, enabled: true } });
      for (const r of rows) {
        await em.update(EdgeAgentRecord, { id: r.id }, { online: false, onlineSince: null, offlineReason: reason, updatedAt: now });
        await appendJournal(em, { type: 'edge.agent_offline', aggregateType: AGENT_AGGREGATE, aggregateId: r.id, siteId: r.siteId, data: journalData(refOf(r), { reason }) });
      }
      return rows.length;
    });
  }

  /** The retained inventory; an older one arriving late is ignored. */
  async applyInventory(a: AgentRef, msg: DecodedOf['inventory']): Promise<boolean> {
    const now = this.clock();
    return this.db.transaction(async (em) => {
      const res = await em
        .createQueryBuilder()
        .update(EdgeAgentRecord)
        .set({ inventory: json(body(msg)), inventoryTs: msg.ts, lastSeenAt: now, updatedAt: now })
        .where('id = :id AND (inventoryTs IS NULL OR inventoryTs < :ts)', { id: a.id, ts: msg.ts })
        .execute();
      return !!res.affected;
    });
  }

  /** Writes the latest telemetry of many agents (and when each was last heard of) in one transaction. */
  async flushTelemetry(telemetry: Map<number, PendingTelemetry>, seen: Map<number, Date>): Promise<void> {
    if (!telemetry.size && !seen.size) return;
    await this.db.transaction(async (em) => {
      for (const [id, t] of telemetry) {
        await em
          .createQueryBuilder()
          .update(EdgeAgentRecord)
          .set({ telemetry: json(t.telemetry), telemetryTs: t.ts })
          .where('id = :id AND (telemetryTs IS NULL OR telemetryTs < :ts)', { id, ts: t.ts })
          .execute();
      }
      for (const [id, at] of seen) {
        await em.createQueryBuilder().update(EdgeAgentRecord).set({ lastSeenAt: at }).where('id = :id AND (lastSeenAt IS NULL OR lastSeenAt < :at)', { id, at: at.getTime() }).execute();
      }
    });
  }

  /** Stores an event once (by message id) with its journal row; false for a redelivered one. */
  async addEvent(a: AgentRef, msg: DecodedOf['events']): Promise<EdgeEventRecord | undefined> {
    const e = msg.event;
    const type = e.type === 'unknown' ? e.originalType : e.type;
    const device = eventDevice(e);
    const now = this.clock();
    try {
      return await this.db.transaction(async (em: EntityManager) => {
        const row = await em.save(EdgeEventRecord, em.create(EdgeEventRecord, {
          agentRowId: a.id, messageId: msg.id, type: type.slice(0, 64), level: eventLevel(e), deviceId: device?.slice(0, 256) ?? null,
          at: new Date(msg.ts), receivedAt: now, data: e.type === 'unknown' ? { ...e.data, unknownType: true } : (e as unknown as Record<string, unknown>),
        }));
        await em.update(EdgeAgentRecord, { id: a.id }, { lastSeenAt: now });
        const extra: Record<string, unknown> = { eventType: type, device, eventId: row.id };
        if ('jobId' in e && e.jobId) extra.jobId = e.jobId;
        if ('transferId' in e && e.transferId) extra.transferId = e.transferId;
        await appendJournal(em, { type: 'edge.event', aggregateType: AGENT_AGGREGATE, aggregateId: a.id, siteId: a.siteId, data: journalData(a, extra) });
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  async events(filter: { agentRowId?: number; level?: EdgeEventLevel | 'problems'; site?: string; type?: string; limit: number; beforeId?: number }): Promise<(EdgeEventRecord & { siteCode: string; agentId: string })[]> {
    return this.db.read(async (em) => {
      const qb = em.getRepository(EdgeEventRecord).createQueryBuilder('e').orderBy('e.id', 'DESC').limit(filter.limit);
      if (filter.agentRowId !== undefined) qb.andWhere('e.agentRowId = :a', { a: filter.agentRowId });
      if (filter.level === 'problems') qb.andWhere('e.level IN (:...lv)', { lv: ['warn', 'error'] });
      else if (filter.level) qb.andWhere('e.level = :lv', { lv: filter.level });
      if (filter.type) qb.andWhere('e.type = :t', { t: filter.type });
      if (filter.beforeId) qb.andWhere('e.id < :b', { b: filter.beforeId });
      if (filter.site) qb.andWhere('e.agentRowId IN (SELECT x.id FROM edge_agents x WHERE x.siteCode = :site)', { site: filter.site });
      const rows = await qb.getMany();
      const ids = [...new Set(rows.map((r) => r.agentRowId))];
      const agents = ids.length ? await em.find(EdgeAgentRecord, { where: ids.map((id) => ({ id })), select: { id: true, siteCode: true, agentId: true } }) : [];
      const byId = new Map(agents.map((x) => [x.id, x]));
      return rows.map((r) => Object.assign(r, { siteCode: byId.get(r.agentRowId)?.siteCode ?? '?', agentId: byId.get(r.agentRowId)?.agentId ?? '?' }));
    });
  }

  /** Drops events older than `before` (they are in the journal as facts; details are kept a while). */
  async pruneEvents(before: Date): Promise<number> {
    return this.db.transaction(async (em) => {
      const res = await em.createQueryBuilder().delete().from(EdgeEventRecord).where('receivedAt < :b', { b: before.getTime() }).execute();
      return res.affected ?? 0;
    });
  }
}
