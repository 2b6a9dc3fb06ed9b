/**
 * Live chats in the database. Opening a chat registers an appeal through `appeals.intake` (channel
 * "chat"), so it is queued and routed like any contact; every message after that is an interaction
 * of that appeal (the transcript), written with its journal row in one transaction. The chat row
 * holds only the conversation's state: waiting, active (an operator joined) or closed.
 *
 * The citizen's browser makes the chat id and a resume token; opening again with the same pair is
 * the same chat (a lost answer), and the token lets the browser reconnect and resume.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { In, LessThan, Not, type EntityManager } from 'typeorm';
import {
  Appeal, Applicant, Interaction, User, appendJournal, conflict, isUniqueViolation, notFound, recordAudit,
  type Actor, type CoreContext, type IntakeInput, type IntakeResult,
} from '@okno/core';
import type { PortalConfig } from '../config.js';
import type { PortalIdentity } from '../identity.js';
import type { Lang } from '../messages.js';
import { PortalChat, PortalSubmission, type ChatStatus } from '../entities.js';
import { sealSecret, submissionHash, unsealSecret } from '../sealed-secret.js';

export const CHAT_CHANNEL = 'chat';

export interface ChatLine {
  /** The interaction id: increasing, used to resume after a gap. */
  seq: number;
  from: 'citizen' | 'operator';
  text: string;
  at: string;
  clientMsgId: string | null;
}

export interface OpenInput {
  chatId: string;
  resumeToken: string;
  name: string;
  email: string | null;
  text: string;
  lang: Lang;
  identity: PortalIdentity | null;
}

export interface Opened {
  chat: PortalChat;
  regNumber: string | null;
  statusSecret: string | null;
  first: ChatLine;
  created: boolean;
}

export interface ChatDeps {
  core: CoreContext;
  config: PortalConfig;
  call<R>(action: string, params: object): Promise<R>;
}

interface LineInput {
  direction: 'in' | 'out';
  text: string;
  externalId: string;
  authorUserId: number | null;
  clientMsgId: string | null;
}

export const openMessageId = (chatId: string) => `chat-${chatId}`;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const sealKey = (resumeToken: string) => `chat:${resumeToken}`;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function toLine(i: Interaction): ChatLine {
  return { seq: i.id, from: i.direction === 'in' ? 'citizen' : 'operator', text: i.body, at: i.at.toISOString(), clientMsgId: ((i.meta as { clientMsgId?: string } | null)?.clientMsgId) ?? null };
}

/**
 * What a citizen sees of the operator: the given name only. "Surname Name Patronymic" -> "Name";
 * two words are read as "Name Surname" -> "Name".
 */
export function operatorDisplayName(fullName: string | null | undefined): string {
  const parts = (fullName ?? '').trim().split(/\s+/).filter(Boolean);
  return (parts.length >= 3 ? parts[1] : parts[0]) ?? '';
}

export class ChatStore {
  constructor(private readonly deps: ChatDeps) {}

  private get db() {
    return this.deps.core.db;
  }

  private now(): Date {
    return this.deps.core.clock();
  }

  async get(chatId: string): Promise<PortalChat | null> {
    return this.db.read((em) => em.findOne(PortalChat, { where: { chatId } }));
  }

  async getOrFail(chatId: string): Promise<PortalChat> {
    const c = await this.get(chatId);
    if (!c) throw notFound('chat', chatId);
    return c;
  }

  /** The chat if the token is its resume token (the same answer for "no such chat" and "wrong token"). */
  async verifyResume(chatId: string, resumeToken: string): Promise<PortalChat | null> {
    const c = await this.get(chatId);
    return c && sameHash(c.resumeHash, tokenHash(resumeToken)) ? c : null;
  }

