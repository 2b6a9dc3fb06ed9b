/**
 * What operators and supervisors do with an appeal: register, take, note, answer, redirect, extend,
 * suspend, resume, defer to the second line, tell "ready early", close. Each step checks the status it
 * starts from, changes the appeal, records interactions and notices, and writes the journal, all in
 * one transaction with the appeal row locked (MySQL) so concurrent steps cannot both apply.
 */
import type { EntityManager } from 'typeorm';
import type { Database } from '../../persistence/database.js';
import { Appeal, Attachment, Interaction, InteractionAttachment, Organisation, Service, User, type AppealStatus } from '../../persistence/entities/index.js';
import { appendJournal } from '../journal.js';
import type { Actor } from '../actor.js';
import { recordAudit } from '../audit.js';
import { conflict, invalid, notFound } from '../errors.js';
import { findOrCreateApplicant, applicantProblems, type ApplicantInput } from '../applicants.js';
import type { DeadlinePort } from './deadline-port.js';
import { recordNotice } from './notices.js';
import { formatRegNumber } from './regnumber.js';

export interface TransitionDeps {
  db: Database;
  deadlines: DeadlinePort;
  now?: () => Date;
}

export const CLOSE_OUTCOMES = ['answered', 'no_answer_required', 'duplicate', 'court_returned', 'abusive', 'unreadable', 'withdrawn', 'consulted'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

async function lockAppeal(db: Database, em: EntityManager, id: number): Promise<Appeal> {
  const appeal = await em.findOne(Appeal, { where: { id }, ...(db.isMysql ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!appeal) throw notFound('appeal', id);
  return appeal;
}

function expectStatus(appeal: Appeal, allowed: readonly AppealStatus[], action: string): void {
  if (!allowed.includes(appeal.status)) {
    throw conflict(`cannot ${action} appeal ${appeal.regNumber ?? appeal.id}: it is ${appeal.status} (allowed from ${allowed.join(', ')})`, { status: appeal.status });
  }
}

interface Step {
  type: string;
  data?: Record<string, unknown>;
}

/** Runs one step on a locked appeal, then saves it and writes the journal row. */
async function step(deps: TransitionDeps, actor: Actor, id: number, work: (em: EntityManager, appeal: Appeal, now: Date) => Promise<Step>): Promise<Appeal> {
  return deps.db.transaction(async (em) => {
    const now = deps.now?.() ?? new Date();
    const appeal = await lockAppeal(deps.db, em, id);
    const { type, data } = await work(em, appeal, now);
    appeal.updatedAt = now;
    const saved = await em.save(Appeal, appeal);
    await appendJournal(em, { type, aggregateType: 'appeal', aggregateId: appeal.id, siteId: appeal.siteId, actorId: actor.userId, at: now, data: { appealId: appeal.id, status: appeal.status, ...data } });
    return saved;
  });
}

const WORKABLE: readonly AppealStatus[] = ['registered', 'in_progress', 'deferred', 'suspended'];

async function addInteraction(em: EntityManager, appeal: Appeal, actor: Actor, values: Partial<Interaction>, now: Date): Promise<Interaction> {
  return em.save(Interaction, em.create(Interaction, {
    appealId: appeal.id, direction: 'internal', kind: 'note', channel: 'console', externalId: null, at: now, authorUserId: actor.userId,
    subject: null, body: '', meta: null, deliveryStatus: null, deliveryError: null, ...values,
  }));
}

/** Registers a "received" appeal once the operator has keyed in what it lacked. */
export async function registerAppeal(deps: TransitionDeps, actor: Actor, id: number, input: { applicant?: ApplicantInput; serviceId?: number | null; subject?: string | null; replyTo?: { channel: string; address: string } | null }): Promise<Appeal> {
  if (input.applicant) {
    const p = applicantProblems(input.applicant, 'applicant');
    if (p.length) throw invalid(...p);
  }
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, ['received'], 'register');
    if (input.applicant) {
      const applicant = await findOrCreateApplicant(em, input.applicant, now);
      appeal.applicantId = applicant.id;
      await recordAudit(em, actor, { action: 'update', entityType: 'applicant', entityId: applicant.id, applicantId: applicant.id, detail: { fields: ['registration'] } }, now);
    }
    if (input.serviceId != null) {
      const svc = await em.findOne(Service, { where: { id: input.serviceId } });
      if (!svc) throw invalid(['serviceId', `service ${input.serviceId} does not exist`]);
      appeal.serviceId = svc.id;
      appeal.organisationId = svc.organisationId;
      appeal.topic ??= svc.topic;
    }
    if (input.subject !== undefined) appeal.subject = input.subject;
    if (input.replyTo) {
      appeal.replyChannel = input.replyTo.channel;
      appeal.replyAddress = input.replyTo.address;
    }
    const d = deps.deadlines.compute({ receivedAt: appeal.receivedAt, registeredAt: now, category: appeal.category });
    Object.assign(appeal, { status: 'registered', registeredAt: now, redirectBy: d.redirectBy, answerBy: d.answerBy, regNumber: formatRegNumber(appeal.id, now, deps.deadlines.timeZone) });
    await recordNotice(em, appeal, 'received', { regNumber: appeal.regNumber, answerBy: d.answerBy?.toISOString() ?? null }, now);
    return { type: 'appeal.registered', data: { regNumber: appeal.regNumber, channel: appeal.channel, type: appeal.type, serviceId: appeal.serviceId, organisationId: appeal.organisationId, topic: appeal.topic, priority: appeal.priority, receivedAt: appeal.receivedAt.toISOString(), registeredAt: now.toISOString(), lateRegistration: now > appeal.registerBy, answerBy: d.answerBy?.toISOString() ?? null } };
  });
}

