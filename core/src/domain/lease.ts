/**
 * A lease row in the database: whoever holds an unexpired lease runs the singleton job. Taking it is a
 * conditional UPDATE (or an INSERT that loses to a unique key), so two nodes never both hold it.
 */
import type { Database } from '../persistence/database.js';
import { isUniqueViolation } from '../persistence/database.js';
import { Lease } from '../persistence/entities/index.js';
import { systemClock, type Clock } from './clock.js';

export class LeaseKeeper {
  private readonly clock: Clock;
  constructor(private readonly db: Database, private readonly opts: { name: string; holder: string; ttlMs: number; clock?: Clock }) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Takes or renews the lease; true when this holder has it. */
  async hold(): Promise<boolean> {
    const now = this.clock();
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
    await this.db.transaction((em) =>
      em.createQueryBuilder().update(Lease).set({ expiresAt: new Date(0) }).where('name = :name AND holder = :holder', { name: this.opts.name, holder: this.opts.holder }).execute(),
    );
  }
}
