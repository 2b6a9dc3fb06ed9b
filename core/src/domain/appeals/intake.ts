/**
 * `appeals.intake`: one atomic step that takes an inbound contact from any channel and registers it.
 * In one transaction: the applicant (found by contact or created), the appeal with its number and
 * 59-FZ deadlines, the interaction, attachments, the "received" notice and the journal rows. The
 * channel acknowledges its source only after this returns.
 *
 * Idempotent by (channel, messageId): the same message twice, even concurrently, yields one appeal
 * (the unique index on interactions decides; the loser of a race reads the winner's result).
 * Follow-ups (a reply quoting an earlier message id, or a registration number in the subject from
 * the same applicant) are added to the open appeal instead of opening a new one.
 */
import { randomInt, createHash } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { Database } from '../../persistence/database.js';
import { isUniqueViolation } from '../../persistence/database.js';
import {
  Appeal, Interaction, InteractionAttachment, Attachment, ContactPoint,
  OPEN_STATUSES, APPEAL_TYPES, type AppealType, type AppealStatus, type InteractionKind,
} from '../../persistence/entities/index.js';
import { appendJournal } from '../journal.js';
import { sqlInsert, sqlRows, quoteFor } from '../../persistence/sql.js';
import { findOrCreateApplicant, applicantProblems, type ApplicantInput } from '../applicants.js';
import { normalizeContact } from '../contacts.js';
import { invalid } from '../errors.js';
import type { Problem } from '../text-fields.js';
import { formatRegNumber, parseRegNumber } from './regnumber.js';
import type { DeadlinePort } from './deadline-port.js';
import { recordNotice } from './notices.js';

export interface IntakeInput {
  channel: string;
  /** The channel's id of the message (Message-ID, portal submission id, fax job id...). */
  messageId: string;
  receivedAt?: Date;
  type?: AppealType;
  kind?: InteractionKind;
  applicant: ApplicantInput;
  subject?: string | null;
  body: string;
  attachments?: { attachmentId: number; filename?: string }[];
  siteId?: number;
  siteCode?: string;
  serviceId?: number | null;
  topic?: string | null;
  category?: string | null;
  priority?: number;
  /** Ids of earlier messages this one answers (e-mail In-Reply-To and References). */
  threadKeys?: string[];
  /** Text that may hold a registration number (a subject line, a form field). */
  regNumberHint?: string | null;
  /** Where answers and notices go. */
  replyTo?: { channel: string; address: string } | null;
  /** false: keep the appeal "received" until an operator registers it (e.g. a fax to key in). */
  register?: boolean;
  /** Issue a secret for checking the status by registration number (portal). */
  issueStatusSecret?: boolean;
  lang?: string;
  meta?: Record<string, unknown>;
}

export interface IntakeResult {
  appealId: number;
  regNumber: string | null;
  status: string;
  created: boolean;
  followUp: boolean;
  interactionId: number;
  /** Only on the call that created the appeal with issueStatusSecret. */
  statusSecret?: string;
}

export interface IntakeDeps {
  db: Database;
  deadlines: DeadlinePort;
  defaultSiteCode?: string;
  now?: () => Date;
  /** Group commit (SQLite): concurrent intakes share one transaction and one sync to disk. */
  batcher?: { submit(input: IntakeInput): Promise<IntakeResult> };
}

const KIND_BY_CHANNEL: Record<string, InteractionKind> = { fax: 'fax', phone: 'call', chat: 'chat' };
const TYPE_BY_CHANNEL: Record<string, AppealType> = { phone: 'oral', fax: 'written', post: 'written', email: 'electronic', portal: 'electronic', chat: 'electronic' };
const SECRET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function hashStatusSecret(secret: string): string {
  return createHash('sha256').update(secret.replace(/[\s-]/g, '').toUpperCase()).digest('hex');
}

