/**
 * Follows the journal in sequence order, tolerating the gaps MySQL leaves: an auto-increment value
 * taken by a transaction that has not committed yet (or that rolled back). A gap holds delivery
 * until it fills or `gapTimeoutMs` passes; a skipped number is still watched for `lateWindowMs` and
 * delivered late if its transaction commits after all. Consumers de-duplicate by `seq`.
 */
import { In, MoreThan } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { JournalEntry } from '../persistence/entities/index.js';
import { toJournalEvent, type JournalEvent } from './journal.js';
import { systemClock, type Clock } from './clock.js';

export interface FollowerOptions {
  afterSeq: number;
  batch?: number;
  gapTimeoutMs?: number;
  lateWindowMs?: number;
  clock?: Clock;
  types?: string[];
}

export class JournalFollower {
  private cursor: number;
  private readonly batch: number;
  private readonly gapTimeoutMs: number;
  private readonly lateWindowMs: number;
  private readonly clock: Clock;
  private gapSince: { seq: number; at: number } | null = null;
  /** seq -> give-up time, for numbers skipped over. */
  private readonly skipped = new Map<number, number>();

  constructor(private readonly db: Database, opts: FollowerOptions) {
    this.cursor = opts.afterSeq;
    this.batch = opts.batch ?? 500;
    this.gapTimeoutMs = opts.gapTimeoutMs ?? 2_000;
    this.lateWindowMs = opts.lateWindowMs ?? 60_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** The highest sequence number delivered in order. */
  get position(): number {
    return this.cursor;
  }

  /** The next events, in order, as far as no unexplained gap stops them. */
  async next(): Promise<JournalEvent[]> {
    const now = this.clock().getTime();
    const out: JournalEvent[] = [];
    if (this.skipped.size) {
      const late = await this.db.read((em) => em.find(JournalEntry, { where: { seq: In([...this.skipped.keys()]) }, order: { seq: 'ASC' } }));
      for (const e of late) {
        this.skipped.delete(e.seq);
        out.push(toJournalEvent(e));
      }
      for (const [seq, until] of this.skipped) if (until < now) this.skipped.delete(seq);
    }
    const rows = await this.db.read((em) => em.find(JournalEntry, { where: { seq: MoreThan(this.cursor) }, order: { seq: 'ASC' }, take: this.batch }));
    for (const row of rows) {
      const expected = this.cursor + 1;
      if (row.seq > expected) {
        if (!this.gapSince || this.gapSince.seq !== expected) this.gapSince = { seq: expected, at: now };
        if (this.db.kind === 'sqlite' || now - this.gapSince.at >= this.gapTimeoutMs) {
          for (let s = expected; s < row.seq; s++) this.skipped.set(s, now + this.lateWindowMs);
        } else {
          break;
        }
      }
      this.gapSince = null;
      this.cursor = row.seq;
      out.push(toJournalEvent(row));
    }
    return out;
  }
}
