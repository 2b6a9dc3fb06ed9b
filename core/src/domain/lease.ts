/**
 * A lease row in the database: whoever holds an unexpired lease runs the singleton job. Taking it is a
 * conditional UPDATE (or an INSERT that loses to a unique key), so two nodes never both hold it.
 */
import type { Database } from '../persistence/database.js';
import { isUniqueViolation } from '../persistence/database.js';
import { Lease } from '../persistence/entities/index.js';
import { systemClock, type Clock } from './clock.js';

export interface LeaseOptions {
  name: string;
  holder: string;
  ttlMs: number;
  clock?: Clock;
  /**
   * While the lease is held, `hold()` answers from memory until this long after the last renewal
   * (default a third of the TTL): a job polling several times a second does not cost a database
   * transaction (on SQLite a sync to disk) per pass, and the lease never gets close to expiring.
   */
  renewAfterMs?: number;
}

export class LeaseKeeper {
  private readonly clock: Clock;
  /** When this holder last took or renewed the lease (epoch ms), or null when it does not hold it. */
  private renewedAt: number | null = null;

  constructor(private readonly db: Database, private readonly opts: LeaseOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Takes or renews the lease; true when this holder has it. */
  async hold(): Promise<boolean> {
    const now = this.clock();
    const renewAfter = this.opts.renewAfterMs ?? this.opts.ttlMs / 3;
    if (this.renewedAt !== null && now.getTime() - this.renewedAt < renewAfter && now.getTime() >= this.renewedAt) return true;
    this.renewedAt = null;
    const held = await this.take(now);
    if (held) this.renewedAt = now.getTime();
    return held;
  }

  private take(now: Date): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + this.opts.ttlMs);
    return this.db.transaction(async (em) => {
      const res = await em
        .createQueryBuilder()
        .update(Lease)
        .set({ holder: this.opts.holder, expiresAt })
        .where('name = :name AND (holder = :holder OR expiresAt < :now)', { name: this.opts.name, holder: this.opts.holder, now: now.getTime() })
        .execute();
      if (res.affected) return true;
      const existing = await em.findOne(Lease, { where: { name: this.opts.name } });
      if (existing) return false;
      try {
        await em.insert(Lease, { name: this.opts.name, holder: this.opts.holder, expiresAt });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    });
  }

  async release(): Promise<void> {
    this.renewedAt = null;
    await this.db.transaction((em) =>
      em.createQueryBuilder().update(Lease).set({ expiresAt: new Date(0) }).where('name = :name AND holder = :holder', { name: this.opts.name, holder: this.opts.holder }).execute(),
    );
  }
}
