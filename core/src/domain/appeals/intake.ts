/**
 * `appeals.intake`: one atomic step that takes an inbound contact from any channel and registers it.
 * In one transaction: the applicant (found by contact or created), the appeal with its number and
 * 59-FZ deadlines, the interaction, attachments, the "received" notice and the journal rows. The
 * channel acknowledges its source only after this returns.
 *
 * Idempotent by (channel, messageId): the same message twice, even concurrently, yields one appeal
 * (the unique index on interactions decides; the loser of a race reads the winner's result).
 * Follow-ups (a reply quoting the id of an earlier message of the same channel, or a registration
 * number in the subject from the same applicant) are added to the open appeal instead of opening a
 * new one.
 *
 * Cost: everything intake reads before writing is one query; a new appeal from a new applicant then
 * takes seven writes (applicant, contact, appeal, its number, interaction, notice, both journal
 * entries in one statement), from a known applicant five.
 */
import { randomInt, createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../../persistence/database.js';
import { isUniqueViolation } from '../../persistence/database.js';
import { OPEN_STATUSES, APPEAL_TYPES, type AppealType, type AppealStatus, type InteractionKind } from '../../persistence/entities/index.js';
import { appendJournalEntries, type JournalInput } from '../journal.js';
import { sqlFor, sqlInsert, sqlInsertMany, lookup, runLookups, num, type Sql, type Lookup, type LookupRow, type Quote } from '../../persistence/sql.js';
import {
  applicantProblems, normalContacts, contactCondition, contactParams, knownContactsLookup, knownContactsFrom, settleApplicant, type ApplicantInput, type NormalContact,
} from '../applicants.js';
import { invalid } from '../errors.js';
import type { Problem } from '../text-fields.js';
import { formatRegNumber, parseRegNumber } from './regnumber.js';
import type { DeadlinePort } from './deadline-port.js';
import { insertNotice } from './notices.js';

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

/** The appeal an earlier intake of this message went to, as that intake answered (created: false). */
function existingLookup(q: Quote, channel: string, messageId: string): Lookup {
  return lookup(q, 'dup', '', [channel, messageId], () => ({
    numbers: [`i.${q('id')}`, `i.${q('appealId')}`], texts: [`a.${q('regNumber')}`, `a.${q('status')}`],
    rest: `FROM ${q('interactions')} i JOIN ${q('appeals')} a ON a.${q('id')} = i.${q('appealId')} WHERE i.${q('channel')} = ? AND i.${q('externalId')} = ?`,
  }));
}

function existingFrom(rows: readonly LookupRow[]): IntakeResult | null {
  const row = rows.find((r) => r.k === 'dup');
  if (!row) return null;
  return { appealId: num(row.n2)!, regNumber: row.s1, status: row.s2 as AppealStatus, created: false, followUp: false, interactionId: num(row.n1)! };
}

async function existingResult(em: EntityManager, channel: string, messageId: string): Promise<IntakeResult | null> {
  const sql = sqlFor(em);
  return existingFrom(await runLookups(sql, [existingLookup(sql.q, channel, messageId)]));
}

interface OpenAppeal {
  id: number;
  siteId: number;
  regNumber: string | null;
  status: AppealStatus;
}

/** What intake reads before it writes, found in one query. */
interface Found {
  existing: IntakeResult | null;
  /** The open appeal this message continues, if any. */
  thread: OpenAppeal | null;
  siteId: number | null;
  service: { id: number; organisationId: number; topic: string | null } | null;
  attachments: Map<number, string>;
  known: ReturnType<typeof knownContactsFrom>;
}

/**
 * The lookups of one intake: the earlier intake of this message; the appeal it continues (the latest
 * interaction of this channel with one of its thread keys, or the appeal whose number it quotes when
 * the applicant owns it); the site, service and attachments it names; its contacts on record.
 */
function intakeLookups(q: Quote, input: IntakeInput, contacts: readonly NormalContact[], defaultSiteCode?: string): Lookup[] {
  const appeal = { numbers: [`a.${q('id')}`, `a.${q('siteId')}`], texts: [`a.${q('regNumber')}`, `a.${q('status')}`] };
  const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const out = [existingLookup(q, input.channel, input.messageId)];
  const keys = (input.threadKeys ?? []).filter((k) => k && k.length <= 255).slice(0, 50);
  if (keys.length) {
    out.push(lookup(q, 'thread', String(keys.length), [input.channel, ...keys], () => ({
      ...appeal,
      rest: `FROM ${q('interactions')} i JOIN ${q('appeals')} a ON a.${q('id')} = i.${q('appealId')} WHERE i.${q('id')} = ` +
        `(SELECT MAX(t.${q('id')}) FROM ${q('interactions')} t WHERE t.${q('channel')} = ? AND t.${q('externalId')} IN (${list(keys.length)}))`,
    })));
  }
  const hint = input.regNumberHint ? parseRegNumber(input.regNumberHint) : null;
  if (hint) {
    // Only the applicant who owns the appeal may add to it by quoting its number.
    out.push(lookup(q, 'hint', String(contacts.length), [...contactParams(contacts), hint.regNumber], () => ({
      numbers: [...appeal.numbers, contacts.length
        ? `(SELECT COUNT(*) FROM ${q('contact_points')} o WHERE o.${q('applicantId')} = a.${q('applicantId')} AND (${contactCondition(q, 'o', contacts.length)}))`
        : '0'],
      texts: appeal.texts,
      rest: `FROM ${q('appeals')} a WHERE a.${q('regNumber')} = ?`,
    })));
  }
  const code = input.siteCode ?? defaultSiteCode;
  const [by, siteParams] = input.siteId != null ? ['id', [input.siteId]] : code ? ['code', [code]] : ['kind', []];
  out.push(lookup(q, 'site', by, siteParams, () => ({
    numbers: [by === 'kind' ? `MIN(s.${q('id')})` : `s.${q('id')}`], texts: [],
    rest: `FROM ${q('sites')} s WHERE ${by === 'kind' ? `s.${q('kind')} = 'city'` : `s.${q(by)} = ?`}`,
  })));
  if (input.serviceId != null) {
    out.push(lookup(q, 'service', '', [input.serviceId], () => ({
      numbers: [`v.${q('id')}`, `v.${q('organisationId')}`], texts: [`v.${q('topic')}`], rest: `FROM ${q('services')} v WHERE v.${q('id')} = ?`,
    })));
  }
  const attachmentIds = [...new Set((input.attachments ?? []).map((a) => a.attachmentId))];
  if (attachmentIds.length) {
    out.push(lookup(q, 'attachment', String(attachmentIds.length), attachmentIds, () => ({
      numbers: [`f.${q('id')}`], texts: [`f.${q('filename')}`], rest: `FROM ${q('attachments')} f WHERE f.${q('id')} IN (${list(attachmentIds.length)})`,
    })));
  }
  const known = knownContactsLookup(q, contacts);
  if (known) out.push(known);
  return out;
}

function foundFrom(rows: readonly LookupRow[]): Found {
  const openAppeal = (r: LookupRow | undefined): OpenAppeal | null =>
    r && OPEN_STATUSES.includes(r.s2 as AppealStatus) ? { id: num(r.n1)!, siteId: num(r.n2)!, regNumber: r.s1, status: r.s2 as AppealStatus } : null;
  const hint = rows.find((r) => r.k === 'hint');
  const site = rows.find((r) => r.k === 'site');
  const service = rows.find((r) => r.k === 'service');
  return {
    existing: existingFrom(rows),
    thread: openAppeal(rows.find((r) => r.k === 'thread')) ?? (hint && num(hint.n3)! > 0 ? openAppeal(hint) : null),
    siteId: num(site?.n1),
    service: service ? { id: num(service.n1)!, organisationId: num(service.n2)!, topic: service.s1 } : null,
    attachments: new Map(rows.filter((r) => r.k === 'attachment').map((r) => [num(r.n1)!, r.s1!])),
    known: knownContactsFrom(rows),
  };
}

/** The attachments' links to the interaction; every attachment named must exist. */
function attachmentLinks(interactionId: number, attachments: IntakeInput['attachments'], found: Map<number, string>) {
  return (attachments ?? []).map((a) => {
    const filename = found.get(a.attachmentId);
    if (filename === undefined) throw invalid(['attachments', `attachment ${a.attachmentId} does not exist`]);
    return { interactionId, attachmentId: a.attachmentId, filename: a.filename ?? filename };
  });
}

function checkAttachments(attachments: IntakeInput['attachments'], found: Map<number, string>): void {
  attachmentLinks(0, attachments, found);
}

function interactionRow(appealId: number, input: IntakeInput, kind: InteractionKind, receivedAt: Date) {
  return {
    appealId, direction: 'in', kind, channel: input.channel, externalId: input.messageId, at: receivedAt, authorUserId: null,
    subject: input.subject ?? null, body: input.body, meta: input.meta ?? null, deliveryStatus: null, deliveryError: null, attempts: 0, nextAttemptAt: null,
  };
}

async function addInteraction(sql: Sql, appealId: number, input: IntakeInput, kind: InteractionKind, receivedAt: Date, attachments: Map<number, string>): Promise<number> {
  const id = await sqlInsert(sql, 'interactions', interactionRow(appealId, input, kind, receivedAt));
  await sqlInsertMany(sql, 'interaction_attachments', attachmentLinks(id, input.attachments, attachments));
  return id;
}

/** The work of one intake inside a transaction (or a savepoint of a group commit). */
export async function intakeIn(em: EntityManager, deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  const sql = sqlFor(em);
  const q = sql.q;
  const now = deps.now?.() ?? new Date();
  const receivedAt = input.receivedAt ?? now;
  const kind = input.kind ?? KIND_BY_CHANNEL[input.channel] ?? 'message';
  const contacts = normalContacts(input.applicant);
  const found = foundFrom(await runLookups(sql, intakeLookups(q, input, contacts, deps.defaultSiteCode)));
  if (found.existing) return found.existing;

  const thread = found.thread;
  if (thread) {
    checkAttachments(input.attachments, found.attachments);
    const interactionId = await addInteraction(sql, thread.id, input, kind, receivedAt, found.attachments);
    await sql.run(`UPDATE ${q('appeals')} SET ${q('updatedAt')} = ? WHERE ${q('id')} = ?`, [now, thread.id]);
    await appendJournalEntries(sql, [{ type: 'appeal.message_received', aggregateType: 'appeal', aggregateId: thread.id, siteId: thread.siteId, at: now, data: { appealId: thread.id, interactionId, channel: input.channel, kind } }]);
    return { appealId: thread.id, regNumber: thread.regNumber, status: thread.status, created: false, followUp: true, interactionId };
  }

  if (found.siteId == null) throw invalid([input.siteId != null ? 'siteId' : 'siteCode', 'no such site (and no default site is set up)']);
  const service = found.service;
  if (input.serviceId != null && !service) throw invalid(['serviceId', `service ${input.serviceId} does not exist`]);
  checkAttachments(input.attachments, found.attachments);
  const applicant = await settleApplicant(sql, input.applicant, contacts, found.known, now);
  const register = input.register !== false;
  const registeredAt = register ? now : null;
  const category = input.category ?? null;
  const d = deps.deadlines.compute({ receivedAt, registeredAt, category });
  const statusSecret = input.issueStatusSecret ? newStatusSecret() : undefined;
  const appeal = {
    regNumber: null as string | null, channel: input.channel, type: input.type ?? TYPE_BY_CHANNEL[input.channel] ?? 'electronic',
    status: (register ? 'registered' : 'received') as AppealStatus, applicantId: applicant.id, siteId: found.siteId, serviceId: service?.id ?? null,
    organisationId: service?.organisationId ?? null, topic: input.topic ?? service?.topic ?? null, subject: input.subject?.slice(0, 500) ?? null,
    category, priority: input.priority ?? 0, receivedAt, registeredAt, registerBy: d.registerBy, redirectBy: d.redirectBy, answerBy: d.answerBy,
    secondLineBy: null, extensionDays: null, extensionReason: null, extendedAt: null, redirectedToOrgId: null, redirectReason: null,
    redirectedAt: null, answeredAt: null, closedAt: null, outcome: null, wrapUpCode: null, suspendReason: null, assignedUserId: null,
    replyChannel: input.replyTo?.channel ?? null, replyAddress: input.replyTo?.address ?? null,
    statusSecretHash: statusSecret ? hashStatusSecret(statusSecret) : null, kbVersionsUsed: null, createdAt: now, updatedAt: now, version: 1,
  };
  const id = await sqlInsert(sql, 'appeals', appeal);
  if (register) {
    // The number is made from the id, so it is set once the row has one.
    appeal.regNumber = formatRegNumber(id, now, deps.deadlines.timeZone);
    await sql.run(`UPDATE ${q('appeals')} SET ${q('regNumber')} = ? WHERE ${q('id')} = ?`, [appeal.regNumber, id]);
  }
  const interactionId = await addInteraction(sql, id, input, kind, receivedAt, found.attachments);
  const journal: JournalInput[] = [{
    type: register ? 'appeal.registered' : 'appeal.received', aggregateType: 'appeal', aggregateId: id, siteId: appeal.siteId, at: now,
    data: {
      appealId: id, regNumber: appeal.regNumber, channel: appeal.channel, type: appeal.type, kind, serviceId: appeal.serviceId,
      organisationId: appeal.organisationId, topic: appeal.topic, category, priority: appeal.priority, receivedAt: receivedAt.toISOString(),
      registeredAt: registeredAt?.toISOString() ?? null, registerBy: d.registerBy.toISOString(), answerBy: d.answerBy?.toISOString() ?? null,
      attachments: input.attachments?.length ?? 0, interactionId, applicantId: applicant.id,
    },
  }];
  if (register) {
    const notice = await insertNotice(sql, { ...appeal, id }, 'received', { regNumber: appeal.regNumber, answerBy: d.answerBy?.toISOString() ?? null }, now, input.lang);
    journal.push(notice.journal);
  }
  // Both journal entries in one statement: the appeal's first, then its notice's.
  await appendJournalEntries(sql, journal);
  return { appealId: id, regNumber: appeal.regNumber, status: appeal.status, created: true, followUp: false, interactionId, ...(statusSecret ? { statusSecret } : {}) };
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
