/**
 * Reading appeals: the work list (no personal data), the appeal card (personal data: audited), the
 * overdue and near-due lists per site, and the public status check by number and secret.
 */
import { In, type SelectQueryBuilder } from 'typeorm';
import type { Database } from '../../persistence/database.js';
import {
  Appeal, Applicant, ContactPoint, Interaction, InteractionAttachment, Attachment, Notice, Organisation, Service, Site,
  OPEN_STATUSES, type AppealStatus,
} from '../../persistence/entities/index.js';
import type { Actor } from '../actor.js';
import { recordAudit } from '../audit.js';
import { notFound, invalid } from '../errors.js';
import { hashStatusSecret } from './intake.js';
import { parseRegNumber } from './regnumber.js';

export interface AppealListQuery {
  status?: AppealStatus[];
  siteIds?: number[];
  assignedUserId?: number;
  channel?: string;
  serviceId?: number;
  /** overdue: past a deadline that still runs; nearDue: within the warning window. */
  deadline?: 'overdue' | 'nearDue';
  regNumber?: string;
  limit?: number;
  offset?: number;
  now?: Date;
  nearDueFrom?: Date;
}

export interface AppealSummary {
  id: number;
  regNumber: string | null;
  channel: string;
  type: string;
  status: AppealStatus;
  siteId: number;
  serviceId: number | null;
  organisationId: number | null;
  topic: string | null;
  subject: string | null;
  priority: number;
  assignedUserId: number | null;
  receivedAt: Date;
  registeredAt: Date | null;
  registerBy: Date;
  redirectBy: Date | null;
  answerBy: Date | null;
  secondLineBy: Date | null;
  extensionDays: number | null;
  /** The deadline that matters now and whether it is missed or near. */
  due: { kind: 'register' | 'redirect' | 'answer' | 'secondLine'; at: Date; state: 'ok' | 'nearDue' | 'overdue' } | null;
}

function currentDue(a: Appeal, now: Date, nearFrom: Date): AppealSummary['due'] {
  if (!OPEN_STATUSES.includes(a.status)) return null;
  const pick = a.status === 'received' ? { kind: 'register' as const, at: a.registerBy }
    : a.status === 'deferred' && a.secondLineBy ? { kind: 'secondLine' as const, at: a.secondLineBy }
    : a.answerBy ? { kind: 'answer' as const, at: a.answerBy } : null;
  if (!pick) return null;
  return { ...pick, state: pick.at < now ? 'overdue' : pick.at < nearFrom ? 'nearDue' : 'ok' };
}

export function summarize(a: Appeal, now: Date, nearFrom: Date): AppealSummary {
  return {
    id: a.id, regNumber: a.regNumber, channel: a.channel, type: a.type, status: a.status, siteId: a.siteId, serviceId: a.serviceId,
    organisationId: a.organisationId, topic: a.topic, subject: a.subject, priority: a.priority, assignedUserId: a.assignedUserId,
    receivedAt: a.receivedAt, registeredAt: a.registeredAt, registerBy: a.registerBy, redirectBy: a.redirectBy, answerBy: a.answerBy,
    secondLineBy: a.secondLineBy, extensionDays: a.extensionDays, due: currentDue(a, now, nearFrom),
  };
}

function applyDeadlineFilter(qb: SelectQueryBuilder<Appeal>, which: 'overdue' | 'nearDue', now: Date, nearFrom: Date): void {
  // The running deadline: registration for received, second line for deferred, otherwise the answer.
  const running = `(CASE WHEN a.status = 'received' THEN a.registerBy WHEN a.status = 'deferred' AND a.secondLineBy IS NOT NULL THEN a.secondLineBy ELSE a.answerBy END)`;
  qb.andWhere('a.status IN (:...open)', { open: OPEN_STATUSES });
  if (which === 'overdue') qb.andWhere(`${running} < :now`, { now: now.getTime() });
  else qb.andWhere(`${running} >= :now AND ${running} < :near`, { now: now.getTime(), near: nearFrom.getTime() });
}

