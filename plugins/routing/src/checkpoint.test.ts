/**
 * The checkpoint store on SQLite and MariaDB: a checkpoint larger than one row is cut into parts and
 * read back whole; the compare-and-set keeps the checkpoint covering most of the journal (also
 * against writers racing); a checkpoint of another format, with a part missing or not JSON is not
 * used (with the reason) and the next save replaces it.
 */
import t from 'tap';
import { CHECKPOINT_FORMAT, CHECKPOINT_PART_CHARS, CheckpointStore, cut, type CheckpointContent } from './checkpoint.js';
import { RoutingCheckpoint } from './entities.js';
import { storeDatabases } from './test-support/databases.js';

const content = (marker: string, padding = 0): CheckpointContent => ({
  retention: { followUpMs: 30 * 86_400_000, staleMs: 366 * 86_400_000 },
  pending: [7],
  book: {
    entries: [[`appeal-${marker}`, { input: { id: `appeal-${marker}`, channel: 'email', queueId: '1', enqueuedAt: 1, appealId: '1', skills: { жкх: 2 } }, state: 'waiting' }]],
    byAppeal: [[1, `appeal-${marker}`]], byChat: [], answeredBy: [],
    appeals: { active: [[1, { at: 1, handler: 'Ёлкина 😀'.repeat(padding) }]], settled: [] },
    clock: 1, sweptAt: 0,
  },
});

t.test('cutting never splits a surrogate pair', async (t) => {
  const text = `a${'😀'.repeat(10)}b`;
  t.equal(cut(text, 1).join(''), text, 'size 1 (a pair has to be cut) still ends');
  for (const size of [2, 3, 4, 5]) {
    const parts = cut(text, size);
    t.equal(parts.join(''), text, `size ${size}: the parts join back`);
    t.ok(parts.every((p) => !/[\uD800-\uDBFF]$/.test(p)), `size ${size}: no part ends inside a pair`);
  }
  t.same(cut(''), [''], 'an empty text is one empty part');
});

for (const { name, skip, open } of await storeDatabases()) {
  t.test(`${name}: parts, compare-and-set and what is not used`, { skip }, async (t) => {
    const { db, dispose } = await open();
    t.teardown(dispose);
    const store = new CheckpointStore(db);
    t.same(await store.load(), { found: false }, 'nothing stored yet');

    // Larger than a row: parts.
    const big = content('big', 250_000);
    const text = JSON.stringify(big);
    t.ok(text.length > 2 * CHECKPOINT_PART_CHARS, `the content takes ${text.length} characters`);
    t.equal(await store.save(100, text, 'n1', 1000), true);
    const parts = await db.read((em) => em.count(RoutingCheckpoint));
    t.equal(parts, Math.ceil(text.length / CHECKPOINT_PART_CHARS), `stored in ${parts} parts`);
    t.same(await store.load(), { found: true, usable: true, checkpoint: { ...big, format: CHECKPOINT_FORMAT, position: 100, writtenAt: 1000, nodeId: 'n1' } }, 'read back whole (non-ASCII included)');

    // Compare-and-set on the position; fewer parts leave none behind.
    t.equal(await store.save(90, JSON.stringify(content('older')), 'n2', 2000), false, 'an older position does not replace it');
    t.equal(await store.save(100, JSON.stringify(content('same')), 'n2', 2000), false, 'nor does the same position');
    t.equal(await store.save(101, JSON.stringify(content('newer')), 'n2', 2000), true, 'a newer one does');
    t.equal(await db.read((em) => em.count(RoutingCheckpoint)), 1, 'the old parts are gone');
    t.match(await store.load(), { usable: true, checkpoint: { position: 101, nodeId: 'n2', book: { byAppeal: [[1, 'appeal-newer']] } } });

    // Writers racing: the one covering most wins, whatever the order.
    const writers = await Promise.all([102, 105, 103, 104].map((p) => new CheckpointStore(db).save(p, JSON.stringify(content(`race-${p}`)), `w${p}`, 3000)));
    t.ok(writers.some(Boolean), 'someone wrote');
    t.match(await store.load(), { usable: true, checkpoint: { position: 105, nodeId: 'w105' } }, 'the furthest one is kept');

    // Not usable: another format, a part missing, not JSON, not a checkpoint.
    const damage = async (set: Partial<RoutingCheckpoint>, where = 'part = 0') => db.transaction((em) => em.createQueryBuilder().update(RoutingCheckpoint).set(set).where(where).execute());
    await damage({ format: 99 });
    t.match(await store.load(), { found: true, usable: false, position: 105, reason: /format 99/ });
    t.equal(await store.save(50, JSON.stringify(content('replaces-format')), 'n3', 4000), true, 'a checkpoint of another format is replaced, even by a lower position');
    t.equal(await store.save(105, text, 'n1', 5000), true);
    await db.transaction((em) => em.createQueryBuilder().delete().from(RoutingCheckpoint).where('part = 1').execute());
    t.match(await new CheckpointStore(db).load(), { usable: false, reason: /parts/ }, 'a part missing');
    await damage({ data: '{"retention":' , parts: 1 });
    await db.transaction((em) => em.createQueryBuilder().delete().from(RoutingCheckpoint).where('part > 0').execute());
    const broken = new CheckpointStore(db);
    t.match(await broken.load(), { usable: false, position: 105, reason: /not JSON/ });
    t.equal(await new CheckpointStore(db).save(105, JSON.stringify(content('other')), 'n4', 6000), false, 'a store that has not read it does not replace it at the same position');
    t.equal(await broken.save(105, JSON.stringify(content('fixed')), 'n1', 6000), true, 'the store that found it unusable replaces it');
    t.match(await store.load(), { usable: true, checkpoint: { book: { byAppeal: [[1, 'appeal-fixed']] } } });
    await damage({ data: JSON.stringify({ ...content('x'), pending: ['seven'] }) });
    t.match(await store.load(), { usable: false, reason: /pending/ });
    await damage({ data: JSON.stringify({ book: {} }) });
    t.match(await store.load(), { usable: false, reason: /remembers appeals/ });
  });
}
