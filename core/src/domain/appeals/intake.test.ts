import t from 'tap';
import { databaseMatrix, openCoreDb } from '../../test-support/databases.js';
import { Deadlines } from '../../kernel/deadlines.js';
import { DEFAULTS } from '../../config/config.js';
import { intake, type IntakeInput } from './intake.js';
import { parseRegNumber } from './regnumber.js';
import { Appeal, Applicant, Attachment, ContactPoint, Interaction, InteractionAttachment, JournalEntry, Notice } from '../../persistence/entities/index.js';
import { saveSite } from '../sites.js';
import { systemActor } from '../actor.js';

const deadlines = new Deadlines(DEFAULTS);

function mail(n: string | number, extra: Partial<IntakeInput> = {}): IntakeInput {
  return {
    channel: 'email', messageId: `<m${n}@example.ru>`, applicant: { fullName: 'Ольга Иванова', contacts: [{ kind: 'email', value: 'Olga@Example.RU' }] },
    subject: 'Субсидия', body: 'Какие документы нужны?', replyTo: { channel: 'email', address: 'olga@example.ru' }, ...extra,
  };
}

for (const m of await databaseMatrix()) {
  t.test(`appeals.intake on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openCoreDb(tdb.url);
    t.teardown(() => db.close());
    await saveSite(db, systemActor('test'), { code: 'msk', name: 'Москва', kind: 'city' });
    // Wednesday 4 March 2026, 10:00 Moscow time.
    const now = new Date('2026-03-04T07:00:00Z');
    const deps = { db, deadlines, now: () => now };

    t.test('registers one appeal with number, deadlines, interaction, notice and journal in one go', async (t) => {
      const r = await intake(deps, mail(1));
      t.equal(r.created, true);
      t.equal(r.status, 'registered');
      t.ok(parseRegNumber(r.regNumber!), `number ${r.regNumber} is well formed with a good check digit`);
      const a = await db.read((em) => em.findOneByOrFail(Appeal, { id: r.appealId }));
      t.equal(a.registeredAt?.toISOString(), now.toISOString());
      // 30 days from 4 March: 3 April 2026 (a Friday, a working day), end of that day Moscow time.
      t.equal(a.answerBy?.toISOString(), '2026-04-03T20:59:59.999Z', 'answer due 3 April');
      t.equal(a.redirectBy?.toISOString(), '2026-03-11T20:59:59.999Z', 'redirect due 11 March');
      t.equal(a.type, 'electronic', 'plain e-mail is electronic, not an electronic document (547-FZ)');
      const inter = await db.read((em) => em.findBy(Interaction, { appealId: a.id }));
      t.equal(inter.length, 1);
      t.equal(inter[0]!.externalId, '<m1@example.ru>');
      const notices = await db.read((em) => em.findBy(Notice, { appealId: a.id }));
      t.same(notices.map((n) => [n.kind, n.status, n.address]), [['received', 'pending', 'olga@example.ru']]);
      const journal = await db.read((em) => em.find(JournalEntry, { where: { aggregateType: 'appeal', aggregateId: String(a.id) }, order: { seq: 'ASC' } }));
      t.same(journal.map((j) => j.type), ['appeal.registered', 'notice.recorded']);
      t.notOk(JSON.stringify(journal[0]!.data).includes('Ольга'), 'the journal carries no personal data');
      const contacts = await db.read((em) => em.findBy(ContactPoint, { applicantId: a.applicantId }));
      t.same(contacts.map((c) => c.normalized), ['olga@example.ru']);
    });

    t.test('the same message twice yields one appeal', async (t) => {
      const first = await intake(deps, mail(2));
      const again = await intake(deps, mail(2));
      t.equal(again.appealId, first.appealId);
      t.equal(again.created, false);
      t.equal(again.regNumber, first.regNumber);
    });

    t.test('the same message many times concurrently yields one appeal', async (t) => {
      const results = await Promise.all(Array.from({ length: 16 }, () => intake(deps, mail(3))));
      t.equal(new Set(results.map((r) => r.appealId)).size, 1, 'one appeal id for all');
      t.equal(results.filter((r) => r.created).length, 1, 'exactly one call created it');
      const rows = await db.read((em) => em.countBy(Interaction, { channel: 'email', externalId: '<m3@example.ru>' }));
      t.equal(rows, 1);
    });

    t.test('different messages concurrently from one new applicant yield distinct appeals and one applicant', async (t) => {
      const input = (n: number) => mail(`c${n}`, { applicant: { fullName: 'Новый', contacts: [{ kind: 'email', value: 'new.person@example.ru' }] } });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => intake(deps, input(i))));
      t.equal(new Set(results.map((r) => r.appealId)).size, 8);
      const appeals = await db.read((em) => em.findBy(Appeal, results.map((r) => ({ id: r.appealId }))));
      t.equal(new Set(appeals.map((a) => a.applicantId)).size, 1, 'the applicant is found by the address, not created twice');
    });

    t.test('a reply to an earlier message is added to the open appeal', async (t) => {
      const first = await intake(deps, mail(4));
      const reply = await intake(deps, mail(5, { threadKeys: ['<m4@example.ru>'], body: 'Дополняю' }));
      t.equal(reply.appealId, first.appealId);
      t.equal(reply.followUp, true);
      t.equal(await db.read((em) => em.countBy(Interaction, { appealId: first.appealId })), 2);
    });

    t.test('a registration number in the subject threads only for the same applicant', async (t) => {
      const first = await intake(deps, mail(6));
      const own = await intake(deps, mail(7, { regNumberHint: `Re: обращение ${first.regNumber}` }));
      t.equal(own.appealId, first.appealId, 'the owner adds to the appeal');
      const stranger = await intake(deps, mail(8, { regNumberHint: `Re: ${first.regNumber}`, applicant: { contacts: [{ kind: 'email', value: 'stranger@example.ru' }] } }));
      t.not(stranger.appealId, first.appealId, 'someone else quoting the number gets a new appeal');
      const typo = first.regNumber!.replace(/-(\d)$/, (_, d) => `-${(Number(d) + 1) % 10}`);
      const mistyped = await intake(deps, mail(9, { regNumberHint: typo }));
      t.not(mistyped.appealId, first.appealId, 'a number with a wrong check digit matches nothing');
    });

    t.test('a fax kept for registration gets no number or notice yet', async (t) => {
      const r = await intake(deps, { channel: 'fax', messageId: 'fax-1', applicant: { contacts: [{ kind: 'fax', value: '+7 495 111-22-33' }] }, body: 'fax', register: false });
      t.equal(r.status, 'received');
      t.equal(r.regNumber, null);
      const a = await db.read((em) => em.findOneByOrFail(Appeal, { id: r.appealId }));
      t.equal(a.type, 'written');
      // 3 days from 4 March is Saturday 7 March; Monday 9 March 2026 is the day off for 8 March (a Sunday),
      // so the term ends on Tuesday 10 March.
      t.equal(a.registerBy.toISOString(), '2026-03-10T20:59:59.999Z', 'registration due 10 March');
      t.equal(a.answerBy, null);
      t.equal(await db.read((em) => em.countBy(Notice, { appealId: a.id })), 0);
    });

    t.test('attachments are linked under their names; an unknown one is refused before anything is stored', async (t) => {
      const file = await db.transaction((em) => em.save(Attachment, em.create(Attachment, { sha256: 'a'.repeat(64), size: 3, mime: 'application/pdf', filename: 'scan.pdf', createdAt: now })));
      const r = await intake(deps, mail('att1', { attachments: [{ attachmentId: file.id }] }));
      const links = await db.read((em) => em.findBy(InteractionAttachment, { interactionId: r.interactionId }));
      t.same(links.map((l) => [l.attachmentId, l.filename]), [[file.id, 'scan.pdf']]);
      const renamed = await intake(deps, mail('att2', { attachments: [{ attachmentId: file.id, filename: 'заявление.pdf' }] }));
      t.same((await db.read((em) => em.findBy(InteractionAttachment, { interactionId: renamed.interactionId }))).map((l) => l.filename), ['заявление.pdf']);
      const before = await db.read((em) => em.count(Appeal));
      const err = await intake(deps, mail('att3', { attachments: [{ attachmentId: file.id }, { attachmentId: 987_654 }] })).catch((e: { code: number; message: string }) => e);
      t.match(err, { code: 422, message: /attachment 987654 does not exist/ });
      t.equal(await db.read((em) => em.count(Appeal)), before, 'no appeal');
      t.equal(await db.read((em) => em.countBy(Interaction, { externalId: '<matt3@example.ru>' })), 0, 'no interaction');
    });

    t.test('a known applicant is found by any address given: the missing name is filled in, a new address added', async (t) => {
      const first = await intake(deps, mail('k1', { applicant: { contacts: [{ kind: 'phone', value: '8 (916) 555-01-01' }] } }));
      const second = await intake(deps, mail('k2', { applicant: { fullName: 'Пётр Сидоров', contacts: [{ kind: 'email', value: 'petr@example.ru' }, { kind: 'phone', value: '+7 916 555 01 01' }, { kind: 'email', value: 'PETR@example.ru' }] } }));
      const [a1, a2] = await db.read((em) => Promise.all([em.findOneByOrFail(Appeal, { id: first.appealId }), em.findOneByOrFail(Appeal, { id: second.appealId })]));
      t.equal(a2.applicantId, a1.applicantId, 'the same applicant, found by the phone number');
      const applicant = await db.read((em) => em.findOneByOrFail(Applicant, { id: a1.applicantId }));
      t.equal(applicant.fullName, 'Пётр Сидоров', 'the name is filled in');
      const contacts = await db.read((em) => em.find(ContactPoint, { where: { applicantId: a1.applicantId }, order: { id: 'ASC' } }));
      t.same(contacts.map((c) => [c.kind, c.normalized]), [['phone', '79165550101'], ['email', 'petr@example.ru']], 'the new address once, the known one not again');
      await intake(deps, mail('k3', { applicant: { fullName: 'Другое Имя', contacts: [{ kind: 'email', value: 'petr@example.ru' }] } }));
      t.equal((await db.read((em) => em.findOneByOrFail(Applicant, { id: a1.applicantId }))).fullName, 'Пётр Сидоров', 'a name on record is not overwritten');
    });

    t.test('only an open appeal of the same channel is continued by a reply', async (t) => {
      const first = await intake(deps, mail('t1'));
      const other = await intake(deps, { ...mail('t2', { threadKeys: ['<mt1@example.ru>'] }), channel: 'portal' });
      t.not(other.appealId, first.appealId, 'a portal message does not thread on an e-mail message id');
      await db.transaction((em) => em.update(Appeal, { id: first.appealId }, { status: 'closed' }));
      const late = await intake(deps, mail('t3', { threadKeys: ['<mt1@example.ru>'] }));
      t.not(late.appealId, first.appealId, 'a reply to a closed appeal opens a new one');
      t.equal(late.created, true);
      const again = await intake(deps, mail('t4', { threadKeys: ['<unknown@example.ru>', '<mt3@example.ru>'] }));
      t.same([again.appealId, again.followUp, again.created], [late.appealId, true, false], 'the latest known key decides');
      const journal = await db.read((em) => em.find(JournalEntry, { where: { aggregateId: String(late.appealId) }, order: { seq: 'ASC' } }));
      t.same(journal.map((j) => j.type), ['appeal.registered', 'notice.recorded', 'appeal.message_received']);
      t.same(journal[2]!.data, { appealId: late.appealId, interactionId: again.interactionId, channel: 'email', kind: 'message' });
    });

    t.test('a site or service named that does not exist is refused', async (t) => {
      t.match(await intake(deps, mail('s1', { siteCode: 'nowhere' })).catch((e) => e), { code: 422, data: { fields: [{ field: 'siteCode' }] } });
      t.match(await intake(deps, mail('s2', { siteId: 999_999 })).catch((e) => e), { code: 422, data: { fields: [{ field: 'siteId' }] } });
      t.match(await intake(deps, mail('s3', { serviceId: 999_999 })).catch((e) => e), { code: 422, data: { fields: [{ field: 'serviceId' }] } });
      const bySite = await intake(deps, mail('s4', { siteCode: 'msk' }));
      t.equal(bySite.created, true);
    });

    t.test('message ids, addresses and site codes match as the database compares them', async (t) => {
      // MySQL's utf8mb4_unicode_ci ignores case, trailing spaces and the diaeresis of ё; SQLite compares exactly.
      const mysql = m.name === 'mysql';
      const first = await intake(deps, mail('<Case@X>', { messageId: '<Case@X>' }));
      const again = await intake(deps, mail('<case@x>', { messageId: '<case@x>' }));
      t.equal(again.appealId === first.appealId, mysql, mysql ? 'the same message on MySQL' : 'another message on SQLite');
      t.equal(again.created, !mysql);
      const postal = (value: string, id: string) => mail(id, { applicant: { contacts: [{ kind: 'postal', value }] } });
      const a = await intake(deps, postal('г. Москва, ул. Ёлочная, 1', 'p1'));
      const b = await intake(deps, postal('г. Москва, ул. елочная, 1', 'p2'));
      const [aa, ab] = await db.read((em) => Promise.all([em.findOneByOrFail(Appeal, { id: a.appealId }), em.findOneByOrFail(Appeal, { id: b.appealId })]));
      t.equal(aa.applicantId === ab.applicantId, mysql, 'the address on record is found when the database says it is the same');
      const bySite = await intake(deps, mail('s-upper', { siteCode: 'MSK' })).then((r) => r.created, (e: { code: number }) => e.code);
      t.equal(bySite, mysql ? true : 422);
    });

    t.test('a new appeal costs one lookup and at most seven writes (fewer for a known applicant)', async (t) => {
      const seen: string[] = [];
      const ds = db.dataSource as unknown as { options: { logging: unknown }; logger: { logQuery: (q: string) => void } };
      const logging = ds.options.logging;
      const logQuery = ds.logger.logQuery;
      ds.options.logging = true;
      ds.logger.logQuery = (q: string) => void seen.push(q.trim().split(/\s+/)[0]!.toUpperCase());
      t.teardown(() => {
        ds.options.logging = logging;
        ds.logger.logQuery = logQuery;
      });
      const count = (verb: string) => seen.filter((v) => v === verb).length;
      await intake(deps, mail('q1', { applicant: { contacts: [{ kind: 'email', value: 'counted@example.ru' }] } }));
      t.same([count('SELECT'), count('INSERT') + count('UPDATE')], [1, 7], 'new applicant: applicant, contact, appeal, its number, interaction, notice, journal');
      seen.length = 0;
      await intake(deps, mail('q2', { applicant: { contacts: [{ kind: 'email', value: 'counted@example.ru' }] } }));
      t.same([count('SELECT'), count('INSERT') + count('UPDATE')], [1, 5], 'known applicant');
    });

    t.test('bad input is refused naming each field, and nothing is stored', async (t) => {
      const before = await db.read((em) => em.count(Appeal));
      const err = await intake(deps, { channel: 'Email!', messageId: '', body: 'x', applicant: { contacts: [{ kind: 'email', value: 'not-an-address' }] } } as IntakeInput).then(
        () => null,
        (e: { code: number; data: { fields: { field: string }[] } }) => e,
      );
      t.equal(err?.code, 422);
      t.same(err?.data.fields.map((f) => f.field).sort(), ['applicant.contacts[0].value', 'channel', 'messageId']);
      t.equal(await db.read((em) => em.count(Appeal)), before);
      const applicants = await db.read((em) => em.count(Applicant));
      t.ok(applicants > 0);
    });
  });
}
