/**
 * The reporting consumer: reads the journal in sequence order (JournalFollower), one node at a time
 * (LeaseKeeper), and counts each event exactly once.
 *
 * Exactly once, by sequence number: each batch is counted in one transaction that also moves the
 * stored position from the value the batch started at to its last sequence number (compare-and-set).
 * If anything moved the position meanwhile (a second consumer, a rebuild) the transaction rolls back
 * and nothing of the batch counts. Events at or below the position are counted only if they are
 * recorded gaps: on MySQL an auto-increment number can be skipped by a transaction that commits
 * later; such numbers are stored in reporting_gaps (in the same transaction) and an event that
 * appears there later is counted once, closing its gap. Gaps survive restarts; they expire after
 * `lateWindowMs`.
 *
 * A rebuild empties every aggregate and sets the position to 0, in one transaction, and the consumer
 * counts the journal again from its start. The consumer rebuilds by itself when the definitions the
 * aggregates were built with (T of the service level, thresholds, time zone) differ from the config.
 */
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import {
  JournalEntry, JournalFollower, LeaseKeeper, systemClock, toJournalEvent, type Clock, type Database, type JournalEvent,
} from '@okno/core';
import { BatchAggregator, idsNeeded } from './aggregator.js';
import { definitionsOf, type Definitions, type ReportingConfig } from './config.js';
import { AGGREGATE_TABLES, ReportingGap, ReportingState } from './entities.js';
import { quoter, dialectOf } from './sql.js';
import { PositionMoved, STATE_NAME, advancePosition, claimGaps, expireGaps, flush, loadState, purgeDoneContacts, recordGaps } from './store.js';
import { CityTime } from './zone.js';

/** Gaps recorded per batch at most (a larger jump in sequence numbers is not a gap to wait for). */
const MAX_GAPS_PER_BATCH = 10_000;
/** Finished contacts are purged at most this often (in event time). */
const PURGE_EVERY_MS = 3600_000;

export interface ConsumerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ConsumerOptions {
  db: Database;
  timeZone: string;
  config: ReportingConfig;
  clock?: Clock;
  /** This node's name in the lease. */
  nodeId?: string;
  logger?: ConsumerLogger;
  /** Called after a batch counted (with the number of events counted). */
  onApplied?: (count: number) => void;
}

const silent: ConsumerLogger = { info: () => undefined, warn: () => undefined };

export class ReportingConsumer {
  readonly time: CityTime;
  readonly definitions: Definitions;
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly logger: ConsumerLogger;
  private readonly lease: LeaseKeeper;
  private follower: JournalFollower | null = null;
  /** The highest sequence number counted in order (as stored). */
  private position = -1;
  private openGaps = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private nudged = false;
  private leaseHeldAt = 0;
  private initialised = false;
  /** Event time of the last purge of finished contacts. */
  private purgedAt = 0;

  constructor(private readonly opts: ConsumerOptions) {
    this.db = opts.db;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silent;
    this.time = new CityTime(opts.timeZone);
    this.definitions = definitionsOf(opts.config, opts.timeZone);
    this.lease = new LeaseKeeper(opts.db, { name: 'reporting.consumer', holder: `${opts.nodeId ?? 'node'}:${randomUUID()}`, ttlMs: opts.config.leaseTtlMs, clock: this.clock });
  }

  private now(): number {
    return this.clock().getTime();
  }

  /** The stored position (the highest sequence number counted in order). */
  get counted(): number {
    return this.position;
  }

  /**
   * Reads the stored position, creating it on first use; rebuilds when the aggregates were built
   * with other definitions.
   */
  async init(): Promise<void> {
    const wanted = JSON.stringify(this.definitions);
    const row = await this.db.transaction(async (em) => {
      const found = await em.findOne(ReportingState, { where: { name: STATE_NAME } });
      if (found) return found;
      const fresh = Object.assign(new ReportingState(), { name: STATE_NAME, position: 0, definitions: wanted, updatedAt: this.now() });
      await em.insert(ReportingState, fresh);
      return fresh;
    });
    if (row.definitions !== wanted) {
      this.logger.info({ was: row.definitions, now: wanted }, 'reporting definitions changed: rebuilding the aggregates from the journal');
      await this.rebuild();
    } else {
      this.position = row.position;
    }
    this.openGaps = await this.db.read((em) => em.count(ReportingGap));
    this.follower = null;
    this.initialised = true;
  }

  /** Empties every aggregate and counts the journal again from its start. */
  async rebuild(): Promise<void> {
    await this.db.transaction(async (em) => {
      const q = quoter(dialectOf(em));
      // The state row first: it is the lock every batch takes, so no batch interleaves with this.
      await em.update(ReportingState, { name: STATE_NAME }, { position: 0, definitions: JSON.stringify(this.definitions), updatedAt: this.now() });
      for (const t of AGGREGATE_TABLES) await em.query(`DELETE FROM ${q(t)}`);
    });
    this.position = 0;
    this.openGaps = 0;
    this.follower = null;
  }

