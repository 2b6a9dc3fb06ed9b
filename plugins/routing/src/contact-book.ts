/**
 * The contact book: turns journal events into routing intents, the same way on every node and on
 * every replay. Contact ids are derived from the journal (`appeal-<id>`, `appeal-<id>-<seq>` for a
 * follow-up, `chat-<chatId>`; voice and callbacks come with their own ids through contact.queued),
 * so every node enqueues the same contacts with the same enqueue time (the event's time).
 *
 * It also keeps what recovery needs: the contacts still waiting (queued and not yet answered,
 * abandoned, completed or retired), with their current queue and priority.
 */
import type { JournalEvent } from '@okno/core';
import type { Channel, ContactInput, SkillLevels } from './engine/index.js';
import type { WorkFacts } from './queue-config.js';

/** Appeal channels that wait for an operator as an appeal (chats come from chat.opened, calls from routing.enqueue). */
const APPEAL_CHANNELS: Record<string, Channel> = { email: 'email', fax: 'fax', portal: 'portal' };

export interface Route {
  queueId: string;
  priority?: number;
  skills?: SkillLevels;
}

/** How a contact ends, from the journal's point of view. */
export type EndReason =
  /** The applicant left (chat closed while waiting). */
  | 'applicant-left'
  /** The appeal was answered or closed: complete it if assigned, retire it if still waiting. */
  | 'handled'
  /** Taken from the work list (or the chat joined) by someone routing did not offer it to. */
  | 'taken-by-hand';

export type Intent =
  | { kind: 'enqueue'; contact: ContactInput; record: boolean }
  | { kind: 'end'; contactId: string; reason: EndReason }
  | { kind: 'refresh'; contactId: string };

interface Entry {
  input: ContactInput;
  state: 'waiting' | 'answered';
  chatId?: string;
}

export interface ContactBookOptions {
  nodeId: string;
  /** The queue (and extra priority, skills) for incoming work; null: no queue takes it. */
  route(facts: WorkFacts): Route | null;
  /** A site and the sites above it. */
  siteChain(siteId: number | null): number[];
  /** How long a follow-up prefers the operator who handled the appeal before. */
  followUpMs: number;
  onUnrouted?(what: { channel: Channel; appealId?: number }): void;
}

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

export class ContactBook {
  private readonly entries = new Map<string, Entry>();
  private readonly byAppeal = new Map<number, string>();
  private readonly byChat = new Map<string, string>();
  /** Appeals that already had their first contact (a fax registered later is not queued twice). */
  private readonly routedAppeals = new Set<number>();
  private readonly appealFacts = new Map<number, { serviceId: number | null; organisationId: number | null; siteId: number | null }>();
  /** appealId -> the operator who handled it last (for follow-ups). */
  private readonly lastHandler = new Map<number, string>();
  /** contactId -> the operator routing assigned it to. */
  private readonly answeredBy = new Map<string, string>();

  constructor(private readonly opts: ContactBookOptions) {}

  /** Contacts waiting now (for recovery): queued and not yet answered or ended. */
  waiting(): ContactInput[] {
    return [...this.entries.values()].filter((e) => e.state === 'waiting').map((e) => e.input);
  }

  /** The open contact of an appeal, if any. */
  contactOfAppeal(appealId: number): string | undefined {
    return this.byAppeal.get(appealId);
  }

  /** An open contact's input (waiting or answered). */
  inputOf(contactId: string): ContactInput | undefined {
    return this.entries.get(contactId)?.input;
  }

  has(contactId: string): boolean {
    return this.entries.has(contactId);
  }

