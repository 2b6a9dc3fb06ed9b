/**
 * Received faxes end to end in a real core: an upload recorded the way the edge service records it
 * becomes a "received" written appeal with the TIFF and one PNG per page, exactly once, also when the
 * row is read again, when the file is damaged, and after a restart.
 */
import t from 'tap';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { In } from 'typeorm';
import { tempDir, waitFor } from '@okno/testkit';
import { Appeal, Attachment, ContactPoint, Interaction, InteractionAttachment, JournalCursor, JournalEntry, Notice, Site, AttachmentStore, Database, coreEntities, coreMigrations } from '@okno/core';
import { startFaxApp, putUpload, type FaxApp } from '../test-support/fax-app.js';
import { tiffF, testPage } from '../test-support/tiff-f.js';

const normal = testPage(40, 98, 1);
const fine = testPage(30, 196, 2);
const goodFax = tiffF([normal, fine], { fillOrder: 2, eolAligned: true });

async function filesOf(f: FaxApp, interactionId: number) {
  const links = await f.core.db.read((em) => em.find(InteractionAttachment, { where: { interactionId }, order: { attachmentId: 'ASC' } }));
  const files = await f.core.db.read((em) => em.findBy(Attachment, { id: In(links.map((l) => l.attachmentId)) }));
  return links.map((l) => ({ ...l, file: files.find((x) => x.id === l.attachmentId)! }));
}