  /**
   * Counts `events`: those after the position in order, and earlier ones only when they fill a
   * recorded gap. Returns how many were counted. Delivering the same events again counts nothing.
   */
  async apply(events: JournalEvent[]): Promise<number> {
    if (!this.initialised) await this.init();
    const from = this.position;
    const bySeq = new Map<number, JournalEvent>();
    for (const e of events) bySeq.set(e.seq, e);
    const fresh = [...bySeq.values()].filter((e) => e.seq > from).sort((a, b) => a.seq - b.seq);
    const late = [...bySeq.keys()].filter((s) => s <= from);
    const to = fresh.length ? (fresh.at(-1) as JournalEvent).seq : from;
    const gaps: number[] = [];
    let expected = from + 1;
    for (const e of fresh) {
      for (let s = expected; s < e.seq && gaps.length < MAX_GAPS_PER_BATCH; s++) gaps.push(s);
      expected = e.seq + 1;
    }
    const now = this.now();
    const result = await this.db.transaction(async (em) => {
      await advancePosition(em, from, to, now);
      const claimed = await claimGaps(em, late);
      await expireGaps(em, now);
      if (gaps.length) await recordGaps(em, gaps, now + this.opts.config.lateWindowMs);
      const counted = [...[...claimed].map((s) => bySeq.get(s) as JournalEvent), ...fresh].sort((a, b) => a.seq - b.seq);
      if (counted.length) {
        const state = await loadState(em, idsNeeded(counted));
        const agg = new BatchAggregator(state, this.definitions, this.time);
        for (const e of counted) agg.apply(e);
        await flush(em, agg, state);
        if (agg.latestAt - this.purgedAt > PURGE_EVERY_MS) {
          await purgeDoneContacts(em, agg.latestAt);
          this.purgedAt = agg.latestAt;
        }
      }
      return { counted: counted.length, openGaps: await em.count(ReportingGap) };
    }).catch((err: unknown) => {
      if (err instanceof PositionMoved) {
        this.follower = null;
        this.initialised = false;
      }
      throw err;
    });
    this.position = to;
    this.openGaps = result.openGaps;
    if (result.counted) this.opts.onApplied?.(result.counted);
    return result.counted;
  }

  /** Journal rows that filled recorded gaps since. */
  private async lateEvents(): Promise<JournalEvent[]> {
    if (!this.openGaps) return [];
    return this.db.read(async (em) => {
      const gaps = (await em.find(ReportingGap, { take: 1000, order: { seq: 'ASC' } })).map((g) => g.seq);
      if (!gaps.length) return [];
      return (await em.find(JournalEntry, { where: { seq: In(gaps) }, order: { seq: 'ASC' } })).map(toJournalEvent);
    });
  }

  /** One pass: the next events in order and any late ones. Returns how many events were read. */
  async step(): Promise<number> {
    if (!this.initialised) await this.init();
    if (!this.follower) {
      this.follower = new JournalFollower(this.db, {
        afterSeq: this.position, batch: this.opts.config.batch, gapTimeoutMs: this.opts.config.gapTimeoutMs,
        lateWindowMs: this.opts.config.lateWindowMs, clock: this.clock,
      });
    }
    let events: JournalEvent[];
    try {
      events = [...(await this.follower.next()), ...(await this.lateEvents())];
      if (!events.length && !this.openGaps) return 0;
      await this.apply(events);
    } catch (err) {
      this.follower = null; // it moved its cursor past what was not counted: start again from the position
      throw err;
    }
    return events.length;
  }

  /** Counts until the journal has nothing more in order (tests, benchmarks, rebuilds). */
  async catchUp(): Promise<void> {
    for (;;) {
      const before = this.position;
      await this.step();
      if (this.position === before) return;
    }
  }

  /** Runs the consumer in the background while this node holds the lease. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.lease.release().catch(() => undefined);
  }

  /** Something was committed to the journal: look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Whether this node counts (holds the lease). */
  get leading(): boolean {
    return this.running && this.leaseHeldAt > 0 && this.now() - this.leaseHeldAt < this.opts.config.leaseTtlMs;
  }

  private async holdLease(): Promise<boolean> {
    const ttl = this.opts.config.leaseTtlMs;
    if (this.leaseHeldAt && this.now() - this.leaseHeldAt < ttl / 3) return true;
    if (await this.lease.hold()) {
      this.leaseHeldAt = this.now();
      return true;
    }
    if (this.leaseHeldAt) this.logger.info({}, 'reporting lease lost to another node');
    this.leaseHeldAt = 0;
    this.follower = null;
    this.initialised = false;
    return false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        if (await this.holdLease()) {
          const before = this.position;
          await this.step();
          busy = this.position - before >= this.opts.config.batch;
        }
      } catch (err) {
        if (!(err instanceof PositionMoved)) this.logger.warn({ err: String(err) }, 'reporting pass failed; retrying');
      }
      if (!busy && this.running) await this.pause(this.opts.config.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.nudged = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