  /** Opens the chat (registers its appeal), or gives the same chat to a repeated open. */
  async open(input: OpenInput): Promise<Opened | null> {
    const existing = await this.get(input.chatId);
    if (existing) return this.reopened(existing, input.resumeToken);
    const replyTo = input.email && this.deps.config.replyByEmail ? { channel: 'email', address: input.email } : { channel: 'portal', address: `chat:${input.chatId}` };
    const contacts = [
      ...(input.email ? [{ kind: 'email', value: input.email }] : []),
      ...(input.identity ? [{ kind: 'portal', value: `${input.identity.issuer}:${input.identity.subject}` }] : []),
    ];
    const intake: IntakeInput = {
      channel: CHAT_CHANNEL, messageId: openMessageId(input.chatId), kind: 'chat', type: input.identity ? 'electronic_document' : 'electronic',
      applicant: { kind: 'citizen', fullName: input.name, contacts: contacts as IntakeInput['applicant']['contacts'] },
      subject: `${input.lang === 'en' ? 'Portal chat' : 'Чат на портале'}: ${input.text.replace(/\s+/g, ' ').slice(0, 80)}`,
      body: input.text, replyTo, issueStatusSecret: true, lang: input.lang,
      meta: { chat: { chatId: input.chatId, identified: Boolean(input.identity) } },
      ...(this.deps.config.siteCode ? { siteCode: this.deps.config.siteCode } : {}),
    };
    const r = await this.deps.call<IntakeResult>('appeals.intake', intake);
    const now = this.now();
    try {
      const chat = await this.db.transaction(async (em) => {
        const row = await em.save(PortalChat, em.create(PortalChat, {
          chatId: input.chatId, appealId: r.appealId, resumeHash: tokenHash(input.resumeToken), status: 'waiting', operatorUserId: null,
          lang: input.lang, openedAt: now, joinedAt: null, closedAt: null, closedBy: null, lastSeenAt: now,
        }));
        if (r.statusSecret) {
          await em.insert(PortalSubmission, { submissionHash: submissionHash(sealKey(input.resumeToken)), appealId: r.appealId, sealedSecret: sealSecret(sealKey(input.resumeToken), r.statusSecret), createdAt: now });
        }
        const appeal = await em.findOneOrFail(Appeal, { where: { id: r.appealId }, select: { id: true, siteId: true } });
        await appendJournal(em, { type: 'chat.opened', aggregateType: 'appeal', aggregateId: r.appealId, siteId: appeal.siteId, at: now, data: { appealId: r.appealId, chatId: input.chatId, interactionId: r.interactionId } });
        return row;
      });
      this.deps.core.journalCommitted();
      const first = await this.db.read((em) => em.findOneOrFail(Interaction, { where: { id: r.interactionId } }));
      return { chat, regNumber: r.regNumber, statusSecret: r.statusSecret ?? null, first: toLine(first), created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // The same open twice at once: the other one made the chat.
      return this.reopened(await this.getOrFail(input.chatId), input.resumeToken);
    }
  }

  private async reopened(chat: PortalChat, resumeToken: string): Promise<Opened | null> {
    if (!sameHash(chat.resumeHash, tokenHash(resumeToken))) return null;
    const { appeal, first, kept } = await this.db.read(async (em) => ({
      appeal: await em.findOneOrFail(Appeal, { where: { id: chat.appealId } }),
      first: await em.findOneOrFail(Interaction, { where: { channel: CHAT_CHANNEL, externalId: openMessageId(chat.chatId) } }),
      kept: await em.findOne(PortalSubmission, { where: { submissionHash: submissionHash(sealKey(resumeToken)) } }),
    }));
    return { chat, regNumber: appeal.regNumber, statusSecret: kept ? unsealSecret(sealKey(resumeToken), kept.sealedSecret) : null, first: toLine(first), created: false };
  }

  /** The transcript after `afterSeq`, in order. */
  async transcript(appealId: number, afterSeq = 0): Promise<ChatLine[]> {
    const rows = await this.db.read((em) => em.createQueryBuilder(Interaction, 'i')
      .where('i.appealId = :appealId AND i.channel = :channel AND i.kind = :kind AND i.id > :afterSeq', { appealId, channel: CHAT_CHANNEL, kind: 'chat', afterSeq })
      .orderBy('i.id', 'ASC').limit(5000).getMany());
    return rows.map(toLine);
  }

  private async addLine(em: EntityManager, chat: PortalChat, line: LineInput, now: Date): Promise<Interaction> {
    const inter = await em.save(Interaction, em.create(Interaction, {
      appealId: chat.appealId, direction: line.direction, kind: 'chat', channel: CHAT_CHANNEL, externalId: line.externalId, at: now, authorUserId: line.authorUserId,
      subject: null, body: line.text, meta: { chatId: chat.chatId, ...(line.clientMsgId ? { clientMsgId: line.clientMsgId } : {}) },
      deliveryStatus: line.direction === 'out' ? 'sent' : null, deliveryError: null, attempts: 0, nextAttemptAt: null,
    }));
    const appeal = await em.findOneOrFail(Appeal, { where: { id: chat.appealId }, select: { id: true, siteId: true } });
    await em.update(Appeal, { id: chat.appealId }, { updatedAt: now });
    // A citizen's line is an inbound message like any other (routing and reporting count it).
    await appendJournal(em, line.direction === 'in'
      ? { type: 'appeal.message_received', aggregateType: 'appeal', aggregateId: chat.appealId, siteId: appeal.siteId, at: now, data: { appealId: chat.appealId, interactionId: inter.id, channel: CHAT_CHANNEL, kind: 'chat', chatId: chat.chatId } }
      : { type: 'chat.message_sent', aggregateType: 'appeal', aggregateId: chat.appealId, siteId: appeal.siteId, actorId: line.authorUserId, at: now, data: { appealId: chat.appealId, interactionId: inter.id, chatId: chat.chatId } });
    return inter;
  }

  /** Writes a line once (by its external id); a repeat returns the line written before. */
  private async writeLine(chat: PortalChat, line: LineInput): Promise<ChatLine> {
    const existing = () => this.db.read((em) => em.findOne(Interaction, { where: { channel: CHAT_CHANNEL, externalId: line.externalId } }));
    const before = await existing();
    if (before) return toLine(before);
    try {
      const inter = await this.db.transaction(async (em) => {
        const fresh = await em.findOne(PortalChat, { where: { id: chat.id }, select: { id: true, status: true } });
        if (fresh?.status === 'closed') throw conflict('the chat has ended', { status: 'closed' });
        const i = await this.addLine(em, chat, line, this.now());
        if (line.direction === 'in') await em.update(PortalChat, { id: chat.id }, { lastSeenAt: this.now() });
        return i;
      });
      this.deps.core.journalCommitted();
      return toLine(inter);
    } catch (err) {
      const again = isUniqueViolation(err) ? await existing() : null;
      if (again) return toLine(again);
      throw err;
    }
  }

  async citizenMessage(chat: PortalChat, text: string, clientMsgId: string): Promise<ChatLine> {
    return this.writeLine(chat, { direction: 'in', text, externalId: `chat-${chat.chatId}-c-${clientMsgId}`, authorUserId: null, clientMsgId });
  }

  async operatorMessage(chat: PortalChat, actor: Actor, text: string, clientMsgId: string | null): Promise<ChatLine> {
    return this.writeLine(chat, { direction: 'out', text, externalId: `chat-${chat.chatId}-o-${clientMsgId ?? randomUUID()}`, authorUserId: actor.userId, clientMsgId });
  }

  /**
   * The operator takes the chat: waiting -> active with them (a conditional update, so two operators
   * cannot both take it). A supervisor may take over an active chat. Returns the chat and whether it
   * changed hands.
   */
  async join(chatId: string, actor: Actor, takeOver: boolean): Promise<{ chat: PortalChat; changed: boolean; before: PortalChat }> {
    const now = this.now();
    const chat = await this.getOrFail(chatId);
    if (chat.status === 'closed') throw conflict('the chat has ended', { status: 'closed' });
    if (chat.status === 'active' && chat.operatorUserId === actor.userId) return { chat, changed: false, before: chat };
    if (chat.status === 'active' && !(takeOver && actor.roles.includes('supervisor'))) {
      throw conflict('another operator has this chat (a supervisor may take it over with takeOver: true)', { status: 'active' });
    }
    const from: ChatStatus = chat.status;
    const res = await this.db.transaction(async (em) => {
      const where = { id: chat.id, status: from, ...(from === 'active' ? { operatorUserId: chat.operatorUserId! } : {}) };
      const u = await em.update(PortalChat, where, { status: 'active', operatorUserId: actor.userId, joinedAt: now });
      if (!u.affected) return null;
      const appeal = await em.findOneOrFail(Appeal, { where: { id: chat.appealId }, select: { id: true, siteId: true } });
      await appendJournal(em, { type: 'chat.joined', aggregateType: 'appeal', aggregateId: chat.appealId, siteId: appeal.siteId, actorId: actor.userId, at: now, data: { appealId: chat.appealId, chatId, userId: actor.userId, previousUserId: chat.operatorUserId } });
      return true;
    });
    if (!res) throw conflict('someone else took the chat just now', { status: 'active' });
    this.deps.core.journalCommitted();
    return { chat: await this.getOrFail(chatId), changed: true, before: chat };
  }

  /** Undoes a join whose appeal could not be assigned. */
  async unjoin(before: PortalChat, actor: Actor): Promise<void> {
    await this.db.transaction((em) => em.update(PortalChat, { id: before.id, operatorUserId: actor.userId! }, { status: before.status, operatorUserId: before.operatorUserId, joinedAt: before.joinedAt }));
  }

  /** Ends the chat (once); null when it had ended already. */
  async close(chatId: string, by: 'citizen' | 'operator' | 'timeout', actorId: number | null): Promise<PortalChat | null> {
    const now = this.now();
    const chat = await this.getOrFail(chatId);
    if (chat.status === 'closed') return null;
    const done = await this.db.transaction(async (em) => {
      const u = await em.update(PortalChat, { id: chat.id, status: Not('closed') }, { status: 'closed', closedAt: now, closedBy: by });
      if (!u.affected) return false;
      const appeal = await em.findOneOrFail(Appeal, { where: { id: chat.appealId }, select: { id: true, siteId: true } });
      await appendJournal(em, { type: 'chat.closed', aggregateType: 'appeal', aggregateId: chat.appealId, siteId: appeal.siteId, actorId, at: now, data: { appealId: chat.appealId, chatId, by, operatorUserId: chat.operatorUserId } });
      return true;
    });
    if (!done) return null;
    this.deps.core.journalCommitted();
    return this.getOrFail(chatId);
  }

  /** Marks these chats as seen now (their citizen is connected). */
  async touch(chatIds: string[]): Promise<void> {
    if (!chatIds.length) return;
    await this.db.transaction((em) => em.update(PortalChat, { chatId: In(chatIds), status: Not('closed') }, { lastSeenAt: this.now() }));
  }

  /** Chats whose citizen has been gone longer than the resume window. */
  async abandoned(): Promise<PortalChat[]> {
    const cutoff = new Date(this.now().getTime() - this.deps.config.chat.resumeWindowSeconds * 1000);
    return this.db.read((em) => em.find(PortalChat, { where: { status: Not('closed'), lastSeenAt: LessThan(cutoff) }, take: 200 }));
  }

  async listOpen(): Promise<{ chatId: string; appealId: number; regNumber: string | null; status: ChatStatus; operatorUserId: number | null; openedAt: Date; joinedAt: Date | null; lastSeenAt: Date; siteId: number }[]> {
    return this.db.read(async (em) => {
      const chats = await em.find(PortalChat, { where: { status: Not('closed') }, order: { openedAt: 'ASC' }, take: 500 });
      const appeals = chats.length ? await em.find(Appeal, { where: { id: In(chats.map((c) => c.appealId)) }, select: { id: true, regNumber: true, siteId: true } }) : [];
      const byId = new Map(appeals.map((a) => [a.id, a]));
      return chats.map((c) => ({
        chatId: c.chatId, appealId: c.appealId, regNumber: byId.get(c.appealId)?.regNumber ?? null, siteId: byId.get(c.appealId)?.siteId ?? 0,
        status: c.status, operatorUserId: c.operatorUserId, openedAt: c.openedAt, joinedAt: c.joinedAt, lastSeenAt: c.lastSeenAt,
      }));
    });
  }

  /** The chat with its citizen's name and transcript, for an operator (the read is audited). */
  async view(chatId: string, actor: Actor): Promise<{ chat: PortalChat; citizenName: string | null; regNumber: string | null; lines: ChatLine[] }> {
    const chat = await this.getOrFail(chatId);
    const { appeal, applicant } = await this.db.transaction(async (em) => {
      const appeal = await em.findOneOrFail(Appeal, { where: { id: chat.appealId } });
      const applicant = await em.findOne(Applicant, { where: { id: appeal.applicantId } });
      await recordAudit(em, actor, { action: 'read', entityType: 'chat', entityId: chat.chatId, applicantId: appeal.applicantId, detail: { appealId: appeal.id, fields: ['fullName', 'transcript'] } }, this.now());
      return { appeal, applicant };
    });
    return { chat, citizenName: applicant?.fullName ?? null, regNumber: appeal.regNumber, lines: await this.transcript(chat.appealId) };
  }

  async operatorName(userId: number | null): Promise<string> {
    if (userId == null) return '';
    const u = await this.db.read((em) => em.findOne(User, { where: { id: userId }, select: { id: true, fullName: true } }));
    return operatorDisplayName(u?.fullName);
  }
}
