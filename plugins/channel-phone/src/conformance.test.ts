/**
 * The channel contract for the phone channel.
 *
 * The core's `runChannelConformance` is not run as it is: it sends a probe with a subject and a text
 * of its own choosing and expects both on the appeal, then an operator's written reply to reach the
 * sender through the channel. A phone call has neither: the caller chooses no subject and types no
 * text (the appeal's subject is the menu choice, its text a summary of the call), and the phone
 * channel reads out no written answers (no speech synthesis; answers go by e-mail or post, see
 * docs/channels/phone.md, "What send does"). The same checks, adapted, on a real core and the fake
 * Asterisk:
 *   - capabilities and health follow the contract (and health says why when Asterisk is away);
 *   - an inbound call is a registered appeal, with the caller's number as a contact, by the time
 *     the caller is put on hold (the phone channel's acknowledgement);
 *   - the same call twice is one appeal: a core restarted mid-call finds the call in Stasis
 *     (GET /channels) and takes it in again under the same message id;
 *   - the "received" notice reaches the caller: the registration number is read out on the line;
 *   - an operator's written reply is refused for good with the reason, and recorded as failed.
 */
import t from 'tap';
import { Appeal, ContactPoint, Interaction, capabilityProblems, type ChannelCapabilities, type ChannelHealth } from '@okno/core';
import { waitFor } from '@okno/testkit';
import { restartablePhoneApp } from './test-support/phone-app.js';
import { NOT_DELIVERABLE } from './service.js';

t.test('phone channel contract', async (t) => {
  const core = await restartablePhoneApp(t, 'okno-phone-');
  const { pbx } = core;
  let p = core.app();
  const call = <R>(action: string, params: object = {}) => p.app.app.broker.call<R, object>(action, params);

  await t.test('capabilities and health follow the contract', async (t) => {
    const caps = await call<ChannelCapabilities>('channel.phone.capabilities');
    t.same(capabilityProblems(caps), []);
    t.same(caps, { channel: 'phone', inbound: true, outbound: false, attachments: false, maxAttachmentBytes: null, realtime: true, identified: false, addressKind: 'phone' });
    const h = await call<ChannelHealth>('channel.phone.health');
    t.equal(h.status, 'ok', JSON.stringify(h.details));
    t.match(h.details, { connected: true, asterisk: { url: pbx.url, user: 'okno', app: 'okno' } });
    t.notMatch(JSON.stringify(h), /secret-ari-password/, 'the password is never shown');
    await pbx.goAway();
    await waitFor('down', async () => (await call<ChannelHealth>('channel.phone.health')).status === 'down');
    t.match((await call<ChannelHealth>('channel.phone.health')).details?.reason, /events WebSocket to Asterisk is not open.*calls to Stasis\(okno\) fail/);
    await pbx.comeBack();
    await waitFor('ok again', async () => (await call<ChannelHealth>('channel.phone.health')).status === 'ok', 15_000);
  });

  let channelId = '';
  let appealId = 0;
  await t.test('an inbound call is a registered appeal once the caller is on hold', async (t) => {
    await p.setState('paused', 'break');
    ({ channelId, appealId } = await p.callIn('+7 (495) 777-12-34', '2'));
    const appeal = (await p.app.app.db.read((em) => em.findOneBy(Appeal, { id: appealId })))!;
    t.equal(appeal.channel, 'phone');
    t.ok(appeal.regNumber, 'it has a registration number');
    const contacts = await p.app.app.db.read((em) => em.findBy(ContactPoint, { applicantId: appeal.applicantId }));
    t.match(contacts, [{ kind: 'phone', value: '+7 (495) 777-12-34' }], "the caller's number is the applicant's contact");
    t.match(await p.callInteraction(channelId), { direction: 'in', kind: 'call', body: /Справки/ });
  });

  await t.test('the "received" notice reaches the caller: the number is read out', async (t) => {
    const appeal = (await p.app.app.db.read((em) => em.findOneBy(Appeal, { id: appealId })))!;
    const digits = `digits:${appeal.regNumber!.replace(/\D/g, '')}`;
    await waitFor('the number read out', () => pbx.heard(channelId).includes(digits));
    t.equal(pbx.heard(channelId).filter((h) => h === digits).length, 1, 'read out on the line, once');
  });

  await t.test('the same call twice is one appeal: a core restarted mid-call takes the call in again', async (t) => {
    await core.stop();
    t.ok(pbx.channels.has(channelId), 'the caller is still on the line in Asterisk');
    p = await core.start();
    await waitFor('the call taken in again', () => p.flow.active().waiting === 1);
    t.equal(await p.app.app.db.read((em) => em.countBy(Interaction, { channel: 'phone', externalId: `call:${channelId}` })), 1);
    const applicantId = (await p.app.app.db.read((em) => em.findOneBy(Appeal, { id: appealId })))!.applicantId;
    t.equal(await p.app.app.db.read((em) => em.countBy(Appeal, { channel: 'phone', applicantId })), 1, 'one appeal');
    t.equal(pbx.bridgeOf(channelId)?.type, 'holding', 'still on hold');
    pbx.hangupRemote(channelId);
    await waitFor('recorded', async () => (await p.callInteraction(channelId))?.meta?.call);

    // A conversation in progress at a restart is followed as it is (not put back on hold; restart.test.ts follows it further).
    await p.setState('ready');
    const talk = await p.callIn('+7 (495) 777-00-00');
    const offer = await p.offer();
    const n = pbx.dialed.length;
    t.equal((await p.accept(offer.id)).status, 200);
    await waitFor('the operator dialled', () => pbx.dialed.length > n);
    pbx.answer(pbx.dialed[n]!.channelId);
    await waitFor('bridged', () => pbx.bridgeOf(talk.channelId)?.type === 'mixing');
    p = await core.restart();
    await waitFor('the calls compared with Asterisk', () => p.flow.stats.resyncs === 1);
    await p.flow.idle();
    t.equal(pbx.bridgeOf(talk.channelId)?.type, 'mixing', 'the conversation goes on after the restart');
    t.same(p.flow.active(), { talking: 1 }, 'and is followed, not taken in as a new call');
    pbx.hangupRemote(talk.channelId);
    await waitFor('recorded after the restart', async () => (await p.callInteraction(talk.channelId))?.meta?.call);
  });

  await t.test("an operator's written reply is refused for good, with the reason kept", async (t) => {
    const token = await p.app.token('operator');
    const r = await p.app.req('POST', `/api/appeals/${appealId}/reply`, { token, body: { body: 'Ответ письменно', final: false } });
    t.equal(r.status, 200, 'the reply is accepted');
    const inter = await waitFor('a recorded failure', () => p.app.app.db.read(async (em) => {
      const i = await em.findOneBy(Interaction, { id: r.body.interactionId });
      return i?.deliveryStatus === 'failed' ? i : null;
    }));
    t.match(inter!.deliveryError, new RegExp(`^${NOT_DELIVERABLE}: `));
  });
});
