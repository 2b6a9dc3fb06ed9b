/**
 * RoutingRuntime: hosts one node's RoutingEngine. It
 *  - follows the journal (JournalFollower, in sequence order) through the ContactBook and enqueues,
 *    ends and refreshes contacts; on start it loads the book's checkpoint, replays the journal after
 *    it and restores the contacts still waiting with their original enqueue times (recovery);
 *  - writes the book's checkpoint now and then (the node holding the `routing-checkpoint` lease) and
 *    when it stops (checkpoint.ts);
 *  - writes every engine event of this node to the journal (aggregateType contact / operator /
 *    routing, ISO times, `nodeId` in data) so reporting and the other nodes see them;
 *  - pushes offers, withdrawals, answers and state changes to the operator's console (`console.push`);
 *  - rings the operator's bound headset with their offers and lights its Off-Hook LED during a call
 *    (core `edge.headsetSignal`, never awaited by the offer; headset.ts);
 *  - drives time: one timer at engine.nextWakeAt(), rescheduled after every change;
 *  - serves the operators logged in on this node (see docs/routing.md "Several nodes").
 */
import type { Logger } from 'moleculer';
import { performance } from 'node:perf_hooks';
import { Appeal, JournalEntry, JournalFollower, LeaseKeeper, User, UserSkill, appendJournal, lastJournalSeq, toJournalEvent, type CoreContext, type JournalEvent } from '@okno/core';
import { In } from 'typeorm';
import { RoutingEngine, RoutingError, type Channel, type ContactInput, type OperatorProfile, type OperatorState, type RoutingEvent } from './engine/index.js';
import { ContactBook, type BookSize, type EndReason, type Intent } from './contact-book.js';
import { CheckpointStore, type CheckpointContent } from './checkpoint.js';
import type { RoutingConfig } from './config.js';
import { RoutingOperator } from './entities.js';
import { engineQueue } from './queue-config.js';
import { RoutingSettings } from './settings.js';
import { SqlReservationStore } from './sql-store.js';
import { headsetSignalFor, type HeadsetSignal } from './headset.js';

/** What the console shows of an offer (frame `routing.offer`). */
export interface OfferView {
  id: string;
  appealId: number | null;
  regNumber: string | null;
  channel: Channel;
  queue: string;
  subject: string | null;
  waitedSeconds: number;
  expiresAt: string;
}

export interface OperatorStatus {
  state: OperatorState;
  reason?: string | null;
  since: string;
  offer?: OfferView | null;
}

type Settled = { ok: true; event: RoutingEvent } | { ok: false; reason: string };

/** How the last start rebuilt the contact book. */
export interface RecoveryInfo {
  /** Where the book came from: a checkpoint and the journal after it, or the whole journal. */
  from: 'checkpoint' | 'journal';
  /** The checkpoint's journal position (0 without one). */
  checkpointSeq: number;
  /** Why a stored checkpoint was not used. */
  ignored?: string;
  /** Journal events replayed at the start. */
  replayed: number;
  /** The journal's last sequence number when the start began. */
  head: number;
  /** How long loading and replaying took, ms. */
  ms: number;
  book: BookSize;
  /** Contacts restored to the engine. */
  restored: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** A number the follower skipped may still come this long (its lateWindowMs); a checkpoint lists the ones not come yet. */
const LATE_WINDOW_MS = 60_000;
/** More skipped numbers than this are not listed: no checkpoint is written until they can no longer come. */
const MAX_HOLES = 10_000;
const CHECKPOINT_LEASE = 'routing-checkpoint';
const ACCEPT_WAIT_MS = 15_000;
const REFRESH_WINDOW_MS = 5_000;

export class RoutingRuntime {
  readonly engine: RoutingEngine;
  readonly store: SqlReservationStore;
  readonly settings: RoutingSettings;
  readonly book: ContactBook;
  readonly nodeId: string;
  private follower: JournalFollower | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private poller: NodeJS.Timeout | null = null;
  private settingsTimer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private writes: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly offers = new Map<string, Promise<OfferView>>();
  private readonly waiters = new Map<string, (s: Settled) => void>();
  private readonly since = new Map<string, number>();
  /** contactId -> when the journal made this node re-read it (its taken_elsewhere is not a lost race). */
  private readonly refreshed = new Map<string, number>();
  /** Contacts being ended because they were handled or taken by hand (journaled as contact.retired). */
  private readonly retiring = new Map<string, EndReason>();
  /** The highest journal sequence number the book has applied (the position a checkpoint covers). */
  private bookSeq = 0;
  /** Numbers below `bookSeq` the follower skipped (MySQL) -> when noticed; they may still come late. */
  private readonly holes = new Map<number, number>();
  /** Too many skipped numbers to list: no checkpoint before this time. */
  private holesUnlistedUntil = 0;
  private readonly checkpoints: CheckpointStore;
  private readonly checkpointLease: LeaseKeeper;
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** The position of the checkpoint this node last loaded or wrote. */
  private checkpointed = 0;
  private saving: Promise<boolean> | null = null;
  /** How the last start rebuilt the book. */
  recovery: RecoveryInfo | null = null;
  /** Open offers of this node -> when they were made (a headset event older than that is stale). */
  private readonly offeredAt = new Map<string, number>();
  /** Operators whose headset this node last told to be off-hook. */
  private readonly offHookSent = new Set<string>();
  /** Signals to operators' headsets in flight (tests wait for them). */
  private readonly headsetSignals = new Set<Promise<unknown>>();

