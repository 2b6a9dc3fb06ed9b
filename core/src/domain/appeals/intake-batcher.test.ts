import t from 'tap';
import { databaseMatrix, sqliteTestDb, openCoreDb } from '../../test-support/databases.js';
import { Deadlines } from '../../kernel/deadlines.js';
import { DEFAULTS } from '../../config/config.js';
import { IntakeBatcher } from './intake-batcher.js';
import { intake, type IntakeInput, type IntakeResult } from './intake.js';
import { parseRegNumber } from './regnumber.js';
import { Appeal, Applicant, ContactPoint, Interaction, JournalEntry, Notice } from '../../persistence/entities/index.js';
import { saveSite } from '../sites.js';
import { systemActor } from '../actor.js';

const deadlines = new Deadlines(DEFAULTS);
const msg = (id: string, extra: Partial<IntakeInput> = {}): IntakeInput => ({
  channel: 'email', messageId: id, applicant: { contacts: [{ kind: 'email', value: `${id}@example.ru` }] }, body: 'x', replyTo: { channel: 'email', address: `${id}@example.ru` }, ...extra,
});

for (const m of await databaseMatrix()) {
  t.test(`intake group commit on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openCoreDb(tdb.url);
    t.teardown(() => db.close());
    await saveSite(db, systemActor('test'), { code: 'msk', name: 'Москва', kind: 'city' });
    const base = { db, deadlines };
    const batcher = new IntakeBatcher(base, { parallel: 2 });
    const deps = { ...base, batcher };
    const grouped = <T>(work: () => Promise<T>, b = batcher) => work().then((r) => (t.ok(b.stats.largest > 1, `intakes shared a commit (largest group ${b.stats.largest})`), r));

    t.test('concurrent intakes are committed in groups; a refused one does not spoil the rest', async (t) => {
      const inputs = Array.from({ length: 40 }, (_, i) => msg(`g${i}`, i === 7 ? { serviceId: 999_999 } : {}));
      const settled = await grouped(() => Promise.allSettled(inputs.map((i) => intake(deps, i))));
      t.equal(settled.filter((s) => s.status === 'fulfilled').length, 39);
      const failed = settled[7] as PromiseRejectedResult;
      t.match(failed.reason.message, /serviceId/);
      t.equal(await db.read((em) => em.countBy(Interaction, { externalId: 'g7' })), 0, 'the refused intake left nothing behind');
      // Every row of every intake belongs to it: ids handed out per group are matched right.
      for (const [i, s] of settled.entries()) {
        if (s.status !== 'fulfilled') continue;
        const r: IntakeResult = s.value;
        const [appeal, inter, notices, journal] = await db.read((em) => Promise.all([
          em.findOneByOrFail(Appeal, { id: r.appealId }), em.findOneByOrFail(Interaction, { id: r.interactionId }), em.findBy(Notice, { appealId: r.appealId }),
          em.find(JournalEntry, { where: { aggregateType: 'appeal', aggregateId: String(r.appealId) }, order: { seq: 'ASC' } }),
        ]));
        t.equal(parseRegNumber(appeal.regNumber!)?.id, r.appealId, `g${i}: the number is the appeal's own`);
        t.same([inter.appealId, inter.externalId], [r.appealId, `g${i}`], `g${i}: its interaction`);
        t.same(notices.map((n) => n.address), [`g${i}@example.ru`], `g${i}: its notice`);
        t.same(journal.map((j) => j.type), ['appeal.registered', 'notice.recorded'], `g${i}: its journal entries`);
        t.same([journal[0]!.data.interactionId, journal[1]!.data.noticeId], [r.interactionId, notices[0]!.id]);
        const applicant = await db.read((em) => em.findOneByOrFail(ContactPoint, { applicantId: appeal.applicantId }));
        t.equal(applicant.normalized, `g${i}@example.ru`, `g${i}: its applicant`);
      }
    });

    t.test('within a group, intakes see the ones before them', async (t) => {
      const single = new IntakeBatcher(base);
      const d = { ...base, batcher: single };
      const one = { applicant: { contacts: [{ kind: 'email' as const, value: 'same.person@example.ru' }] } };
      const results = await grouped(() => Promise.all([
        intake(d, msg('<w1@x>', one)),
        intake(d, msg('<w1@x>', one)),
        intake(d, msg('<w2@x>', { applicant: { fullName: 'Та же', contacts: [{ kind: 'phone', value: '+7 900 000-00-01' }, { kind: 'email', value: 'same.person@example.ru' }] } })),
        intake(d, msg('<w3@x>', { ...one, threadKeys: ['<w1@x>'] })),
        intake(d, msg('<w4@x>', { applicant: { contacts: [{ kind: 'phone', value: '89000000001' }] } })),
      ]), single);
      t.equal(single.stats.largest, 5, 'all five in one group');
      const [first, again, second, reply, byPhone] = results;
      t.same([again!.appealId, again!.created, again!.interactionId], [first!.appealId, false, first!.interactionId], 'the same message twice is one appeal');
      t.same([reply!.appealId, reply!.followUp], [first!.appealId, true], 'a reply to a message of the group continues its appeal');
      const appeals = await db.read((em) => em.findBy(Appeal, [first!, second!, byPhone!].map((r) => ({ id: r.appealId }))));
      t.equal(new Set(appeals.map((a) => a.applicantId)).size, 1, 'one applicant, found by the address an earlier intake of the group added');
      const contacts = await db.read((em) => em.find(ContactPoint, { where: { applicantId: appeals[0]!.applicantId }, order: { id: 'ASC' } }));
      t.same(contacts.map((c) => c.normalized), ['same.person@example.ru', '79000000001']);
      t.equal((await db.read((em) => em.findOneByOrFail(Applicant, { id: appeals[0]!.applicantId }))).fullName, 'Та же', 'the name given later is filled in');
      const journal = await db.read((em) => em.find(JournalEntry, { where: { aggregateId: String(first!.appealId) }, order: { seq: 'ASC' } }));
      t.same(journal.map((j) => j.type), ['appeal.registered', 'notice.recorded', 'appeal.message_received']);
    });

    t.test('within a group, messages match as the database compares them', async (t) => {
      const mysql = m.name === 'mysql';
      const single = new IntakeBatcher(base);
      const d = { ...base, batcher: single };
      const from = { applicant: { contacts: [{ kind: 'email' as const, value: 'threads@example.ru' }] } };
      const [first, reply] = await Promise.all([intake(d, msg('<Thread@X>', from)), intake(d, msg('<reply@x>', { ...from, threadKeys: ['<THREAD@X>'] }))]);
      t.same([single.stats.largest, single.stats.splits], [2, 0], 'one group');
      t.equal(reply.followUp, mysql, mysql ? 'MySQL ignores case: the reply continues the appeal (decided after the group)' : 'SQLite: no such message');
      if (mysql) t.equal(reply.appealId, first.appealId);
      const [one, twin] = await Promise.all([intake(d, msg('<Twin@X>', from)), intake(d, msg('<twin@x>', from))]);
      t.equal(twin.appealId === one.appealId, mysql, mysql ? 'MySQL: the same message (the group is run again one by one)' : 'SQLite: another message');
      t.equal(single.stats.splits, mysql ? 1 : 0);
    });

    t.test('a mix of new applicants, follow-ups and repeats in parallel groups ends as one by one', async (t) => {
      // The same story twice, under two prefixes: once one intake at a time, once all at once through
      // a batcher with two groups in flight. Each half of the story (a group each) leans only on
      // itself and on what is on record, so both runs must end the same way.
      const on = (p: string, id: string) => `<${p}-${id}@x>`;
      const from = (p: string, who: string, extra: object = {}) => ({ applicant: { contacts: [{ kind: 'email' as const, value: `${p}.${who}@example.ru` }], ...extra } });
      const story = async (p: string, run: (inputs: IntakeInput[]) => Promise<PromiseSettledResult<IntakeResult>[]>) => {
        // On record before: an applicant without a name, with one appeal.
        const before = await intake(base, msg(on(p, 'old'), { messageId: on(p, 'old'), ...from(p, 'z') }));
        const inputs: IntakeInput[] = [
          msg(on(p, 'a1'), { messageId: on(p, 'a1'), ...from(p, 'x') }), // new applicant
          msg(on(p, 'a1'), { messageId: on(p, 'a1'), ...from(p, 'x') }), // the same message again
          msg(on(p, 'a2'), { messageId: on(p, 'a2'), ...from(p, 'x'), threadKeys: [on(p, 'a1')] }), // a reply within the group
          msg(on(p, 'a3'), { messageId: on(p, 'a3'), applicant: { fullName: 'Игрек', contacts: [{ kind: 'email', value: `${p}.y@example.ru` }, { kind: 'phone', value: `+7 900 ${p === 'seq' ? 1 : 2}00-00-00` }] } }),
          msg(on(p, 'a4'), { messageId: on(p, 'a4'), applicant: { contacts: [{ kind: 'phone', value: `8900${p === 'seq' ? 1 : 2}000000` }] } }), // Y again, by phone
          msg(on(p, 'b1'), { messageId: on(p, 'b1'), ...from(p, 'z', { fullName: 'Зет' }) }), // the known applicant, now named
          msg(on(p, 'b2'), { messageId: on(p, 'b2'), ...from(p, 'z'), threadKeys: [on(p, 'old')] }), // a reply to the message on record
          msg(on(p, 'old'), { messageId: on(p, 'old'), ...from(p, 'z') }), // the message on record again
          msg(on(p, 'b3'), { messageId: on(p, 'b3'), ...from(p, 'z'), subject: `Re: ${before.regNumber}`, regNumberHint: `Re: ${before.regNumber}` }), // quotes its number
          msg(on(p, 'b4'), { messageId: on(p, 'b4'), ...from(p, 'w'), serviceId: 999_999 }), // refused
        ];
        const settled = await run(inputs);
        // Each outcome by position: which message's appeal, which message's applicant (first seen), how.
        const appeals = await db.read((em) => em.findBy(Appeal, settled.flatMap((s) => (s.status === 'fulfilled' ? [{ id: s.value.appealId }] : []))));
        const applicantOf = new Map(appeals.map((a) => [a.id, a.applicantId]));
        const ids = [before.appealId, ...settled.map((s) => (s.status === 'fulfilled' ? s.value.appealId : -1))];
        const people = ids.map((id) => (id === before.appealId ? applicantOf.get(id) ?? -2 : applicantOf.get(id) ?? -1));
        const applicants = await db.read((em) => em.findBy(Applicant, [...new Set(people)].filter((x) => x > 0).map((id) => ({ id }))));
        return settled.map((s, i) => (s.status === 'rejected'
          ? { refused: String((s.reason as Error).message) }
          : {
            appeal: ids.indexOf(s.value.appealId), applicant: people.indexOf(applicantOf.get(s.value.appealId) ?? people[0]!), created: s.value.created, followUp: s.value.followUp,
            name: applicants.find((a) => a.id === applicantOf.get(s.value.appealId))?.fullName ?? (people.indexOf(applicantOf.get(s.value.appealId)!) === 0 ? null : 'unknown'),
            numbered: parseRegNumber(s.value.regNumber ?? '')?.id === s.value.appealId, position: i,
          }));
      };
      const oneByOne = await story('seq', async (inputs) => {
        const out: PromiseSettledResult<IntakeResult>[] = [];
        for (const i of inputs) out.push(await intake(base, i).then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason })));
        return out;
      });
      const two = new IntakeBatcher(base, { parallel: 2 });
      const together = await story('grp', (inputs) => Promise.all(inputs.map((i) => intake({ ...base, batcher: two }, i).then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason })))));
      t.same([two.stats.groups, two.stats.largest], [2, 5], 'two groups of five, in flight together');
      t.same(together, oneByOne, 'the same appeals, applicants, names, follow-ups and repeats');
      // The story did what it says.
      t.same(oneByOne.map((o) => ('refused' in o ? 'refused' : o.created ? 'new' : o.followUp ? `follows ${o.appeal}` : `again ${o.appeal}`)),
        ['new', 'again 1', 'follows 1', 'new', 'new', 'new', 'follows 0', 'again 0', 'follows 0', 'refused']);
      t.same(oneByOne.slice(0, 9).map((o) => ('applicant' in o ? o.applicant : null)), [1, 1, 1, 4, 4, 0, 0, 0, 0], 'x; y by address then by phone; z on record');
    });

    t.test('long messages are written in groups that fit one statement', async (t) => {
      const small = new IntakeBatcher(base, { maxGroupChars: 100 });
      const d = { ...base, batcher: small };
      const results = await Promise.all([60, 60, 10, 20, 150].map((n, i) => intake(d, msg(`long${i}`, { body: 'ж'.repeat(n) }))));
      t.equal(new Set(results.map((r) => r.appealId)).size, 5);
      t.same([small.stats.groups, small.stats.largest], [3, 3], 'groups of 60, then 60 + 10 + 20, then 150 alone');
    });

    t.test('a message on record sent again twice in one group is answered from the record, twice', async (t) => {
      const single = new IntakeBatcher(base);
      const d = { ...base, batcher: single };
      const again = () => msg('again-1', { messageId: '<again@x>' });
      const first = await intake(d, again());
      const [a, b] = await Promise.all([intake(d, again()), intake(d, again())]);
      t.same([a.appealId, b.appealId, a.created, b.created], [first.appealId, first.appealId, false, false]);
      t.same([single.stats.largest, single.stats.splits], [2, 0], 'in one group, without running it again one by one');
    });

    t.test('without consecutive ids intakes run side by side, each on its own', async (t) => {
      const plain = Object.assign(Object.create(db) as typeof db, { consecutiveIdStep: async () => null });
      const alone = new IntakeBatcher({ ...base, db: plain });
      const d = { ...base, db: plain, batcher: alone };
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => intake(d, msg(`alone${i}`))));
      t.equal(new Set(results.map((r) => r.appealId)).size, 6);
      t.ok(results.every((r) => r.created));
      t.same([alone.stats.groups, alone.stats.largest], [0, 0], 'no groups');
      const more = await intake(d, msg('alone-later'));
      t.equal(more.created, true, 'later intakes go straight to their own transaction');
    });

    t.test('two nodes taking the same messages at once store each once', async (t) => {
      const other = new IntakeBatcher(base, { parallel: 2 });
      const inputs = Array.from({ length: 12 }, (_, i) => msg(`<race${i}@x>`, { applicant: { contacts: [{ kind: 'email', value: `racer${i % 3}@example.ru` }] } }));
      const results = await Promise.all(inputs.flatMap((i) => [intake(deps, i), intake({ ...base, batcher: other }, i)]));
      for (let i = 0; i < inputs.length; i++) {
        const [a, b] = [results[2 * i]!, results[2 * i + 1]!];
        t.equal(a.appealId, b.appealId, `race${i}: one appeal`);
        t.equal(Number(a.created) + Number(b.created), 1, `race${i}: created once`);
      }
      t.equal(await db.read((em) => em.countBy(ContactPoint, [0, 1, 2].map((k) => ({ normalized: `racer${k}@example.ru` })))), 3, 'each address once');
      t.comment(`groups run again one by one: ${batcher.stats.splits + other.stats.splits}`);
    });

    t.test('a group costs one lookup and one write per table', async (t) => {
      const seen: string[] = [];
      const ds = db.dataSource as unknown as { options: { logging: unknown }; logger: { logQuery: (q: string) => void } };
      const [logging, logQuery] = [ds.options.logging, ds.logger.logQuery];
      ds.options.logging = true;
      ds.logger.logQuery = (q: string) => void seen.push(q.trim().split(/\s+/)[0]!.toUpperCase());
      t.teardown(() => {
        ds.options.logging = logging;
        ds.logger.logQuery = logQuery;
      });
      const before = batcher.stats.groups;
      await Promise.all(Array.from({ length: 8 }, (_, i) => intake(deps, msg(`cost${i}`))));
      const groups = batcher.stats.groups - before;
      const writes = seen.filter((v) => v === 'INSERT' || v === 'UPDATE').length;
      t.equal(seen.filter((v) => v === 'SELECT').length, groups, 'one lookup per group');
      t.equal(writes, 7 * groups, `applicants, contacts, appeals, numbers, interactions, notices, journal: 7 per group (${groups} groups)`);
      t.ok(groups < 8, `fewer groups than intakes (${groups})`);
    });
  });
}

t.test('when the commit fails every intake of the group fails (nothing is acknowledged)', async (t) => {
  const tdb = await sqliteTestDb();
  t.teardown(tdb.dispose);
  const db2 = await openCoreDb(tdb.url);
  const b2 = new IntakeBatcher({ db: db2, deadlines });
  await saveSite(db2, systemActor('test'), { code: 'msk', name: 'Москва', kind: 'city' });
  await db2.close();
  const settled = await Promise.allSettled([intake({ db: db2, deadlines, batcher: b2 }, msg('x1')), intake({ db: db2, deadlines, batcher: b2 }, msg('x2'))]);
  t.same(settled.map((s) => s.status), ['rejected', 'rejected']);
});
