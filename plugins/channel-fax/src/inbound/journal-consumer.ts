/**
 * Reads the journal for rows of some types and hands each to a handler, one core node at a time
 * (a lease), from a position kept in `journal_cursors`, so a restart continues where it stopped.
 *
 * Exactly what the handler sees:
 * - every matching row at least once, in sequence order as far as the journal allows;
 * - a row whose sequence number was skipped over as a gap (MySQL: a transaction that had not
 *   committed yet) is still handed over when it commits late, also after a restart: the position
 *   saved is the last number before the oldest gap still watched, so a new reader starts there and
 *   sees the late row (rows after it come again; the handler is idempotent);
 * - a row whose handler fails is retried with backoff from the saved position; after `maxAttempts`
 *   it is set aside (logged, listed in `status()`, and `retry(seq)` runs it again), so one bad row
 *   cannot stop all that come after it.
 *
 * The handler's work commits in its own transaction (`appeals.intake` is an action of the core), so
 * the position cannot share it: it is saved right after each handled row, and a crash in between
 * only means the row is handed over again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'moleculer';
import { JournalCursor, JournalEntry, JournalFollower, LeaseKeeper, isDatabaseUnavailable, toJournalEvent, type Clock, type Database, type JournalEvent } from '@okno/core';

export interface JournalConsumerOptions {
  db: Database;
  /** Names the cursor row and the lease (at most 56 characters). */
  name: string;
  nodeId: string;
  /** The rows to hand over (others are only read past). */
  accepts: (e: JournalEvent) => boolean;
  handle: (e: JournalEvent) => Promise<void>;
  logger: Logger;
  clock?: Clock;
  pollMs?: number;
  leaseMs?: number;
  gapTimeoutMs?: number;
  /** How long a skipped sequence number is watched for a late commit (default 60 s, as the follower). */
  lateWindowMs?: number;
  maxAttempts?: number;
  /** Failures that pass by themselves (default: the database unavailable): retried, never set aside. */
  isTransient?: (err: unknown) => boolean;
  /** First retry delay; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface SetAside {
  seq: number;
  type: string;
  error: string;
  attempts: number;
  at: string;
}

export interface ConsumerStatus {
  running: boolean;
  leader: boolean;
  position: number | null;
  handled: number;
  failing: { seq: number; attempts: number; error: string; nextTryAt: string } | null;
  setAside: SetAside[];
  watchedGaps: number;
}

export class JournalConsumer {
  private follower: JournalFollower | null = null;
  private readonly lease: LeaseKeeper;
  private readonly clock: Clock;
  /** The last sequence number delivered in order by the current follower. */
  private inOrder = 0;
  /** Sequence numbers skipped as gaps -> until when they are watched. */
  private readonly gaps = new Map<number, number>();
  private saved = -1;
  private savedAt = 0;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private sleeper: AbortController | null = null;
  private woken = false;
  private leader = false;
  private heldAt = 0;
  private readonly leaseMs: number;
  private handled = 0;
  private failing: { seq: number; attempts: number; error: string; nextTryAt: number } | null = null;
  private readonly setAside: SetAside[] = [];

  constructor(private readonly o: JournalConsumerOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.leaseMs = o.leaseMs ?? 15_000;
    this.lease = new LeaseKeeper(o.db, { name: `consumer-${o.name}`, holder: o.nodeId, ttlMs: this.leaseMs, clock: this.clock });
  }

  private get cursorName(): string {
    return `consumer:${this.o.name}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper?.abort();
    await this.loopDone;
    if (this.leader) await this.lease.release().catch(() => undefined);
    this.leader = false;
    this.follower = null;
  }

  /** Read now (a matching event was published). */
  nudge(): void {
    this.woken = true;
    this.sleeper?.abort();
  }

  status(): ConsumerStatus {
    return {
      running: this.running, leader: this.leader, position: this.saved >= 0 ? this.saved : null, handled: this.handled,
      failing: this.failing ? { ...this.failing, nextTryAt: new Date(this.failing.nextTryAt).toISOString() } : null,
      setAside: [...this.setAside], watchedGaps: this.gaps.size,
    };
  }

  /** Runs one set-aside (or any) row again, now; throws what the handler throws. */
  async retry(seq: number): Promise<void> {
    const row = await this.o.db.read((em) => em.findOne(JournalEntry, { where: { seq } }));
    if (!row) throw new Error(`journal row ${seq} not found`);
    await this.o.handle(toJournalEvent(row));
    const i = this.setAside.findIndex((s) => s.seq === seq);
    if (i >= 0) this.setAside.splice(i, 1);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.tick();
      } catch (err) {
        this.follower = null;
        if (isDatabaseUnavailable(err)) this.o.logger.warn({ err: (err as Error).message }, 'journal consumer: database unavailable');
        else this.o.logger.error({ err }, 'journal consumer pass failed');
      }
      await this.pause(this.o.pollMs ?? 1000);
    }
  }

  private async pause(ms: number): Promise<void> {
    if (!this.woken && this.running) {
      this.sleeper = new AbortController();
      await sleep(ms, undefined, { signal: this.sleeper.signal }).catch(() => undefined);
      this.sleeper = null;
    }
    this.woken = false;
  }

  /** One pass: hold the lease, hand over what is new, save the position. Returns the rows handled. */
  async tick(): Promise<number> {
    if (!(await this.hold())) {
      this.follower = null;
      return 0;
    }
    const now = this.clock().getTime();
    if (this.failing && this.failing.nextTryAt > now) return 0;
    if (!this.follower) {
      const from = await this.loadPosition();
      this.follower = new JournalFollower(this.o.db, { afterSeq: from, gapTimeoutMs: this.o.gapTimeoutMs, lateWindowMs: this.o.lateWindowMs, clock: this.clock });
      this.inOrder = from;
      this.saved = from;
      this.gaps.clear();
    }
    let count = 0;
    for (;;) {
      const events = await this.follower.next();
      for (const e of events) {
        this.track(e);
        if (this.o.accepts(e)) {
          // Work may take seconds per row: renew the lease when a third of it has passed, and stop
          // when another node has it.
          if (this.clock().getTime() - this.heldAt > this.leaseMs / 3 && !(await this.hold())) {
            this.leader = false;
            this.follower = null;
            return count;
          }
          if (!(await this.handleOne(e))) return count;
          this.gaps.delete(e.seq);
          count++;
          await this.savePosition(true);
        } else {
          this.gaps.delete(e.seq);
        }
      }
      if (events.length < 500) break;
    }
    for (const [seq, until] of this.gaps) if (until < this.clock().getTime()) this.gaps.delete(seq);
    await this.savePosition(false);
    return count;
  }

  private async hold(): Promise<boolean> {
    this.leader = await this.lease.hold();
    if (this.leader) this.heldAt = this.clock().getTime();
    return this.leader;
  }

  /** Notes the gaps a row in order jumps over. */
  private track(e: JournalEvent): void {
    if (e.seq <= this.inOrder) return; // a late row: it was a gap
    const until = this.clock().getTime() + (this.o.lateWindowMs ?? 60_000);
    for (let s = this.inOrder + 1; s < e.seq; s++) this.gaps.set(s, until);
    this.inOrder = e.seq;
    this.gaps.set(e.seq, Number.POSITIVE_INFINITY); // until it is handled
  }

  /** true when handled (or set aside); false when it failed and will be retried from the saved position. */
  private async handleOne(e: JournalEvent): Promise<boolean> {
    // Keep the lease while the work runs (drawing a long fax takes a while).
    const keep = setInterval(() => void this.lease.hold().catch(() => undefined), this.leaseMs / 3);
    try {
      await this.o.handle(e);
      this.handled++;
      if (this.failing?.seq === e.seq) this.failing = null;
      return true;
    } catch (err) {
      const attempts = this.failing?.seq === e.seq ? this.failing.attempts + 1 : 1;
      const error = (err as Error).message ?? String(err);
      if (attempts >= (this.o.maxAttempts ?? 10) && !(this.o.isTransient ?? isDatabaseUnavailable)(err)) {
        this.o.logger.error({ seq: e.seq, type: e.type, attempts, err: error }, 'journal row set aside after repeated failures (retry it once the cause is fixed)');
        this.setAside.push({ seq: e.seq, type: e.type, error, attempts, at: this.clock().toISOString() });
        this.failing = null;
        return true;
      }
      const delay = Math.min((this.o.retryMs ?? 1000) * 2 ** (attempts - 1), this.o.maxRetryMs ?? 300_000);
      this.failing = { seq: e.seq, attempts, error, nextTryAt: this.clock().getTime() + delay };
      this.o.logger.warn({ seq: e.seq, type: e.type, attempts, err: error }, 'journal row failed; will retry');
      this.follower = null; // start again from the saved position, before this row
      return false;
    } finally {
      clearInterval(keep);
    }
  }

  /** The last number before the oldest row not yet settled (a watched gap or an unhandled row). */
  private safePosition(): number {
    let pos = this.inOrder;
    for (const seq of this.gaps.keys()) if (seq - 1 < pos) pos = seq - 1;
    return pos;
  }

  private async savePosition(now: boolean): Promise<void> {
    const pos = this.safePosition();
    if (pos === this.saved || (!now && this.clock().getTime() - this.savedAt < 1000)) return;
    await this.o.db.transaction((em) => em.save(JournalCursor, { name: this.cursorName, seq: pos, updatedAt: this.clock() }));
    this.saved = pos;
    this.savedAt = this.clock().getTime();
  }

  private async loadPosition(): Promise<number> {
    const row = await this.o.db.read((em) => em.findOne(JournalCursor, { where: { name: this.cursorName } }));
    return row ? Number(row.seq) : 0;
  }
}
