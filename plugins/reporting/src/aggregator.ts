/**
 * Counts one batch of journal events: pure, no database. It is given the state rows the batch needs
 * (contacts, operators, appeals; loaded by the store), updates them, and collects counter increments
 * per 15-minute bucket and per local day. The store then writes the state rows and adds the
 * increments, in the transaction that also moves the consumer's position.
 *
 * What counts as what (docs/reporting.md has the definitions):
 *  - a contact is offered once, at its first `contact.queued`; it stays counted under the queue, site,
 *    channel and service where it was first queued, also after an overflow;
 *  - answered: its first `contact.answered`; within T when waitedMs ≤ T;
 *  - abandoned: `contact.abandoned` of a contact not answered; short when waitedMs < the threshold;
 *  - handled: each `contact.completed`, with its talk, hold and wrap-up times;
 *  - retired (`contact.retired`): no longer waiting, counted as nothing else;
 *  - operators' time in each state, split over the buckets it spans, per site;
 *  - appeals: received, registered (late or not), answered (on time or not), redirected (on time or
 *    not, and between which organisations), extended, closed — each on the local day it happened.
 * Counters are attributed to the bucket (or day) of the event's time.
 */
import type { JournalEvent } from '@okno/core';
import {
  APPEAL_COUNTERS, CONTACT_COUNTERS, MAX_COUNTERS, UNKNOWN, zeroCounters,
  type AppealCounter, type AppealCounters, type AppealDim, type ContactCounter, type ContactCounters, type ContactDim,
} from './counters.js';
import type { Definitions } from './config.js';
import { BUCKET_MS, bucketOf, type CityTime } from './zone.js';

export type ContactStatus = 'waiting' | 'answered' | 'done';

export interface ContactRow {
  contactId: string;
  appealId: string | null;
  queue: string;
  siteId: string;
  channel: string;
  serviceId: string;
  status: ContactStatus;
  queuedAt: number;
  answeredAt: number | null;
  offeredCounted: boolean;
  updatedAt: number;
}

export const OPERATOR_STATES = ['logged_out', 'ready', 'busy', 'wrap_up', 'paused'] as const;
export type OperatorState = (typeof OPERATOR_STATES)[number];

export interface OperatorRow {
  operatorId: string;
  siteId: string;
  state: string;
  since: number;
}

export type AppealStatus = 'received' | 'open' | 'answered' | 'redirected' | 'closed';

export interface AppealRow {
  appealId: string;
  siteId: string;
  channel: string;
  serviceId: string;
  organisationId: string;
  topic: string;
  status: AppealStatus;
  registerBy: number | null;
  answerBy: number | null;
  answered: boolean;
}

/** The state rows a batch touches: a row, or null when the store has none. */
export interface BatchState {
  contacts: Map<string, ContactRow | null>;
  operators: Map<string, OperatorRow | null>;
  appeals: Map<string, AppealRow | null>;
}

/** Ids of the state rows a batch of events needs. */
export function idsNeeded(events: JournalEvent[]): { contacts: Set<string>; operators: Set<string>; appeals: Set<string> } {
  const out = { contacts: new Set<string>(), operators: new Set<string>(), appeals: new Set<string>() };
  for (const e of events) {
    const d = e.data ?? {};
    if (e.type.startsWith('contact.')) {
      out.contacts.add(contactIdOf(e));
      if (d.appealId != null) out.appeals.add(String(d.appealId));
    } else if (e.type === 'operator.state_changed') {
      out.operators.add(String(d.operatorId ?? e.aggregateId));
    } else if (e.type.startsWith('appeal.')) {
      out.appeals.add(appealIdOf(e));
    }
  }
  return out;
}

const contactIdOf = (e: JournalEvent): string => String(e.data?.contactId ?? e.aggregateId);
const appealIdOf = (e: JournalEvent): string => String(e.data?.appealId ?? e.aggregateId);
const key = (v: unknown): string => (v === null || v === undefined || v === '' ? UNKNOWN : String(v).slice(0, 120));
const num = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
};
/** An instant given as ISO text or epoch ms; null when absent or unreadable. */
const instant = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const ms = typeof v === 'number' ? v : Date.parse(String(v));
  return Number.isFinite(ms) ? ms : null;
};

