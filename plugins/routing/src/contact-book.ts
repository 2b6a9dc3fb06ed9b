/**
 * The contact book: turns journal events into routing intents, the same way on every node and on
 * every replay. Contact ids are derived from the journal (`appeal-<id>`, `appeal-<id>-<seq>` for a
 * follow-up, `chat-<chatId>`; voice and callbacks come with their own ids through contact.queued),
 * so every node enqueues the same contacts with the same enqueue time (the event's time).
 *
 * It also keeps what recovery needs: the contacts still waiting (queued and not yet answered,
 * abandoned, completed or retired), with their current queue and priority.
 *
 * Its memory is bounded (docs/routing.md "Recovery"): the open contacts, and what it knows of appeals
 * (their facts, last handler, whether they had their first contact) only as long as a later event
 * can need it — `followUpMs` after an appeal was answered, redirected or closed and nothing happened
 * to it since, or `staleMs` after the last event of an appeal that was never closed. Expiry counts in
 * journal time (the events' own times), so every node and every replay forgets the same things at
 * the same point, and an appeal past its time is treated as unknown whether or not it was swept yet.
 * `exportState()` / `restoreState()` carry the whole book into a checkpoint (checkpoint.ts).
 */
import type { JournalEvent } from '@okno/core';
import { CHANNELS, type Channel, type ContactInput, type SkillLevels } from './engine/index.js';
import type { WorkFacts } from './queue-config.js';
import { AppealMemory, type AppealFacts, type AppealMemoryState } from './appeal-memory.js';

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

/** Everything the book holds, as plain JSON (a checkpoint's content; see checkpoint.ts). */
export interface BookState {
  entries: [string, Entry][];
  byAppeal: [number, string][];
  byChat: [string, string][];
  answeredBy: [string, string][];
  appeals: AppealMemoryState;
  /** The latest event time seen (journal time), epoch ms. */
  clock: number;
  /** When (journal time) forgotten appeals were last swept out. */
  sweptAt: number;
}

/** What the book holds now, in numbers (the bench and the logs). */
export interface BookSize {
  entries: number;
  waiting: number;
  appeals: number;
  settledAppeals: number;
}

export interface ContactBookOptions {
  nodeId: string;
  /** The queue (and extra priority, skills) for incoming work; null: no queue takes it. */
  route(facts: WorkFacts): Route | null;
  /** A site and the sites above it. */
  siteChain(siteId: number | null): number[];
  /**
   * How long a follow-up prefers the operator who handled the appeal before; also how long an
   * appeal is remembered after it was answered, redirected or closed (a follow-up later than that
   * is not routed).
   */
  followUpMs: number;
  /** An appeal never closed is forgotten this long after its last event (default STALE_MS, at least followUpMs). */
  staleMs?: number;
  onUnrouted?(what: { channel: Channel; appealId?: number }): void;
}

/** An appeal never answered or closed is forgotten a year (and a day) after its last event. */
export const STALE_MS = 366 * 86_400_000;
/** Forgotten appeals are swept out at most this often (journal time). */
const SWEEP_EVERY_MS = 3_600_000;

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

export class ContactBook {
  private readonly entries = new Map<string, Entry>();
  private readonly byAppeal = new Map<number, string>();
  private readonly byChat = new Map<string, string>();
  /** contactId -> the operator routing assigned it to. */
  private readonly answeredBy = new Map<string, string>();
  /** What the book knows of appeals: facts, last handler, first contact had (bounded, see above). */
  private readonly appeals: AppealMemory;
  private clock = 0;
  private sweptAt = 0;

  constructor(private readonly opts: ContactBookOptions) {
    this.appeals = new AppealMemory({ settledMs: opts.followUpMs, activeMs: Math.max(opts.staleMs ?? STALE_MS, opts.followUpMs) });
  }

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

  /** How long the book remembers appeals (a checkpoint made with shorter times may lack what this book needs). */
  get retention(): { followUpMs: number; staleMs: number } {
    return { followUpMs: this.opts.followUpMs, staleMs: Math.max(this.opts.staleMs ?? STALE_MS, this.opts.followUpMs) };
  }

