/**
 * The phone channel end to end on a real core (SQLite, routing) against the fake Asterisk: a call is
 * answered, registered with a number read out to the caller, waits on hold, is offered to a ready
 * operator, bridged with the operator's phone and hung up, and the appeal shows the call; the
 * operator hanging up; abandonment; an operator's phone that does not answer; a callback that keeps
 * the caller's place.
 */
import t from 'tap';
import { Notice } from '@okno/core';
import { waitFor } from '@okno/testkit';
import { startPhoneApp } from './test-support/phone-app.js';
import type { CallSummary } from './calls/call-record.js';

const summaryOf = async (p: Awaited<ReturnType<typeof startPhoneApp>>, channelId: string, prefix: 'call' | 'callback' = 'call') => {
  let s: CallSummary | undefined;
  await waitFor(`the ${prefix} recorded`, async () => (s = (await p.callInteraction(channelId, prefix))?.meta?.call as CallSummary | undefined));
  return s!;
};

t.test('phone calls on a real core', async (t) => {
  const p = await startPhoneApp();
  t.teardown(() => p.stop());
  const opEndpoint = `PJSIP/op-${p.operatorId}`;
  await p.setState('ready');

  await t.test('answered, registered with its number read out, offered, bridged, hung up by the caller, recorded', async (t) => {
    const { channelId, appealId } = await p.callIn('+7 916 123-45-67', '1');
    const appeal = await p.appeal(appealId);
    t.match(appeal, { channel: 'phone', type: 'oral', subject: 'Звонок: ЖКХ', regNumber: /^\d{2}-\d{6}-\d$/, replyChannel: 'phone', replyAddress: '+7 916 123-45-67' });
    t.ok(p.pbx.heard(channelId).includes('moh:default'), 'the caller hears music on hold in the holding bridge');

    await waitFor('the number read out', () => p.pbx.heard(channelId).includes(`digits:${appeal.regNumber!.replace(/\D/g, '')}`));
    const notice = await waitFor('the notice sent', () => p.app.app.db.read((em) => em.findOneBy(Notice, { appealId, kind: 'received', status: 'sent' })));
    t.ok(notice, 'the "received" notice is the number read out on the line');

    const offer = await p.offer();
    t.match(offer, { channel: 'voice', appealId });
    const acc = await p.accept(offer.id);
    t.equal(acc.status, 200, JSON.stringify(acc.body));
    const dial = await p.pbx.waitForDial(opEndpoint);
    t.same(dial.appArgs, ['operator', channelId]);
    t.match(dial.callerId, /<\+79161234567>/, "the operator's phone shows the caller's number");
    t.equal(dial.timeout, 20);
    p.pbx.answer(dial.channelId);
    await waitFor('caller and operator bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    t.same(p.pbx.bridgeOf(channelId)!.channels.sort(), [channelId, dial.channelId].sort());
    t.equal((await p.appeal(appealId)).assignedUserId, p.operatorId, 'the appeal is the operator\'s');

    p.pbx.hangupRemote(channelId);
    const s = await summaryOf(p, channelId);
    t.match(s, { asteriskChannelId: channelId, direction: 'in', outcome: 'answered', hungUpBy: 'caller', operatorUserId: p.operatorId, answeredAt: String, endedAt: String, choice: 'ЖКХ', digit: '1' });
    t.ok(Date.parse(s.startedAt) <= Date.parse(s.queuedAt!) && Date.parse(s.queuedAt!) <= Date.parse(s.answeredAt!) && Date.parse(s.answeredAt!) <= Date.parse(s.endedAt), 'start, queued, answer, end in order');
    t.equal(s.durationSeconds, Math.round((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000));
    t.notOk(p.pbx.channels.has(dial.channelId), "the operator's leg is hung up");
    t.notOk(p.pbx.bridges.has(`okno-call-${channelId}`), 'the bridge is destroyed');
    const card = await p.app.req('GET', `/api/appeals/${appealId}`, { token: p.operatorToken });
    t.equal(card.status, 200);
    t.match(JSON.stringify(card.body), /разговор с оператором/, 'the appeal card shows the call');
    await waitFor('the contact completed', async () => (await p.journal('contact.completed')).some((e) => e.aggregateId === `call-${channelId}`));
    const ended = (await p.journal('call.ended')).filter((e) => e.data.appealId === appealId);
    t.equal(ended.length, 1, 'call.ended journaled once');
    t.notMatch(JSON.stringify(ended[0]!.data), /916/, 'no number in the journal');
  });

  await t.test('the operator hangs up: the caller is hung up', async (t) => {
    const { channelId } = await p.callIn('+7 495 000-00-01', '2');
    const offer = await p.offer();
    t.equal((await p.accept(offer.id)).status, 200);
    const dial = await p.pbx.waitForDial(opEndpoint, 1);
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(dial.channelId);
    const s = await summaryOf(p, channelId);
    t.match(s, { outcome: 'answered', hungUpBy: 'operator', choice: 'Справки' });
    t.notOk(p.pbx.channels.has(channelId), 'the caller is hung up');
  });

  await t.test("the operator's phone does not answer: the call goes back to the line with its place", async (t) => {
    const { channelId } = await p.callIn('+7 495 000-00-02');
    const first = await p.offer();
    t.equal((await p.accept(first.id)).status, 200);
    const dial = await p.pbx.waitForDial(opEndpoint, 2);
    p.pbx.reject(dial.channelId, 19);
    const queued = (await waitFor('queued again', async () => (await p.journal('contact.queued')).find((e) => e.aggregateId === `call-${channelId}-r1`)))!;
    const before = (await p.journal('contact.queued')).find((e) => e.aggregateId === `call-${channelId}`)!;
    t.equal(queued.data.enqueuedAt, before.data.enqueuedAt, 'with the first enqueue time');
    const again = await p.offer();
    t.not(again.id, first.id);
    t.equal((await p.accept(again.id)).status, 200);
    const dial2 = await p.pbx.waitForDial(opEndpoint, 3);
    p.pbx.answer(dial2.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(channelId);
    const s = await summaryOf(p, channelId);
    t.match(s, { outcome: 'answered', missedBy: [{ operatorUserId: p.operatorId, cause: 'No answer' }] });
  });

  await t.test('abandoned while waiting', async (t) => {
    await p.setState('paused', 'break');
    const { channelId, appealId } = await p.callIn('+7 495 000-00-03');
    p.pbx.hangupRemote(channelId);
    const s = await summaryOf(p, channelId);
    t.match(s, { outcome: 'abandoned', hungUpBy: 'caller', answeredAt: null, talkSeconds: 0 });
    await waitFor('abandoned in routing', async () => (await p.journal('contact.abandoned')).some((e) => e.aggregateId === `call-${channelId}`));
    t.equal((await p.appeal(appealId)).assignedUserId, null);
  });

  await t.test('a callback keeps the caller\'s place and is placed when it is their turn', async (t) => {
    const a = await p.callIn('+7 916 555-12-34');
    const b = await p.callIn('+7 916 555-00-00');
    p.pbx.press(a.channelId, '9');
    await waitFor('the caller leaves the line', () => !p.pbx.channels.has(a.channelId));
    t.ok(p.pbx.heard(a.channelId).includes('sound:okno-callback-confirm'), 'the caller heard the confirmation before the line was freed');
    const s = await summaryOf(p, a.channelId);
    t.match(s, { outcome: 'callback-requested', hungUpBy: 'system' });
    const cb = (await waitFor('the callback queued', async () => (await p.journal('contact.queued')).find((e) => e.aggregateId === `cb-${a.channelId}`)))!;
    const call = (await p.journal('contact.queued')).find((e) => e.aggregateId === `call-${a.channelId}`)!;
    t.equal(cb.data.channel, 'callback');
    t.equal(cb.data.enqueuedAt, call.data.enqueuedAt, "the callback has the call's enqueue time");
    await waitFor('the call contact retired', async () => (await p.journal('contact.retired')).some((e) => e.aggregateId === `call-${a.channelId}`));
    const sup = await p.app.token('supervisor');
    const line = (await p.app.req('GET', `/api/routing/contacts?queueId=${p.queueId}`, { token: sup })).body as { contactId: string; position: number }[];
    t.same(line.map((c) => c.contactId), [`cb-${a.channelId}`, `call-${b.channelId}`], 'the callback is ahead of the later call');

    await p.setState('ready');
    const offer = await p.offer();
    t.match(offer, { channel: 'callback', appealId: a.appealId });
    t.equal((await p.accept(offer.id)).status, 200);
    const opLeg = await p.pbx.waitForDial(/^PJSIP\/op-/, p.pbx.dialed.filter((d) => d.endpoint.startsWith('PJSIP/op-')).length);
    t.same(opLeg.appArgs, ['cb-operator', a.channelId]);
    p.pbx.answer(opLeg.channelId);
    const applicant = await p.pbx.waitForDial('PJSIP/+79165551234@city-trunk');
    t.same(applicant.appArgs, ['cb-applicant', a.channelId]);
    t.equal(applicant.callerId, '"Окно" <122>');
    p.pbx.answer(applicant.channelId);
    await waitFor('operator and applicant bridged', () => p.pbx.bridgeOf(applicant.channelId)?.channels.includes(opLeg.channelId));
    p.pbx.hangupRemote(applicant.channelId);
    const out = await summaryOf(p, a.channelId, 'callback');
    t.match(out, { direction: 'out', outcome: 'answered', hungUpBy: 'caller', operatorUserId: p.operatorId });
    t.notOk(p.pbx.channels.has(opLeg.channelId), "the operator's leg is hung up");

    // The later call is next.
    const next = await p.offer();
    t.match(next, { channel: 'voice', appealId: b.appealId });
    p.pbx.hangupRemote(b.channelId);
    await summaryOf(p, b.channelId);
  });
});