  apply(e: JournalEvent): Intent[] {
    const d = e.data ?? {};
    const at = Date.parse(e.at);
    switch (e.type) {
      case 'appeal.received':
      case 'appeal.registered':
        return this.appealIn(e, d, at);
      case 'chat.opened':
        return this.chatOpened(e, d, at);
      case 'appeal.message_received':
        return this.followUp(e, d, at);
      case 'appeal.assigned': {
        const appealId = num(d.appealId ?? e.aggregateId);
        if (appealId === null) return [];
        if (num(d.userId) !== null) this.lastHandler.set(appealId, String(d.userId));
        return this.endIf(this.byAppeal.get(appealId), String(d.userId), 'taken-by-hand');
      }
      case 'chat.joined':
        return this.endIf(this.byChat.get(String(d.chatId)), String(d.operatorId), 'taken-by-hand');
      case 'appeal.answered':
      case 'appeal.redirected':
      case 'appeal.closed':
        return this.endIf(this.byAppeal.get(num(d.appealId ?? e.aggregateId) ?? -1), undefined, 'handled');
      case 'chat.closed':
        return this.endIf(this.byChat.get(String(d.chatId)), undefined, 'applicant-left');
      default:
        return e.type.startsWith('contact.') ? this.contactEvent(e, d) : [];
    }
  }

  private appealIn(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
    const appealId = num(d.appealId ?? e.aggregateId);
    if (appealId === null) return [];
    const facts = { serviceId: num(d.serviceId), organisationId: num(d.organisationId), siteId: e.siteId };
    this.appealFacts.set(appealId, facts);
    const channel = APPEAL_CHANNELS[String(d.channel)];
    if (!channel || this.routedAppeals.has(appealId)) return [];
    this.routedAppeals.add(appealId);
    return this.open(`appeal-${appealId}`, channel, appealId, facts, at, { basePriority: num(d.priority) ?? 0 });
  }

  private chatOpened(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
    const appealId = num(d.appealId);
    const chatId = String(d.chatId ?? '');
    if (!chatId || appealId === null) return [];
    this.routedAppeals.add(appealId);
    const facts = this.appealFacts.get(appealId) ?? { serviceId: null, organisationId: null, siteId: num(d.siteId) ?? e.siteId };
    return this.open(`chat-${chatId}`, 'chat', appealId, facts, at, { chatId });
  }

  private followUp(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
    const appealId = num(d.appealId ?? e.aggregateId);
    if (appealId === null || this.byAppeal.has(appealId)) return [];
    const channel = APPEAL_CHANNELS[String(d.channel)];
    const operatorId = this.lastHandler.get(appealId);
    if (!channel || operatorId === undefined) return [];
    const facts = this.appealFacts.get(appealId) ?? { serviceId: null, organisationId: null, siteId: e.siteId };
    return this.open(`appeal-${appealId}-${e.seq}`, channel, appealId, facts, at, { preferred: { operatorId, until: at + this.opts.followUpMs } });
  }

  private open(
    id: string,
    channel: Channel,
    appealId: number,
    facts: { serviceId: number | null; organisationId: number | null; siteId: number | null },
    at: number,
    extra: { chatId?: string; preferred?: { operatorId: string; until: number }; basePriority?: number },
  ): Intent[] {
    if (this.entries.has(id)) return [];
    const route = this.opts.route({ channel, serviceId: facts.serviceId, organisationId: facts.organisationId, siteIds: this.opts.siteChain(facts.siteId) });
    if (!route) {
      this.opts.onUnrouted?.({ channel, appealId });
      return [];
    }
    const priority = route.priority ?? (extra.basePriority ? extra.basePriority : undefined);
    const input: ContactInput = {
      id,
      channel,
      queueId: route.queueId,
      enqueuedAt: at,
      appealId: String(appealId),
      ...(priority !== undefined ? { priority } : {}),
      ...(route.skills && Object.keys(route.skills).length ? { skills: route.skills } : {}),
      ...(extra.preferred ? { preferredOperator: extra.preferred } : {}),
    };
    this.entries.set(id, { input, state: 'waiting', ...(extra.chatId ? { chatId: extra.chatId } : {}) });
    this.byAppeal.set(appealId, id);
    if (extra.chatId) this.byChat.set(extra.chatId, id);
    return [{ kind: 'enqueue', contact: input, record: true }];
  }