const OPERATOR_TIME: Partial<Record<string, ContactCounter>> = { ready: 'opReadyMs', busy: 'opBusyMs', wrap_up: 'opWrapMs', paused: 'opPausedMs' };
const ANSWER_OUTCOMES = new Set(['answered', 'consulted']);

export class BatchAggregator {
  /** Increments per "bucketStart|dim|dimKey". */
  readonly intervals = new Map<string, ContactCounters>();
  /** Increments per "day|dim|dimKey". */
  readonly days = new Map<string, AppealCounters>();
  readonly dirtyContacts = new Set<string>();
  readonly dirtyOperators = new Set<string>();
  readonly dirtyAppeals = new Set<string>();
  /** Latest event time seen (for purging finished contacts). */
  latestAt = 0;
  private readonly slMs: number;
  private readonly shortMs: number;
  private readonly availabilityMs: number;

  constructor(private readonly state: BatchState, defs: Definitions, private readonly time: CityTime) {
    this.slMs = defs.serviceLevelSeconds * 1000;
    this.shortMs = defs.shortAbandonSeconds * 1000;
    this.availabilityMs = defs.availabilitySeconds * 1000;
  }

  apply(e: JournalEvent): void {
    const at = instant(e.at) ?? 0;
    this.latestAt = Math.max(this.latestAt, at);
    switch (e.type) {
      case 'contact.queued': return this.queued(e, at);
      case 'contact.answered': return this.answered(e, at);
      case 'contact.abandoned': return this.abandoned(e, at);
      case 'contact.overflowed': return this.overflowed(e, at);
      case 'contact.completed': return this.completed(e, at);
      case 'contact.retired': return this.retired(e, at);
      case 'operator.state_changed': return this.operatorChanged(e, at);
      case 'appeal.received': return this.appealReceived(e, at);
      case 'appeal.registered': return this.appealRegistered(e, at);
      case 'appeal.answered': return this.appealAnswered(e, at, typeof e.data?.onTime === 'boolean' ? e.data.onTime : null);
      case 'appeal.redirected': return this.appealRedirected(e, at);
      case 'appeal.extended': return this.appealExtended(e, at);
      case 'appeal.closed': return this.appealClosed(e, at);
      default:
    }
  }

  // ---- contacts ----

  /** The contact's row; a contact first seen after its queueing gets its dimensions from this event. */
  private contact(e: JournalEvent, at: number, status: ContactStatus): ContactRow {
    const id = contactIdOf(e);
    let c = this.state.contacts.get(id) ?? null;
    if (!c) {
      const d = e.data ?? {};
      const appealId = d.appealId != null ? String(d.appealId) : null;
      c = {
        contactId: id, appealId, queue: key(d.queue ?? d.queueId), siteId: key(d.siteId ?? d.fromSiteId ?? e.siteId), channel: key(d.channel),
        serviceId: this.serviceOf(appealId), status, queuedAt: instant(d.enqueuedAt) ?? at - num(d.waitedMs), answeredAt: null, offeredCounted: false, updatedAt: at,
      };
      this.state.contacts.set(id, c);
    }
    c.updatedAt = Math.max(c.updatedAt, at);
    this.dirtyContacts.add(id);
    return c;
  }

  private serviceOf(appealId: string | null): string {
    return (appealId !== null && this.state.appeals.get(appealId)?.serviceId) || UNKNOWN;
  }

  private addContact(c: ContactRow, at: number, inc: Partial<ContactCounters>): void {
    const bucket = bucketOf(at);
    const dims: [ContactDim, string][] = [['all', ''], ['queue', c.queue], ['site', c.siteId], ['channel', c.channel], ['service', c.serviceId]];
    for (const [dim, k] of dims) this.addInterval(bucket, dim, k, inc);
  }

  private addInterval(bucket: number, dim: string, k: string, inc: Partial<ContactCounters>): void {
    const id = `${bucket}|${dim}|${k}`;
    let row = this.intervals.get(id);
    if (!row) this.intervals.set(id, (row = zeroCounters(CONTACT_COUNTERS)));
    for (const [n, v] of Object.entries(inc) as [ContactCounter, number][]) row[n] = MAX_COUNTERS.has(n) ? Math.max(row[n], v) : row[n] + v;
  }

