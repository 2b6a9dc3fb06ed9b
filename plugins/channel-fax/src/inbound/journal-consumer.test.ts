/**
 * The journal consumer on real databases: position kept across restarts, rows that commit late
 * behind a gap (also after a restart), retries and setting aside, one reader at a time. On SQLite a
 * late commit is made by inserting a row under a sequence number left free; on MariaDB by a real
 * transaction that holds its number while a later one commits.
 */
import t from 'tap';
import { join } from 'node:path';
import type { Logger } from 'moleculer';
import { Database, JournalCursor, JournalEntry, appendJournal, coreEntities, coreMigrations } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, tempDir } from '@okno/testkit';
import { JournalConsumer, type JournalConsumerOptions } from './journal-consumer.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {} } as unknown as Logger;

const matrix = [
  {
    name: 'SQLite', skip: false as false | string,
    make: async () => {
      const d = tempDir('okno-fax-consumer-');
      return { url: `sqlite:${join(d.dir, 'c.sqlite')}`, dispose: async () => d.cleanup() };
    },
  },
  {
    name: 'MariaDB', skip: await needsMysql(),
    make: async () => {
      const s = await scratchMysqlDatabase('okno_fax');
      return { url: s.url, dispose: s.drop };
    },
  },
];

for (const m of matrix) {
  t.test(`journal consumer on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await new Database({ url: tdb.url, entities: coreEntities, migrations: coreMigrations }).open();
    t.teardown(() => db.close());
    await db.migrate();

    let now = Date.now();
    const clock = () => new Date(now);
    const add = async (type: string, n = 1) => {
      const seqs: number[] = [];
      await db.transaction(async (em) => {
        for (let i = 0; i < n; i++) seqs.push((await appendJournal(em, { type, aggregateType: 'test', aggregateId: i })).seq);
      });
      return seqs;
    };
    const hole = async () => {
      const [free] = await add('placeholder', 2);
      await db.transaction((em) => em.delete(JournalEntry, { seq: free! }));
      return free!;
    };
    const cursor = (name: string) => db.read(async (em) => Number((await em.findOneBy(JournalCursor, { name: `consumer:${name}` }))?.seq ?? -1));
    const consumer = (name: string, got: number[], over: Partial<JournalConsumerOptions> = {}) =>
      new JournalConsumer({ db, name, nodeId: 'node-a', accepts: (e) => e.type === 'fax.in', logger: quiet, clock, handle: async (e) => void got.push(e.seq), ...over });

    await t.test('hands over the rows of its types in order and continues from its position after a restart', async (t) => {
      const got: number[] = [];
      const [a] = await add('fax.in');
      await add('other.row', 2);
      const [b] = await add('fax.in');
      const c1 = consumer('restart', got);
      t.equal(await c1.tick(), 2);
      t.same(got, [a, b]);
      t.equal(await cursor('restart'), b, 'position saved');
      await c1.stop();
      const [c] = await add('fax.in');
      const c2 = consumer('restart', got);
      await c2.tick();
      t.same(got, [a, b, c], 'the new reader started after b');
      await c2.stop();
    });

    await t.test('a failing row is retried from before it, then set aside, and can be run again', async (t) => {
      const got: number[] = [];
      let failuresLeft = 3;
      const c = consumer('failing', got, {
        maxAttempts: 3, retryMs: 1000,
        handle: async (e) => {
          if (e.data.bad && failuresLeft-- > 0) throw new Error('the database said no');
          got.push(e.seq);
        },
      });
      await c.tick();
      got.length = 0;
      const bad = await db.transaction(async (em) => (await appendJournal(em, { type: 'fax.in', aggregateType: 'test', aggregateId: 'bad', data: { bad: true } })).seq);
      const [good] = await add('fax.in');
      await c.tick();
      t.same(got, [], 'nothing after the failing row yet');
      t.equal(c.status().failing?.attempts, 1);
      t.equal(await c.tick(), 0, 'waits for its backoff');
      now += 1000;
      await c.tick();
      t.equal(c.status().failing?.attempts, 2);
      now += 2000;
      await c.tick();
      t.same(got, [good], 'set aside after 3 attempts; the rows after it go on');
      t.same(c.status().setAside.map((s) => [s.seq, s.attempts, s.error]), [[bad, 3, 'the database said no']]);
      t.equal(await cursor('failing'), good);
      await c.retry(bad);
      t.same(got, [good, bad], 'run again by hand once the cause is fixed');
      t.same(c.status().setAside, []);
      await c.stop();
    });

    await t.test('one reader at a time', async (t) => {
      const a: number[] = [];
      const b: number[] = [];
      const ca = consumer('pair', a);
      const cb = new JournalConsumer({ db, name: 'pair', nodeId: 'node-b', accepts: (e) => e.type === 'fax.in', logger: quiet, clock, handle: async (e) => void b.push(e.seq) });
      await ca.tick();
      await cb.tick();
      const [x] = await add('fax.in');
      await ca.tick();
      t.equal(await cb.tick(), 0, 'the other node waits');
      t.equal(cb.status().leader, false);
      t.ok(a.includes(x!));
      await ca.stop(); // releases the lease
      const [y] = await add('fax.in');
      await cb.tick();
      t.same(b.filter((s) => s >= x!), [y], 'the other node takes over from the saved position');
      await cb.stop();
    });
    await t.test('a row committed late behind a gap is handed over, by the same reader or by one started later', async (t) => {
      const got: number[] = [];
      const late = async (): Promise<{ commit: () => Promise<number>; seq: Promise<number> }> => {
        if (m.name === 'MariaDB') {
          // A real transaction takes its number and commits after a later one.
          const qr = db.dataSource.createQueryRunner();
          await qr.connect();
          await qr.startTransaction();
          const row = await qr.manager.save(JournalEntry, qr.manager.create(JournalEntry, { at: new Date(), type: 'fax.in', aggregateType: 'test', aggregateId: 'late', siteId: null, actorId: null, data: {} }));
          return { seq: Promise.resolve(Number(row.seq)), commit: async () => (await qr.commitTransaction(), await qr.release(), Number(row.seq)) };
        }
        // SQLite has one writer: leave a number free (not the highest, which SQLite would hand out
        // again) and fill it afterwards, as a late commit would.
        const free = await hole();
        return { seq: Promise.resolve(free), commit: () => db.transaction(async (em) => (await em.insert(JournalEntry, { seq: free, at: new Date(), type: 'fax.in', aggregateType: 'test', aggregateId: 'late', siteId: null, actorId: null, data: {} }), free)) };
      };

      const c1 = consumer('gaps', got, { gapTimeoutMs: 100, lateWindowMs: 60_000 });
      await c1.tick(); // start at the end of the journal so far
      got.length = 0;
      const first = await late();
      const [after] = await add('fax.in');
      await c1.tick(); // MariaDB: the gap is seen
      now += 200; // and its timeout passes
      await c1.tick();
      t.same(got, [after], 'the row after the gap is not held up for ever');
      const gap = await first.seq;
      t.equal(await cursor('gaps'), gap - 1, 'the saved position stays before the watched gap');
      await first.commit();
      await c1.tick();
      t.same(got, [after, gap], 'the late row is handed over when it commits');
      t.equal(await cursor('gaps'), after, 'and then the position moves on');
      await c1.stop();

      // The same again, but the reader restarts before the late commit.
      got.length = 0;
      const second = await late();
      const [after2] = await add('fax.in');
      const c2 = consumer('gaps', got, { gapTimeoutMs: 100 });
      await c2.tick();
      now += 200;
      await c2.tick();
      await c2.stop();
      const gap2 = await second.seq;
      await second.commit();
      const c3 = consumer('gaps', got, { gapTimeoutMs: 100 });
      await c3.tick();
      t.ok(got.includes(gap2), 'a reader started after the gap was seen still gets the late row');
      t.same(got.filter((s) => s === after2).length, 2, 'the row after it comes again (handlers are idempotent)');

      // A gap nobody fills is given up after the late window, and the position moves past it.
      if (m.name === 'SQLite') await hole();
      else {
        const qr = db.dataSource.createQueryRunner();
        await qr.connect();
        await qr.startTransaction();
        await qr.manager.save(JournalEntry, qr.manager.create(JournalEntry, { at: new Date(), type: 'fax.in', aggregateType: 'test', aggregateId: 'doomed', siteId: null, actorId: null, data: {} }));
        await qr.rollbackTransaction();
        await qr.release();
      }
      const [last] = await add('fax.in');
      await c3.tick();
      now += 200;
      await c3.tick();
      now += 120_000;
      await c3.tick();
      t.equal(await cursor('gaps'), last, 'past the abandoned gap once it is no longer watched');
      await c3.stop();
    });
  });
}