/** The operator takes the appeal (or a supervisor assigns it). */
export async function assignAppeal(deps: TransitionDeps, actor: Actor, id: number, userId: number): Promise<Appeal> {
  return step(deps, actor, id, async (em, appeal) => {
    expectStatus(appeal, WORKABLE, 'assign');
    const user = await em.findOne(User, { where: { id: userId, active: true } });
    if (!user) throw invalid(['userId', `user ${userId} does not exist or is inactive`]);
    appeal.assignedUserId = userId;
    if (appeal.status === 'registered') appeal.status = 'in_progress';
    return { type: 'appeal.assigned', data: { userId } };
  });
}

export async function addNote(deps: TransitionDeps, actor: Actor, id: number, text: string): Promise<Interaction> {
  if (!text?.trim()) throw invalid(['text', 'is required']);
  let note: Interaction | null = null;
  await step(deps, actor, id, async (em, appeal, now) => {
    note = await addInteraction(em, appeal, actor, { kind: 'note', body: text.trim() }, now);
    return { type: 'appeal.note_added', data: { interactionId: note.id } };
  });
  return note!;
}

export interface ReplyInput {
  body: string;
  subject?: string | null;
  /** true: this is the answer on substance; the appeal becomes "answered". */
  final?: boolean;
  kbVersionsUsed?: { articleId: number; version: number }[];
  /** Files uploaded beforehand (POST /api/attachments) to send with the reply. */
  attachmentIds?: number[];
}

/**
 * Writes a reply to the applicant. It is stored as an outbound interaction with delivery pending;
 * the channel sends it (and records the outcome). A final answer also records the "answered" notice.
 */