  private queued(e: JournalEvent, at: number): void {
    const c = this.contact(e, at, 'waiting');
    if (c.offeredCounted) return; // a second queueing (overflow, requeue) is not a second offer
    c.offeredCounted = true;
    this.addContact(c, at, { offered: 1 });
  }

  private answered(e: JournalEvent, at: number): void {
    const c = this.contact(e, at, 'waiting');
    if (c.answeredAt !== null) return; // answered again after a requeue: the first answer counts
    const waited = num(e.data?.waitedMs);
    c.answeredAt = at;
    if (c.status === 'waiting') c.status = 'answered';
    this.addContact(c, at, {
      answered: 1, waitAnsweredMs: waited, maxWaitMs: waited,
      answeredInSl: waited <= this.slMs ? 1 : 0, answeredInAvailability: waited <= this.availabilityMs ? 1 : 0,
    });
  }

  private abandoned(e: JournalEvent, at: number): void {
    const c = this.contact(e, at, 'waiting');
    const counted = c.answeredAt === null && c.status !== 'done';
    c.status = 'done';
    if (!counted) return;
    const waited = num(e.data?.waitedMs);
    this.addContact(c, at, { abandoned: 1, shortAbandoned: waited < this.shortMs ? 1 : 0, waitAbandonedMs: waited, maxWaitMs: waited });
  }

  private overflowed(e: JournalEvent, at: number): void {
    this.addContact(this.contact(e, at, 'waiting'), at, { overflowed: 1 });
  }

  private completed(e: JournalEvent, at: number): void {
    const c = this.contact(e, at, 'answered');
    const d = e.data ?? {};
    c.status = 'done';
    // Completed by a node that restarted since the answer (routing's `afterRestart`): the times are
    // not known there; the contact took from its answer to now.
    const talkMs = d.afterRestart === true && d.talkMs === undefined && c.answeredAt !== null ? Math.max(0, at - c.answeredAt) : num(d.talkMs);
    this.addContact(c, at, { handled: 1, talkMs, holdMs: num(d.holdMs), wrapMs: num(d.wrapMs) });
  }

  /**
   * Taken out of the queue because its appeal was dealt with another way (answered from the card,
   * closed, merged): it stops waiting and stays offered, but is neither answered nor abandoned.
   */
  private retired(e: JournalEvent, at: number): void {
    const c = this.contact(e, at, 'done');
    if (c.answeredAt === null) c.status = 'done';
  }

  // ---- operators ----

  private operatorChanged(e: JournalEvent, eventAt: number): void {
    const d = e.data ?? {};
    const id = String(d.operatorId ?? e.aggregateId);
    const at = instant(d.at) ?? eventAt;
    const o = this.state.operators.get(id) ?? null;
    if (o && at < o.since) return; // older than the state we hold: it cannot be placed any more
    if (o) this.operatorTime(o, at);
    this.state.operators.set(id, { operatorId: id, siteId: key(d.siteId ?? e.siteId), state: String(d.to ?? 'logged_out'), since: at });
    this.dirtyOperators.add(id);
  }

  /** Adds the time the operator spent in its current state up to `until`, bucket by bucket. */
  private operatorTime(o: OperatorRow, until: number): void {
    const column = OPERATOR_TIME[o.state];
    if (!column) return;
    for (let b = bucketOf(o.since); b < until; b += BUCKET_MS) {
      const ms = Math.min(until, b + BUCKET_MS) - Math.max(o.since, b);
      if (ms <= 0) continue;
      this.addInterval(b, 'all', '', { [column]: ms });
      this.addInterval(b, 'site', o.siteId, { [column]: ms });
    }
  }

  // ---- appeals ----

  private appeal(e: JournalEvent): AppealRow {
    const id = appealIdOf(e);
    let a = this.state.appeals.get(id) ?? null;
    if (!a) {
      a = {
        appealId: id, siteId: key(e.siteId), channel: UNKNOWN, serviceId: UNKNOWN, organisationId: UNKNOWN, topic: UNKNOWN,
        status: 'received', registerBy: null, answerBy: null, answered: false,
      };
      this.state.appeals.set(id, a);
    }
    this.dirtyAppeals.add(id);
    return a;
  }

