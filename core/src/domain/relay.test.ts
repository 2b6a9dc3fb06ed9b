import t from 'tap';
import { databaseMatrix, openCoreDb } from '../test-support/databases.js';
import { appendJournal, type JournalEvent } from './journal.js';
import { JournalRelay } from './relay.js';
import { JournalFollower } from './journal-follower.js';
import { JournalEntry } from '../persistence/entities/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const m of await databaseMatrix()) {
  t.test(`journal relay on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openCoreDb(tdb.url);
    t.teardown(() => db.close());
    const add = (n: number) => db.transaction(async (em) => { for (let i = 0; i < n; i++) await appendJournal(em, { type: 'test.event', aggregateType: 'test', aggregateId: i }); });

    t.test('publishes every entry once, in order, and continues after a restart', async (t) => {
      await add(5);
      const got: number[] = [];
      const relay = new JournalRelay(db, { nodeId: 'a', publish: (e) => void got.push(e.seq), pollMs: 20 });
      relay.start();
      for (let i = 0; i < 100 && got.length < 5; i++) await sleep(20);
      await relay.stop();
      t.same(got, [1, 2, 3, 4, 5]);
      await add(3);
      const again = new JournalRelay(db, { nodeId: 'a', publish: (e) => void got.push(e.seq), pollMs: 20 });
      again.start();
      for (let i = 0; i < 100 && got.length < 8; i++) await sleep(20);
      await again.stop();
      t.same(got, [1, 2, 3, 4, 5, 6, 7, 8], 'the restarted relay resumes from its saved position');
    });

    t.test('only one of two nodes relays at a time', async (t) => {
      const a: number[] = [];
      const b: number[] = [];
      const ra = new JournalRelay(db, { nodeId: 'node-a', publish: (e) => void a.push(e.seq), pollMs: 10, cursorName: 'pair' });
      const rb = new JournalRelay(db, { nodeId: 'node-b', publish: (e) => void b.push(e.seq), pollMs: 10, cursorName: 'pair' });
      ra.start();
      rb.start();
      await add(10);
      for (let i = 0; i < 200 && a.length + b.length < 18; i++) await sleep(10);
      await sleep(100);
      await ra.stop();
      await rb.stop();
      const all = [...a, ...b].sort((x, y) => x - y);
      t.equal(new Set(all).size, all.length, 'no entry published twice');
      t.ok(a.length === 0 || b.length === 0, 'one holder of the lease');
    });

    t.test('a follower waits for a gap left by an uncommitted transaction, then delivers in order', { skip: m.name === 'sqlite' ? 'SQLite has one writer: no gaps can be open' : false }, async (t) => {
      const base = await db.read(async (em) => Number((await em.getRepository(JournalEntry).createQueryBuilder('j').select('MAX(j.seq)', 'm').getRawOne())?.m ?? 0));
      const follower = new JournalFollower(db, { afterSeq: base, gapTimeoutMs: 60_000 });
      const qr = db.dataSource.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      // The held transaction takes the next number but does not commit yet.
      await qr.manager.save(JournalEntry, qr.manager.create(JournalEntry, { at: new Date(), type: 'slow', aggregateType: 'test', aggregateId: 'slow', siteId: null, actorId: null, data: {} }));
      await add(1);
      const first: JournalEvent[] = await follower.next();
      t.same(first, [], 'nothing is delivered past the open gap');
      await qr.commitTransaction();
      await qr.release();
      const second = await follower.next();
      t.same(second.map((e) => e.type), ['slow', 'test.event'], 'both, in sequence order, once the gap filled');
    });

    t.test('a gap from a rolled-back transaction is skipped after the timeout', { skip: m.name === 'sqlite' ? 'SQLite reuses the number of a rolled-back insert' : false }, async (t) => {
      const base = await db.read(async (em) => Number((await em.getRepository(JournalEntry).createQueryBuilder('j').select('MAX(j.seq)', 'm').getRawOne())?.m ?? 0));
      let now = Date.now();
      const follower = new JournalFollower(db, { afterSeq: base, gapTimeoutMs: 1000, clock: () => new Date(now) });
      const qr = db.dataSource.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      await qr.manager.save(JournalEntry, qr.manager.create(JournalEntry, { at: new Date(), type: 'doomed', aggregateType: 'test', aggregateId: 'x', siteId: null, actorId: null, data: {} }));
      await qr.rollbackTransaction();
      await qr.release();
      await add(1);
      t.same(await follower.next(), [], 'held at first');
      now += 1500;
      t.same((await follower.next()).map((e) => e.type), ['test.event'], 'skipped after the gap timeout');
    });
  });
}