  /** The whole book as plain JSON (for a checkpoint). */
  exportState(): BookState {
    return {
      entries: [...this.entries].map(([id, e]) => [id, structuredClone(e)]),
      byAppeal: [...this.byAppeal],
      byChat: [...this.byChat],
      answeredBy: [...this.answeredBy],
      appeals: this.appeals.exportState(),
      clock: this.clock,
      sweptAt: this.sweptAt,
    };
  }

  /**
   * Replaces the book with a state exportState() made (from a checkpoint). Checked first: a state
   * that is not one throws, and the book is left as it was.
   */
  restoreState(state: BookState): void {
    if (!state || typeof state !== 'object') throw new Error('the book state is not an object');
    if (!Number.isFinite(state.clock) || !Number.isFinite(state.sweptAt)) throw new Error('the book state has no clock');
    const pairs = <K, V>(list: unknown, name: string, ok: (k: unknown, v: unknown) => boolean): [K, V][] => {
      if (!Array.isArray(list)) throw new Error(`${name} is not a list`);
      for (const item of list) {
        if (!Array.isArray(item) || item.length !== 2 || !ok(item[0], item[1])) throw new Error(`${name}: ${JSON.stringify(item)?.slice(0, 200)} is not valid`);
      }
      return list as [K, V][];
    };
    const str = (v: unknown) => typeof v === 'string' && v.length > 0;
    const entries = pairs<string, Entry>(state.entries, 'entries', (k, v) => str(k) && isEntry(v) && (v as Entry).input.id === k);
    const byAppeal = pairs<number, string>(state.byAppeal, 'byAppeal', (k, v) => Number.isInteger(k) && str(v));
    const byChat = pairs<string, string>(state.byChat, 'byChat', (k, v) => str(k) && str(v));
    const answeredBy = pairs<string, string>(state.answeredBy, 'answeredBy', (k, v) => str(k) && str(v));
    this.appeals.restoreState(state.appeals); // checked in full before it changes anything
    const fill = <K, V>(map: Map<K, V>, list: [K, V][]) => {
      map.clear();
      for (const [k, v] of list) map.set(k, v);
    };
    fill(this.entries, entries);
    fill(this.byAppeal, byAppeal);
    fill(this.byChat, byChat);
    fill(this.answeredBy, answeredBy);
    this.clock = state.clock;
    this.sweptAt = state.sweptAt;
  }

  /** Sizes of what the book holds. */
  size(): BookSize {
    let waiting = 0;
    for (const e of this.entries.values()) if (e.state === 'waiting') waiting++;
    return { entries: this.entries.size, waiting, appeals: this.appeals.size, settledAppeals: this.appeals.settledSize };
  }

  apply(e: JournalEvent): Intent[] {
    const at = Date.parse(e.at);
    const intents = this.applyAt(e, Number.isFinite(at) ? at : this.clock);
    if (at > this.clock) this.clock = at;
    if (this.clock - this.sweptAt >= SWEEP_EVERY_MS) {
      this.sweptAt = this.clock;
      this.appeals.sweep(this.clock);
    }
    return intents;
  }