  /** Takes the appeal's attributes from an event that carries them (received, registered). */
  private describe(a: AppealRow, e: JournalEvent): void {
    const d = e.data ?? {};
    if (e.siteId != null) a.siteId = key(e.siteId);
    if (d.channel !== undefined) a.channel = key(d.channel);
    if (d.serviceId !== undefined) a.serviceId = key(d.serviceId);
    if (d.organisationId !== undefined) a.organisationId = key(d.organisationId);
    if (d.topic !== undefined) a.topic = key(d.topic);
    if (d.registerBy !== undefined) a.registerBy = instant(d.registerBy);
    if (d.answerBy !== undefined) a.answerBy = instant(d.answerBy);
  }

  private addAppeal(a: AppealRow, at: number, inc: Partial<AppealCounters>): void {
    const day = this.time.localDate(at);
    const dims: [AppealDim, string][] = [
      ['all', ''], ['site', a.siteId], ['channel', a.channel], ['service', a.serviceId], ['topic', a.topic], ['organisation', a.organisationId],
    ];
    for (const [dim, k] of dims) this.addDay(day, dim, k, inc);
  }

  private addDay(day: string, dim: string, k: string, inc: Partial<AppealCounters>): void {
    const id = `${day}|${dim}|${k}`;
    let row = this.days.get(id);
    if (!row) this.days.set(id, (row = zeroCounters(APPEAL_COUNTERS)));
    for (const [n, v] of Object.entries(inc) as [AppealCounter, number][]) row[n] += v;
  }

  private appealReceived(e: JournalEvent, at: number): void {
    const known = this.state.appeals.get(appealIdOf(e));
    const a = this.appeal(e);
    this.describe(a, e);
    if (known) return;
    a.status = 'received';
    this.addAppeal(a, at, { received: 1 });
  }

  private appealRegistered(e: JournalEvent, at: number): void {
    const known = this.state.appeals.get(appealIdOf(e)) ?? null;
    if (known && known.status !== 'received') return; // registered once
    const a = this.appeal(e);
    this.describe(a, e);
    const d = e.data ?? {};
    const registeredAt = instant(d.registeredAt) ?? at;
    const late = typeof d.lateRegistration === 'boolean' ? d.lateRegistration : a.registerBy !== null && registeredAt > a.registerBy;
    a.status = 'open';
    this.addAppeal(a, at, { received: known ? 0 : 1, registered: 1, registeredLate: late ? 1 : 0 });
  }

  private appealAnswered(e: JournalEvent, at: number, onTime: boolean | null): void {
    const a = this.appeal(e);
    if (a.status === 'open' || a.status === 'received') a.status = 'answered';
    if (a.answered) return;
    a.answered = true;
    const inTime = onTime ?? (a.answerBy === null || at <= a.answerBy);
    this.addAppeal(a, at, { answered: 1, answeredOnTime: inTime ? 1 : 0 });
  }

  private appealRedirected(e: JournalEvent, at: number): void {
    const a = this.appeal(e);
    const d = e.data ?? {};
    const onTime = d.onTime !== false ? 1 : 0;
    if (d.fromOrganisationId !== undefined && a.organisationId === UNKNOWN) a.organisationId = key(d.fromOrganisationId);
    a.status = 'redirected';
    this.addAppeal(a, at, { redirected: 1, redirectedOnTime: onTime });
    this.addDay(this.time.localDate(at), 'redirection', `${key(d.fromOrganisationId ?? a.organisationId)}>${key(d.organisationId)}`, { redirected: 1, redirectedOnTime: onTime });
  }

  private appealExtended(e: JournalEvent, at: number): void {
    const a = this.appeal(e);
    const answerBy = instant(e.data?.answerBy);
    if (answerBy !== null) a.answerBy = answerBy;
    this.addAppeal(a, at, { extended: 1 });
  }

  private appealClosed(e: JournalEvent, at: number): void {
    const a = this.appeal(e);
    if (!a.answered && ANSWER_OUTCOMES.has(String(e.data?.outcome))) this.appealAnswered(e, at, null);
    a.status = 'closed';
    this.addAppeal(a, at, { closed: 1 });
  }
}
