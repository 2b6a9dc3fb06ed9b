/**
 * The journal relay: one core node at a time (a lease in the database) reads new journal entries in
 * order and publishes each as a Moleculer event named by its type (`appeal.registered`, ...). Its
 * position is kept in `journal_cursors`, so after a restart it continues where it stopped
 * (delivery is at least once; every event carries its `seq` for de-duplication).
 */
import type { Database } from '../persistence/database.js';
import { JournalCursor } from '../persistence/entities/index.js';
import { JournalFollower } from './journal-follower.js';
import type { JournalEvent } from './journal.js';
import { LeaseKeeper } from './lease.js';
import { systemClock, type Clock } from './clock.js';

export interface RelayOptions {
  nodeId: string;
  publish: (event: JournalEvent) => void | Promise<void>;
  pollMs?: number;
  leaseMs?: number;
  clock?: Clock;
  onError?: (err: unknown) => void;
  cursorName?: string;
  /** How often the position is saved while busy (default 1000 ms; always on stop). */
  saveEveryMs?: number;
  /**
   * The least time between the starts of two passes when nudged (default 10 ms): while commits come
   * faster than that, their events go out together, one read of the journal for many commits.
   */
  minGapMs?: number;
}

export class JournalRelay {
  private follower: JournalFollower | null = null;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private readonly lease: LeaseKeeper;
  private readonly clock: Clock;
  private readonly cursorName: string;
  published = 0;
  private savedAt = 0;
  private savedPosition = -1;
  /** When the last pass started (real time, for minGapMs). */
  private passStartedAt = 0;

  constructor(private readonly db: Database, private readonly opts: RelayOptions) {
    this.clock = opts.clock ?? systemClock;
    this.cursorName = opts.cursorName ?? 'relay';
    this.lease = new LeaseKeeper(db, { name: `journal-${this.cursorName}`, holder: opts.nodeId, ttlMs: opts.leaseMs ?? 10_000, clock: this.clock });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Ask for a pass now (called after a local commit, so events go out without waiting a poll). */
  nudge(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loopDone;
    await this.persistPosition().catch((err) => this.opts.onError?.(err));
    await this.lease.release().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.passStartedAt = Date.now();
      try {
        await this.tick();
      } catch (err) {
        this.opts.onError?.(err);
      }
      await this.pause(this.opts.pollMs ?? 250);
    }
  }

  /** Waits `ms`, or less when nudged: then until minGapMs after the last pass started. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const woken = () => {
        clearTimeout(timer);
        const wait = this.passStartedAt + (this.opts.minGapMs ?? 10) - Date.now();
        if (wait <= 0 || !this.running) return done();
        // Only stop() ends this short wait early; further nudges are served by the coming pass.
        this.wakeUp = () => void (!this.running && done());
        timer = setTimeout(done, wait);
      };
      if (this.woken || !this.running) return woken();
      this.wakeUp = woken;
      timer = setTimeout(done, ms);
    });
  }

  /** One pass: hold the lease, publish what is new, save the position. */
  async tick(): Promise<number> {
    if (!(await this.lease.hold())) {
      this.follower = null;
      return 0;
    }
    if (!this.follower) this.follower = new JournalFollower(this.db, { afterSeq: await this.loadCursor(), clock: this.clock });
    let total = 0;
    for (;;) {
      const events = await this.follower.next();
      if (!events.length) break;
      for (const e of events) await this.opts.publish(e);
      total += events.length;
      if (events.length < 500) break;
    }
    this.published += total;
    // The position is saved at most once a second: after a crash a few events may go out again
    // (consumers de-duplicate by seq), but busy times do not cost a write per commit.
    if (total && this.clock().getTime() - this.savedAt >= (this.opts.saveEveryMs ?? 1000)) await this.persistPosition();
    return total;
  }

  private async persistPosition(): Promise<void> {
    if (!this.follower || this.follower.position === this.savedPosition) return;
    await this.saveCursor(this.follower.position);
    this.savedPosition = this.follower.position;
    this.savedAt = this.clock().getTime();
  }

  private async loadCursor(): Promise<number> {
    const row = await this.db.read((em) => em.findOne(JournalCursor, { where: { name: this.cursorName } }));
    return row?.seq ?? 0;
  }

  private async saveCursor(seq: number): Promise<void> {
    await this.db.transaction((em) => em.save(JournalCursor, { name: this.cursorName, seq, updatedAt: this.clock() }));
  }
}