function newStatusSecret(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

export function intakeProblems(input: IntakeInput): Problem[] {
  const p: Problem[] = [];
  if (!/^[a-z][a-z0-9_-]{1,31}$/.test(input.channel ?? '')) p.push(['channel', 'must be a lower-case channel name such as email, portal, fax, phone']);
  if (!input.messageId?.trim()) p.push(['messageId', 'is required (the channel id of the message, for idempotency)']);
  else if (input.messageId.length > 255) p.push(['messageId', 'is longer than 255 characters']);
  if (typeof input.body !== 'string') p.push(['body', 'is required']);
  else if (input.body.length > 5_000_000) p.push(['body', 'is longer than 5,000,000 characters']);
  if (input.subject && input.subject.length > 500) p.push(['subject', 'is longer than 500 characters']);
  if (input.type && !APPEAL_TYPES.includes(input.type)) p.push(['type', `must be one of ${APPEAL_TYPES.join(', ')}`]);
  if (input.receivedAt && Number.isNaN(input.receivedAt.getTime())) p.push(['receivedAt', 'is not a date']);
  p.push(...applicantProblems(input.applicant ?? {}, 'applicant'));
  return p;
}

async function existingResult(em: EntityManager, channel: string, messageId: string): Promise<IntakeResult | null> {
  const q = quoteFor(em);
  const [row] = await sqlRows<{ id: unknown; appealId: unknown; regNumber: string | null; status: AppealStatus }>(em,
    `SELECT i.${q('id')} AS ${q('id')}, i.${q('appealId')} AS ${q('appealId')}, a.${q('regNumber')} AS ${q('regNumber')}, a.${q('status')} AS ${q('status')} ` +
    `FROM ${q('interactions')} i JOIN ${q('appeals')} a ON a.${q('id')} = i.${q('appealId')} WHERE i.${q('channel')} = ? AND i.${q('externalId')} = ?`, [channel, messageId]);
  if (!row) return null;
  return { appealId: Number(row.appealId), regNumber: row.regNumber, status: row.status, created: false, followUp: false, interactionId: Number(row.id) };
}

/** The open appeal this message continues, if any, belonging to the same applicant. */
async function findThread(em: EntityManager, input: IntakeInput): Promise<Appeal | null> {
  const keys = (input.threadKeys ?? []).filter((k) => k && k.length <= 255).slice(0, 50);
  if (keys.length) {
    const earlier = await em.find(Interaction, { where: { externalId: In(keys) }, order: { id: 'DESC' }, take: 1 });
    if (earlier[0]) {
      const appeal = await em.findOne(Appeal, { where: { id: earlier[0].appealId } });
      if (appeal && OPEN_STATUSES.includes(appeal.status)) return appeal;
    }
  }
  const hint = input.regNumberHint ? parseRegNumber(input.regNumberHint) : null;
  if (hint) {
    const appeal = await em.findOne(Appeal, { where: { regNumber: hint.regNumber } });
    if (appeal && OPEN_STATUSES.includes(appeal.status)) {
      // Only the applicant who owns the appeal may add to it by quoting its number.
      const contacts = (input.applicant.contacts ?? []).map((c) => ({ kind: c.kind, normalized: normalizeContact(c.kind, c.value) }));
      if (contacts.length) {
        const owned = await em.find(ContactPoint, { where: contacts.map((c) => ({ ...c, applicantId: appeal.applicantId })) });
        if (owned.length) return appeal;
      }
    }
  }
  return null;
}

async function resolveSite(em: EntityManager, input: IntakeInput, defaultSiteCode?: string): Promise<{ id: number }> {
  const q = quoteFor(em);
  const code = input.siteCode ?? defaultSiteCode;
  const [row] = input.siteId != null
    ? await sqlRows<{ id: unknown }>(em, `SELECT ${q('id')} FROM ${q('sites')} WHERE ${q('id')} = ?`, [input.siteId])
    : code
      ? await sqlRows<{ id: unknown }>(em, `SELECT ${q('id')} FROM ${q('sites')} WHERE ${q('code')} = ?`, [code])
      : await sqlRows<{ id: unknown }>(em, `SELECT ${q('id')} FROM ${q('sites')} WHERE ${q('kind')} = 'city' ORDER BY ${q('id')} LIMIT 1`);
  if (!row) throw invalid([input.siteId != null ? 'siteId' : 'siteCode', 'no such site (and no default site is set up)']);
  return { id: Number(row.id) };
}

async function linkAttachments(em: EntityManager, interactionId: number, attachments: IntakeInput['attachments']): Promise<void> {
  if (!attachments?.length) return;
  const found = await em.find(Attachment, { where: { id: In(attachments.map((a) => a.attachmentId)) } });
  for (const a of attachments) {
    const row = found.find((f) => f.id === a.attachmentId);
    if (!row) throw invalid(['attachments', `attachment ${a.attachmentId} does not exist`]);
    await em.insert(InteractionAttachment, { interactionId, attachmentId: row.id, filename: a.filename ?? row.filename });
  }
}

/** The work of one intake inside a transaction (or a savepoint of a group commit). */
export async function intakeIn(em: EntityManager, deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  const now = deps.now?.() ?? new Date();
  const receivedAt = input.receivedAt ?? now;
  const kind = input.kind ?? KIND_BY_CHANNEL[input.channel] ?? 'message';
  {
    const existing = await existingResult(em, input.channel, input.messageId);
    if (existing) return existing;

    const thread = await findThread(em, input);
    if (thread) {
      const inter = { id: await sqlInsert(em, quoteFor(em), 'interactions', {
        appealId: thread.id, direction: 'in', kind, channel: input.channel, externalId: input.messageId, at: receivedAt,
        authorUserId: null, subject: input.subject ?? null, body: input.body, meta: input.meta ?? null, deliveryStatus: null, deliveryError: null, attempts: 0, nextAttemptAt: null,
      }) };
      await linkAttachments(em, inter.id, input.attachments);
      await em.update(Appeal, { id: thread.id }, { updatedAt: now });
      await appendJournal(em, { type: 'appeal.message_received', aggregateType: 'appeal', aggregateId: thread.id, siteId: thread.siteId, at: now, data: { appealId: thread.id, interactionId: inter.id, channel: input.channel, kind } });
      return { appealId: thread.id, regNumber: thread.regNumber, status: thread.status, created: false, followUp: true, interactionId: inter.id };
    }

    const site = await resolveSite(em, input, deps.defaultSiteCode);
    let service: { id: number; organisationId: number; topic: string | null } | null = null;
    if (input.serviceId != null) {
      const q = quoteFor(em);
      const [row] = await sqlRows<{ id: unknown; organisationId: unknown; topic: string | null }>(em,
        `SELECT ${q('id')}, ${q('organisationId')}, ${q('topic')} FROM ${q('services')} WHERE ${q('id')} = ?`, [input.serviceId]);
      if (!row) throw invalid(['serviceId', `service ${input.serviceId} does not exist`]);
      service = { id: Number(row.id), organisationId: Number(row.organisationId), topic: row.topic };
    }
    const applicant = await findOrCreateApplicant(em, input.applicant, now);
    const register = input.register !== false;
    const registeredAt = register ? now : null;
    const category = input.category ?? null;
    const d = deps.deadlines.compute({ receivedAt, registeredAt, category });
    const statusSecret = input.issueStatusSecret ? newStatusSecret() : undefined;
    const values = {
      regNumber: null as string | null, channel: input.channel, type: input.type ?? TYPE_BY_CHANNEL[input.channel] ?? 'electronic',
      status: register ? 'registered' : 'received', applicantId: applicant.id, siteId: site.id, serviceId: service?.id ?? null,
      organisationId: service?.organisationId ?? null, topic: input.topic ?? service?.topic ?? null, subject: input.subject?.slice(0, 500) ?? null,
      category, priority: input.priority ?? 0, receivedAt, registeredAt, registerBy: d.registerBy, redirectBy: d.redirectBy, answerBy: d.answerBy,
      secondLineBy: null, extensionDays: null, extensionReason: null, extendedAt: null, redirectedToOrgId: null, redirectReason: null,
      redirectedAt: null, answeredAt: null, closedAt: null, outcome: null, wrapUpCode: null, suspendReason: null, assignedUserId: null,
      replyChannel: input.replyTo?.channel ?? null, replyAddress: input.replyTo?.address ?? null,
      statusSecretHash: statusSecret ? hashStatusSecret(statusSecret) : null, kbVersionsUsed: null, createdAt: now, updatedAt: now, version: 1,
    } satisfies Partial<Appeal>;
    const q = quoteFor(em);
    const appeal = Object.assign(new Appeal(), values, { id: await sqlInsert(em, q, 'appeals', values) });
    if (register) {
      appeal.regNumber = formatRegNumber(appeal.id, now, deps.deadlines.timeZone);
      await em.query(`UPDATE ${q('appeals')} SET ${q('regNumber')} = ? WHERE ${q('id')} = ?`, [appeal.regNumber, appeal.id]);
    }
    const inter = { id: await sqlInsert(em, q, 'interactions', {
      appealId: appeal.id, direction: 'in', kind, channel: input.channel, externalId: input.messageId, at: receivedAt, authorUserId: null,
      subject: input.subject ?? null, body: input.body, meta: input.meta ?? null, deliveryStatus: null, deliveryError: null, attempts: 0, nextAttemptAt: null,
    }) };
    await linkAttachments(em, inter.id, input.attachments);
    await appendJournal(em, {
      type: register ? 'appeal.registered' : 'appeal.received', aggregateType: 'appeal', aggregateId: appeal.id, siteId: site.id, at: now,
      data: {
        appealId: appeal.id, regNumber: appeal.regNumber, channel: appeal.channel, type: appeal.type, kind, serviceId: appeal.serviceId,
        organisationId: appeal.organisationId, topic: appeal.topic, category, priority: appeal.priority, receivedAt: receivedAt.toISOString(),
        registeredAt: registeredAt?.toISOString() ?? null, registerBy: d.registerBy.toISOString(), answerBy: d.answerBy?.toISOString() ?? null,
        attachments: input.attachments?.length ?? 0, interactionId: inter.id, applicantId: applicant.id,
      },
    });
    if (register) await recordNotice(em, appeal, 'received', { regNumber: appeal.regNumber, answerBy: d.answerBy?.toISOString() ?? null }, now, input.lang);
    return { appealId: appeal.id, regNumber: appeal.regNumber, status: appeal.status, created: true, followUp: false, interactionId: inter.id, ...(statusSecret ? { statusSecret } : {}) };
  }
}

function intakeOnce(deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  return deps.batcher ? deps.batcher.submit(input) : deps.db.transaction((em) => intakeIn(em, deps, input));
}

export async function intake(deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  const problems = intakeProblems(input);
  if (problems.length) throw invalid(...problems);
  for (let attempt = 1; ; attempt++) {
    try {
      return await intakeOnce(deps, input);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 3) throw err;
      // Lost a race: the same message (or a new applicant's address) was committed meanwhile.
      const winner = await deps.db.read((em) => existingResult(em, input.channel, input.messageId));
      if (winner) return winner;
    }
  }
}