export async function replyToAppeal(deps: TransitionDeps, actor: Actor, id: number, input: ReplyInput): Promise<{ appeal: Appeal; interaction: Interaction }> {
  if (!input.body?.trim()) throw invalid(['body', 'is required']);
  let interaction: Interaction | null = null;
  const appeal = await step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, WORKABLE, 'reply to');
    if (!appeal.replyChannel || !appeal.replyAddress) throw conflict(`appeal ${appeal.regNumber} has no reply address; record the answer as a note or a call`);
    interaction = await addInteraction(em, appeal, actor, {
      direction: 'out', kind: 'message', channel: appeal.replyChannel, subject: input.subject ?? null, body: input.body, deliveryStatus: 'pending',
      nextAttemptAt: now, meta: { to: appeal.replyAddress, final: Boolean(input.final) },
    }, now);
    for (const attachmentId of input.attachmentIds ?? []) {
      const file = await em.findOne(Attachment, { where: { id: attachmentId } });
      if (!file) throw invalid(['attachmentIds', `attachment ${attachmentId} does not exist`]);
      await em.insert(InteractionAttachment, { interactionId: interaction.id, attachmentId, filename: file.filename });
    }
    if (input.kbVersionsUsed?.length) appeal.kbVersionsUsed = [...(appeal.kbVersionsUsed ?? []), ...input.kbVersionsUsed];
    if (input.final) {
      appeal.status = 'answered';
      appeal.answeredAt = now;
      await recordNotice(em, appeal, 'answered', { interactionId: interaction.id, regNumber: appeal.regNumber }, now);
    } else if (appeal.status === 'registered') {
      appeal.status = 'in_progress';
    }
    return { type: input.final ? 'appeal.answered' : 'appeal.replied', data: { interactionId: interaction.id, channel: appeal.replyChannel, onTime: appeal.answerBy ? now <= appeal.answerBy : null } };
  });
  return { appeal, interaction: interaction! };
}

/** Sends the appeal to the competent organisation (59-FZ art. 8 part 3) and tells the applicant. */
export async function redirectAppeal(deps: TransitionDeps, actor: Actor, id: number, input: { organisationId: number; reason: string }): Promise<Appeal> {
  if (!input.reason?.trim()) throw invalid(['reason', 'is required']);
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, WORKABLE, 'redirect');
    const org = await em.findOne(Organisation, { where: { id: input.organisationId } });
    if (!org) throw invalid(['organisationId', `organisation ${input.organisationId} does not exist`]);
    Object.assign(appeal, { status: 'redirected', redirectedToOrgId: org.id, redirectReason: input.reason.trim(), redirectedAt: now, closedAt: now, outcome: 'redirected' });
    await addInteraction(em, appeal, actor, { kind: 'system', body: `Redirected to ${org.name}: ${input.reason.trim()}`, meta: { organisationId: org.id } }, now);
    await recordNotice(em, appeal, 'redirected', { regNumber: appeal.regNumber, organisation: org.name, reason: input.reason.trim() }, now);
    return { type: 'appeal.redirected', data: { organisationId: org.id, fromOrganisationId: appeal.organisationId, onTime: appeal.redirectBy ? now <= appeal.redirectBy : null } };
  });
}

/** Extends the answer deadline once by up to 30 days (59-FZ art. 12 part 2), with notice. */
export async function extendAppeal(deps: TransitionDeps, actor: Actor, id: number, input: { days: number; reason: string }): Promise<Appeal> {
  if (!input.reason?.trim()) throw invalid(['reason', 'is required']);
  if (!Number.isInteger(input.days) || input.days < 1) throw invalid(['days', 'must be a whole number of days, at least 1']);
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, WORKABLE, 'extend');
    if (!appeal.answerBy || !appeal.registeredAt) throw conflict('the appeal has no answer deadline to extend');
    const previous = appeal.answerBy;
    appeal.answerBy = deps.deadlines.extend({ answerBy: appeal.answerBy, registeredAt: appeal.registeredAt, extensionDays: appeal.extensionDays, days: input.days, reason: input.reason, category: appeal.category, now });
    Object.assign(appeal, { extensionDays: (appeal.extensionDays ?? 0) + input.days, extensionReason: input.reason.trim(), extendedAt: now });
    await recordNotice(em, appeal, 'extended', { regNumber: appeal.regNumber, answerBy: appeal.answerBy.toISOString(), reason: input.reason.trim() }, now);
    return { type: 'appeal.extended', data: { days: input.days, previousAnswerBy: previous.toISOString(), answerBy: appeal.answerBy.toISOString() } };
  });
}