export async function listAppeals(db: Database, q: AppealListQuery): Promise<{ total: number; rows: AppealSummary[] }> {
  const now = q.now ?? new Date();
  const nearFrom = q.nearDueFrom ?? new Date(now.getTime() + 3 * 86_400_000);
  return db.read(async (em) => {
    const qb = em.getRepository(Appeal).createQueryBuilder('a');
    if (q.status?.length) qb.andWhere('a.status IN (:...st)', { st: q.status });
    if (q.siteIds?.length) qb.andWhere('a.siteId IN (:...sites)', { sites: q.siteIds });
    if (q.assignedUserId != null) qb.andWhere('a.assignedUserId = :u', { u: q.assignedUserId });
    if (q.channel) qb.andWhere('a.channel = :ch', { ch: q.channel });
    if (q.serviceId != null) qb.andWhere('a.serviceId = :svc', { svc: q.serviceId });
    if (q.regNumber) {
      const parsed = parseRegNumber(q.regNumber);
      qb.andWhere('a.regNumber = :rn', { rn: parsed?.regNumber ?? q.regNumber.trim() });
    }
    if (q.deadline) applyDeadlineFilter(qb, q.deadline, now, nearFrom);
    qb.orderBy(q.deadline ? 'a.answerBy' : 'a.receivedAt', q.deadline ? 'ASC' : 'DESC').addOrderBy('a.id', 'DESC');
    const [rows, total] = await qb.take(Math.min(q.limit ?? 50, 500)).skip(q.offset ?? 0).getManyAndCount();
    return { total, rows: rows.map((a) => summarize(a, now, nearFrom)) };
  });
}

/** Counts of overdue and near-due appeals per site (for the supervisor's view). */
export async function deadlineCounts(db: Database, now: Date, nearFrom: Date): Promise<{ siteId: number; overdue: number; nearDue: number }[]> {
  const count = async (which: 'overdue' | 'nearDue') =>
    db.read(async (em) => {
      const qb = em.getRepository(Appeal).createQueryBuilder('a').select('a.siteId', 'siteId').addSelect('COUNT(*)', 'n').groupBy('a.siteId');
      applyDeadlineFilter(qb, which, now, nearFrom);
      return (await qb.getRawMany<{ siteId: unknown; n: unknown }>()).map((r) => ({ siteId: Number(r.siteId), n: Number(r.n) }));
    });
  const [over, near] = await Promise.all([count('overdue'), count('nearDue')]);
  const bySite = new Map<number, { siteId: number; overdue: number; nearDue: number }>();
  for (const r of over) bySite.set(r.siteId, { siteId: r.siteId, overdue: r.n, nearDue: 0 });
  for (const r of near) bySite.set(r.siteId, { ...(bySite.get(r.siteId) ?? { siteId: r.siteId, overdue: 0, nearDue: 0 }), nearDue: r.n });
  return [...bySite.values()].sort((a, b) => a.siteId - b.siteId);
}

export interface AppealCard extends AppealSummary {
  applicant: { id: number; kind: string; fullName: string | null; organisationName: string | null; contacts: { kind: string; value: string }[]; destroyed: boolean };
  earlierAppeals: { id: number; regNumber: string | null; status: string; subject: string | null; receivedAt: Date }[];
  site: { id: number; code: string; name: string } | null;
  service: { id: number; code: string; name: string } | null;
  organisation: { id: number; name: string } | null;
  redirectedTo: { id: number; name: string } | null;
  replyChannel: string | null;
  replyAddress: string | null;
  extensionReason: string | null;
  outcome: string | null;
  wrapUpCode: string | null;
  suspendReason: string | null;
  kbVersionsUsed: { articleId: number; version: number }[];
  interactions: {
    id: number; direction: string; kind: string; channel: string; at: Date; authorUserId: number | null; subject: string | null; body: string;
    deliveryStatus: string | null; deliveryError: string | null; meta: Record<string, unknown> | null;
    attachments: { id: number; filename: string; mime: string; size: number }[];
  }[];
  notices: { id: number; kind: string; channel: string | null; status: string; attempts: number; lastError: string | null; sentAt: Date | null; createdAt: Date }[];
}

