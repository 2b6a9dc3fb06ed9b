/**
 * The personal-data audit (152-FZ): every read and change of an applicant's data by a person is
 * recorded with who, when, what (field names, never values) and from where. A read is recorded
 * before the data is returned; if the record cannot be written, the read fails.
 */
import type { EntityManager } from 'typeorm';
import { AuditEntry, type AuditAction } from '../persistence/entities/index.js';
import type { Database } from '../persistence/database.js';
import type { Actor } from './actor.js';

export interface AuditInput {
  action: AuditAction;
  entityType: string;
  entityId?: string | number | null;
  applicantId?: number | null;
  detail?: Record<string, unknown> | null;
}

export async function recordAudit(em: EntityManager, actor: Actor, input: AuditInput, at = new Date()): Promise<void> {
  await em.insert(AuditEntry, {
    at,
    userId: actor.userId,
    login: actor.login,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId == null ? null : String(input.entityId),
    applicantId: input.applicantId ?? null,
    detail: (input.detail ?? null) as never,
    ip: actor.ip ?? null,
  });
}

/** Records reads of several applicants' data in one transaction. */
export async function auditReads(db: Database, actor: Actor, entityType: string, items: { entityId: string | number; applicantId: number }[], detail?: Record<string, unknown>): Promise<void> {
  if (!items.length) return;
  await db.transaction(async (em) => {
    const at = new Date();
    for (const i of items) await recordAudit(em, actor, { action: 'read', entityType, entityId: i.entityId, applicantId: i.applicantId, detail: detail ?? null }, at);
  });
}

export interface AuditQuery {
  applicantId?: number;
  userId?: number;
  action?: AuditAction;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export async function queryAudit(db: Database, q: AuditQuery): Promise<{ total: number; rows: AuditEntry[] }> {
  return db.read(async (em) => {
    const qb = em.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC');
    if (q.applicantId != null) qb.andWhere('a.applicantId = :ap', { ap: q.applicantId });
    if (q.userId != null) qb.andWhere('a.userId = :u', { u: q.userId });
    if (q.action) qb.andWhere('a.action = :ac', { ac: q.action });
    if (q.from) qb.andWhere('a.at >= :from', { from: q.from.getTime() });
    if (q.to) qb.andWhere('a.at < :to', { to: q.to.getTime() });
    const [rows, total] = await qb.take(q.limit ?? 100).skip(q.offset ?? 0).getManyAndCount();
    return { total, rows };
  });
}
