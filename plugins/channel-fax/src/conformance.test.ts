/**
 * The channel contract for the fax channel.
 *
 * The core's `runChannelConformance` is not run as it is. It sends a probe with a subject of its own
 * choosing and expects, in order:
 *   1. an appeal with that subject and a registration number;
 *   2. the same message twice to be one appeal;
 *   3. the "received" notice to reach the sender through the channel;
 *   4. an operator's reply to reach the sender through the channel;
 *   5. an undeliverable address to be recorded as failed.
 * A fax has none of this by design:
 *   - its entry point is the edge service's journal row, and the sender picks no subject;
 *   - its appeal stays "received", without a number, until an operator keys it in from the page
 *     images (59-FZ registration within 3 days);
 *   - there is no notice before registration, because no reply address is known;
 *   - answers go by post or e-mail, never by fax (docs/channels/fax.md, "Sending").
 *
 * The same checks, adapted (each is made here or in the test named):
 *   - capabilities and health: here;
 *   - 1 and 2: here (the "received" appeal, the row read twice), and inbound.test.ts for the appeal's
 *     contents;
 *   - 3: here. No notice is sent before registration. At registration the notice goes through the
 *     reply channel the operator chose; edge.test.ts shows a fax reply address failing with the
 *     reason;
 *   - 4 and 5: edge.test.ts. A reply is refused for good and the reason is kept. A fax document does
 *     reach the far side (the agent), and a final `fax.failed` is recorded.
 */
import t from 'tap';
import { Appeal, Interaction, Notice, capabilityProblems, type ChannelCapabilities, type ChannelHealth, type OutboundMessage, type SendResult } from '@okno/core';
import { startFaxApp } from './test-support/fax-app.js';
import { tiffF, testPage } from './test-support/tiff-f.js';
import { REPLIES_NOT_SUPPORTED } from './outbound/fax-sender.js';

t.test('fax channel contract', async (t) => {
  const f = await startFaxApp();
  t.teardown(() => f.stop());
  const call = <R>(action: string, params: object = {}) => f.app.app.broker.call<R, object>(action, params);

  await t.test('capabilities follow the contract', async (t) => {
    const caps = await call<ChannelCapabilities>('channel.fax.capabilities');
    t.same(capabilityProblems(caps), []);
    t.same(caps, { channel: 'fax', inbound: true, outbound: true, attachments: true, maxAttachmentBytes: f.core.config.attachments.maxBytes, realtime: false, identified: false, addressKind: 'fax' });
  });

  await t.test('health follows the contract and says why it is not ok', async (t) => {
    const h = await call<ChannelHealth>('channel.fax.health');
    t.ok(['ok', 'degraded', 'down'].includes(h.status));
    t.equal(h.status, 'degraded', 'no edge agent is online here');
    t.same(h.details?.agentsOnline, []);
    t.type(h.details?.reason, 'string');
    t.type(h.details?.journal, 'object');
  });

  const fax = tiffF([testPage(20, 98, 4)]);
  await t.test('a fax is one "received" appeal, however often its row is read', async (t) => {
    const up = await f.upload({ tiff: fax });
    const again = await f.upload({ tiff: fax, transferId: up.transferId });
    t.ok(again.seq > up.seq, 'a second row for the same transfer');
    const inter = await f.interactionOf(up.transferId);
    await f.app.app.broker.call('channel.fax.reprocess', { seq: again.seq });
    t.equal(await f.core.db.read((em) => em.countBy(Interaction, { externalId: `fax:${up.transferId}` })), 1);
    const appeal = (await f.core.db.read((em) => em.findOneBy(Appeal, { id: inter.appealId })))!;
    t.equal(appeal.channel, 'fax');
    t.equal(appeal.status, 'received');
    t.equal(appeal.regNumber, null, 'a number comes with registration');
    t.equal(await f.core.db.read((em) => em.countBy(Notice, { appealId: appeal.id })), 0, 'no "received" notice before registration');

    const token = await f.app.token('operator');
    const r = await f.app.req('POST', `/api/appeals/${appeal.id}/register`, { token, body: { applicant: { fullName: 'Петрова Анна Сергеевна', contacts: [{ kind: 'email', value: 'petrova@example.ru' }] }, replyTo: { channel: 'email', address: 'petrova@example.ru' } } });
    t.equal(r.status, 200);
    const notice = (await f.core.db.read((em) => em.findOneBy(Notice, { appealId: appeal.id, kind: 'received' })))!;
    t.equal(notice.channel, 'email', 'the "received" notice goes by the reply channel the operator chose, not by fax');
    t.match(JSON.stringify(notice.data), r.body.regNumber);
  });

  await t.test('send answers with a well-formed result, permanent when retrying cannot help', async (t) => {
    const appeal = (await f.core.db.read((em) => em.findOne(Appeal, { where: { channel: 'fax' }, order: { id: 'DESC' } })))!;
    const notice: OutboundMessage = {
      kind: 'notice', noticeKind: 'received', noticeId: 1, appealId: appeal.id, regNumber: appeal.regNumber, interactionId: null, to: '+7 495 123-45-67',
      subject: 'Обращение зарегистрировано', text: 'Ваше обращение зарегистрировано', lang: 'ru', attachments: [], threadKeys: [], deliveryId: 'notice-x',
    };
    const r = await call<SendResult>('channel.fax.send', notice);
    t.same(Object.keys(r).sort(), ['error', 'ok', 'permanent']);
    t.equal(r.ok, false);
    t.equal((r as { permanent: boolean }).permanent, true);
    t.match((r as { error: string }).error, REPLIES_NOT_SUPPORTED);
    const badNumber = await call<SendResult>('channel.fax.send', { ...notice, to: 'nobody', attachments: [{ attachmentId: 1, filename: 'a.tif', mime: 'image/tiff', size: 1 }] });
    t.same(badNumber, { ok: false, error: '"nobody" is not a fax number', permanent: true });
  });
});