t.test('fax channel in a running core', async (t) => {
  const f = await startFaxApp();
  t.teardown(() => f.stop());

  await t.test('a received fax is a "received" written appeal with the TIFF and a PNG per page', async (t) => {
    const up = await f.upload({ tiff: goodFax });
    const inter = await f.interactionOf(up.transferId);
    const appeal = (await f.core.db.read((em) => em.findOneBy(Appeal, { id: inter.appealId })))!;
    t.equal(appeal.channel, 'fax');
    t.equal(appeal.status, 'received', 'not registered: an operator keys it in');
    t.equal(appeal.type, 'written');
    t.equal(appeal.regNumber, null);
    t.equal(appeal.replyChannel, null, 'no reply by fax: the operator records the postal or e-mail address');
    const arbat = (await f.core.db.read((em) => em.findOneBy(Site, { code: 'cao-arbat' })))!;
    t.equal(appeal.siteId, arbat.id, 'filed under the agent\'s site');
    t.equal(inter.kind, 'fax');
    t.equal(inter.direction, 'in');
    t.match(inter.body, /^Входящий факс от \+7 495 123-45-67, 2 стр\., принят \d\d\.\d\d\.\d{4} \d\d:\d\d \(Район Арбат, агент arbat-1, модем \/dev\/ttyACM0\)\./);
    t.equal(appeal.subject, 'Факс от +7 495 123-45-67, 2 стр.');

    const files = await filesOf(f, inter.id);
    t.same(files.map((x) => [x.file.mime, x.filename]), [
      ['image/tiff', 'fax-2025-03-05T11-07-00-000Z.tif'],
      ['image/png', 'fax-2025-03-05T11-07-00-000Z-01.png'],
      ['image/png', 'fax-2025-03-05T11-07-00-000Z-02.png'],
    ]);
    t.equal(files[0]!.attachmentId, up.attachmentId, 'the TIFF as the agent sent it');
    const p1 = PNG.sync.read((await f.core.attachments.read(files[1]!.attachmentId)).content);
    const p2 = PNG.sync.read((await f.core.attachments.read(files[2]!.attachmentId)).content);
    t.same([p1.width, p1.height], [1728, 80], 'page 1 (98 lpi) stretched x2');
    t.same([p2.width, p2.height], [1728, 30], 'page 2 (196 lpi) as it is');
    let wrong = 0;
    for (let y = 0; y < 30; y++) for (let x = 0; x < 1728; x++) if ((p2.data[(y * 1728 + x) * 4] === 0 ? 1 : 0) !== fine.black[y * 1728 + x]) wrong++;
    t.equal(wrong, 0, 'page 2 shows what was sent');
    t.same(inter.meta?.previewAttachmentIds, [files[1]!.attachmentId, files[2]!.attachmentId]);

    const contacts = await f.core.db.read((em) => em.findBy(ContactPoint, { applicantId: appeal.applicantId }));
    t.same(contacts.map((c) => [c.kind, c.normalized]), [['fax', '74951234567']], 'the sender\'s fax number is the applicant\'s contact');
    const journal = await f.core.db.read((em) => em.findBy(JournalEntry, { aggregateType: 'appeal', aggregateId: String(appeal.id) }));
    t.ok(journal.some((j) => j.type === 'appeal.received' && j.data.kind === 'fax'), 'appeal.received in the journal');
    t.equal(await f.core.db.read((em) => em.countBy(Notice, { appealId: appeal.id })), 0, 'no "received" notice before registration');

    // What the operator's card shows.
    const token = await f.app.token('operator');
    const card = await f.app.req('GET', `/api/appeals/${appeal.id}`, { token });
    t.equal(card.status, 200);
    t.match(JSON.stringify(card.body), /fax-2025-03-05T11-07-00-000Z-01\.png/, 'the page images are on the card');
  });

  await t.test('the same upload read again is the same appeal, drawn once', async (t) => {
    const up = await f.upload({ tiff: goodFax });
    const inter = await f.interactionOf(up.transferId);
    const attachmentsBefore = await f.core.db.read((em) => em.count(Attachment));
    for (let i = 0; i < 2; i++) await f.app.app.broker.call('channel.fax.reprocess', { seq: up.seq });
    t.equal(await f.core.db.read((em) => em.countBy(Interaction, { externalId: `fax:${up.transferId}` })), 1, 'one interaction');
    t.equal(await f.core.db.read((em) => em.countBy(Appeal, { id: inter.appealId })), 1);
    t.equal(await f.core.db.read((em) => em.count(Attachment)), attachmentsBefore, 'no page drawn and stored again');
  });

  await t.test('a damaged TIFF still makes its appeal, with the file and a note', async (t) => {
    const broken = Buffer.concat([Buffer.from('II*\u0000', 'latin1'), Buffer.from([0xff, 0xff, 0, 0]), Buffer.alloc(64, 0x5a)]);
    const up = await f.upload({ tiff: broken, meta: { modemId: '/dev/ttyACM0', pages: 3 } });
    const inter = await f.interactionOf(up.transferId);
    t.match(inter.body, /^Входящий факс от неизвестного отправителя \(номер не передан\), 3 стр\./);
    t.match(inter.body, /Изображения страниц построить не удалось \(техническая причина: the TIFF file is truncated/);
    const files = await filesOf(f, inter.id);
    t.same(files.map((x) => x.attachmentId), [up.attachmentId], 'the file as received is kept on the appeal');
    t.match(inter.meta?.problem, /truncated/);
    const appeal = (await f.core.db.read((em) => em.findOneBy(Appeal, { id: inter.appealId })))!;
    t.equal(await f.core.db.read((em) => em.countBy(ContactPoint, { applicantId: appeal.applicantId })), 0, 'no contact without a station id');
  });

  await t.test('a page that cannot be decoded leaves the others shown', async (t) => {
    const file = Buffer.from(goodFax);
    // Make the second page's strip claim more bytes than the file has.
    const second = file.readUInt32LE(file.readUInt32LE(4) + 2 + file.readUInt16LE(file.readUInt32LE(4)) * 12);
    for (let k = 0; k < file.readUInt16LE(second); k++) if (file.readUInt16LE(second + 2 + k * 12) === 279) file.writeUInt32LE(1 << 30, second + 2 + k * 12 + 8);
    const up = await f.upload({ tiff: file });
    const inter = await f.interactionOf(up.transferId);
    const files = await filesOf(f, inter.id);
    t.same(files.map((x) => x.file.mime), ['image/tiff', 'image/png'], 'page 1 is shown');
    t.match(inter.body, /Некоторые страницы показать не удалось \(техническая причина: page 2 is truncated/);
  });

  await t.test('an upload whose file is missing still makes an appeal saying so', async (t) => {
    const up = await f.upload({ tiff: goodFax, attachmentId: 987_654 });
    const inter = await f.interactionOf(up.transferId);
    t.match(inter.body, /attachment 987654\) is not in the attachment store/);
    t.same(await filesOf(f, inter.id), []);
  });

  await t.test('an agent site the core does not know files the fax under the default site, with a note', async (t) => {
    const up = await f.upload({ tiff: goodFax, site: 'nowhere', agent: 'lost-1' });
    const inter = await f.interactionOf(up.transferId);
    const appeal = (await f.core.db.read((em) => em.findOneBy(Appeal, { id: inter.appealId })))!;
    const city = (await f.core.db.read((em) => em.findOneBy(Site, { kind: 'city' })))!;
    t.equal(appeal.siteId, city.id);
    t.match(inter.body, /Площадка агента «nowhere» не найдена/);
  });

  await t.test('uploads that are not faxes are left alone', async (t) => {
    const before = await f.core.db.read((em) => em.count(Appeal));
    const log = await f.upload({ tiff: Buffer.from('{"log":1}'), contentType: 'application/json', meta: { kind: 'log' } });
    const tiffNoFax = await f.upload({ tiff: goodFax, meta: { kind: 'scan' } });
    const marker = await f.upload({ tiff: goodFax });
    await f.interactionOf(marker.transferId);
    t.equal(await f.core.db.read((em) => em.count(Appeal)), before + 1, 'only the fax after them became an appeal');
    t.equal(await f.core.db.read((em) => em.countBy(Interaction, { externalId: In([`fax:${log.transferId}`, `fax:${tiffNoFax.transferId}`]) })), 0);
  });
});

t.test('after a restart the reader continues from its position', async (t) => {
  const dir = tempDir('okno-fax-restart-');
  t.teardown(dir.cleanup);
  const dbUrl = `sqlite:${join(dir.dir, 'okno.sqlite')}`;
  const attachmentsDir = join(dir.dir, 'attachments');
  const first = await startFaxApp({ dbUrl, attachmentsDir });
  const a = await first.upload({ tiff: goodFax });
  await first.interactionOf(a.transferId);
  await waitFor('the position saved past the first fax', () => first.core.db.read(async (em) => ((await em.findOneBy(JournalCursor, { name: 'consumer:channel-fax' }))?.seq ?? 0) >= a.seq));
  await first.stop();

  // While the core is down, the edge service of another node records two more faxes.
  const db = await new Database({ url: dbUrl, entities: coreEntities, migrations: coreMigrations }).open();
  const store = new AttachmentStore(db, attachmentsDir, { maxBytes: 25 * 1024 * 1024 });
  const b = await putUpload(db, store, { tiff: goodFax, meta: { modemId: '/dev/ttyACM1', pages: 2, remoteId: '84951112233' } });
  const c = await putUpload(db, store, { tiff: goodFax });
  await db.close();

  const second = await startFaxApp({ dbUrl, attachmentsDir });
  t.teardown(() => second.stop());
  const ib = await second.interactionOf(b.transferId);
  await second.interactionOf(c.transferId);
  t.match(ib.body, /Входящий факс от 84951112233, 2 стр\./);
  t.equal(await second.core.db.read((em) => em.countBy(Interaction, { externalId: `fax:${a.transferId}` })), 1, 'the first fax is still one appeal');
  const health = await second.app.app.broker.call<{ details: { journal: { handled: number } } }>('channel.fax.health');
  t.equal(health.details.journal.handled, 2, 'the reader started after the first fax: it handed over only the two new rows');
  const all = await second.core.db.read((em) => em.findBy(Interaction, { externalId: In([a, b, c].map((x) => `fax:${x.transferId}`)) }));
  t.equal(new Set(all.map((i) => i.appealId)).size, 3, 'three faxes, three appeals');
  await waitFor('the position saved past the last fax', () => second.core.db.read(async (em) => ((await em.findOneBy(JournalCursor, { name: 'consumer:channel-fax' }))?.seq ?? 0) >= c.seq));
});