  private applyAt(e: JournalEvent, at: number): Intent[] {
    const d = e.data ?? {};
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
        if (num(d.userId) !== null) this.appeals.touch(appealId, at, 'active').handler = String(d.userId);
        return this.endIf(this.byAppeal.get(appealId), String(d.userId), 'taken-by-hand');
      }
      case 'chat.joined':
        return this.endIf(this.byChat.get(String(d.chatId)), String(d.operatorId), 'taken-by-hand');
      case 'appeal.answered':
      case 'appeal.redirected':
      case 'appeal.closed': {
        const appealId = num(d.appealId ?? e.aggregateId) ?? -1;
        this.appeals.settle(appealId, at);
        return this.endIf(this.byAppeal.get(appealId), undefined, 'handled');
      }
      case 'chat.closed':
        return this.endIf(this.byChat.get(String(d.chatId)), undefined, 'applicant-left');
      default:
        if (e.type.startsWith('contact.')) return this.contactEvent(e, d, at);
        if (e.aggregateType === 'appeal') this.appeals.seen(num(d.appealId ?? e.aggregateId) ?? -1, at);
        return [];
    }
  }

  private appealIn(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
    const appealId = num(d.appealId ?? e.aggregateId);
    if (appealId === null) return [];
    const facts = { serviceId: num(d.serviceId), organisationId: num(d.organisationId), siteId: e.siteId };
    const memo = this.appeals.touch(appealId, at, 'active');
    memo.facts = facts;
    const channel = APPEAL_CHANNELS[String(d.channel)];
    if (!channel || memo.routed) return [];
    memo.routed = true;
    // A message that came in before the registration event (journal order makes this rare) already waits.
    if (this.byAppeal.has(appealId)) return [];
    return this.open(`appeal-${appealId}`, channel, appealId, facts, at, { basePriority: num(d.priority) ?? 0 });
  }

  private chatOpened(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
    const appealId = num(d.appealId);
    const chatId = String(d.chatId ?? '');
    if (!chatId || appealId === null) return [];
    const memo = this.appeals.touch(appealId, at);
    memo.routed = true;
    const facts = memo.facts ?? { serviceId: null, organisationId: null, siteId: num(d.siteId) ?? e.siteId };
    return this.open(`chat-${chatId}`, 'chat', appealId, facts, at, { chatId });
  }

  private followUp(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
    const appealId = num(d.appealId ?? e.aggregateId);
    if (appealId === null) return [];
    const memo = this.appeals.seen(appealId, at);
    if (this.byAppeal.has(appealId)) return [];
    const channel = APPEAL_CHANNELS[String(d.channel)];
    if (!channel) return [];
    // Nobody known to have handled it (an appeal registered during a call and never assigned, or one
    // the book has forgotten): the follow-up still waits for an operator, for anyone who can take it.
    const operatorId = memo?.handler;
    const facts = memo?.facts ?? { serviceId: null, organisationId: null, siteId: e.siteId };
    return this.open(`appeal-${appealId}-${e.seq}`, channel, appealId, facts, at, operatorId === undefined ? {} : { preferred: { operatorId, until: at + this.opts.followUpMs } });
  }

  private open(
    id: string,
    channel: Channel,
    appealId: number,
    facts: AppealFacts,
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

  private contactEvent(e: JournalEvent, d: Record<string, unknown>, at: number): Intent[] {
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
        if (num(d.appealId) !== null) this.appeals.touch(num(d.appealId)!, at).handler = String(d.operatorId);
        else if (entry?.input.appealId !== undefined) this.appeals.touch(Number(entry.input.appealId), at).handler = String(d.operatorId);
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

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown) => typeof v === 'string';

/** A contact entry as exportState() writes it. */
function isEntry(v: unknown): v is Entry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  if (e.state !== 'waiting' && e.state !== 'answered') return false;
  if (e.chatId !== undefined && !isStr(e.chatId)) return false;
  const c = e.input as Record<string, unknown> | null;
  if (!c || typeof c !== 'object' || !isStr(c.id) || !(CHANNELS as readonly unknown[]).includes(c.channel) || !isStr(c.queueId) || !isNum(c.enqueuedAt)) return false;
  for (const k of ['siteId', 'appealId'] as const) if (c[k] !== undefined && !isStr(c[k])) return false;
  for (const k of ['priority', 'availableAt'] as const) if (c[k] !== undefined && !isNum(c[k])) return false;
  if (c.skills !== undefined && (!c.skills || typeof c.skills !== 'object' || !Object.values(c.skills).every(isNum))) return false;
  if (c.preferredOperator !== undefined) {
    const p = c.preferredOperator as Record<string, unknown> | null;
    if (!p || typeof p !== 'object' || !isStr(p.operatorId) || !isNum(p.until)) return false;
  }
  return true;
}