  /** Ends an open contact unless routing itself assigned it to `unlessOperator`. */
  private endIf(contactId: string | undefined, unlessOperator: string | undefined, reason: EndReason): Intent[] {
    if (contactId === undefined || !this.entries.has(contactId)) return [];
    if (unlessOperator !== undefined && this.answeredBy.get(contactId) === unlessOperator) return [];
    this.close(contactId);
    return [{ kind: 'end', contactId, reason }];
  }

  private close(contactId: string): void {
    const entry = this.entries.get(contactId);
    if (!entry) return;
    this.entries.delete(contactId);
    this.answeredBy.delete(contactId);
    const appealId = num(entry.input.appealId);
    if (appealId !== null && this.byAppeal.get(appealId) === contactId) this.byAppeal.delete(appealId);
    if (entry.chatId && this.byChat.get(entry.chatId) === contactId) this.byChat.delete(entry.chatId);
  }

  private contactEvent(e: JournalEvent, d: Record<string, unknown>): Intent[] {
    const contactId = String(d.contactId ?? e.aggregateId);
    const fromOther = d.nodeId !== undefined && d.nodeId !== this.opts.nodeId;
    const refresh: Intent[] = fromOther ? [{ kind: 'refresh', contactId }] : [];
    const entry = this.entries.get(contactId);
    switch (e.type) {
      case 'contact.queued':
        // Contacts from routing.enqueue (calls, callbacks) exist only through this event.
        if (!entry && d.origin === 'enqueue') return this.fromQueued(contactId, d);
        return [];
      case 'contact.answered':
        if (entry) {
          entry.state = 'answered';
          this.answeredBy.set(contactId, String(d.operatorId));
        }
        if (num(d.appealId) !== null) this.lastHandler.set(num(d.appealId)!, String(d.operatorId));
        else if (entry?.input.appealId !== undefined) this.lastHandler.set(Number(entry.input.appealId), String(d.operatorId));
        return refresh;
      case 'contact.completed':
      case 'contact.abandoned':
      case 'contact.retired':
        this.close(contactId);
        return refresh;
      case 'contact.requeued':
      case 'contact.escalated':
        if (entry) {
          if (e.type === 'contact.requeued') {
            entry.state = 'waiting';
            this.answeredBy.delete(contactId);
          }
          entry.input = { ...entry.input, queueId: String(d.queueId ?? entry.input.queueId), ...(num(d.priority) !== null ? { priority: num(d.priority)! } : {}) };
        }
        return refresh;
      default:
        return refresh;
    }
  }

  private fromQueued(contactId: string, d: Record<string, unknown>): Intent[] {
    const enqueuedAt = Date.parse(String(d.enqueuedAt));
    if (!Number.isFinite(enqueuedAt) || typeof d.channel !== 'string' || d.queueId === undefined) return [];
    const appealId = num(d.appealId);
    const availableAt = d.availableAt ? Date.parse(String(d.availableAt)) : NaN;
    const input: ContactInput = {
      id: contactId,
      channel: d.channel as Channel,
      queueId: String(d.queueId),
      enqueuedAt,
      ...(num(d.priority) !== null ? { priority: num(d.priority)! } : {}),
      ...(d.skills && typeof d.skills === 'object' && Object.keys(d.skills).length ? { skills: d.skills as SkillLevels } : {}),
      ...(appealId !== null ? { appealId: String(appealId) } : {}),
      ...(Number.isFinite(availableAt) ? { availableAt } : {}),
    };
    this.entries.set(contactId, { input, state: 'waiting' });
    if (appealId !== null) this.byAppeal.set(appealId, contactId);
    return [{ kind: 'enqueue', contact: input, record: false }];
  }
}