  constructor(
    private readonly core: CoreContext,
    private readonly config: RoutingConfig,
    private readonly logger: Logger,
  ) {
    this.nodeId = core.broker.nodeID;
    this.store = new SqlReservationStore(core.db);
    this.settings = new RoutingSettings(core.db);
    const clock = { now: () => core.clock().getTime() };
    this.engine = new RoutingEngine({
      clock,
      store: this.store,
      nodeId: this.nodeId.replace(/[^A-Za-z0-9_.-]/g, '_'),
      policy: {
        capacity: { ...DEFAULT_CAPACITY, ...config.capacity },
        compatibleWithExclusive: config.compatibleWithExclusive,
        skipMs: config.skipSeconds * 1000,
        maxMissedOffers: config.maxMissedOffers,
        reservationGraceMs: config.reservationGraceSeconds * 1000,
      },
      onEvent: (e) => this.onEngineEvent(e),
    });
    this.book = new ContactBook({
      nodeId: this.nodeId,
      route: (facts) => this.settings.route(facts),
      siteChain: (id) => this.settings.siteChain(id),
      followUpMs: config.followUpDays * 86_400_000,
      onUnrouted: (w) => this.logger.warn({ channel: w.channel, appealId: w.appealId }, 'routing: no queue takes this work (check the rules)'),
    });
    this.checkpoints = new CheckpointStore(core.db);
    this.checkpointLease = new LeaseKeeper(core.db, { name: CHECKPOINT_LEASE, holder: this.nodeId, ttlMs: Math.max(30_000, config.checkpointSeconds * 3000), clock: core.clock });
  }

