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
 * Intakes that arrive together are written together, in one transaction (group commit, see
 * intake-batcher.ts); each stays all or nothing. Cost: everything a group reads before writing is
 * one query; new appeals from new applicants then take seven statements (applicants, contacts,
 * appeals, their numbers, interactions, notices, journal entries), from known applicants five,
 * whether the group holds one intake or sixty-four. In Database.batchTransaction on MySQL the
 * statements whose outcome is not read travel together (Sql.later): START TRANSACTION with the
 * lookup, the contacts with the appeals, the numbers with the interactions and notices, the journal
 * with the COMMIT: four round trips a group, five with new applicants, instead of eight to ten.
 */
import { randomInt, createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../../persistence/database.js';
import { isUniqueViolation } from '../../persistence/database.js';
import { OPEN_STATUSES, APPEAL_TYPES, type AppealType, type AppealStatus, type InteractionKind } from '../../persistence/entities/index.js';
import { appendJournalEntries, type JournalInput } from '../journal.js';
import { sqlFor, sqlInsertIds, sqlInsertIdsAll, sqlInsertLater, lookup, runLookups, num, whichOf, type Lookup, type LookupRow, type Quote, type Sql } from '../../persistence/sql.js';
import {
  applicantProblems, normalContacts, knownContactsLookup, knownContactsFrom, ApplicantBook, type ApplicantInput, type ApplicantRef, type NormalContact,
} from '../applicants.js';
import { invalid } from '../errors.js';
import type { Problem } from '../text-fields.js';
import { formatRegNumber, parseRegNumber } from './regnumber.js';
import type { DeadlinePort } from './deadline-port.js';
import { noticeRow, noticeJournal } from './notices.js';

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
  /** Group commit: concurrent intakes are written together in one transaction (see IntakeBatcher). */
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

/**
 * The outcome of one intake of a group: its result, why it was refused, or `later`: to be run on its
 * own once the group is stored (it depends on the group in a way only the database can tell).
 */
export type IntakeOutcome = { ok: IntakeResult } | { err: unknown } | { later: true };

const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const messageKey = (channel: string, messageId: string) => `${channel}\n${messageId}`;
const looseKey = (channel: string, messageId: string) => messageKey(channel, messageId).toLowerCase().trimEnd();

/** The earlier intakes of these messages (channel, messageId pairs); n4 says which message. */
function existingLookup(q: Quote, messages: readonly (readonly [string, string])[]): Lookup {
  const params = messages.flat();
  return lookup(q, 'dup', String(messages.length), [...params, ...params], () => {
    const match = messages.map(() => `(i.${q('channel')} = ? AND i.${q('externalId')} = ?)`);
    return {
      numbers: [`i.${q('id')}`, `i.${q('appealId')}`, 'NULL', whichOf(match)], texts: [`a.${q('regNumber')}`, `a.${q('status')}`],
      rest: `FROM ${q('interactions')} i JOIN ${q('appeals')} a ON a.${q('id')} = i.${q('appealId')} WHERE ${match.join(' OR ')}`,
    };
  });
}

/** The earlier intakes found, by the index of the message, as they answered (created: false). */
function existingFrom(rows: readonly LookupRow[]): Map<number, IntakeResult> {
  return new Map(rows.filter((r) => r.k === 'dup' && r.n4 != null).map((r) => [num(r.n4)!,
    { appealId: num(r.n2)!, regNumber: r.s1, status: r.s2 as AppealStatus, created: false, followUp: false, interactionId: num(r.n1)! }]));
}

async function existingResult(em: EntityManager, channel: string, messageId: string): Promise<IntakeResult | null> {
  const sql = sqlFor(em);
  return existingFrom(await runLookups(sql, [existingLookup(sql.q, [[channel, messageId]])])).get(0) ?? null;
}

/** Thread keys worth looking up: ids of earlier messages of the same channel. */
const threadKeysOf = (input: IntakeInput) => [...new Set((input.threadKeys ?? []).filter((k) => k && k.length <= 255))].slice(0, 50);

interface Prepared {
  input: IntakeInput;
  contacts: NormalContact[];
  keys: string[];
  hint: string | null;
  /** The site asked for: by id, by code, or (null) the first city. */
  site: SiteAsked | null;
}

type SiteAsked = { id: number } | { code: string };
const siteKey = (site: SiteAsked) => ('id' in site ? `id ${site.id}` : `code ${site.code}`);

/** The sites the group names, each once. */
function sitesAsked(group: readonly Prepared[]): SiteAsked[] {
  return [...new Map(group.flatMap((p) => (p.site ? [[siteKey(p.site), p.site] as const] : []))).values()];
}

/** The addresses of the group's applicants, each once. */
function contactsAsked(group: readonly Prepared[]): NormalContact[] {
  return [...new Map(group.flatMap((p) => p.contacts).map((c) => [`${c.kind}\n${c.normalized}`, c])).values()];
}

/**
 * Everything a group of intakes reads before it writes, in one query: the earlier intakes of its
 * messages; the interactions its thread keys name and the appeals its registration numbers quote; the
 * sites, services and attachments it names; the addresses of its applicants on record.
 */
function groupLookups(q: Quote, group: readonly Prepared[]): Lookup[] {
  const out = [existingLookup(q, group.map((p) => [p.input.channel, p.input.messageId] as const))];
  // One lookup per reply, so each gets every earlier message it names (n4: which reply).
  group.forEach((p, index) => {
    if (!p.keys.length) return;
    out.push(lookup(q, 'thread', String(p.keys.length), [index, p.input.channel, ...p.keys], () => ({
      numbers: [`t.${q('id')}`, `a.${q('id')}`, `a.${q('siteId')}`, '?'], texts: [`a.${q('regNumber')}`, `a.${q('status')}`],
      rest: `FROM ${q('interactions')} t JOIN ${q('appeals')} a ON a.${q('id')} = t.${q('appealId')} WHERE t.${q('channel')} = ? AND t.${q('externalId')} IN (${list(p.keys.length)})`,
    })));
  });
  const hints = [...new Set(group.map((p) => p.hint).filter((h): h is string => h !== null))];
  if (hints.length) {
    out.push(lookup(q, 'hint', String(hints.length), hints, () => ({
      numbers: [`a.${q('id')}`, `a.${q('siteId')}`, `a.${q('applicantId')}`], texts: [`a.${q('regNumber')}`, `a.${q('status')}`],
      rest: `FROM ${q('appeals')} a WHERE a.${q('regNumber')} IN (${list(hints.length)})`,
    })));
  }
  // One lookup per site asked for (n4: which), the first city for those that name none.
  sitesAsked(group).forEach((site, index) => {
    const by = 'id' in site ? 'id' : 'code';
    out.push(lookup(q, 'site', by, [index, 'id' in site ? site.id : site.code], () => ({ numbers: [`s.${q('id')}`, 'NULL', 'NULL', '?'], texts: [], rest: `FROM ${q('sites')} s WHERE s.${q(by)} = ?` })));
  });
  if (group.some((p) => !p.site)) {
    out.push(lookup(q, 'city', '', [], () => ({ numbers: [`MIN(s.${q('id')})`], texts: [], rest: `FROM ${q('sites')} s WHERE s.${q('kind')} = 'city'` })));
  }
  const services = [...new Set(group.flatMap((p) => (p.input.serviceId != null ? [p.input.serviceId] : [])))];
  if (services.length) {
    out.push(lookup(q, 'service', String(services.length), services, () => ({
      numbers: [`v.${q('id')}`, `v.${q('organisationId')}`], texts: [`v.${q('topic')}`], rest: `FROM ${q('services')} v WHERE v.${q('id')} IN (${list(services.length)})`,
    })));
  }
  const attachments = [...new Set(group.flatMap((p) => (p.input.attachments ?? []).map((a) => a.attachmentId)))];
  if (attachments.length) {
    out.push(lookup(q, 'attachment', String(attachments.length), attachments, () => ({
      numbers: [`f.${q('id')}`], texts: [`f.${q('filename')}`], rest: `FROM ${q('attachments')} f WHERE f.${q('id')} IN (${list(attachments.length)})`,
    })));
  }
  const known = knownContactsLookup(q, contactsAsked(group));
  if (known) out.push(known);
  return out;
}

interface OpenAppeal {
  id: number;
  siteId: number;
  regNumber: string | null;
  status: AppealStatus;
}

/** An appeal this group creates; its id and number are known once it is written. */
interface NewAppeal {
  row: ReturnType<typeof appealRow>;
  id: number;
  register: boolean;
  kind: InteractionKind;
  applicant: ApplicantRef;
  deadlines: ReturnType<DeadlinePort['compute']>;
  statusSecret: string | undefined;
  lang: string | undefined;
  attachments: number;
}

/** What one intake of a group does. */
type Plan =
  | { is: 'refused'; err: unknown }
  | { is: 'later' }
  | { is: 'known'; result: IntakeResult }
  | { is: 'again'; of: number }
  | { is: 'follow-up'; appeal: OpenAppeal | NewAppeal; kind: InteractionKind }
  | { is: 'new'; appeal: NewAppeal };

function appealRow(input: IntakeInput, now: Date, receivedAt: Date, register: boolean, applicantId: number, siteId: number,
  service: { id: number; organisationId: number; topic: string | null } | null, d: ReturnType<DeadlinePort['compute']>, statusSecretHash: string | null) {
  return {
    regNumber: null as string | null, channel: input.channel, type: input.type ?? TYPE_BY_CHANNEL[input.channel] ?? 'electronic',
    status: (register ? 'registered' : 'received') as AppealStatus, applicantId, siteId, serviceId: service?.id ?? null,
    organisationId: service?.organisationId ?? null, topic: input.topic ?? service?.topic ?? null, subject: input.subject?.slice(0, 500) ?? null,
    category: input.category ?? null, priority: input.priority ?? 0, receivedAt, registeredAt: register ? now : null, registerBy: d.registerBy, redirectBy: d.redirectBy,
    answerBy: d.answerBy, secondLineBy: null, extensionDays: null, extensionReason: null, extendedAt: null, redirectedToOrgId: null, redirectReason: null,
    redirectedAt: null, answeredAt: null, closedAt: null, outcome: null, wrapUpCode: null, suspendReason: null, assignedUserId: null,
    replyChannel: input.replyTo?.channel ?? null, replyAddress: input.replyTo?.address ?? null,
    statusSecretHash, kbVersionsUsed: null, createdAt: now, updatedAt: now, version: 1,
  };
}

/**
 * The work of a group of intakes inside one transaction (a group of one is a plain intake). Each is
 * decided as if the ones before it were already stored (the same message twice is one appeal, a reply
 * to an earlier message of the group continues its appeal, one new applicant's address is added
 * once); then each table gets one statement for the whole group. An intake refused for its input
 * (an unknown site, service or attachment) gets its error and the others go on; a database error
 * fails the group, and the caller runs its intakes one by one. `idStep`: see
 * Database.consecutiveIdStep (any value for a group of one).
 */
export async function intakeGroupIn(sql: Sql, deps: IntakeDeps, inputs: readonly IntakeInput[], idStep = 1): Promise<IntakeOutcome[]> {
  const q = sql.q;
  const now = deps.now?.() ?? new Date();
  const defaultCode = deps.defaultSiteCode;
  const group: Prepared[] = inputs.map((input) => {
    const code = input.siteCode ?? defaultCode;
    return {
      input, contacts: normalContacts(input.applicant), keys: threadKeysOf(input),
      hint: input.regNumberHint ? parseRegNumber(input.regNumberHint)?.regNumber ?? null : null,
      site: input.siteId != null ? { id: input.siteId } : code ? { code } : null,
    };
  });
  const rows = await runLookups(sql, groupLookups(q, group));
  const existing = existingFrom(rows);
  const threadRows = rows.filter((r) => r.k === 'thread');
  const hints = new Map(rows.filter((r) => r.k === 'hint').map((r) => [r.s1!, r]));
  const askedSites = sitesAsked(group);
  const sites = new Map(rows.filter((r) => r.k === 'site').map((r) => [siteKey(askedSites[num(r.n4)!]!), num(r.n1)!]));
  const city = num(rows.find((r) => r.k === 'city')?.n1);
  const services = new Map(rows.filter((r) => r.k === 'service').map((r) => [num(r.n1)!, { id: num(r.n1)!, organisationId: num(r.n2)!, topic: r.s1 }]));
  const files = new Map(rows.filter((r) => r.k === 'attachment').map((r) => [num(r.n1)!, r.s1!]));
  const book = new ApplicantBook(knownContactsFrom(rows, contactsAsked(group)));
  const openAppeal = (r: LookupRow): OpenAppeal | null =>
    OPEN_STATUSES.includes(r.s2 as AppealStatus) ? { id: num(r.n1)!, siteId: num(r.n2)!, regNumber: r.s1, status: r.s2 as AppealStatus } : null;
  /** Messages this group stores, by key, with the index of the intake that stores them. */
  const stored = new Map<string, number>();
  const looselyStored = new Set<string>();
  /** Messages on record already, by key (the lookup names only the first intake of a message). */
  const knownAgain = new Map<string, IntakeResult>();
  const store = (index: number) => {
    const { channel, messageId } = group[index]!.input;
    stored.set(messageKey(channel, messageId), index);
    looselyStored.add(looseKey(channel, messageId));
  };
  const plans: Plan[] = [];

  group.forEach((p, index) => {
    const { input } = p;
    const key = messageKey(input.channel, input.messageId);
    const kind = input.kind ?? KIND_BY_CHANNEL[input.channel] ?? 'message';
    const known = existing.get(index) ?? knownAgain.get(key);
    if (known) {
      knownAgain.set(key, known);
      return plans.push({ is: 'known', result: known });
    }
    const earlier = stored.get(key);
    if (earlier !== undefined) return plans.push({ is: 'again', of: earlier });
    const missing = (input.attachments ?? []).find((a) => !files.has(a.attachmentId));
    // The appeal a reply continues: that of the latest message it names (one of this group is later
    // than any on record), if still open; else the open appeal whose number it quotes, when the
    // applicant owns it.
    const inGroup = p.keys.map((k) => stored.get(messageKey(input.channel, k))).filter((i) => i !== undefined);
    // A key that matches a message of this group only as the database may compare (MySQL ignores
    // case): decided after the group is stored, by the database.
    if (!inGroup.length && p.keys.some((k) => looselyStored.has(looseKey(input.channel, k)))) return plans.push({ is: 'later' });
    let thread: OpenAppeal | NewAppeal | null = null;
    if (inGroup.length) {
      const target = plans[Math.max(...inGroup)]!;
      thread = target.is === 'new' || target.is === 'follow-up' ? target.appeal : null;
    } else {
      const latest = threadRows.filter((r) => num(r.n4) === index).sort((a, b) => num(b.n1)! - num(a.n1)!)[0];
      if (latest) thread = openAppeal({ ...latest, n1: latest.n2, n2: latest.n3 });
    }
    const quoted = !thread && p.hint ? hints.get(p.hint) : undefined;
    if (quoted && book.owns(num(quoted.n3)!, p.contacts)) thread = openAppeal(quoted);
    if (thread) {
      if (missing) return plans.push({ is: 'refused', err: invalid(['attachments', `attachment ${missing.attachmentId} does not exist`]) });
      store(index);
      return plans.push({ is: 'follow-up', appeal: thread, kind });
    }

    const site = p.site ? sites.get(siteKey(p.site)) : city;
    if (site == null) return plans.push({ is: 'refused', err: invalid([input.siteId != null ? 'siteId' : 'siteCode', 'no such site (and no default site is set up)']) });
    const service = input.serviceId != null ? services.get(input.serviceId) ?? null : null;
    if (input.serviceId != null && !service) return plans.push({ is: 'refused', err: invalid(['serviceId', `service ${input.serviceId} does not exist`]) });
    if (missing) return plans.push({ is: 'refused', err: invalid(['attachments', `attachment ${missing.attachmentId} does not exist`]) });
    const applicant = book.settle(input.applicant, p.contacts, now);
    const register = input.register !== false;
    const receivedAt = input.receivedAt ?? now;
    const d = deps.deadlines.compute({ receivedAt, registeredAt: register ? now : null, category: input.category ?? null });
    const statusSecret = input.issueStatusSecret ? newStatusSecret() : undefined;
    store(index);
    plans.push({
      is: 'new',
      appeal: {
        row: appealRow(input, now, receivedAt, register, 0, site, service, d, statusSecret ? hashStatusSecret(statusSecret) : null),
        id: 0, register, kind, applicant, deadlines: d, statusSecret, lang: input.lang, attachments: input.attachments?.length ?? 0,
      },
    });
  });

  // The writes, one statement per table for the whole group.
  await book.write(sql, idStep);
  const created = plans.flatMap((p) => (p.is === 'new' ? [p.appeal] : []));
  const appealIds = await sqlInsertIds(sql, 'appeals', created.map((a) => ({ ...a.row, applicantId: a.applicant.id })), idStep);
  created.forEach((a, i) => {
    a.id = appealIds[i]!;
    a.row.applicantId = a.applicant.id;
    // The number is made from the id, so it is set once the row has one.
    if (a.register) a.row.regNumber = formatRegNumber(a.id, now, deps.deadlines.timeZone);
  });
  const numbered = created.filter((a) => a.register);
  if (numbered.length) {
    sql.later(`UPDATE ${q('appeals')} SET ${q('regNumber')} = CASE ${q('id')} ${numbered.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE ${q('id')} IN (${list(numbered.length)})`,
      [...numbered.flatMap((a) => [a.id, a.row.regNumber]), ...numbered.map((a) => a.id)]);
  }
  const continued = [...new Set(plans.flatMap((p) => (p.is === 'follow-up' && !('row' in p.appeal) ? [p.appeal.id] : [])))];
  if (continued.length) sql.later(`UPDATE ${q('appeals')} SET ${q('updatedAt')} = ? WHERE ${q('id')} IN (${list(continued.length)})`, [now, ...continued]);

  // The interactions and the notices in one round trip (with the updates above).
  const writing = plans.flatMap((plan, index) => (plan.is === 'new' || plan.is === 'follow-up' ? [{ index, plan, input: group[index]!.input }] : []));
  const notices = numbered.map((a) => noticeRow({ ...a.row, id: a.id }, 'received', { regNumber: a.row.regNumber, answerBy: a.deadlines.answerBy?.toISOString() ?? null }, now, a.lang));
  const [interactionIds, noticeIds] = await sqlInsertIdsAll(sql, [{
    table: 'interactions',
    rows: writing.map(({ plan, input }) => ({
      appealId: plan.appeal.id, direction: 'in', kind: plan.is === 'new' ? plan.appeal.kind : plan.kind, channel: input.channel, externalId: input.messageId,
      at: input.receivedAt ?? now, authorUserId: null, subject: input.subject ?? null, body: input.body, meta: input.meta ?? null,
      deliveryStatus: null, deliveryError: null, attempts: 0, nextAttemptAt: null,
    })),
  }, { table: 'notices', rows: notices }], idStep) as [number[], number[]];
  // An attachment named twice is linked once, under the first name given.
  sqlInsertLater(sql, 'interaction_attachments', writing.flatMap(({ input }, i) =>
    (input.attachments ?? []).filter((a, k, all) => all.findIndex((b) => b.attachmentId === a.attachmentId) === k)
      .map((a) => ({ interactionId: interactionIds[i]!, attachmentId: a.attachmentId, filename: a.filename ?? files.get(a.attachmentId)! }))));

  const journal: JournalInput[] = [];
  const results = new Map<number, IntakeResult>();
  writing.forEach(({ index, plan, input }, i) => {
    const interactionId = interactionIds[i]!;
    if (plan.is === 'follow-up') {
      const a = plan.appeal;
      const target = 'row' in a ? { id: a.id, siteId: a.row.siteId, regNumber: a.row.regNumber, status: a.row.status } : a;
      journal.push({ type: 'appeal.message_received', aggregateType: 'appeal', aggregateId: a.id, siteId: target.siteId, at: now, data: { appealId: a.id, interactionId, channel: input.channel, kind: plan.kind } });
      results.set(index, { appealId: a.id, regNumber: target.regNumber, status: target.status, created: false, followUp: true, interactionId });
      return;
    }
    const a = plan.appeal;
    const { row, deadlines: d } = a;
    journal.push({
      type: a.register ? 'appeal.registered' : 'appeal.received', aggregateType: 'appeal', aggregateId: a.id, siteId: row.siteId, at: now,
      data: {
        appealId: a.id, regNumber: row.regNumber, channel: row.channel, type: row.type, kind: a.kind, serviceId: row.serviceId,
        organisationId: row.organisationId, topic: row.topic, category: row.category, priority: row.priority, receivedAt: row.receivedAt.toISOString(),
        registeredAt: row.registeredAt?.toISOString() ?? null, registerBy: d.registerBy.toISOString(), answerBy: d.answerBy?.toISOString() ?? null,
        attachments: a.attachments, interactionId, applicantId: a.applicant.id,
      },
    });
    const n = numbered.indexOf(a);
    if (n >= 0) journal.push(noticeJournal({ ...row, id: a.id }, noticeIds[n]!, notices[n]!));
    results.set(index, { appealId: a.id, regNumber: row.regNumber, status: row.status, created: true, followUp: false, interactionId, ...(a.statusSecret ? { statusSecret: a.statusSecret } : {}) });
  });
  // The group's journal entries in one statement, in the order of its intakes; with the commit.
  appendJournalEntries(sql, journal);

  return plans.map((plan, i): IntakeOutcome => {
    switch (plan.is) {
      case 'refused': return { err: plan.err };
      case 'later': return { later: true };
      case 'known': return { ok: plan.result };
      case 'again': {
        const first = results.get(plan.of)!;
        return { ok: { appealId: first.appealId, regNumber: first.regNumber, status: first.status, created: false, followUp: false, interactionId: first.interactionId } };
      }
      default: return { ok: results.get(i)! };
    }
  });
}

/** One intake inside a transaction. */
export async function intakeIn(em: EntityManager, deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  return intakeWith(sqlFor(em), deps, input);
}

/** One intake inside a transaction of plain SQL (see Database.batchTransaction). */
export async function intakeWith(sql: Sql, deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  const [outcome] = await intakeGroupIn(sql, deps, [input]);
  if ('err' in outcome!) throw outcome.err;
  if ('later' in outcome!) throw new Error('an intake on its own cannot wait for its group');
  return outcome!.ok;
}

function intakeOnce(deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  return deps.batcher ? deps.batcher.submit(input) : deps.db.batchTransaction((sql) => intakeWith(sql, deps, input));
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
