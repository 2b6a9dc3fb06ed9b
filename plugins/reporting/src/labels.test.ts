/** Names for ids, and the live view's cache of them: kept between pushes, read again when stale or when an id is new. */
import t from 'tap';
import { Site } from '@okno/core';
import { LabelCache } from './labels.js';
import { databaseMatrix, openReportingDb } from './test-support/databases.js';

const [sqlite] = await databaseMatrix();

t.test('the cache reads the registry once, again when an id is new, and again when stale', async (t) => {
  const made = await sqlite!.make();
  const db = await openReportingDb(made.url);
  t.teardown(async () => {
    await db.close();
    await made.dispose();
  });
  const site = (code: string, name: string) => db.transaction((em) => em.save(Site, { code, name, kind: 'city', parentId: null, active: true }));
  const a = await site('msk', 'Москва');
  let clock = 0;
  const cache = new LabelCache(db, 60_000, () => clock);
  const first = await cache.for([{ dim: 'site', key: String(a.id) }, { dim: 'queue', key: 'city' }]);
  t.equal(first.of('site', String(a.id)), 'Москва');
  t.equal(first.of('queue', 'city'), 'city', 'queues are named by their keys');
  await cache.for([{ dim: 'site', key: String(a.id) }]);
  t.equal(cache.loads, 1, 'known ids within the age: no second read');
  const b = await site('zel', 'Зеленоград');
  const second = await cache.for([{ dim: 'site', key: String(b.id) }]);
  t.equal(second.of('site', String(b.id)), 'Зеленоград', 'a new id is named at once');
  t.equal(cache.loads, 2);
  await db.transaction((em) => em.update(Site, { id: a.id }, { name: 'Город Москва' }));
  clock = 59_999;
  t.equal((await cache.for([])).of('site', String(a.id)), 'Москва', 'a rename shows once the labels are stale…');
  clock = 60_000 + 59_999;
  t.equal((await cache.for([])).of('site', String(a.id)), 'Город Москва', '…and then it does');
  t.equal(cache.loads, 3);
  await cache.for([{ dim: 'site', key: '999' }]);
  t.equal(cache.loads, 4, 'an id never seen: read once more…');
  await cache.for([{ dim: 'site', key: '999' }, { dim: 'site', key: String(b.id) }]);
  t.equal(cache.loads, 4, '…and not again while the labels are fresh (a deleted site still in the counters)');
  clock += 60_000;
  await Promise.all([cache.for([]), cache.for([]), cache.for([])]);
  t.equal(cache.loads, 5, 'callers at the same time share one read');
});
