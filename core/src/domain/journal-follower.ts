/**
 * Follows the journal in sequence order, tolerating the gaps MySQL leaves: an auto-increment value
 * taken by a transaction that has not committed yet (or that rolled back). A gap holds delivery
 * until it fills or `gapTimeoutMs` passes; a skipped number is still watched for `lateWindowMs` and
 * delivered late if its transaction commits after all. Consumers de-duplicate by `seq`.
 */
import type { Database } from '../persistence/database.js';
import { sqlFor, num } from '../persistence/sql.js';
import type { JournalEvent } from './journal.js';
import { systemClock, type Clock } from './clock.js';

export interface FollowerOptions {
  afterSeq: number;
  batch?: number;
  gapTimeoutMs?: number;
  lateWindowMs?: number;
  clock?: Clock;
  types?: string[];
}

interface RawEntry {
  seq: unknown;
  at: unknown;
  type: string;
  aggregateType: string;
  aggregateId: string;
  siteId: unknown;
  actorId: unknown;
  data: string;
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
  private select: string | undefined;

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

  /** Journal entries whose seq matches `condition`, straight from the rows (no entity mapping). */
  private read(condition: string, params: unknown[]): Promise<JournalEvent[]> {
    const q = (n: string) => this.db.q(n);
    this.select ??= `SELECT ${['seq', 'at', 'type', 'aggregateType', 'aggregateId', 'siteId', 'actorId', 'data'].map(q).join(', ')} FROM ${q('journal')} WHERE ${q('seq')} `;
    return this.db.read(async (em) => (await sqlFor(em).rows<RawEntry>(this.select + condition, params)).map((r) => ({
      seq: num(r.seq)!, at: new Date(num(r.at)!).toISOString(), type: r.type, aggregateType: r.aggregateType, aggregateId: r.aggregateId,
      siteId: num(r.siteId), actorId: num(r.actorId), data: JSON.parse(r.data) as Record<string, unknown>,
    })));
  }

  /** The next events, in order, as far as no unexplained gap stops them. */
  async next(): Promise<JournalEvent[]> {
    const now = this.clock().getTime();
    const out: JournalEvent[] = [];
    if (this.skipped.size) {
      const late = await this.read(`IN (${[...this.skipped.keys()].map(() => '?').join(', ')}) ORDER BY ${this.db.q('seq')}`, [...this.skipped.keys()]);
      for (const e of late) {
        this.skipped.delete(e.seq);
        out.push(e);
      }
      for (const [seq, until] of this.skipped) if (until < now) this.skipped.delete(seq);
    }
    const rows = await this.read(`> ? ORDER BY ${this.db.q('seq')} LIMIT ?`, [this.cursor, this.batch]);
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
      out.push(row);
    }
    return out;
  }
}