export async function suspendAppeal(deps: TransitionDeps, actor: Actor, id: number, reason: string): Promise<Appeal> {
  if (!reason?.trim()) throw invalid(['reason', 'is required']);
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, ['registered', 'in_progress', 'deferred'], 'suspend');
    appeal.status = 'suspended';
    appeal.suspendReason = reason.trim();
    await recordNotice(em, appeal, 'suspended', { regNumber: appeal.regNumber, reason: reason.trim() }, now);
    return { type: 'appeal.suspended', data: {} };
  });
}

export async function resumeAppeal(deps: TransitionDeps, actor: Actor, id: number): Promise<Appeal> {
  return step(deps, actor, id, async (_em, appeal) => {
    expectStatus(appeal, ['suspended'], 'resume');
    appeal.status = appeal.assignedUserId ? 'in_progress' : 'registered';
    appeal.suspendReason = null;
    return { type: 'appeal.resumed', data: {} };
  });
}

/** Passes the appeal to the second line (8 working hours from registration). */
export async function deferAppeal(deps: TransitionDeps, actor: Actor, id: number, note: string, toUserId?: number | null): Promise<Appeal> {
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, ['registered', 'in_progress'], 'defer');
    appeal.status = 'deferred';
    appeal.secondLineBy = deps.deadlines.secondLine(appeal.registeredAt ?? now);
    appeal.assignedUserId = toUserId ?? null;
    if (note?.trim()) await addInteraction(em, appeal, actor, { kind: 'note', body: note.trim(), meta: { deferred: true } }, now);
    return { type: 'appeal.deferred', data: { secondLineBy: appeal.secondLineBy.toISOString(), userId: appeal.assignedUserId } };
  });
}

/** Tells the applicant that the result (a document) is ready earlier than promised. */
export async function notifyReadyEarly(deps: TransitionDeps, actor: Actor, id: number, message: string): Promise<Appeal> {
  if (!message?.trim()) throw invalid(['message', 'is required']);
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, WORKABLE, 'notify about');
    await recordNotice(em, appeal, 'ready_early', { regNumber: appeal.regNumber, message: message.trim() }, now);
    return { type: 'appeal.ready_early', data: {} };
  });
}

export async function closeAppeal(deps: TransitionDeps, actor: Actor, id: number, input: { outcome: CloseOutcome; wrapUpCode?: string | null; note?: string | null }): Promise<Appeal> {
  if (!CLOSE_OUTCOMES.includes(input.outcome)) throw invalid(['outcome', `must be one of ${CLOSE_OUTCOMES.join(', ')}`]);
  return step(deps, actor, id, async (em, appeal, now) => {
    expectStatus(appeal, [...WORKABLE, 'answered', 'received'], 'close');
    Object.assign(appeal, { status: 'closed', closedAt: now, outcome: input.outcome, wrapUpCode: input.wrapUpCode ?? null });
    if (input.note?.trim()) await addInteraction(em, appeal, actor, { kind: 'note', body: input.note.trim() }, now);
    return { type: 'appeal.closed', data: { outcome: input.outcome, wrapUpCode: appeal.wrapUpCode, answeredOnTime: appeal.answeredAt && appeal.answerBy ? appeal.answeredAt <= appeal.answerBy : null } };
  });
}

/** Records what a channel reported about an outbound message (sent, failed, bounced). */
export async function recordDelivery(db: Database, interactionId: number, status: 'sent' | 'failed' | 'bounced', error: string | null, now = new Date(), externalId?: string | null): Promise<void> {
  await db.transaction(async (em) => {
    const inter = await em.findOne(Interaction, { where: { id: interactionId } });
    if (!inter) throw notFound('interaction', interactionId);
    await em.update(Interaction, { id: interactionId }, { deliveryStatus: status, deliveryError: error?.slice(0, 2000) ?? null, ...(externalId ? { externalId } : {}) });
    const appeal = await em.findOneOrFail(Appeal, { where: { id: inter.appealId } });
    await appendJournal(em, { type: `interaction.${status}`, aggregateType: 'appeal', aggregateId: appeal.id, siteId: appeal.siteId, at: now, data: { appealId: appeal.id, interactionId, channel: inter.channel } });
  });
}
