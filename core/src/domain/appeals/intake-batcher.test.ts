import t from 'tap';
import { sqliteTestDb, openCoreDb } from '../../test-support/databases.js';
import { Deadlines } from '../../kernel/deadlines.js';
import { DEFAULTS } from '../../config/config.js';
import { IntakeBatcher } from './intake-batcher.js';
import { intake, type IntakeInput } from './intake.js';
import { Appeal, JournalEntry } from '../../persistence/entities/index.js';
import { saveSite } from '../sites.js';
import { systemActor } from '../actor.js';

const tdb = await sqliteTestDb();
t.teardown(tdb.dispose);
const db = await openCoreDb(tdb.url);
t.teardown(() => db.close());
await saveSite(db, systemActor('test'), { code: 'msk', name: 'Москва', kind: 'city' });
const base = { db, deadlines: new Deadlines(DEFAULTS) };
const batcher = new IntakeBatcher(base);
const deps = { ...base, batcher };
const msg = (id: string, extra: Partial<IntakeInput> = {}): IntakeInput => ({ channel: 'email', messageId: id, applicant: { contacts: [{ kind: 'email', value: `${id}@example.ru` }] }, body: 'x', ...extra });

t.test('concurrent intakes are committed in groups; a failing one does not spoil the rest', async (t) => {
  const inputs = Array.from({ length: 40 }, (_, i) => msg(`g${i}`, i === 7 ? { serviceId: 999_999 } : {}));
  const settled = await Promise.allSettled(inputs.map((i) => intake(deps, i)));
  t.equal(settled.filter((s) => s.status === 'fulfilled').length, 39);
  const failed = settled[7] as PromiseRejectedResult;
  t.equal(failed.status, 'rejected');
  t.match(failed.reason.message, /serviceId/);
  t.equal(await db.read((em) => em.count(Appeal)), 39, 'the failed intake left nothing behind');
  const orphanJournal = await db.read((em) => em.countBy(JournalEntry, { type: 'appeal.registered' }));
  t.equal(orphanJournal, 39, 'nor a journal row');
  t.ok(batcher.stats.largest > 1, `intakes shared a commit (largest group ${batcher.stats.largest})`);
});

t.test('the same message twice in one group is one appeal', async (t) => {
  const [a, b] = await Promise.all([intake(deps, msg('dup')), intake(deps, msg('dup'))]);
  t.equal(a.appealId, b.appealId);
  t.same([a.created, b.created].sort(), [false, true]);
});

t.test('when the commit fails every intake of the group fails (nothing is acknowledged)', async (t) => {
  const db2 = await openCoreDb((await sqliteTestDb()).url);
  const b2 = new IntakeBatcher({ db: db2, deadlines: base.deadlines });
  await saveSite(db2, systemActor('test'), { code: 'msk', name: 'Москва', kind: 'city' });
  await db2.close();
  const settled = await Promise.allSettled([intake({ ...base, db: db2, batcher: b2 }, msg('x1')), intake({ ...base, db: db2, batcher: b2 }, msg('x2'))]);
  t.same(settled.map((s) => s.status), ['rejected', 'rejected']);
});
