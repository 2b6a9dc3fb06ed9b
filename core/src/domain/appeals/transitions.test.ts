import t from 'tap';
import { databaseMatrix, openCoreDb } from '../../test-support/databases.js';
import { Deadlines } from '../../kernel/deadlines.js';
import { DEFAULTS } from '../../config/config.js';
import { intake } from './intake.js';
import * as T from './transitions.js';
import { listAppeals, deadlineCounts } from './queries.js';
import { Notice, JournalEntry } from '../../persistence/entities/index.js';
import { saveSite, subtreeIds, listSites } from '../sites.js';
import { saveOrganisation } from '../registry.js';
import { saveUser } from '../users.js';
import { systemActor } from '../actor.js';

const deadlines = new Deadlines(DEFAULTS);
const sys = systemActor('test');

for (const m of await databaseMatrix()) {
  t.test(`appeal steps on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openCoreDb(tdb.url);
    t.teardown(() => db.close());
    const city = await saveSite(db, sys, { code: 'msk', name: 'Москва', kind: 'city' });
    const okrug = await saveSite(db, sys, { code: 'sao', name: 'САО', kind: 'okrug', parentId: city.id });
    const district = await saveSite(db, sys, { code: 'sao-a', name: 'Аэропорт', kind: 'district', parentId: okrug.id });
    const org = await saveOrganisation(db, sys, { code: 'rosreestr', name: 'Росреестр' });
    const op = await saveUser(db, sys, { login: 'op', fullName: 'Оператор', password: 'long-enough-password', roles: ['operator'] });
    const actor = { userId: op.id, login: 'op', roles: op.roles, siteId: city.id };
    let now = new Date('2026-03-04T07:00:00Z');
    const deps = { db, deadlines, now: () => now };
    const newAppeal = (n: number, siteCode = 'msk') => intake(deps, { channel: 'email', messageId: `<t${n}@x>`, applicant: { contacts: [{ kind: 'email', value: `a${n}@example.ru` }] }, body: 'текст', replyTo: { channel: 'email', address: `a${n}@example.ru` }, siteCode });

    t.test('extension: once, up to 30 days, with a notice; a second is refused', async (t) => {
      const a = await newAppeal(1);
      const extended = await T.extendAppeal(deps, actor, a.appealId, { days: 30, reason: 'нужен запрос в ведомство' });
      t.equal(extended.answerBy?.toISOString(), '2026-05-04T20:59:59.999Z', '3 April + 30 days = 3 May (Sunday, holiday period) -> 4 May');
      const notices = await db.read((em) => em.findBy(Notice, { appealId: a.appealId }));
      t.same(notices.map((n) => n.kind).sort(), ['extended', 'received']);
      await t.rejects(T.extendAppeal(deps, actor, a.appealId, { days: 5, reason: 'ещё' }), { code: 409, type: 'EXTENSION_LIMIT_REACHED' });
      const b = await newAppeal(2);
      await t.rejects(T.extendAppeal(deps, actor, b.appealId, { days: 31, reason: 'долго' }), { code: 422 });
    });

    t.test('redirection closes the appeal here, records the target and tells the applicant', async (t) => {
      const a = await newAppeal(3);
      now = new Date('2026-03-06T07:00:00Z');
      const r = await T.redirectAppeal(deps, actor, a.appealId, { organisationId: org.id, reason: 'регистрация прав' });
      t.equal(r.status, 'redirected');
      t.equal(r.redirectedToOrgId, org.id);
      const j = await db.read((em) => em.findOneBy(JournalEntry, { type: 'appeal.redirected', aggregateId: String(a.appealId) }));
      t.equal(j?.data.onTime, true, 'within 7 days of registration');
      const notice = await db.read((em) => em.findOneBy(Notice, { appealId: a.appealId, kind: 'redirected' }));
      t.equal(notice?.data?.organisation, 'Росреестр');
      await t.rejects(T.replyToAppeal(deps, actor, a.appealId, { body: 'x' }), { code: 409 }, 'a redirected appeal takes no reply');
    });

    t.test('overdue and near-due per site, with the sites below', async (t) => {
      now = new Date('2026-03-04T07:00:00Z');
      const a = await newAppeal(4, 'sao-a');
      const b = await newAppeal(5, 'msk');
      now = new Date('2026-04-02T07:00:00Z'); // 1 day before 3 April: near due
      const near = await listAppeals(db, { deadline: 'nearDue', now, nearDueFrom: deadlines.nearDueFrom(now) });
      t.ok(near.rows.some((r) => r.id === a.appealId) && near.rows.some((r) => r.id === b.appealId), 'both near due');
      now = new Date('2026-04-04T07:00:00Z');
      const saoOnly = await listAppeals(db, { deadline: 'overdue', now, nearDueFrom: deadlines.nearDueFrom(now), siteIds: subtreeIds(await listSites(db), okrug.id) });
      t.same(saoOnly.rows.map((r) => r.id), [a.appealId], 'the okrug sees its district\'s appeal only');
      t.equal(saoOnly.rows[0]?.due?.state, 'overdue');
      const counts = await deadlineCounts(db, now, deadlines.nearDueFrom(now));
      t.ok(counts.find((c) => c.siteId === district.id)!.overdue >= 1);
      await T.replyToAppeal(deps, actor, a.appealId, { body: 'ответ', final: true });
      const after = await listAppeals(db, { deadline: 'overdue', now, nearDueFrom: deadlines.nearDueFrom(now), siteIds: [district.id] });
      t.same(after.rows, [], 'an answered appeal is no longer overdue');
    });

    t.test('second line: 8 working hours from registration', async (t) => {
      now = new Date('2026-03-06T13:00:00Z'); // Friday 16:00 Moscow
      const a = await newAppeal(6);
      const d = await T.deferAppeal(deps, actor, a.appealId, 'нужна проверка');
      // 2 hours on Friday (16-18), Monday 9 March is a holiday, 6 hours on Tuesday: 15:00 Moscow.
      t.equal(d.secondLineBy?.toISOString(), '2026-03-10T12:00:00.000Z');
    });

    t.test('steps from the wrong status are refused with the reason', async (t) => {
      const a = await newAppeal(7);
      await T.closeAppeal(deps, actor, a.appealId, { outcome: 'consulted' });
      await t.rejects(T.suspendAppeal(deps, actor, a.appealId, 'x'), { code: 409, message: /it is closed/ });
      await t.rejects(T.closeAppeal(deps, actor, a.appealId, { outcome: 'nonsense' as never }), { code: 422 });
    });
  });
}
