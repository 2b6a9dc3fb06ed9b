/**
 * RoutingEngine: the routing state machine of one node. Pure: no I/O, time from the injected clock,
 * the reservation store and the strategy injected. See index.ts for the model in full.
 */
import { alwaysOpen } from './business-hours.js';
import type { Clock } from './clock.js';
import { IndexedHeap } from './heap.js';
import type { Bucket, ContactRec, Group, OperatorRec, QueueRec, WorkRec } from './records.js';
import { InMemoryReservationStore, isThenable, type Awaitable, type CasResult, type Holding, type ReservationStore, type ReserveResult } from './reservation.js';
import {
  checkRelaxRules,
  hasAllSkills,
  meetsRequirements,
  mergeRequirements,
  nextRelaxAfter,
  relaxedCap,
  requirementKey,
  skillMap,
  type Requirement,
} from './requirements.js';
import { compareContacts, priorityThenWait, type ContactView, type RoutingStrategy, type StrategyContext } from './strategy.js';
import { TimerQueue } from './timers.js';
import {
  CHANNELS,
  DEFAULT_POLICY,
  RoutingError,
  type Channel,
  type ContactInput,
  type OfferEnd,
  type OperatorProfile,
  type OperatorState,
  type QueueConfig,
  type RoutingEvent,
  type RoutingPolicy,
} from './types.js';

export interface EngineOptions {
  clock: Clock;
  /** Shared by every node that may offer the same contacts; in-memory (this node only) by default. */
  store?: ReservationStore;
  strategy?: RoutingStrategy;
  policy?: Partial<RoutingPolicy>;
  /** Names this node in offer ids; must differ between nodes sharing a store. */
  nodeId?: string;
  queues?: readonly QueueConfig[];
  operators?: readonly OperatorProfile[];
  /** Every event, after the call that caused it (never in the middle of a change). */
  onEvent?: (event: RoutingEvent) => void;
  /** Called just before each offer, with the engine still as the decision saw it (audits, tests). */
  onDecision?: (decision: Decision) => void;
}

export interface Decision {
  contactId: string;
  operatorId: string;
  at: number;
  /** 'operator': an operator with room chose among contacts; 'contact': a contact chose among operators. */
  by: 'operator' | 'contact';
}

export interface ContactSnapshot {
  id: string;
  state: ContactRec['state'];
  channel: Channel;
  queueId: string;
  homeSiteId: string;
  priority: number;
  enqueuedAt: number;
  /** Age: now - enqueuedAt. */
  waitedMs: number;
  /** Wait counted for relaxation and overflow (while the queue was open). */
  routingWaitMs: number;
  /** The highest proficiency any requirement still asks (relaxation applied). */
  levelCap: number;
  overflowed: boolean;
  offers: number;
  heldForOperatorId?: string;
  operatorId?: string;
  offerId?: string;
  appealId?: string;
}

export interface OperatorSnapshot {
  id: string;
  siteId: string;
  state: OperatorState;
  pausedReason?: string;
  load: Record<Channel, number>;
  capacity: Record<Channel, number>;
  /** Channels on which a new offer could be made now. */
  availableFor: Channel[];
  openOffers: number;
  idleSince: number;
  missedOffers: number;
  contacts: { contactId: string; offerId: string; channel: Channel; state: WorkRec['state'] }[];
}

const SEP = '\u0001';
const WILDCARD = '*';
const NO_WORK = Object.freeze({ voice: 0, chat: 0, email: 0, fax: 0, portal: 0, callback: 0 });
const bucketOrder = (a: ContactRec, b: ContactRec) => a.enqueuedAt < b.enqueuedAt || (a.enqueuedAt === b.enqueuedAt && a.seq < b.seq);
const rankOrder = (a: ContactRec, b: ContactRec) => compareContacts(a, b) < 0;

export class RoutingEngine {
  readonly policy: RoutingPolicy;
  readonly strategy: RoutingStrategy;
  private readonly clock: Clock;
  private readonly store: ReservationStore;
  /** Offer ids are `${nodeId}-${epoch}-${n}`: unique across nodes and restarts (they fence the store). */
  private readonly offerPrefix: string;
  private readonly onDecision?: (d: Decision) => void;
  private readonly listeners: ((e: RoutingEvent) => void)[] = [];
  private readonly exclusive: ReadonlySet<Channel>;
  private readonly compatible: ReadonlySet<Channel>;