  private now(): number {
    return this.core.clock().getTime();
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    await this.settings.load();
    if (this.config.seedDefaultQueues && this.settings.queues.size === 0 && (await this.settings.seedDefaults(this.now()))) {
      this.logger.info({ queues: this.settings.queues.size }, 'routing: default queues created');
    }
    await this.settings.load();
    this.syncQueues();
    await this.operatorsBackAfterRestart();
    // Recovery: the checkpoint, the journal after it, then what was still waiting goes to the engine.
    const t0 = performance.now();
    const head = await lastJournalSeq(this.core.db);
    const loaded = await this.loadCheckpoint(head);
    const follower = new JournalFollower(this.core.db, { afterSeq: loaded.position, clock: this.core.clock, batch: 1000, lateWindowMs: LATE_WINDOW_MS });
    let replayed = 0;
    while (follower.position < head) {
      const events = await follower.next();
      if (!events.length) break;
      for (const e of events) {
        this.book.apply(e);
        this.noteApplied(e.seq);
      }
      replayed += events.length;
    }
    const waiting = this.book.waiting().filter((c) => this.settings.queues.has(Number(c.queueId)));
    // Contacts whose contact.queued was never written (work that came in while routing was not running).
    for (const c of waiting) await this.recordQueued(c, 'journal');
    this.engine.restore(waiting);
    this.recovery = {
      from: loaded.position > 0 ? 'checkpoint' : 'journal', checkpointSeq: loaded.position, ...(loaded.ignored ? { ignored: loaded.ignored } : {}),
      replayed, head, ms: Math.round(performance.now() - t0), book: this.book.size(), restored: waiting.length,
    };
    this.logger.info({ ...this.recovery }, 'routing: contact book rebuilt');
    this.follower = follower;
    this.poller = setInterval(() => this.nudge(), this.config.pollMs);
    this.poller.unref();
    // A settings broadcast can miss a node that is joining; every node also re-reads them now and then.
    this.settingsTimer = setInterval(() => {
      void this.reloadSettings().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'routing: settings reload failed'));
      void this.logOutOrphans().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'routing: orphaned operators not logged out'));
    }, this.config.settingsRefreshMs);
    this.settingsTimer.unref();
    if (this.config.checkpointSeconds > 0) {
      this.checkpointTimer = setInterval(() => void this.periodicCheckpoint(), this.config.checkpointSeconds * 1000);
      this.checkpointTimer.unref();
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.settingsTimer) clearInterval(this.settingsTimer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.timer) clearTimeout(this.timer);
    await this.pumping;
    await this.writes;
    await Promise.race([this.headsetsSettled(), new Promise((r) => setTimeout(r, 2000).unref())]);
    if (!this.follower) return; // never started
    // Every node writes the checkpoint as it stops; the compare-and-set keeps the one covering most.
    try {
      await this.saveCheckpoint();
      if (this.checkpointTimer) await this.checkpointLease.release();
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'routing: checkpoint not written at stop');
    }
  }

  // ------------------------------------------------------------------ checkpoints

  /**
   * Loads the stored checkpoint into the book. The position to replay after: the checkpoint's, or 0
   * when there is none or it cannot be used (with the reason, logged as a warning).
   */
  private async loadCheckpoint(head: number): Promise<{ position: number; ignored?: string }> {
    const ignore = (position: number, reason: string) => {
      this.logger.warn({ position, reason }, 'routing: the checkpoint is not used; the journal is replayed from its beginning');
      this.checkpoints.replaceNext(position);
      return { position: 0, ignored: reason };
    };
    let loaded;
    try {
      loaded = await this.checkpoints.load();
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'routing: the checkpoint could not be read; the journal is replayed from its beginning');
      return { position: 0, ignored: `not read: ${String(err)}` };
    }
    if (!loaded.found) return { position: 0 };
    if (!loaded.usable) return ignore(loaded.position, loaded.reason);
    const cp = loaded.checkpoint;
    if (cp.position > head) return ignore(cp.position, `it is ahead of the journal (head ${head})`);
    const need = this.book.retention;
    if (cp.retention.followUpMs < need.followUpMs || cp.retention.staleMs < need.staleMs) {
      return ignore(cp.position, `it remembers appeals for less time than this node needs (followUpMs ${cp.retention.followUpMs} < ${need.followUpMs}, or staleMs)`);
    }
    try {
      this.book.restoreState(cp.book);
    } catch (err) {
      return ignore(cp.position, `its book is not valid: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Numbers the writer was still waiting for: applied now if they came meanwhile.
    if (cp.pending.length) {
      const late = await this.core.db.read((em) => em.find(JournalEntry, { where: { seq: In(cp.pending) }, order: { seq: 'ASC' } }));
      for (const row of late) this.book.apply(toJournalEvent(row));
    }
    this.bookSeq = cp.position;
    this.checkpointed = cp.position;
    return { position: cp.position };
  }

  /** The journal position the book covers (every event up to it applied). */
  get position(): number {
    return this.bookSeq;
  }

  /** Notes an event applied to the book: the position moves on, skipped numbers are listed (MySQL). */
  private noteApplied(seq: number): void {
    if (seq <= this.bookSeq) {
      this.holes.delete(seq);
      return;
    }
    const gap = seq - this.bookSeq - 1;
    // SQLite leaves no gap that fills later; on MySQL a skipped number may be a transaction still open.
    if (gap > 0 && this.core.db.kind !== 'sqlite') {
      const now = this.now();
      if (this.holes.size + gap > MAX_HOLES) this.holesUnlistedUntil = now + LATE_WINDOW_MS;
      else for (let s = this.bookSeq + 1; s < seq; s++) this.holes.set(s, now);
    }
    this.bookSeq = seq;
  }

  /** The checkpoint's position and content now (synchronously: the book does not change meanwhile). */
  private checkpointNow(): { position: number; text: string } {
    const now = this.now();
    for (const [s, at] of this.holes) if (now - at > LATE_WINDOW_MS) this.holes.delete(s);
    const content: CheckpointContent = { retention: this.book.retention, pending: [...this.holes.keys()].sort((a, b) => a - b), book: this.book.exportState() };
    return { position: this.bookSeq, text: JSON.stringify(content) };
  }

  /**
   * Writes the checkpoint if the book has moved on since the last one this node loaded or wrote.
   * True when written (false too when another node's covers more).
   */
  async saveCheckpoint(): Promise<boolean> {
    while (this.saving) await this.saving.catch(() => false);
    if (!this.follower || this.bookSeq <= this.checkpointed || this.now() < this.holesUnlistedUntil) return false;
    const { position, text } = this.checkpointNow();
    const t0 = performance.now();
    this.saving = this.checkpoints.save(position, text, this.nodeId, this.now());
    try {
      const saved = await this.saving;
      if (saved) this.checkpointed = position;
      this.logger.debug({ position, chars: text.length, ms: Math.round(performance.now() - t0), saved }, 'routing: checkpoint');
      return saved;
    } finally {
      this.saving = null;
    }
  }

  /** The periodic checkpoint, written by the node holding the lease. */
  private async periodicCheckpoint(): Promise<void> {
    if (this.stopped) return;
    try {
      if ((await this.checkpointLease.hold()) && !this.stopped) await this.saveCheckpoint();
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'routing: checkpoint not written');
    }
  }

  /** Operators this node served before it stopped come back logged out. */
  private async operatorsBackAfterRestart(): Promise<void> {
    const rows = await this.core.db.read((em) => em.find(RoutingOperator, { where: { nodeId: this.nodeId } }));
    await this.logOut(rows.filter((r) => r.state !== 'logged_out'), 'restart');
  }

  /**
   * Operators whose node is gone (stopped, or restarted under another node id) are logged out: the
   * first node to change the row journals it. Runs with the periodic settings refresh.
   */
  async logOutOrphans(): Promise<void> {
    const alive = (id: string) => id === this.nodeId || Boolean(this.core.broker.registry.nodes.get(id)?.available);
    const rows = await this.core.db.read((em) => em.find(RoutingOperator));
    await this.logOut(rows.filter((r) => r.state !== 'logged_out' && r.nodeId !== null && !alive(r.nodeId)), 'node-gone');
  }

  private async logOut(rows: RoutingOperator[], reason: string): Promise<void> {
    let changed = 0;
    for (const r of rows) {
      await this.core.db.transaction(async (em) => {
        const at = new Date(this.now());
        const res = await em.update(RoutingOperator, { userId: r.userId, nodeId: r.nodeId!, state: r.state }, { state: 'logged_out', reason, since: at.getTime() });
        if (!res.affected) return;
        changed++;
        await appendJournal(em, {
          type: 'operator.state_changed', aggregateType: 'operator', aggregateId: r.userId, actorId: null, at,
          data: { operatorId: String(r.userId), from: r.state, to: 'logged_out', reason, at: at.toISOString(), nodeId: this.nodeId },
        });
      });
    }
    if (changed) this.core.journalCommitted();
  }

  // ------------------------------------------------------------------ settings

  /** Applies the stored queues to the engine: new ones added, changed ones replaced, removed ones dropped. */
  syncQueues(): void {
    const calendar = () => (this.core.deadlines as unknown as { calendar?: { describeDay(d: string): { kind: string } } }).calendar;
    const closedOn = (d: string) => calendar()?.describeDay(d).kind === 'holiday';
    const known = new Set(this.applied.keys());
    for (const q of this.settings.queues.values()) {
      const config = engineQueue(q.id, q, closedOn);
      const fingerprint = JSON.stringify(q);
      known.delete(config.id);
      if (this.applied.get(config.id) === fingerprint) continue;
      try {
        if (this.applied.has(config.id)) this.engine.replaceQueue(config);
        else this.engine.addQueue(config);
        this.applied.set(config.id, fingerprint);
      } catch (err) {
        this.logger.warn({ queue: q.code, err: String(err) }, 'routing: queue settings not applied');
      }
    }
    for (const id of known) {
      try {
        this.engine.removeQueue(id);
        this.applied.delete(id);
      } catch (err) {
        this.logger.warn({ queueId: id, err: String(err) }, 'routing: queue kept while contacts are in it');
      }
    }
    this.schedule();
  }

  /** Queue id -> the settings applied to the engine (as JSON), so an unchanged queue is left alone. */
  private readonly applied = new Map<string, string>();

  async reloadSettings(): Promise<void> {
    await this.settings.load();
    this.syncQueues();
  }

  /** Queue code for events and frames. */
  queueCode(queueId: string): string {
    return this.settings.queues.get(Number(queueId))?.code ?? queueId;
  }

  // ------------------------------------------------------------------ the journal

  /** Reads what the journal has (now, or when the current read ends). */
  nudge(): void {
    if (this.stopped || !this.follower) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = (async () => {
      try {
        do {
          this.pumpAgain = false;
          for (let events = await this.follower!.next(); events.length; events = await this.follower!.next()) {
            for (const e of events) await this.handle(e);
          }
        } while (this.pumpAgain && !this.stopped);
      } catch (err) {
        this.logger.warn({ err: String(err) }, 'routing: reading the journal failed; retrying');
      } finally {
        this.pumping = null;
      }
    })();
  }

  /** Waits until everything in the journal now has been handled (tests, accept). */
  async caughtUp(): Promise<void> {
    const head = await lastJournalSeq(this.core.db);
    for (let i = 0; i < 400 && (this.follower?.position ?? 0) < head; i++) {
      this.nudge();
      await (this.pumping ?? new Promise((r) => setTimeout(r, 10)));
    }
  }

  private async handle(e: JournalEvent): Promise<void> {
    const intents = this.book.apply(e);
    this.noteApplied(e.seq);
    for (const intent of intents) {
      try {
        await this.perform(intent);
      } catch (err) {
        this.logger.warn({ seq: e.seq, type: e.type, intent: intent.kind, err: String(err) }, 'routing: journal event not applied');
      }
    }
    this.schedule();
  }

  private async perform(intent: Intent): Promise<void> {
    if (intent.kind === 'refresh') {
      const now = this.now();
      if (this.refreshed.size > 10_000) for (const [id, at] of this.refreshed) if (now - at > REFRESH_WINDOW_MS) this.refreshed.delete(id);
      this.refreshed.set(intent.contactId, now);
      this.engine.refresh(intent.contactId);
      return;
    }
    if (intent.kind === 'enqueue') {
      if (intent.record) {
        // Not recorded now (database trouble): another node records it, or this node at its next start.
        await this.recordQueued(intent.contact, 'journal').catch((err: unknown) => this.logger.warn({ contactId: intent.contact.id, err: String(err) }, 'routing: contact.queued not written yet'));
      }
      if (!this.engine.contact(intent.contact.id) && this.settings.queues.has(Number(intent.contact.queueId))) this.engine.enqueue(intent.contact);
      return;
    }
    await this.end(intent.contactId, intent.reason);
  }

  /** Ends a contact: completed when assigned here, abandoned or retired when still waiting. */
  async end(contactId: string, reason: EndReason): Promise<void> {
    const c = this.engine.contact(contactId);
    if (!c || c.state === 'gone') {
      await this.finishStale(contactId);
      return;
    }
    if (c.state === 'assigned') {
      this.engine.complete(contactId);
      return;
    }
    if (c.state === 'wrapping') return;
    if (reason !== 'applicant-left') this.retiring.set(contactId, reason);
    this.engine.abandon(contactId);
  }

  /**
   * A contact this engine no longer knows (answered before a restart, its operator not back yet) but
   * the store still holds. Its completion is journaled all the same, so every node's contact book
   * and reporting close it; how long it took is not known here (`afterRestart`: reporting counts
   * from its own answer time).
   */
  private async finishStale(contactId: string): Promise<void> {
    const h = await this.store.holding(contactId);
    if (h.state !== 'assigned' || !h.offerId) return;
    const now = this.now();
    if (!(await this.store.finish(contactId, h.offerId, now)).ok) return;
    await this.core.db.transaction((em) =>
      appendJournal(em, {
        type: 'contact.completed', aggregateType: 'contact', aggregateId: contactId, siteId: null, actorId: null, at: new Date(now),
        data: { contactId, offerId: h.offerId, operatorId: h.operatorId ?? null, channel: h.channel ?? null, afterRestart: true, nodeId: this.nodeId },
      }),
    );
    this.core.journalCommitted();
  }

  /**
   * Records a new contact once over every node: the first to insert its store row journals
   * contact.queued (the others, and replays, find the row there).
   */
  async recordQueued(c: ContactInput, origin: 'journal' | 'enqueue'): Promise<boolean> {
    const queue = this.settings.queues.get(Number(c.queueId));
    const now = this.now();
    const recorded = await this.core.db.transaction(async (em) => {
      if (!(await this.store.recordNew(em, c.id, now))) return false;
      const enqueuedAt = c.enqueuedAt ?? now;
      await appendJournal(em, {
        type: 'contact.queued', aggregateType: 'contact', aggregateId: c.id, siteId: queue?.siteId ?? null, at: new Date(now),
        data: {
          contactId: c.id, appealId: c.appealId !== undefined ? Number(c.appealId) : null, channel: c.channel, queue: this.queueCode(c.queueId), queueId: c.queueId,
          siteId: queue ? String(queue.siteId) : null, priority: c.priority ?? queue?.priority ?? 0, enqueuedAt: new Date(enqueuedAt).toISOString(),
          skills: { ...Object.fromEntries((queue?.requirements ?? []).map((r) => [r.skill, r.min])), ...c.skills },
          ...(c.preferredOperator ? { preferredOperatorId: c.preferredOperator.operatorId, preferredUntil: new Date(c.preferredOperator.until).toISOString() } : {}),
          ...(c.availableAt !== undefined ? { availableAt: new Date(c.availableAt).toISOString() } : {}),
          origin, nodeId: this.nodeId,
        },
      });
      return true;
    });
    if (recorded) this.core.journalCommitted();
    return recorded;
  }

  // ------------------------------------------------------------------ engine events

  private onEngineEvent(e: RoutingEvent): void {
    this.schedule();
    const offerId = 'offerId' in e ? e.offerId : undefined;
    if (offerId !== undefined) this.settleWaiter(e, offerId);
    switch (e.type) {
      case 'contact.offered':
        this.offers.set(e.offerId, this.offerView(e));
        this.offeredAt.set(e.offerId, e.at);
        void this.pushOffer(e.operatorId, e.offerId);
        break;
      case 'contact.offer_rejected':
      case 'contact.offer_expired':
      case 'contact.offer_withdrawn':
        this.offers.delete(e.offerId);
        this.offeredAt.delete(e.offerId);
        this.push(e.operatorId, { type: 'routing.offer_withdrawn', offerId: e.offerId });
        break;
      case 'contact.answered': {
        this.offers.delete(e.offerId);
        this.offeredAt.delete(e.offerId);
        const appealId = this.engine.contact(e.contactId)?.appealId;
        this.push(e.operatorId, { type: 'routing.offer_answered', offerId: e.offerId, contactId: e.contactId, appealId: appealId !== undefined ? Number(appealId) : null });
        break;
      }
      case 'contact.accept_failed':
        this.offers.delete(e.offerId);
        this.offeredAt.delete(e.offerId);
        break;
      case 'operator.state_changed':
        this.since.set(e.operatorId, e.at);
        this.push(e.operatorId, { type: 'routing.state', state: e.to, reason: e.reason ?? null, since: new Date(e.at).toISOString() });
        break;
      default:
    }
    this.headset(e);
    this.journal(e);
  }

  // ------------------------------------------------------------------ headsets

  /** Whether the operator holds an answered call or callback (talking, not wrapping up). */
  private callActive(operatorId: string): boolean {
    const exclusive = this.engine.policy.exclusiveChannels;
    return Boolean(this.engine.operator(operatorId)?.contacts.some((c) => c.state === 'assigned' && exclusive.includes(c.channel)));
  }

  /** Tells the operator's headset what the event means for it, without waiting for the answer. */
  private headset(e: RoutingEvent): void {
    const out = headsetSignalFor(e, {
      exclusive: this.engine.policy.exclusiveChannels,
      callActive: (id) => this.callActive(id),
      offHookSent: (id) => this.offHookSent.has(id),
    });
    if (out) this.signalHeadset(out.operatorId, out.signal);
  }

  signalHeadset(operatorId: string, signal: HeadsetSignal): void {
    if (signal.kind === 'offHook') {
      if (signal.on) this.offHookSent.add(operatorId);
      else this.offHookSent.delete(operatorId);
    }
    const p = this.core.broker
      .call<{ bound: boolean; sent?: boolean; reason?: string; message?: string; command?: { status: string; error?: { code: string; message: string } | null } }, object>('edge.headsetSignal', { userId: Number(operatorId), kind: signal.kind, on: signal.on })
      .then((r) => {
        if (!r.bound) return;
        if (!r.sent) this.logger.info({ operatorId, signal, reason: r.reason, message: r.message }, 'routing: the operator\'s headset was not signalled');
        else if (r.command?.status !== 'ok') this.logger.warn({ operatorId, signal, status: r.command?.status, error: r.command?.error }, 'routing: the operator\'s headset did not take the signal');
      })
      .catch((err: unknown) => this.logger.warn({ operatorId, signal, err: String(err) }, 'routing: headset signal failed'))
      .finally(() => this.headsetSignals.delete(p));
    this.headsetSignals.add(p);
  }

  /** Resolves when the headset signals sent so far have their outcomes (tests). */
  async headsetsSettled(): Promise<void> {
    while (this.headsetSignals.size) await Promise.all([...this.headsetSignals]);
  }

  /** The operator's open offer on this node and when it was made. */
  openOffer(userId: number): { offerId: string; offeredAt: number } | undefined {
    const open = this.engine.operator(String(userId))?.contacts.find((c) => c.state === 'offered');
    if (!open) return undefined;
    return { offerId: open.offerId, offeredAt: this.offeredAt.get(open.offerId) ?? this.now() };
  }

  private settleWaiter(e: RoutingEvent, offerId: string): void {
    const w = this.waiters.get(offerId);
    if (!w) return;
    if (e.type === 'contact.answered') w({ ok: true, event: e });
    else if (e.type === 'contact.accept_failed') w({ ok: false, reason: e.reason });
    else if (e.type === 'contact.offer_expired' || e.type === 'contact.offer_withdrawn' || e.type === 'contact.offer_rejected') w({ ok: false, reason: 'the offer has ended' });
    else return;
    this.waiters.delete(offerId);
  }

  /** Writes an engine event to the journal (in order, after the ones before it). */
  private journal(e: RoutingEvent): void {
    const row = this.journalRow(e);
    if (!row) return;
    this.writes = this.writes
      .then(async () => {
        await this.core.db.transaction(async (em) => {
          await appendJournal(em, row);
          if (e.type === 'operator.state_changed') await this.saveOperatorState(em, e);
        });
        this.core.journalCommitted();
      })
      .catch((err: unknown) => this.logger.warn({ type: e.type, err: String(err) }, 'routing: journal write failed'));
  }

  private journalRow(e: RoutingEvent): Parameters<typeof appendJournal>[1] | null {
    const at = new Date(e.at);
    const base = { at, actorId: null };
    const iso = (ms: number) => new Date(ms).toISOString();
    const site = (s: string | undefined) => (s !== undefined && Number.isFinite(Number(s)) ? Number(s) : null);
    const { type, at: _at, ...rest } = e;
    const data: Record<string, unknown> = { ...rest, nodeId: this.nodeId };
    switch (e.type) {
      case 'contact.queued':
        return null; // journaled once over every node by recordQueued
      case 'contact.taken_elsewhere': {
        // Another node finished it, or this node only learned (from the journal) what another node did:
        // nothing happened here worth a row. A race this node lost is written.
        const learnedAt = this.refreshed.get(e.contactId);
        this.refreshed.delete(e.contactId);
        if (e.holder?.state === 'done' || (learnedAt !== undefined && e.at - learnedAt < REFRESH_WINDOW_MS)) return null;
        break;
      }
      case 'contact.abandoned': {
        const reason = this.retiring.get(e.contactId);
        if (reason) {
          this.retiring.delete(e.contactId);
          return { ...base, type: 'contact.retired', aggregateType: 'contact', aggregateId: e.contactId, siteId: site(e.siteId), data: { ...data, queue: this.queueCode(e.queueId), reason } };
        }
        break;
      }
      case 'operator.state_changed':
        return { ...base, type, aggregateType: 'operator', aggregateId: e.operatorId, siteId: site(e.siteId), data: { ...data, reason: e.reason ?? null, at: iso(e.at) } };
      case 'routing.store_error':
        return { ...base, type, aggregateType: 'contact', aggregateId: e.contactId, data };
      default:
    }
    if ('expiresAt' in e) data.expiresAt = iso(e.expiresAt);
    if ('queueId' in e) data.queue = this.queueCode(e.queueId);
    const siteId = 'siteId' in e ? site(e.siteId) : null;
    return { ...base, type, aggregateType: 'contact', aggregateId: e.contactId, siteId, data };
  }

  private async saveOperatorState(em: Parameters<Parameters<CoreContext['db']['transaction']>[0]>[0], e: Extract<RoutingEvent, { type: 'operator.state_changed' }>): Promise<void> {
    const userId = Number(e.operatorId);
    const row = await em.findOne(RoutingOperator, { where: { userId } });
    const state = { state: e.to, reason: e.reason ?? null, since: e.at, nodeId: this.nodeId };
    if (row) await em.update(RoutingOperator, { userId }, state);
    else await em.insert(RoutingOperator, { userId, capacity: {}, ...state });
  }

  // ------------------------------------------------------------------ the console

  private push(operatorId: string, frame: Record<string, unknown>): void {
    void this.core.broker.broadcast('console.push', { userIds: [Number(operatorId)], frame });
  }

  private async pushOffer(operatorId: string, offerId: string): Promise<void> {
    try {
      const offer = await this.offers.get(offerId);
      if (offer && this.offers.has(offerId)) this.push(operatorId, { type: 'routing.offer', offer });
    } catch (err) {
      this.logger.warn({ offerId, err: String(err) }, 'routing: offer not pushed');
    }
  }

  private async offerView(e: Extract<RoutingEvent, { type: 'contact.offered' }>): Promise<OfferView> {
    const c = this.engine.contact(e.contactId);
    const appealId = c?.appealId !== undefined ? Number(c.appealId) : null;
    const appeal = appealId === null ? null : await this.core.db.read((em) => em.findOne(Appeal, { where: { id: appealId }, select: { id: true, regNumber: true, subject: true } }));
    return {
      id: e.offerId, appealId, regNumber: appeal?.regNumber ?? null, channel: e.channel, queue: this.queueCode(e.queueId), subject: appeal?.subject ?? null,
      waitedSeconds: Math.round(e.waitedMs / 1000), expiresAt: new Date(e.expiresAt).toISOString(),
    };
  }

  // ------------------------------------------------------------------ operators

  /** The engine profile of a user: site, skills (core), capacity (routing_operators). */
  async profileOf(userId: number): Promise<OperatorProfile | null> {
    return this.core.db.read(async (em) => {
      const user = await em.findOne(User, { where: { id: userId } });
      if (!user?.active || user.siteId === null) return null;
      const skills = await em.find(UserSkill, { where: { userId } });
      const row = await em.findOne(RoutingOperator, { where: { userId } });
      return { id: String(userId), siteId: String(user.siteId), skills: Object.fromEntries(skills.map((s) => [s.skill, s.proficiency])), capacity: row?.capacity ?? {} };
    });
  }

  /** Reloads an operator's profile into the engine (skills, site or capacity changed). */
  async refreshProfile(userId: number): Promise<void> {
    const id = String(userId);
    const snap = this.engine.operator(id);
    if (!snap) return;
    const profile = await this.profileOf(userId);
    if (!profile) return;
    if (snap.state !== 'logged_out' && profile.siteId !== snap.siteId) profile.siteId = snap.siteId; // a new site applies at the next login
    this.engine.updateOperator(profile);
    this.schedule();
  }

  async setState(userId: number, state: 'ready' | 'paused' | 'logged_out', reason: string | null): Promise<OperatorStatus> {
    const id = String(userId);
    if (!this.engine.operator(id)) {
      if (state === 'logged_out') return this.status(userId);
      const profile = await this.profileOf(userId);
      if (!profile) throw new RoutingError('no-profile', 'the user has no site or is inactive');
      this.engine.addOperator(profile);
    }
    const snap = this.engine.operator(id)!;
    if (snap.state === 'logged_out' && state !== 'logged_out') {
      const profile = await this.profileOf(userId);
      if (profile) this.engine.updateOperator(profile);
      await this.adoptAssignments(id);
      this.engine.login(id);
    }
    if (state === 'paused') this.engine.pause(id, reason ?? 'pause');
    else if (state === 'ready' && this.engine.operator(id)!.state === 'paused') this.engine.resume(id);
    else if (state === 'logged_out' && snap.state !== 'logged_out') this.logout(id);
    this.schedule();
    return this.status(userId);
  }

  /**
   * Contacts the store says this operator still handles but this engine does not know (it restarted,
   * or the operator comes from a node that left) become the operator's again, so completing them
   * frees the room and the engine counts them.
   */
  private async adoptAssignments(operatorId: string): Promise<void> {
    const claims = await this.store.claimsOf([operatorId]);
    for (const claim of claims) {
      const known = this.engine.contact(claim.contactId);
      if (claim.state !== 'assigned' || (known && known.state !== 'elsewhere')) continue;
      const input = this.book.inputOf(claim.contactId);
      if (!input || !this.settings.queues.has(Number(input.queueId))) continue;
      try {
        this.engine.adoptAssignment(input, operatorId, claim.offerId, this.now());
      } catch (err) {
        this.logger.warn({ contactId: claim.contactId, err: String(err) }, 'routing: assignment not adopted');
      }
    }
  }

  /** Logs out: e-mails, faxes, forms and chats being handled stay the operator's (their appeals are); a call refuses. */
  private logout(id: string): void {
    const snap = this.engine.operator(id)!;
    const handling = snap.contacts.filter((c) => c.state === 'assigned');
    const call = handling.find((c) => this.engine.policy.exclusiveChannels.includes(c.channel));
    if (call) throw new RoutingError('operator-has-work', 'finish the call first');
    for (const c of handling) this.engine.complete(c.contactId, { wrapUpMs: 0 });
    this.engine.logout(id);
  }

  async status(userId: number): Promise<OperatorStatus> {
    const id = String(userId);
    const snap = this.engine.operator(id);
    if (!snap || snap.state === 'logged_out') {
      const row = await this.core.db.read((em) => em.findOne(RoutingOperator, { where: { userId } }));
      return { state: 'logged_out', reason: snap ? null : (row?.reason ?? null), since: new Date(this.since.get(id) ?? row?.since ?? this.now()).toISOString(), offer: null };
    }
    const open = snap.contacts.find((c) => c.state === 'offered');
    const offer = open ? ((await this.offers.get(open.offerId)) ?? null) : null;
    return { state: snap.state, reason: snap.pausedReason ?? null, since: new Date(this.since.get(id) ?? this.now()).toISOString(), offer };
  }

  /** Whether an offer is open for this operator here. */
  ownsOffer(userId: number, offerId: string): boolean {
    return Boolean(this.engine.operator(String(userId))?.contacts.some((c) => c.offerId === offerId && c.state === 'offered'));
  }

  /** Accepts an offer and waits for the store's answer. */
  async accept(userId: number, offerId: string): Promise<{ contactId: string; appealId: number | null }> {
    if (!this.ownsOffer(userId, offerId)) throw new RoutingError('unknown-offer', `no open offer ${offerId}`);
    const settled = new Promise<Settled>((resolve) => {
      this.waiters.set(offerId, resolve);
      setTimeout(() => resolve({ ok: false, reason: 'no answer from the store in time' }), ACCEPT_WAIT_MS).unref();
    });
    this.engine.accept(offerId);
    this.schedule();
    const s = await settled;
    this.waiters.delete(offerId);
    if (!s.ok) throw new RoutingError('accept-failed', s.reason);
    const e = s.event as Extract<RoutingEvent, { type: 'contact.answered' }>;
    await this.writes; // contact.answered is in the journal before the appeal is assigned
    const c = this.engine.contact(e.contactId);
    return { contactId: e.contactId, appealId: c?.appealId !== undefined ? Number(c.appealId) : null };
  }

  reject(userId: number, offerId: string): void {
    if (!this.ownsOffer(userId, offerId)) throw new RoutingError('unknown-offer', `no open offer ${offerId}`);
    this.engine.reject(offerId);
    this.schedule();
  }

  /** Ends every wrap-up of the operator now. */
  endWrapUp(userId: number): number {
    const snap = this.engine.operator(String(userId));
    const wrapping = snap?.contacts.filter((c) => c.state === 'wrapping') ?? [];
    for (const c of wrapping) this.engine.endWrapUp(c.contactId);
    this.schedule();
    return wrapping.length;
  }

  /** The accepted contact's appeal could not be assigned (closed meanwhile): the contact ends. */
  completeNow(contactId: string): void {
    const c = this.engine.contact(contactId);
    if (c?.state === 'assigned') this.engine.complete(contactId, { wrapUpMs: 0 });
    this.schedule();
  }

  /** Contacts handed in by channels (calls, callbacks): journaled once, enqueued by every node from the journal. */
  async enqueue(c: ContactInput): Promise<boolean> {
    const recorded = await this.recordQueued(c, 'enqueue');
    this.nudge();
    return recorded;
  }

  // ------------------------------------------------------------------ time

  /** One timer, at the engine's next wake-up. */
  schedule(): void {
    if (this.stopped) return;
    const next = this.engine.nextWakeAt() ?? Infinity;
    if (next === this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      try {
        this.engine.tick();
      } catch (err) {
        this.logger.warn({ err: String(err) }, 'routing: tick failed');
      }
      this.schedule();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
    this.timer.unref();
  }

  /** Loaded users' ids among `ids` that exist (for the operators list). */
  async users(ids?: number[]): Promise<User[]> {
    return this.core.db.read((em) => em.find(User, ids ? { where: { id: In(ids) } } : {}));
  }
}

const DEFAULT_CAPACITY: Record<Channel, number> = { voice: 1, callback: 1, chat: 3, email: 5, fax: 5, portal: 5 };
