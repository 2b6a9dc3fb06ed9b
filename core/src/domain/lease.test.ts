import t from 'tap';
import { databaseMatrix, openCoreDb } from '../test-support/databases.js';
import { LeaseKeeper } from './lease.js';
import { Lease } from '../persistence/entities/index.js';

for (const m of await databaseMatrix()) {
  t.test(`leases on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openCoreDb(tdb.url);
    t.teardown(() => db.close());
    let now = Date.parse('2026-11-28T10:00:00Z');
    const clock = () => new Date(now);
    const expiresAt = async (name: string) => (await db.read((em) => em.findOne(Lease, { where: { name } })))?.expiresAt.getTime();

    t.test('one holder at a time; the other takes over only after expiry or release', async (t) => {
      const a = new LeaseKeeper(db, { name: 'job', holder: 'a', ttlMs: 9000, clock });
      const b = new LeaseKeeper(db, { name: 'job', holder: 'b', ttlMs: 9000, clock });
      t.equal(await a.hold(), true);
      t.equal(await b.hold(), false, 'b waits while a holds it');
      now += 8999;
      t.equal(await b.hold(), false, 'a renewed it (its cached answer ran out after a third of the TTL)');
      now += 9000;
      t.equal(await b.hold(), true, 'a stopped renewing: b takes over after the expiry');
      t.equal(await a.hold(), false, 'a learns it lost the lease');
      await b.release();
      t.equal(await a.hold(), true, 'a released lease is free at once');
    });

    t.test('renewals are written at most once per renewAfterMs, and always before the lease could expire', async (t) => {
      const k = new LeaseKeeper(db, { name: 'busy', holder: 'a', ttlMs: 9000, clock });
      t.equal(await k.hold(), true);
      const first = await expiresAt('busy');
      now += 1000;
      t.equal(await k.hold(), true);
      t.equal(await expiresAt('busy'), first, 'a hold within a third of the TTL is answered from memory');
      now += 2500;
      t.equal(await k.hold(), true);
      t.equal(await expiresAt('busy'), now + 9000, 'after a third of the TTL the lease is renewed in the database');
      now -= 60_000;
      t.equal(await k.hold(), true);
      t.equal(await expiresAt('busy'), now + 9000, 'a clock that went backwards renews rather than trusting memory');
    });
  });
}