  private readonly queues = new Map<string, QueueRec>();
  private readonly operators = new Map<string, OperatorRec>();
  private readonly contacts = new Map<string, ContactRec>();
  private readonly works = new Map<string, WorkRec>();
  private readonly groups = new Map<string, Group>();
  private readonly groupsBySite = new Map<string, Group[]>();
  private readonly buckets = new Map<string, Bucket>();
  /** Non-empty buckets by home site and channel. */
  private readonly homeBuckets = new Map<string, Set<Bucket>>();
  /** Non-empty buckets whose queue overflows to a named site, by that site and channel. */
  private readonly overflowBuckets = new Map<string, Set<Bucket>>();
  /** Non-empty buckets whose queue overflows to every site, by channel. */
  private readonly overflowAnyBuckets = new Map<string, Set<Bucket>>();
  /** Operators with room on a channel, by site, channel and skill (and '*'). */
  private readonly available = new Map<string, Set<OperatorRec>>();
  private readonly loggedInBySite = new Map<string, Set<OperatorRec>>();
  private readonly sites = new Set<string>();
  private readonly timers = new TimerQueue();
  private readonly dirtyOperators = new Set<OperatorRec>();
  private readonly dirtyContacts = new Set<ContactRec>();
  private readonly ctx: StrategyContext;
  private buffer: RoutingEvent[] = [];
  private depth = 0;
  private contactSeq = 0;
  private offerSeq = 0;

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.store = options.store ?? new InMemoryReservationStore();
    this.strategy = options.strategy ?? priorityThenWait;
    this.policy = { ...DEFAULT_POLICY, ...options.policy, capacity: { ...DEFAULT_POLICY.capacity, ...options.policy?.capacity } };
    this.offerPrefix = `${options.nodeId ?? 'n1'}-${Math.max(0, Math.floor(this.clock.now())).toString(36)}-`;
    if (options.onDecision) this.onDecision = options.onDecision;
    if (options.onEvent) this.listeners.push(options.onEvent);
    this.exclusive = new Set(this.policy.exclusiveChannels);
    this.compatible = new Set(this.policy.compatibleWithExclusive);
    const clock = this.clock;
    this.ctx = {
      get now() {
        return clock.now();
      },
      routingWaitMs: (c: ContactView) => this.routingWait(c as ContactRec, this.clock.now()),
    };
    for (const q of options.queues ?? []) this.addQueue(q);
    for (const o of options.operators ?? []) this.addOperator(o);
  }

  // ------------------------------------------------------------------ configuration

  addQueue(config: QueueConfig): void {
    if (this.queues.has(config.id)) throw new RoutingError('duplicate-queue', `queue ${config.id} exists`);
    const q = this.buildQueue(config);
    this.queues.set(q.id, q);
    this.run(() => this.refreshHours(q, this.clock.now()));
  }

  /**
   * New settings for a queue (an administrator's edit): its contacts keep their places, ages and
   * offers; waiting ones are placed again under the new rules. Refused when a channel with contacts
   * would be dropped.
   */
  replaceQueue(config: QueueConfig): RoutingEvent[] {
    const old = this.queueRec(config.id);
    const q = this.buildQueue(config);
    const mine = [...this.contacts.values()].filter((c) => c.queue === old);
    const lost = mine.find((c) => !q.channels.has(c.channel));
    if (lost) throw new RoutingError('invalid-queue', `queue ${q.id}: contacts on ${lost.channel} are in it; keep that channel`);
    return this.run(() => {
      const now = this.clock.now();
      const waiting = mine.filter((c) => c.state === 'waiting');
      for (const c of waiting) this.unplace(c);
      this.forgetQueue(old);
      this.queues.set(q.id, q);
      for (const c of mine) this.moveTo(c, q, c.priority);
      this.refreshHours(q, now);
      for (const c of waiting) this.place(c, now);
      for (const o of this.operators.values()) if (o.loggedIn) this.dirtyOperators.add(o);
    });
  }

  /** Removes a queue nobody is in (no contact of any state). */
  removeQueue(queueId: string): void {
    const q = this.queueRec(queueId);
    for (const c of this.contacts.values()) if (c.queue === q) throw new RoutingError('queue-in-use', `queue ${q.id} has contacts`);
    for (const other of this.queues.values()) if (other.escalation?.toQueueId === q.id) throw new RoutingError('queue-in-use', `queue ${other.id} escalates to ${q.id}`);
    this.forgetQueue(q);
  }

  private buildQueue(config: QueueConfig): QueueRec {
    const what = `queue ${config.id}`;
    if (!config.siteId) throw new RoutingError('invalid-queue', `${what}: siteId is required`);
    if (!config.channels.length || config.channels.some((c) => !CHANNELS.includes(c))) {
      throw new RoutingError('invalid-queue', `${what}: channels must be some of ${CHANNELS.join(', ')}`);
    }
    mergeRequirements(what, config.skills);
    const o = config.overflow;
    const q: QueueRec = {
      id: config.id,
      siteId: config.siteId,
      channels: new Set(config.channels),
      skills: config.skills ?? {},
      defaultPriority: config.defaultPriority ?? 0,
      hours: config.hours ?? alwaysOpen,
      relax: checkRelaxRules(config.relax, what),
      ...(o ? { overflow: { afterMs: o.afterMs, toSites: o.toSites === '*' ? '*' : new Set(o.toSites), whenNobodyAtSite: o.whenNobodyAtSite ?? true } } : {}),
      stickyWindowMs: config.stickyWindowMs ?? 0,
      offerTimeoutMs: config.offerTimeoutMs ?? this.policy.offerTimeoutMs,
      maxOffers: config.maxOffers ?? 0,
      ...(config.escalation ? { escalation: config.escalation } : {}),
      ...(config.wrapUpMs !== undefined ? { wrapUpMs: config.wrapUpMs } : {}),
      open: { open: false, since: -Infinity, until: -Infinity },
      openActedOn: false,
      buckets: [],
      held: new Set(),
    };
    if (config.escalation?.toQueueId === config.id) throw new RoutingError('invalid-queue', `${what}: escalation to itself`);
    return q;
  }

  /** Drops a queue's (empty) buckets and its opening timer. */
  private forgetQueue(q: QueueRec): void {
    this.timers.cancel(q.boundary);
    delete q.boundary;
    for (const b of q.buckets) {
      if (b.heap.size > 0) this.indexBucket(b, false);
      this.buckets.delete(b.key);
      const i = b.group.buckets.indexOf(b);
      if (i >= 0) b.group.buckets.splice(i, 1);
    }
    q.buckets.length = 0;
    this.queues.delete(q.id);
  }

  addOperator(profile: OperatorProfile): void {
    if (this.operators.has(profile.id)) throw new RoutingError('duplicate-operator', `operator ${profile.id} exists`);
    const o: OperatorRec = {
      id: profile.id,
      siteId: profile.siteId,
      skills: skillMap(profile.skills, `operator ${profile.id}`),
      capacity: this.capacityOf(profile),
      profile,
      loggedIn: false,
      paused: null,
      blockedUntil: -Infinity,
      work: new Set(),
      load: { ...NO_WORK },
      exclusiveHeld: 0,
      blocking: 0,
      openOffers: 0,
      idleSince: this.clock.now(),
      missed: 0,
      state: 'logged_out',
      availableFor: new Set(),
      sticky: new IndexedHeap(rankOrder),
    };
    this.operators.set(o.id, o);
    this.sites.add(o.siteId);
  }

  /** New skills, capacity or wrap-up; the site may change only while logged out. */
  updateOperator(profile: OperatorProfile): RoutingEvent[] {
    const o = this.operatorRec(profile.id);
    if (o.loggedIn && profile.siteId !== o.siteId) throw new RoutingError('invalid-transition', `operator ${o.id}: log out before changing site`);
    const skills = skillMap(profile.skills, `operator ${profile.id}`);
    return this.run(() => {
      if (o.loggedIn) this.countCapable(o, -1);
      this.setAvailability(o, new Set());
      o.skills = skills;
      o.capacity = this.capacityOf(profile);
      o.profile = profile;
      o.siteId = profile.siteId;
      this.sites.add(o.siteId);
      if (o.loggedIn) this.countCapable(o, +1);
      this.recompute(o);
      this.dirtyOperators.add(o);
    });
  }

  on(listener: (e: RoutingEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ------------------------------------------------------------------ contacts

  /** A new contact joins the line (and is offered at once if someone may take it). */
  enqueue(input: ContactInput): RoutingEvent[] {
    const c = this.createContact(input);
    return this.run(() => {
      this.contacts.set(c.id, c);
      this.emit({
        type: 'contact.queued',
        contactId: c.id,
        ...(c.appealId !== undefined ? { appealId: c.appealId } : {}),
        channel: c.channel,
        queueId: c.queueId,
        siteId: c.homeSiteId,
        priority: c.priority,
        enqueuedAt: c.enqueuedAt,
        skills: Object.fromEntries(c.reqs.map((r) => [r.skill, r.level])),
      });
      this.place(c, this.clock.now());
    });
  }

  /**
   * Recovery: rebuilds the line from contacts that were waiting (from the journal), each with its
   * original enqueuedAt, so ages and places are kept. Contacts already known are left alone; no
   * 'contact.queued' is emitted again.
   */
  restore(inputs: readonly ContactInput[]): RoutingEvent[] {
    const fresh: ContactRec[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      if (this.contacts.has(input.id) || seen.has(input.id)) continue;
      if (input.enqueuedAt === undefined) throw new RoutingError('invalid-contact', `restore: contact ${input.id} needs its original enqueuedAt`);
      seen.add(input.id);
      fresh.push(this.createContact(input));
    }
    return this.run(() => {
      const now = this.clock.now();
      for (const c of fresh) {
        this.contacts.set(c.id, c);
        this.place(c, now);
      }
    });
  }

  /**
   * Recovery: an assignment the store still holds for an operator this engine did not know when it
   * started (the node restarted while the operator handled the contact), or that a node which left
   * held (the contact is 'elsewhere' here). The contact becomes this
   * operator's again under the store's offer id (its fencing token), so completing it finishes the
   * store's holding and the operator's room counts it. Call it before the operator logs in.
   */
  adoptAssignment(input: ContactInput, operatorId: string, offerId: string, answeredAt: number): RoutingEvent[] {
    const o = this.operatorRec(operatorId);
    const known = this.contacts.get(input.id);
    // A contact known here as held by another node (that node left) is taken over; any other is left alone.
    if (known && (known.state !== 'elsewhere' || known.work)) return [];
    if (this.works.has(offerId)) throw new RoutingError('duplicate-offer', `offer ${offerId} exists`);
    const c = known ?? this.createContact(input);
    return this.run(() => {
      if (known) this.unplace(c);
      this.contacts.set(c.id, c);
      const work: WorkRec = {
        id: offerId, contact: c, operator: o, channel: c.channel, exclusive: this.exclusive.has(c.channel), blocksExclusive: !this.compatible.has(c.channel),
        crossSite: o.siteId !== c.homeSiteId, viaHold: false, state: 'assigned', createdAt: answeredAt, expiresAt: answeredAt, answeredAt,
      };
      c.state = 'assigned';
      c.work = work;
      c.offers = 1;
      this.works.set(work.id, work);
      o.work.add(work);
      this.recompute(o);
    });
  }

  /**
   * The applicant left (hung up, closed the chat) before being answered. The store retires the
   * contact first: if another node has already assigned it, that node handles it and nothing
   * happens here; otherwise 'contact.abandoned' follows (with an asynchronous store, once the
   * store has answered). A contact assigned on this node must be complete()d instead.
   */
  abandon(contactId: string): RoutingEvent[] {
    const c = this.contactRec(contactId);
    if (c.state === 'assigned' || c.state === 'wrapping') throw new RoutingError('contact-assigned', `contact ${c.id} is being handled; complete() it`);
    if (c.abandoned) return [];
    return this.run(() => {
      c.abandoned = true;
      const work = c.work;
      if (work === undefined) this.retireAbandoned(c);
      else if (work.state === 'offered') this.endOffer(work, 'withdrawn');
      else if (work.state === 'reserving' || work.state === 'accepting') work.cancel = 'abandon';
      // 'releasing': the release sees `abandoned` and retires the contact.
    });
  }

  /** An assigned contact goes back to the line (transfer back, operator leaving), keeping its place. */
  requeue(contactId: string, changes: { queueId?: string; priority?: number } = {}): RoutingEvent[] {
    const c = this.contactRec(contactId);
    const work = c.work;
    if (c.state !== 'assigned' || !work || work.state !== 'assigned') throw new RoutingError('not-assigned', `contact ${c.id} is not assigned`);
    const queue = changes.queueId === undefined ? c.queue : this.queueRec(changes.queueId);
    if (!queue.channels.has(c.channel)) throw new RoutingError('invalid-contact', `queue ${queue.id} does not take ${c.channel}`);
    return this.run(() => this.requeueWork(work, queue, changes.priority));
  }

  /**
   * Re-reads a contact's holding from the store and follows it: a contact another node held comes
   * back to the line when the store says it is free; a contact done, or taken by another node,
   * leaves the line; an open offer the store no longer backs (the applicant left) is withdrawn.
   * The plugin calls this when the journal reports another node's change to a contact.
   */
  refresh(contactId: string): RoutingEvent[] {
    const c = this.contacts.get(contactId);
    if (!c || c.abandoned) return [];
    return this.run(() => this.recheck(c));
  }

  // ------------------------------------------------------------------ offers

  accept(offerId: string): RoutingEvent[] {
    const work = this.workRec(offerId);
    return this.run(() => {
      const c = work.contact;
      if (work.state !== 'offered') {
        const reason = work.state === 'ended' || work.state === 'releasing' ? 'the offer has ended' : `the offer is ${work.state}`;
        this.emit({ type: 'contact.accept_failed', contactId: c.id, offerId: work.id, operatorId: work.operator.id, reason });
        return;
      }
      const now = this.clock.now();
      work.state = 'accepting';
      this.timers.cancel(work.timer);
      this.storeCall(
        'confirm',
        c,
        work,
        () => this.store.confirm(c.id, work.id, now),
        (r) => this.afterConfirm(work, r),
        () => {
          work.state = 'offered';
          this.armOfferTimer(work);
          this.emit({ type: 'contact.accept_failed', contactId: c.id, offerId: work.id, operatorId: work.operator.id, reason: 'store error' });
        },
      );
    });
  }

  /** Rejects an open offer; an offer already ended (timed out, withdrawn) is ignored. */
  reject(offerId: string): RoutingEvent[] {
    return this.run(() => {
      const work = this.works.get(offerId);
      if (work?.state === 'offered') this.endOffer(work, 'rejected');
    });
  }

  /** The operator finished the contact: wrap-up starts (its slot stays held until wrap-up ends). */
  complete(contactId: string, options: { wrapUpMs?: number } = {}): RoutingEvent[] {
    const c = this.contactRec(contactId);
    const work = c.work;
    if (c.state !== 'assigned' || !work || work.state !== 'assigned') throw new RoutingError('not-assigned', `contact ${c.id} is not assigned`);
    return this.run(() => {
      const now = this.clock.now();
      const o = work.operator;
      const wrap = options.wrapUpMs ?? o.profile.wrapUpMs ?? c.queue.wrapUpMs ?? this.policy.wrapUpMs;
      work.state = 'wrapping';
      work.completedAt = now;
      c.state = 'wrapping';
      if (wrap > 0) work.timer = this.timers.schedule(now + wrap, () => this.closeWork(work));
      else this.closeWork(work);
      this.recompute(o);
    });
  }

  /** Ends a contact's wrap-up early. */
  endWrapUp(contactId: string): RoutingEvent[] {
    const c = this.contactRec(contactId);
    if (c.state !== 'wrapping' || !c.work) throw new RoutingError('not-wrapping', `contact ${c.id} is not in wrap-up`);
    const work = c.work;
    return this.run(() => {
      if (work.state === 'wrapping') this.closeWork(work);
    });
  }

  // ------------------------------------------------------------------ operators

  login(operatorId: string): RoutingEvent[] {
    const o = this.operatorRec(operatorId);
    if (o.loggedIn) throw new RoutingError('invalid-transition', `operator ${o.id} is already logged in`);
    return this.run(() => {
      o.loggedIn = true;
      o.paused = null;
      o.missed = 0;
      o.idleSince = this.clock.now();
      this.loggedInSet(o.siteId).add(o);
      this.countCapable(o, +1);
      this.recompute(o, 'login');
      this.dirtyOperators.add(o);
    });
  }

  /**
   * Logs an operator out. Open offers are withdrawn and wrap-ups closed; contacts being handled
   * refuse the logout unless `requeue` is set, which sends them back to the line.
   */
  logout(operatorId: string, options: { requeue?: boolean } = {}): RoutingEvent[] {
    const o = this.operatorRec(operatorId);
    if (!o.loggedIn) throw new RoutingError('invalid-transition', `operator ${o.id} is not logged in`);
    const handling = [...o.work].filter((w) => w.state === 'assigned');
    if (handling.length && !options.requeue) {
      throw new RoutingError('operator-has-work', `operator ${o.id} is handling ${handling.map((w) => w.contact.id).join(', ')}`);
    }
    return this.run(() => {
      o.why = 'logout';
      o.loggedIn = false;
      o.paused = null;
      this.loggedInBySite.get(o.siteId)?.delete(o);
      this.countCapable(o, -1);
      for (const w of [...o.work]) {
        if (w.state === 'assigned') this.requeueWork(w, w.contact.queue, undefined);
        else if (w.state === 'wrapping') this.closeWork(w);
        else this.withdraw(w);
      }
      for (const c of [...o.sticky.unordered()]) this.endHold(c, this.clock.now());
      this.recompute(o);
      delete o.why;
    });
  }

  /** Paused with a reason: open offers are withdrawn, nothing new is offered; current work goes on. */
  pause(operatorId: string, reason: string): RoutingEvent[] {
    const o = this.operatorRec(operatorId);
    if (!o.loggedIn) throw new RoutingError('invalid-transition', `operator ${o.id} is not logged in`);
    return this.run(() => this.setPaused(o, reason));
  }

  resume(operatorId: string): RoutingEvent[] {
    const o = this.operatorRec(operatorId);
    if (!o.loggedIn || o.paused === null) throw new RoutingError('invalid-transition', `operator ${o.id} is not paused`);
    return this.run(() => {
      o.paused = null;
      o.missed = 0;
      this.recompute(o, 'resume');
      this.dirtyOperators.add(o);
    });
  }

  // ------------------------------------------------------------------ time

  /** Fires what is due on the clock and offers what became possible. */
  tick(): RoutingEvent[] {
    return this.run(() => undefined);
  }

  /** When the engine next needs tick() (the earliest timer), if ever. */
  nextWakeAt(): number | undefined {
    return this.timers.nextAt();
  }

  // ------------------------------------------------------------------ reading

  contact(contactId: string): ContactSnapshot | undefined {
    const c = this.contacts.get(contactId);
    return c && this.snapshotContact(c, this.clock.now());
  }

  /** Every contact waiting to be offered (O(n): for supervisors and tests, not for decisions). */
  waiting(): ContactSnapshot[] {
    const now = this.clock.now();
    return [...this.contacts.values()].filter((c) => c.state === 'waiting').map((c) => this.snapshotContact(c, now));
  }

  /** Every contact the engine knows (waiting, parked, offered, being handled, held elsewhere). */
  allContacts(): ContactSnapshot[] {
    const now = this.clock.now();
    return [...this.contacts.values()].map((c) => this.snapshotContact(c, now));
  }

  /** 1-based place in its queue's line (priority, then enqueue time); O(queue length). */
  position(contactId: string): number | undefined {
    const c = this.contacts.get(contactId);
    if (!c || c.state !== 'waiting') return undefined;
    let ahead = 0;
    for (const other of this.queueWaiting(c.queue)) if (other !== c && compareContacts(other, c) < 0) ahead++;
    return ahead + 1;
  }

  queueStats(queueId: string): { waiting: number; held: number; oldestEnqueuedAt?: number; open: boolean } {
    const q = this.queueRec(queueId);
    let waiting = q.held.size;
    let oldest = Infinity;
    for (const b of q.buckets) {
      waiting += b.heap.size;
      const head = b.heap.peek();
      if (head && head.enqueuedAt < oldest) oldest = head.enqueuedAt;
    }
    for (const c of q.held) oldest = Math.min(oldest, c.enqueuedAt);
    return { waiting, held: q.held.size, ...(oldest < Infinity ? { oldestEnqueuedAt: oldest } : {}), open: this.isOpen(q, this.clock.now()) };
  }

  operator(operatorId: string): OperatorSnapshot | undefined {
    const o = this.operators.get(operatorId);
    if (!o) return undefined;
    return {
      id: o.id,
      siteId: o.siteId,
      state: o.state,
      ...(o.paused !== null ? { pausedReason: o.paused } : {}),
      load: { ...o.load },
      capacity: { ...o.capacity },
      availableFor: [...o.availableFor],
      openOffers: o.openOffers,
      idleSince: o.idleSince,
      missedOffers: o.missed,
      contacts: [...o.work].map((w) => ({ contactId: w.contact.id, offerId: w.id, channel: w.channel, state: w.state })),
    };
  }

  operatorIds(): string[] {
    return [...this.operators.keys()];
  }

  /**
   * The routing rules for one contact and operator, without the operator's room (capacity, open
   * offers, pause): undefined when the operator may take the contact, else the first rule that
   * says no. This is the specification the indexed decisions must agree with.
   */
  ineligibility(contactId: string, operatorId: string): string | undefined {
    const c = this.contactRec(contactId);
    const o = this.operatorRec(operatorId);
    const now = this.clock.now();
    if (!o.loggedIn) return 'operator logged out';
    if (!this.isOpen(c.queue, now)) return 'queue closed';
    if (o.capacity[c.channel] <= 0) return 'operator has no such channel';
    if (this.skipped(c, o, now)) return 'operator skipped for this contact';
    if (c.heldFor) return c.heldFor === o ? (hasAllSkills(o.skills, c.reqs) ? undefined : 'missing a required skill') : 'held for its preferred operator';
    const waited = this.routingWait(c, now);
    if (o.siteId !== c.homeSiteId) {
      if (!this.overflowsTo(c.queue, o.siteId)) return 'other site, no overflow there';
      if (!this.overflowed(c, waited)) return 'other site, overflow not yet';
    }
    if (!meetsRequirements(o.skills, c.reqs, relaxedCap(c.queue.relax, waited))) return 'skills below the (relaxed) minimum';
    return undefined;
  }

  // ------------------------------------------------------------------ the run loop

  /** Runs a change, fires due timers, makes the offers that became possible, hands out the events. */
  private run(change: () => void): RoutingEvent[] {
    this.depth++;
    try {
      if (this.depth === 1) this.fireDue();
      change();
      if (this.depth === 1) this.settle();
    } finally {
      this.depth--;
    }
    if (this.depth > 0) return [];
    const events = this.buffer;
    this.buffer = [];
    for (const e of events) for (const l of this.listeners) l(e);
    return events;
  }

  private fireDue(): void {
    const now = this.clock.now();
    for (let t = this.timers.takeDue(now); t; t = this.timers.takeDue(now)) t.fire();
  }

  private settle(): void {
    const now = this.clock.now();
    this.fireDue();
    while (this.dirtyOperators.size > 0 || this.dirtyContacts.size > 0) {
      if (this.dirtyOperators.size > 0) {
        const ops = [...this.dirtyOperators].sort((a, b) => a.idleSince - b.idleSince || (a.id < b.id ? -1 : 1));
        this.dirtyOperators.clear();
        for (const o of ops) this.matchOperator(o, now);
      }
      if (this.dirtyContacts.size > 0) {
        const cs = [...this.dirtyContacts].sort(compareContacts);
        this.dirtyContacts.clear();
        for (const c of cs) this.matchContact(c, now);
      }
    }
  }

  private emit(e: DistributiveOmit<RoutingEvent, 'at'>): void {
    this.buffer.push({ at: this.clock.now(), ...e } as RoutingEvent);
  }

  // ------------------------------------------------------------------ matching

  /** An operator with room picks among the first eligible contact of each bucket it may serve. */
  private matchOperator(o: OperatorRec, now: number): void {
    const candidates: ContactRec[] = [];
    while (o.availableFor.size > 0) {
      candidates.length = 0;
      this.collectHeads(o, now, candidates);
      if (candidates.length === 0) return;
      const i = this.strategy.chooseContact(o, candidates, this.ctx);
      const c = candidates[i];
      if (c === undefined) return;
      this.offer(c, o, now, 'operator');
    }
  }

  private collectHeads(o: OperatorRec, now: number, out: ContactRec[]): void {
    if (o.sticky.size > 0) this.heldHead(o, now, out);
    for (const ch of o.availableFor) {
      this.headsIn(this.homeBuckets.get(o.siteId + SEP + ch), o, false, now, out);
      this.headsIn(this.overflowBuckets.get(o.siteId + SEP + ch), o, true, now, out);
      this.headsIn(this.overflowAnyBuckets.get(ch), o, true, now, out);
    }
  }

  /** The best contact held for this operator that it may take now (the hold waives proficiency). */
  private heldHead(o: OperatorRec, now: number, out: ContactRec[]): void {
    for (const c of o.sticky.ordered()) {
      if (o.availableFor.has(c.channel) && this.isOpen(c.queue, now) && hasAllSkills(o.skills, c.reqs) && !this.skipped(c, o, now)) {
        out.push(c);
        return;
      }
    }
  }

  private headsIn(buckets: Set<Bucket> | undefined, o: OperatorRec, cross: boolean, now: number, out: ContactRec[]): void {
    if (!buckets) return;
    for (const b of buckets) {
      if (cross && b.group.homeSiteId === o.siteId) continue;
      if (!hasAllSkills(o.skills, b.group.reqs) || !this.isOpen(b.queue, now)) continue;
      const c = this.firstFor(b, o, cross, now);
      if (c) out.push(c);
    }
  }

  /**
   * The first contact of a bucket the operator may take. Overflow and relaxation only widen with
   * the wait, and a bucket is ordered by wait, so the walk stops at the first contact that fails
   * them; only contacts this operator was told to skip are stepped over.
   */
  private firstFor(b: Bucket, o: OperatorRec, cross: boolean, now: number): ContactRec | undefined {
    const head = b.heap.peek();
    if (!head) return undefined;
    if (!this.skipped(head, o, now)) return this.widenedFor(head, o, cross, now) ? head : undefined;
    for (const c of b.heap.ordered()) {
      if (this.skipped(c, o, now)) continue;
      return this.widenedFor(c, o, cross, now) ? c : undefined;
    }
    return undefined;
  }

  private widenedFor(c: ContactRec, o: OperatorRec, cross: boolean, now: number): boolean {
    const waited = this.routingWait(c, now);
    if (cross && !this.overflowed(c, waited)) return false;
    return meetsRequirements(o.skills, c.reqs, relaxedCap(c.queue.relax, waited));
  }

  /** A contact that became routable picks among the operators with room who may take it. */
  private matchContact(c: ContactRec, now: number): void {
    if (c.state !== 'waiting' || !this.isOpen(c.queue, now)) return;
    const candidates = this.operatorsFor(c, now);
    if (candidates.length === 0) return;
    const o = candidates[this.strategy.chooseOperator(c, candidates, this.ctx)];
    if (o) this.offer(c, o, now, 'contact');
  }

  private operatorsFor(c: ContactRec, now: number): OperatorRec[] {
    const p = c.heldFor;
    if (p) return p.availableFor.has(c.channel) && hasAllSkills(p.skills, c.reqs) && !this.skipped(c, p, now) ? [p] : [];
    const waited = this.routingWait(c, now);
    const cap = relaxedCap(c.queue.relax, waited);
    const out: OperatorRec[] = [];
    this.availableAt(c.homeSiteId, c, cap, now, out);
    if (this.overflowed(c, waited)) for (const site of this.overflowSites(c.queue, c.homeSiteId)) this.availableAt(site, c, cap, now, out);
    return out;
  }

  private availableAt(site: string, c: ContactRec, cap: number, now: number, out: OperatorRec[]): void {
    const prefix = site + SEP + c.channel + SEP;
    let smallest = c.reqs.length === 0 ? this.available.get(prefix + WILDCARD) : undefined;
    for (const r of c.reqs) {
      const set = this.available.get(prefix + r.skill);
      if (!set || set.size === 0) return;
      if (!smallest || set.size < smallest.size) smallest = set;
    }
    if (!smallest) return;
    for (const o of smallest) if (!this.skipped(c, o, now) && meetsRequirements(o.skills, c.reqs, cap)) out.push(o);
  }

  // ------------------------------------------------------------------ offers and work

  private offer(c: ContactRec, o: OperatorRec, now: number, by: Decision['by']): void {
    this.onDecision?.({ contactId: c.id, operatorId: o.id, at: now, by });
    const viaHold = c.heldFor === o;
    this.unplace(c);
    const work: WorkRec = {
      id: this.offerPrefix + ++this.offerSeq,
      contact: c,
      operator: o,
      channel: c.channel,
      exclusive: this.exclusive.has(c.channel),
      blocksExclusive: !this.compatible.has(c.channel),
      crossSite: o.siteId !== c.homeSiteId,
      viaHold,
      state: 'reserving',
      createdAt: now,
      expiresAt: now + c.queue.offerTimeoutMs,
    };
    c.state = 'offered';
    c.work = work;
    c.offers++;
    this.works.set(work.id, work);
    o.work.add(work);
    this.recompute(o);
    this.storeCall(
      'reserveContact',
      c,
      work,
      () =>
        this.store.reserveContact({
          contactId: c.id,
          operatorId: o.id,
          offerId: work.id,
          channel: c.channel,
          exclusive: work.exclusive,
          capacity: o.capacity[c.channel],
          compatibleWithExclusive: this.policy.compatibleWithExclusive,
          now,
          expiresAt: work.expiresAt + this.policy.reservationGraceMs,
        }),
      (r) => this.afterReserve(work, r),
      () => this.afterReserve(work, { ok: false, reason: 'operator-full' }),
    );
  }

  private afterReserve(work: WorkRec, r: ReserveResult): void {
    const c = work.contact;
    const o = work.operator;
    const now = this.clock.now();
    if (r.ok) {
      work.state = 'offered';
      if (work.cancel) {
        this.endOffer(work, 'withdrawn');
        return;
      }
      this.armOfferTimer(work);
      this.emit({ type: 'contact.offered', contactId: c.id, offerId: work.id, operatorId: o.id, queueId: c.queueId, channel: c.channel, siteId: c.homeSiteId, waitedMs: now - c.enqueuedAt, expiresAt: work.expiresAt });
      if (work.crossSite && !c.overflowNoted) {
        c.overflowNoted = true;
        this.emit({ type: 'contact.overflowed', contactId: c.id, queueId: c.queueId, fromSiteId: c.homeSiteId, toSiteId: o.siteId, waitedMs: now - c.enqueuedAt });
      }
      return;
    }
    this.removeWork(work);
    c.offers--;
    if (c.abandoned) {
      this.retireAbandoned(c);
    } else if (r.reason === 'operator-full') {
      this.block(o, now);
      this.place(c, now);
    } else {
      this.goneElsewhere(c, r.holder, now);
    }
    this.dirtyOperators.add(o);
  }

  private armOfferTimer(work: WorkRec): void {
    work.timer = this.timers.schedule(Math.max(work.expiresAt, this.clock.now()), () => this.endOffer(work, 'expired'));
  }

  /** An open offer ends (reject, timeout, withdrawal); the contact goes back with its age. */
  private endOffer(work: WorkRec, why: OfferEnd): void {
    if (work.state !== 'offered') return;
    const c = work.contact;
    const now = this.clock.now();
    work.state = 'releasing';
    this.timers.cancel(work.timer);
    const release = () => (c.abandoned ? this.store.retire(c.id, now) : this.store.release(c.id, work.id, now));
    this.storeCall('release', c, work, release, (r) => this.afterRelease(work, why, r), () => this.afterRelease(work, why, undefined));
  }

  private afterRelease(work: WorkRec, why: OfferEnd, r: CasResult | undefined): void {
    const c = work.contact;
    const o = work.operator;
    const now = this.clock.now();
    this.removeWork(work);
    this.emit({ type: `contact.offer_${why}`, contactId: c.id, offerId: work.id, operatorId: o.id, waitedMs: now - c.enqueuedAt });
    if (why !== 'withdrawn') {
      (c.skips ??= new Map()).set(o.id, now + this.policy.skipMs);
      if (work.viaHold) c.holdOver = true;
    }
    if (why === 'expired') {
      o.missed++;
      if (this.policy.maxMissedOffers > 0 && o.missed >= this.policy.maxMissedOffers && o.loggedIn && o.paused === null) this.setPaused(o, 'missed-offers');
    }
    if (c.abandoned) {
      this.retireAbandoned(c);
    } else if (r === undefined) {
      this.goneElsewhere(c, { contactId: c.id, state: 'reserved', version: -1, expiresAt: work.expiresAt + this.policy.reservationGraceMs }, now);
    } else if (!r.ok) {
      this.goneElsewhere(c, r.holder, now);
    } else {
      if (why !== 'withdrawn') this.maybeEscalate(c);
      this.place(c, now);
    }
    this.dirtyOperators.add(o);
  }

  private afterConfirm(work: WorkRec, r: CasResult): void {
    const c = work.contact;
    const o = work.operator;
    const now = this.clock.now();
    if (!r.ok) {
      this.removeWork(work);
      this.emit({ type: 'contact.accept_failed', contactId: c.id, offerId: work.id, operatorId: o.id, reason: 'the store no longer holds this offer' });
      if (c.abandoned) this.retireAbandoned(c);
      else this.goneElsewhere(c, r.holder, now);
      this.dirtyOperators.add(o);
      return;
    }
    work.state = 'assigned';
    work.answeredAt = now;
    c.state = 'assigned';
    o.missed = 0;
    this.emit({ type: 'contact.answered', contactId: c.id, offerId: work.id, operatorId: o.id, queueId: c.queueId, channel: c.channel, siteId: c.homeSiteId, waitedMs: now - c.enqueuedAt });
    this.recompute(o);
    this.dirtyOperators.add(o);
    if (work.cancel === 'abandon') this.complete0(work, now);
    else if (work.cancel === 'withdraw') this.requeueWork(work, c.queue, undefined);
  }

  /** Completion with no wrap-up (the applicant left while the offer was being accepted). */
  private complete0(work: WorkRec, now: number): void {
    work.state = 'wrapping';
    work.completedAt = now;
    work.contact.state = 'wrapping';
    this.closeWork(work);
  }

  private closeWork(work: WorkRec): void {
    if (work.state !== 'wrapping') return;
    const c = work.contact;
    const now = this.clock.now();
    work.state = 'closing';
    this.timers.cancel(work.timer);
    this.recompute(work.operator);
    const done = () => {
      this.removeWork(work);
      this.drop(c);
      const answeredAt = work.answeredAt ?? now;
      const completedAt = work.completedAt ?? now;
      this.emit({ type: 'contact.completed', contactId: c.id, offerId: work.id, operatorId: work.operator.id, queueId: c.queueId, channel: c.channel, siteId: c.homeSiteId, talkMs: completedAt - answeredAt, holdMs: 0, wrapMs: now - completedAt });
      this.dirtyOperators.add(work.operator);
    };
    this.storeCall('finish', c, work, () => this.store.finish(c.id, work.id, now), done, done);
  }

  private requeueWork(work: WorkRec, queue: QueueRec, priority: number | undefined): void {
    const c = work.contact;
    const now = this.clock.now();
    work.state = 'releasing';
    this.recompute(work.operator);
    this.storeCall(
      'release',
      c,
      work,
      () => this.store.release(c.id, work.id, now),
      (r) => {
        this.removeWork(work);
        this.dirtyOperators.add(work.operator);
        if (!r.ok) return this.goneElsewhere(c, r.holder, now);
        this.moveTo(c, queue, priority ?? c.priority);
        this.emit({ type: 'contact.requeued', contactId: c.id, offerId: work.id, operatorId: work.operator.id, queueId: c.queueId, priority: c.priority });
        this.place(c, now);
      },
      () => {
        this.removeWork(work);
        this.goneElsewhere(c, undefined, now);
      },
    );
  }

  private withdraw(work: WorkRec): void {
    if (work.state === 'offered') this.endOffer(work, 'withdrawn');
    else if (work.state === 'reserving' || work.state === 'accepting') work.cancel ??= 'withdraw';
  }

  private maybeEscalate(c: ContactRec): void {
    const q = c.queue;
    if (q.maxOffers <= 0 || c.offers < q.maxOffers) return;
    const target = q.escalation?.toQueueId !== undefined ? this.queues.get(q.escalation.toQueueId) : undefined;
    const boost = q.escalation?.priorityBoost ?? (target ? 0 : 1);
    const offers = c.offers;
    this.moveTo(c, target && target.channels.has(c.channel) ? target : q, c.priority + boost);
    c.offers = 0;
    this.emit({ type: 'contact.escalated', contactId: c.id, fromQueueId: q.id, queueId: c.queueId, priority: c.priority, offers });
  }

  /** Another queue or priority for a contact not in any bucket. */
  private moveTo(c: ContactRec, queue: QueueRec, priority: number): void {
    c.queue = queue;
    c.queueId = queue.id;
    c.homeSiteId = c.siteInput ?? queue.siteId;
    c.priority = priority;
    c.reqs = mergeRequirements(`contact ${c.id}`, queue.skills, c.skillsInput);
  }

  /**
   * An abandoned contact this node no longer offers: the store retires it unless another node has
   * assigned it (that node completes it; this one forgets it).
   */
  private retireAbandoned(c: ContactRec): void {
    this.unplace(c);
    c.state = 'elsewhere';
    const now = this.clock.now();
    const abandoned = () => {
      this.emit({ type: 'contact.abandoned', contactId: c.id, queueId: c.queueId, channel: c.channel, siteId: c.homeSiteId, waitedMs: this.clock.now() - c.enqueuedAt });
      this.drop(c);
    };
    this.storeCall(
      'retire',
      c,
      undefined,
      () => this.store.retire(c.id, now),
      (r) => {
        if (r.ok) return abandoned();
        c.abandoned = false;
        this.goneElsewhere(c, r.holder, this.clock.now());
      },
      abandoned,
    );
  }

  private goneElsewhere(c: ContactRec, holder: Holding | undefined, now: number): void {
    if (holder?.state === 'done') {
      this.drop(c);
    } else {
      c.state = 'elsewhere';
      this.timers.cancel(c.timer);
      c.timer = undefined;
      if (holder?.state === 'reserved' && holder.expiresAt !== undefined) {
        c.timer = this.timers.schedule(Math.max(now, holder.expiresAt + 1), () => {
          c.timer = undefined;
          this.recheck(c);
        });
      }
    }
    const seen = { state: holder?.state ?? 'unknown', ...(holder?.operatorId ? { operatorId: holder.operatorId } : {}), ...(holder?.offerId ? { offerId: holder.offerId } : {}) };
    this.emit({ type: 'contact.taken_elsewhere', contactId: c.id, holder: seen });
  }

  /** Reads the store's holding of a contact and follows it (see refresh). */
  private recheck(c: ContactRec): void {
    const work = c.work;
    if (work) {
      if (work.state === 'offered') this.storeCall('holding', c, work, () => this.store.holding(c.id), (h) => this.checkOffer(work, h));
      return;
    }
    if (c.abandoned || c.state === 'gone') return;
    if (c.state === 'elsewhere') {
      this.timers.cancel(c.timer);
      c.timer = undefined;
    }
    this.storeCall(
      'holding',
      c,
      undefined,
      () => this.store.holding(c.id),
      (h) => {
        if (c.work || c.abandoned || c.state === 'gone') return;
        const now = this.clock.now();
        const free = h.state === 'free' || (h.state === 'reserved' && (h.expiresAt ?? Infinity) < now);
        if (free) {
          if (c.state === 'elsewhere') this.place(c, now);
        } else if (c.state !== 'elsewhere' || h.state === 'done') {
          this.unplace(c);
          this.goneElsewhere(c, h, now);
        } else if (h.state === 'reserved' && c.timer === undefined) {
          c.timer = this.timers.schedule(Math.max(now, (h.expiresAt ?? now) + 1), () => {
            c.timer = undefined;
            this.recheck(c);
          });
        }
      },
    );
  }

  /** An open offer the store no longer backs is withdrawn here (its claim is already gone there). */
  private checkOffer(work: WorkRec, h: Holding): void {
    const c = work.contact;
    if (c.work !== work || work.state !== 'offered' || (h.state === 'reserved' && h.offerId === work.id)) return;
    const now = this.clock.now();
    this.removeWork(work);
    this.emit({ type: 'contact.offer_withdrawn', contactId: c.id, offerId: work.id, operatorId: work.operator.id, waitedMs: now - c.enqueuedAt });
    this.dirtyOperators.add(work.operator);
    if (h.state === 'free') this.place(c, now);
    else this.goneElsewhere(c, h, now);
  }

  /** Calls the store; a failure is reported as an event and handled by `failed`. */
  private storeCall<T>(operation: string, c: ContactRec, work: WorkRec | undefined, produce: () => Awaitable<T>, then: (v: T) => void, failed: () => void = () => undefined): void {
    const onError = (error: unknown) => {
      this.emit({ type: 'routing.store_error', operation, contactId: c.id, ...(work ? { offerId: work.id } : {}), message: error instanceof Error ? error.message : String(error) });
      failed();
    };
    let value: Awaitable<T>;
    try {
      value = produce();
    } catch (error) {
      onError(error);
      return;
    }
    if (isThenable(value)) {
      value.then(
        (v) => this.run(() => then(v)),
        (e: unknown) => this.run(() => onError(e)),
      );
    } else {
      then(value);
    }
  }

  private removeWork(work: WorkRec): void {
    work.state = 'ended';
    this.timers.cancel(work.timer);
    this.works.delete(work.id);
    if (work.contact.work === work) delete work.contact.work;
    work.operator.work.delete(work);
    this.recompute(work.operator);
  }

  // ------------------------------------------------------------------ contacts in the line

  private createContact(input: ContactInput): ContactRec {
    if (this.contacts.has(input.id)) throw new RoutingError('duplicate-contact', `contact ${input.id} exists`);
    if (!CHANNELS.includes(input.channel)) throw new RoutingError('invalid-contact', `contact ${input.id}: unknown channel ${String(input.channel)}`);
    const q = this.queueRec(input.queueId);
    if (!q.channels.has(input.channel)) throw new RoutingError('invalid-contact', `contact ${input.id}: queue ${q.id} does not take ${input.channel}`);
    const now = this.clock.now();
    const enqueuedAt = input.enqueuedAt ?? now;
    if (!Number.isFinite(enqueuedAt)) throw new RoutingError('invalid-contact', `contact ${input.id}: enqueuedAt is not a time`);
    const priority = input.priority ?? q.defaultPriority;
    if (!Number.isFinite(priority)) throw new RoutingError('invalid-contact', `contact ${input.id}: priority is not a number`);
    return {
      id: input.id,
      channel: input.channel,
      queue: q,
      queueId: q.id,
      homeSiteId: input.siteId ?? q.siteId,
      priority,
      enqueuedAt,
      seq: ++this.contactSeq,
      reqs: mergeRequirements(`contact ${input.id}`, q.skills, input.skills),
      ...(input.siteId !== undefined ? { siteInput: input.siteId } : {}),
      ...(input.skills !== undefined ? { skillsInput: input.skills } : {}),
      ...(input.appealId !== undefined ? { appealId: input.appealId } : {}),
      ...(input.preferredOperator !== undefined ? { preferred: { ...input.preferredOperator } } : {}),
      availableAt: input.availableAt ?? -Infinity,
      state: 'parked',
      holdUntil: -Infinity,
      holdOver: false,
      offers: 0,
      overflowNoted: false,
      abandoned: false,
      heapPos: -1,
    };
  }

  /** Puts a contact in the line: parked until availableAt, held for its preferred operator, or in its bucket. */
  private place(c: ContactRec, now: number): void {
    this.timers.cancel(c.timer);
    c.timer = undefined;
    if (c.availableAt > now) {
      c.state = 'parked';
      c.timer = this.timers.schedule(c.availableAt, () => {
        c.timer = undefined;
        this.place(c, this.clock.now());
      });
      return;
    }
    c.state = 'waiting';
    const q = c.queue;
    const p = c.preferred ? this.operators.get(c.preferred.operatorId) : undefined;
    if (p && c.preferred && !c.holdOver && q.stickyWindowMs > 0 && p.loggedIn && p.siteId === c.homeSiteId) {
      const start = this.isOpen(q, now) ? Math.max(c.enqueuedAt, q.open.since) : Math.max(c.enqueuedAt, q.open.until);
      const until = Math.min(c.preferred.until, start + q.stickyWindowMs);
      if (until > now) {
        c.heldFor = p;
        c.holdUntil = until;
        p.sticky.push(c);
        q.held.add(c);
      } else {
        c.holdOver = true;
      }
    }
    if (!c.heldFor) this.intoBucket(c);
    this.scheduleThreshold(c, now);
    this.dirtyContacts.add(c);
  }

  /** Takes a waiting contact out of the line (to offer it, or because it is gone). */
  private unplace(c: ContactRec): void {
    this.timers.cancel(c.timer);
    c.timer = undefined;
    if (c.heldFor) {
      c.heldFor.sticky.remove(c);
      c.queue.held.delete(c);
      delete c.heldFor;
    }
    if (c.bucket) this.outOfBucket(c);
    this.dirtyContacts.delete(c);
  }

  private drop(c: ContactRec): void {
    this.unplace(c);
    c.state = 'gone';
    this.contacts.delete(c.id);
  }

  /** The hold for the preferred operator ends; the contact joins its bucket. */
  private endHold(c: ContactRec, now: number): void {
    if (!c.heldFor) return;
    c.heldFor.sticky.remove(c);
    c.queue.held.delete(c);
    delete c.heldFor;
    c.holdOver = true;
    this.intoBucket(c);
    this.scheduleThreshold(c, now);
    this.dirtyContacts.add(c);
  }

  private intoBucket(c: ContactRec): void {
    const b = this.bucketFor(c);
    b.heap.push(c);
    c.bucket = b;
    if (b.heap.size === 1) this.indexBucket(b, true);
  }

  private outOfBucket(c: ContactRec): void {
    const b = c.bucket;
    if (!b) return;
    b.heap.remove(c);
    delete c.bucket;
    if (b.heap.size === 0) this.indexBucket(b, false);
  }

  /** The next time something about a waiting contact changes: a relaxation or overflow step, the end of a hold or a skip. */
  private scheduleThreshold(c: ContactRec, now: number): void {
    this.timers.cancel(c.timer);
    c.timer = undefined;
    if (c.state !== 'waiting') return;
    const q = c.queue;
    if (!this.isOpen(q, now)) return; // rescheduled when the queue opens
    const start = Math.max(c.enqueuedAt, q.open.since);
    const waited = now - start;
    let at = Infinity;
    const relax = nextRelaxAfter(q.relax, waited);
    if (relax !== undefined) at = start + relax;
    if (q.overflow && q.overflow.afterMs > waited) at = Math.min(at, start + q.overflow.afterMs);
    if (c.heldFor) at = Math.min(at, Math.max(c.holdUntil, now));
    if (c.skips) {
      for (const [id, until] of c.skips) {
        if (until <= now) c.skips.delete(id);
        else at = Math.min(at, until);
      }
    }
    if (at < Infinity) {
      c.timer = this.timers.schedule(at, () => {
        c.timer = undefined;
        const t = this.clock.now();
        if (c.heldFor && t >= c.holdUntil) this.endHold(c, t);
        else this.scheduleThreshold(c, t);
        this.dirtyContacts.add(c);
      });
    }
  }

  private queueWaiting(q: QueueRec): ContactRec[] {
    return [...q.held, ...q.buckets.flatMap((b) => [...b.heap.unordered()])];
  }

  // ------------------------------------------------------------------ buckets and groups

  private bucketFor(c: ContactRec): Bucket {
    const g = this.groupFor(c.homeSiteId, c.channel, c.reqs);
    const key = c.queueId + SEP + g.key + SEP + c.priority;
    let b = this.buckets.get(key);
    if (!b) {
      b = { key, queue: c.queue, group: g, priority: c.priority, heap: new IndexedHeap(bucketOrder) };
      this.buckets.set(key, b);
      c.queue.buckets.push(b);
      g.buckets.push(b);
    }
    return b;
  }

  private indexBucket(b: Bucket, add: boolean): void {
    const ch = b.group.channel;
    const put = (map: Map<string, Set<Bucket>>, key: string) => {
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      if (add) set.add(b);
      else set.delete(b);
    };
    put(this.homeBuckets, b.group.homeSiteId + SEP + ch);
    const to = b.queue.overflow?.toSites;
    if (to === '*') put(this.overflowAnyBuckets, ch);
    else if (to) for (const site of to) put(this.overflowBuckets, site + SEP + ch);
  }

  private groupFor(homeSiteId: string, channel: Channel, reqs: readonly Requirement[]): Group {
    const key = homeSiteId + SEP + channel + SEP + requirementKey(reqs);
    let g = this.groups.get(key);
    if (!g) {
      g = { key, homeSiteId, channel, reqs, capable: 0, buckets: [] };
      for (const o of this.loggedInBySite.get(homeSiteId) ?? []) if (this.canEverTake(o, g)) g.capable++;
      this.groups.set(key, g);
      let list = this.groupsBySite.get(homeSiteId);
      if (!list) this.groupsBySite.set(homeSiteId, (list = []));
      list.push(g);
    }
    return g;
  }

  private canEverTake(o: OperatorRec, g: Group): boolean {
    return o.capacity[g.channel] > 0 && hasAllSkills(o.skills, g.reqs);
  }

  /** Logins and logouts change who at a site could ever take a group; at zero its contacts overflow at once. */
  private countCapable(o: OperatorRec, delta: 1 | -1): void {
    for (const g of this.groupsBySite.get(o.siteId) ?? []) {
      if (!this.canEverTake(o, g)) continue;
      g.capable += delta;
      if (g.capable === 0) this.wakeOverflowHelpers(g);
    }
  }

  private wakeOverflowHelpers(g: Group): void {
    for (const b of g.buckets) {
      const ov = b.queue.overflow;
      if (b.heap.size === 0 || !ov?.whenNobodyAtSite) continue;
      for (const site of this.overflowSites(b.queue, g.homeSiteId)) {
        for (const o of this.available.get(site + SEP + g.channel + SEP + WILDCARD) ?? []) this.dirtyOperators.add(o);
      }
    }
  }

  // ------------------------------------------------------------------ rules

  private routingWait(c: ContactRec, now: number): number {
    return now - Math.max(c.enqueuedAt, c.queue.open.since);
  }

  private overflowed(c: ContactRec, waited: number): boolean {
    const ov = c.queue.overflow;
    if (!ov) return false;
    if (waited >= ov.afterMs) return true;
    return ov.whenNobodyAtSite && (c.bucket?.group ?? this.groupFor(c.homeSiteId, c.channel, c.reqs)).capable === 0;
  }

  private overflowsTo(q: QueueRec, site: string): boolean {
    const to = q.overflow?.toSites;
    return to === '*' || (to !== undefined && to.has(site));
  }

  private overflowSites(q: QueueRec, home: string): Iterable<string> {
    const to = q.overflow?.toSites;
    if (!to) return [];
    return [...(to === '*' ? this.sites : to)].filter((s) => s !== home);
  }

  private skipped(c: ContactRec, o: OperatorRec, now: number): boolean {
    const until = c.skips?.get(o.id);
    return until !== undefined && until > now;
  }

  // ------------------------------------------------------------------ opening hours

  private isOpen(q: QueueRec, now: number): boolean {
    if (now >= q.open.until || now < q.open.since) q.open = q.hours.stateAt(now);
    return q.open.open;
  }

  /** At a boundary of a queue's hours: on opening, waits restart counting and operators look again. */
  private refreshHours(q: QueueRec, now: number): void {
    this.timers.cancel(q.boundary);
    delete q.boundary;
    q.open = q.hours.stateAt(now);
    if (q.open.until < Infinity) {
      q.boundary = this.timers.schedule(q.open.until, () => this.refreshHours(q, this.clock.now()));
    }
    if (!q.open.open) {
      q.openActedOn = false;
      return;
    }
    if (q.openActedOn) return;
    q.openActedOn = true;
    for (const c of this.queueWaiting(q)) {
      this.scheduleThreshold(c, now);
      this.dirtyContacts.add(c);
    }
  }

  // ------------------------------------------------------------------ operators: room and state

  private capacityOf(profile: OperatorProfile): Record<Channel, number> {
    const capacity = { ...this.policy.capacity, ...profile.capacity };
    for (const ch of CHANNELS) {
      if (!(Number.isInteger(capacity[ch]) && capacity[ch] >= 0)) throw new RoutingError('invalid-operator', `operator ${profile.id}: capacity.${ch} must be an integer >= 0`);
    }
    return capacity;
  }

  /** Recounts an operator's load from its work, re-indexes its room and reports a state change. */
  private recompute(o: OperatorRec, reason?: string): void {
    const load = { ...NO_WORK };
    let exclusiveHeld = 0;
    let blocking = 0;
    let openOffers = 0;
    for (const w of o.work) {
      load[w.channel]++;
      if (w.exclusive) exclusiveHeld++;
      if (w.blocksExclusive) blocking++;
      if (w.state === 'reserving' || w.state === 'offered' || w.state === 'accepting') openOffers++;
    }
    o.load = load;
    o.exclusiveHeld = exclusiveHeld;
    o.blocking = blocking;
    o.openOffers = openOffers;
    const now = this.clock.now();
    const room = new Set<Channel>();
    if (o.loggedIn && o.paused === null && now >= o.blockedUntil && openOffers < this.policy.maxPendingOffers && exclusiveHeld === 0) {
      for (const ch of CHANNELS) {
        if (load[ch] >= o.capacity[ch]) continue;
        if (this.exclusive.has(ch) && blocking > 0) continue;
        room.add(ch);
      }
    }
    this.setAvailability(o, room);
    const to = this.stateOf(o);
    if (to !== o.state) {
      const from = o.state;
      o.state = to;
      if (to === 'ready') o.idleSince = now;
      const why = reason ?? o.why ?? (to === 'paused' && o.paused !== null ? o.paused : undefined);
      this.emit({ type: 'operator.state_changed', operatorId: o.id, siteId: o.siteId, from, to, ...(why !== undefined ? { reason: why } : {}) });
    }
  }

  private stateOf(o: OperatorRec): OperatorState {
    if (!o.loggedIn) return 'logged_out';
    if (o.paused !== null) return 'paused';
    let wrapping = false;
    for (const w of o.work) {
      if (w.answeredAt !== undefined && (w.state === 'assigned' || w.state === 'releasing')) return 'busy';
      if (w.state === 'wrapping' || w.state === 'closing') wrapping = true;
    }
    return wrapping ? 'wrap_up' : 'ready';
  }

  private setAvailability(o: OperatorRec, room: Set<Channel>): void {
    for (const ch of CHANNELS) {
      const had = o.availableFor.has(ch);
      const has = room.has(ch);
      if (had === has) continue;
      const prefix = o.siteId + SEP + ch + SEP;
      for (const skill of [WILDCARD, ...o.skills.keys()]) {
        const key = prefix + skill;
        let set = this.available.get(key);
        if (has) {
          if (!set) this.available.set(key, (set = new Set()));
          set.add(o);
        } else {
          set?.delete(o);
        }
      }
      if (has) o.availableFor.add(ch);
      else o.availableFor.delete(ch);
    }
  }

  private setPaused(o: OperatorRec, reason: string): void {
    o.paused = reason;
    for (const w of [...o.work]) this.withdraw(w);
    this.recompute(o, reason);
  }

  /** The store said another node holds this operator's room: leave it alone for a while. */
  private block(o: OperatorRec, now: number): void {
    o.blockedUntil = now + this.policy.operatorBackoffMs;
    this.timers.cancel(o.blockTimer);
    o.blockTimer = this.timers.schedule(o.blockedUntil, () => {
      delete o.blockTimer;
      this.recompute(o);
      this.dirtyOperators.add(o);
    });
    this.recompute(o);
  }

  private loggedInSet(site: string): Set<OperatorRec> {
    let set = this.loggedInBySite.get(site);
    if (!set) this.loggedInBySite.set(site, (set = new Set()));
    return set;
  }

  // ------------------------------------------------------------------ lookups and snapshots

  private snapshotContact(c: ContactRec, now: number): ContactSnapshot {
    const open = this.isOpen(c.queue, now);
    const routingWaitMs = open ? this.routingWait(c, now) : 0;
    const work = c.work;
    return {
      id: c.id,
      state: c.state,
      channel: c.channel,
      queueId: c.queueId,
      homeSiteId: c.homeSiteId,
      priority: c.priority,
      enqueuedAt: c.enqueuedAt,
      waitedMs: now - c.enqueuedAt,
      routingWaitMs,
      levelCap: relaxedCap(c.queue.relax, routingWaitMs),
      overflowed: open && this.overflowed(c, routingWaitMs),
      offers: c.offers,
      ...(c.heldFor ? { heldForOperatorId: c.heldFor.id } : {}),
      ...(work ? { operatorId: work.operator.id, offerId: work.id } : {}),
      ...(c.appealId !== undefined ? { appealId: c.appealId } : {}),
    };
  }

  private contactRec(id: string): ContactRec {
    const c = this.contacts.get(id);
    if (!c) throw new RoutingError('unknown-contact', `no contact ${id}`);
    return c;
  }

  private operatorRec(id: string): OperatorRec {
    const o = this.operators.get(id);
    if (!o) throw new RoutingError('unknown-operator', `no operator ${id}`);
    return o;
  }

  private queueRec(id: string): QueueRec {
    const q = this.queues.get(id);
    if (!q) throw new RoutingError('unknown-queue', `no queue ${id}`);
    return q;
  }

  private workRec(id: string): WorkRec {
    const w = this.works.get(id);
    if (!w) throw new RoutingError('unknown-offer', `no open offer ${id}`);
    return w;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