/** The whole appeal card, with the applicant's data; the read is audited. */
export async function getAppealCard(db: Database, actor: Actor, id: number, opts: { now?: Date; nearDueFrom?: Date } = {}): Promise<AppealCard> {
  const now = opts.now ?? new Date();
  const nearFrom = opts.nearDueFrom ?? new Date(now.getTime() + 3 * 86_400_000);
  return db.transaction(async (em) => {
    const a = await em.findOne(Appeal, { where: { id } });
    if (!a) throw notFound('appeal', id);
    const [applicant, contacts, earlier, interactions, notices] = [
      await em.findOneOrFail(Applicant, { where: { id: a.applicantId } }),
      await em.find(ContactPoint, { where: { applicantId: a.applicantId }, order: { id: 'ASC' } }),
      await em.find(Appeal, { where: { applicantId: a.applicantId }, order: { receivedAt: 'DESC' }, take: 50 }),
      await em.find(Interaction, { where: { appealId: id }, order: { at: 'ASC', id: 'ASC' } }),
      await em.find(Notice, { where: { appealId: id }, order: { id: 'ASC' } }),
    ];
    const links = interactions.length ? await em.find(InteractionAttachment, { where: { interactionId: In(interactions.map((i) => i.id)) } }) : [];
    const files = links.length ? await em.find(Attachment, { where: { id: In(links.map((l) => l.attachmentId)) } }) : [];
    const site = await em.findOne(Site, { where: { id: a.siteId } });
    const service = a.serviceId ? await em.findOne(Service, { where: { id: a.serviceId } }) : null;
    const orgIds = [a.organisationId, a.redirectedToOrgId].filter((x): x is number => x != null);
    const orgs = orgIds.length ? await em.find(Organisation, { where: { id: In(orgIds) } }) : [];
    const org = (oid: number | null) => {
      const o = orgs.find((x) => x.id === oid);
      return o ? { id: o.id, name: o.name } : null;
    };
    await recordAudit(em, actor, { action: 'read', entityType: 'appeal', entityId: id, applicantId: a.applicantId, detail: { purpose: 'appeal card', fields: ['applicant', 'contacts', 'interactions'] } }, now);
    return {
      ...summarize(a, now, nearFrom),
      applicant: { id: applicant.id, kind: applicant.kind, fullName: applicant.fullName, organisationName: applicant.organisationName, contacts: contacts.map((c) => ({ kind: c.kind, value: c.value })), destroyed: Boolean(applicant.destroyedAt) },
      earlierAppeals: earlier.filter((e) => e.id !== id).map((e) => ({ id: e.id, regNumber: e.regNumber, status: e.status, subject: e.subject, receivedAt: e.receivedAt })),
      site: site ? { id: site.id, code: site.code, name: site.name } : null,
      service: service ? { id: service.id, code: service.code, name: service.name } : null,
      organisation: org(a.organisationId),
      redirectedTo: org(a.redirectedToOrgId),
      replyChannel: a.replyChannel, replyAddress: a.replyAddress, extensionReason: a.extensionReason, outcome: a.outcome, wrapUpCode: a.wrapUpCode,
      suspendReason: a.suspendReason, kbVersionsUsed: a.kbVersionsUsed ?? [],
      interactions: interactions.map((i) => ({
        id: i.id, direction: i.direction, kind: i.kind, channel: i.channel, at: i.at, authorUserId: i.authorUserId, subject: i.subject, body: i.body,
        deliveryStatus: i.deliveryStatus, deliveryError: i.deliveryError, meta: i.meta,
        attachments: links.filter((l) => l.interactionId === i.id).map((l) => {
          const f = files.find((x) => x.id === l.attachmentId)!;
          return { id: f.id, filename: l.filename, mime: f.mime, size: f.size };
        }),
      })),
      notices: notices.map((n) => ({ id: n.id, kind: n.kind, channel: n.channel, status: n.status, attempts: n.attempts, lastError: n.lastError, sentAt: n.sentAt, createdAt: n.createdAt })),
    };
  });
}

export interface PublicStatus {
  regNumber: string;
  status: AppealStatus;
  receivedAt: Date;
  registeredAt: Date | null;
  answerBy: Date | null;
  extended: boolean;
  answeredAt: Date | null;
  redirectedTo: string | null;
}

/** The status an applicant may see, by registration number and the secret given at submission. */
export async function publicStatus(db: Database, regNumber: string, secret: string): Promise<PublicStatus> {
  const parsed = parseRegNumber(regNumber ?? '');
  if (!parsed) throw invalid(['regNumber', 'is not a valid registration number (format YY-NNNNNN-C)']);
  if (!secret?.trim()) throw invalid(['secret', 'is required']);
  const a = await db.read((em) => em.findOne(Appeal, { where: { regNumber: parsed.regNumber } }));
  // The same answer for "no such number" and "wrong secret": numbers cannot be probed.
  if (!a || !a.statusSecretHash || a.statusSecretHash !== hashStatusSecret(secret)) throw notFound('appeal with this number and secret', parsed.regNumber);
  const redirectedTo = a.redirectedToOrgId ? (await db.read((em) => em.findOne(Organisation, { where: { id: a.redirectedToOrgId! } })))?.name ?? null : null;
  return { regNumber: parsed.regNumber, status: a.status, receivedAt: a.receivedAt, registeredAt: a.registeredAt, answerBy: a.answerBy, extended: Boolean(a.extensionDays), answeredAt: a.answeredAt, redirectedTo };
}

export async function appealSiteIds(db: Database, ids: number[]): Promise<Map<number, number>> {
  if (!ids.length) return new Map();
  const rows = await db.read((em) => em.find(Appeal, { where: { id: In(ids) }, select: { id: true, siteId: true } }));
  return new Map(rows.map((r) => [r.id, r.siteId]));
}
