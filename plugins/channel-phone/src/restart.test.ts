/**
 * A core restart in the middle of calls, on a real core (SQLite file, routing) against the fake
 * Asterisk, which keeps the calls while the core is away. The restarted node takes the calls over
 * from Asterisk (GET /channels, /bridges) and from what is durable (the appeal and interaction of
 * `call:<id>`, routing's contacts in the journal), follows them to the end, records them and ends
 * their routing contacts:
 *   - a conversation in progress;
 *   - a caller waiting on hold (the same place in the line, not queued twice);
 *   - an operator's phone ringing, answered after the restart, or ringing out (back to the line);
 *   - a caller who hung up while the core was away;
 *   - a callback requested before the restart, placed after it (its data read back from the appeal);
 *   - a callback in progress at the restart: the operator's phone ringing, or operator and applicant
 *     talking; followed, recorded once and its contact ended.
 */
import t, { type Test } from 'tap';
import { waitFor } from '@okno/testkit';
import { restartablePhoneApp, type PhoneApp } from './test-support/phone-app.js';
import type { CallSummary } from './calls/call-record.js';

t.test('calls across a core restart', async (t) => {
  const core = await restartablePhoneApp(t, 'okno-phone-restart-');
  const { pbx } = core;
  let p: PhoneApp = core.app();
  const opEndpoint = `PJSIP/op-${p.operatorId}`;

  const restart = async () => {
    p = await core.restart();
    await waitFor('the calls compared with Asterisk', () => p.flow.stats.resyncs >= 1);
    await p.flow.idle();
  };
  const summary = async (channelId: string, prefix: 'call' | 'callback' = 'call') => {
    let s: CallSummary | undefined;
    await waitFor(`the ${prefix} recorded`, async () => (s = (await p.callInteraction(channelId, prefix))?.meta?.call as CallSummary | undefined));
    return s!;
  };
  const queued = async (contactId: string) => (await p.journal('contact.queued')).filter((e) => e.aggregateId === contactId);
  /** The contacts routing counts the operator as holding (its claims). */
  const held = async () => {
    const sup = await p.app.token('supervisor');
    const ops = (await p.app.req('GET', '/api/routing/operators', { token: sup })).body as { userId: number; contacts: { contactId: string; state: string }[] }[];
    return ops.find((o) => o.userId === p.operatorId)!.contacts.map((c) => c.contactId);
  };
  const dialsSoFar = () => p.pbx.dialed.filter((d) => d.endpoint === opEndpoint).length;
  const connect = async (t: Test, channelId: string) => {
    const offer = await p.offer();
    const n = dialsSoFar();
    const acc = await p.accept(offer.id);
    if (acc.status !== 200) throw new Error(`accept: ${acc.status} ${JSON.stringify(acc.body)}`);
    const dial = await p.pbx.waitForDial(opEndpoint, n);
    t.same(dial.appArgs, ['operator', channelId]);
    return { offer, dial };
  };

  await t.test('a conversation in progress is followed to its end, recorded, and its contact ended', async (t) => {
    await p.setState('ready');
    const { channelId, appealId } = await p.callIn('+7 916 200-00-01');
    const { dial } = await connect(t, channelId);
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    const enqueuedAt = (await queued(`call-${channelId}`))[0]!.data.enqueuedAt;
    t.same(await held(), [`call-${channelId}`], 'the operator holds the call');

    await restart();
    t.same(p.flow.active(), { talking: 1 }, 'the call is followed again');
    t.equal(p.pbx.bridgeOf(channelId)?.type, 'mixing', 'not put back on hold');
    t.equal(p.flow.stats.adopted, 1);

    p.pbx.hangupRemote(dial.channelId);
    const s = await summary(channelId);
    t.match(s, { outcome: 'answered', hungUpBy: 'operator', operatorUserId: p.operatorId, queuedAt: enqueuedAt, answeredAt: String, followedAfterRestart: { since: String, unknownTimes: [] } });
    t.ok(Date.parse(s.answeredAt!) < Date.parse(s.followedAfterRestart!.since), 'the answer time (the bridge was made) is from before the restart');
    t.ok(s.talkSeconds >= 0 && Date.parse(s.endedAt) >= Date.parse(s.followedAfterRestart!.since));
    t.notOk(p.pbx.channels.has(channelId), 'the caller is hung up');
    t.notOk(p.pbx.bridges.has(`okno-call-${channelId}`), 'the bridge is destroyed');
    t.match((await p.callInteraction(channelId))!.body, /прослежен после перезапуска/);
    t.equal((await p.journal('call.ended')).filter((e) => e.data.appealId === appealId).length, 1, 'recorded once');
    await waitFor('the contact ended in routing (the operator is free)', async () => !(await held()).includes(`call-${channelId}`));
  });

  await t.test('a caller waiting on hold keeps the place and is not queued twice', async (t) => {
    await p.setState('paused', 'break');
    const { channelId, appealId } = await p.callIn('+7 916 200-00-02');
    const enqueuedAt = (await queued(`call-${channelId}`))[0]!.data.enqueuedAt;

    await restart();
    t.same(p.flow.active(), { waiting: 1 });
    t.equal(p.pbx.bridgeOf(channelId)?.type, 'holding', 'still on hold');
    const sup = await p.app.token('supervisor');
    const line = await waitFor('the contact back in the line', async () => {
      const l = (await p.app.req('GET', `/api/routing/contacts?queueId=${p.queueId}`, { token: sup })).body as { contactId: string; enqueuedAt: string }[];
      return l.length ? l : null;
    });
    t.same(line!.map((c) => [c.contactId, c.enqueuedAt]), [[`call-${channelId}`, enqueuedAt]], 'one contact, with its first enqueue time');

    await p.setState('ready');
    const { offer, dial } = await connect(t, channelId);
    t.match(offer, { channel: 'voice', appealId });
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(channelId);
    const s = await summary(channelId);
    t.match(s, { outcome: 'answered', hungUpBy: 'caller', queuedAt: enqueuedAt, followedAfterRestart: { unknownTimes: [] } });
    t.equal((await queued(`call-${channelId}`)).length, 1, 'queued once');
    await waitFor('the contact completed', async () => (await p.journal('contact.completed')).some((e) => e.aggregateId === `call-${channelId}`));
  });

  await t.test("an operator's phone ringing at the restart: answered after it, the call is bridged and followed", async (t) => {
    await p.setState('ready');
    const { channelId } = await p.callIn('+7 916 200-00-03');
    const { dial } = await connect(t, channelId);

    await restart();
    t.same(p.flow.active(), { dialing: 1 });
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    t.same(p.pbx.bridgeOf(channelId)!.channels.sort(), [channelId, dial.channelId].sort());
    p.pbx.hangupRemote(channelId);
    const s = await summary(channelId);
    t.match(s, { outcome: 'answered', hungUpBy: 'caller', operatorUserId: p.operatorId, followedAfterRestart: { unknownTimes: [] } });
    t.ok(Date.parse(s.answeredAt!) >= Date.parse(s.followedAfterRestart!.since), 'answered after the restart');
    await waitFor('the operator is free', async () => !(await held()).includes(`call-${channelId}`));
  });

  await t.test("an operator's phone ringing at the restart rings out: back to the line with the place", async (t) => {
    await p.setState('ready');
    const { channelId } = await p.callIn('+7 916 200-00-04');
    const enqueuedAt = (await queued(`call-${channelId}`))[0]!.data.enqueuedAt;
    const { dial } = await connect(t, channelId);

    await restart();
    p.pbx.reject(dial.channelId, 19);
    const again = await waitFor('queued again', async () => (await queued(`call-${channelId}-r1`))[0]);
    t.equal(again!.data.enqueuedAt, enqueuedAt, 'with the first enqueue time');
    await waitFor('the missed contact ended (the operator is free)', async () => !(await held()).includes(`call-${channelId}`));

    await p.setState('ready');
    const second = await connect(t, channelId);
    p.pbx.answer(second.dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(channelId);
    t.match(await summary(channelId), { outcome: 'answered', queuedAt: enqueuedAt, missedBy: [{ operatorUserId: p.operatorId, cause: 'No answer' }], followedAfterRestart: { since: String } });
  });

  await t.test('a caller who hangs up while the core is away: abandoned and recorded at the start', async (t) => {
    await p.setState('paused', 'break');
    const { channelId } = await p.callIn('+7 916 200-00-05');
    await core.stop();
    pbx.hangupRemote(channelId);
    p = await core.start();
    const s = await summary(channelId);
    t.match(s, { outcome: 'abandoned', hungUpBy: 'unknown', answeredAt: null, followedAfterRestart: { unknownTimes: ['endedAt'] } });
    t.equal(p.flow.stats.settledAfterRestart, 1);
    await waitFor('abandoned in routing', async () => (await p.journal('contact.abandoned')).some((e) => e.aggregateId === `call-${channelId}`));
  });

  await t.test('a callback requested before a restart is placed after it, its data read back from the appeal', async (t) => {
    await p.setState('paused', 'break');
    const a = await p.callIn('+7 916 200-00-06');
    p.pbx.press(a.channelId, '9');
    t.match(await summary(a.channelId), { outcome: 'callback-requested', hungUpBy: 'system' });
    const cb = (await waitFor('the callback queued', async () => (await queued(`cb-${a.channelId}`))[0]))!;
    t.equal(cb.data.enqueuedAt, (await queued(`call-${a.channelId}`))[0]!.data.enqueuedAt, "with the call's enqueue time");

    await restart();
    await p.setState('ready');
    const offer = await p.offer();
    t.match(offer, { channel: 'callback', appealId: a.appealId });
    const n = p.pbx.dialed.length;
    t.equal((await p.accept(offer.id)).status, 200);
    const opLeg = await waitFor('the operator dialled', () => p.pbx.dialed.slice(n).find((d) => d.endpoint === opEndpoint));
    t.same(opLeg!.appArgs, ['cb-operator', a.channelId]);
    t.match(opLeg!.callerId, /<\+79162000006>/, "the operator's phone shows the number read back from the appeal");
    p.pbx.answer(opLeg!.channelId);
    const applicant = await p.pbx.waitForDial('PJSIP/+79162000006@city-trunk');
    t.same(applicant.appArgs, ['cb-applicant', a.channelId]);
    p.pbx.answer(applicant.channelId);
    await waitFor('operator and applicant bridged', () => p.pbx.bridgeOf(applicant.channelId)?.channels.includes(opLeg!.channelId));
    p.pbx.hangupRemote(opLeg!.channelId);
    const out = await summary(a.channelId, 'callback');
    t.match(out, { direction: 'out', outcome: 'answered', hungUpBy: 'operator', operatorUserId: p.operatorId, queuedAt: cb.data.enqueuedAt });
    t.equal((await p.callInteraction(a.channelId, 'callback'))!.appealId, a.appealId, 'on the same appeal');
    t.notOk(p.pbx.channels.has(applicant.channelId), 'the applicant is hung up');
    t.equal((await queued(`cb-${a.channelId}`)).length, 1, 'the callback was queued once');
    await waitFor('the callback contact completed', async () => (await p.journal('contact.completed')).some((e) => e.aggregateId === `cb-${a.channelId}`));
  });

  /** A callback requested and accepted by the operator: the operator's phone rings (cb-operator leg). */
  const callbackRinging = async (t: Test, from: string) => {
    await p.setState('paused', 'break');
    const a = await p.callIn(from);
    p.pbx.press(a.channelId, '9');
    await summary(a.channelId);
    const cb = (await waitFor('the callback queued', async () => (await queued(`cb-${a.channelId}`))[0]))!;
    await p.setState('ready');
    const offer = await p.offer();
    t.match(offer, { channel: 'callback', appealId: a.appealId });
    const n = p.pbx.dialed.length;
    t.equal((await p.accept(offer.id)).status, 200);
    const opLeg = (await waitFor("the operator's phone rings", () => p.pbx.dialed.slice(n).find((d) => d.endpoint === opEndpoint)))!;
    t.same(opLeg.appArgs, ['cb-operator', a.channelId]);
    return { ...a, opLeg, enqueuedAt: cb.data.enqueuedAt };
  };

  await t.test("a callback whose operator's phone rings at the restart: answered after it, the applicant dialled, recorded once", async (t) => {
    const a = await callbackRinging(t, '+7 916 200-00-07');
    await restart();
    t.same(p.flow.active(), { 'callback-dialing-operator': 1 }, 'the callback is followed again');
    t.equal(p.flow.stats.adopted, 1);
    const n = p.pbx.dialed.length;
    p.pbx.answer(a.opLeg.channelId);
    const applicant = (await waitFor('the applicant dialled', () => p.pbx.dialed.slice(n).find((d) => d.endpoint === 'PJSIP/+79162000007@city-trunk')))!;
    t.same(applicant.appArgs, ['cb-applicant', a.channelId]);
    t.not(applicant.channelId, a.opLeg.channelId, 'a fresh leg id');
    p.pbx.answer(applicant.channelId);
    await waitFor('operator and applicant bridged', () => p.pbx.bridgeOf(applicant.channelId)?.channels.includes(a.opLeg.channelId));
    p.pbx.hangupRemote(applicant.channelId);
    const out = await summary(a.channelId, 'callback');
    t.match(out, { direction: 'out', outcome: 'answered', hungUpBy: 'caller', operatorUserId: p.operatorId, queuedAt: a.enqueuedAt, followedAfterRestart: { since: String, unknownTimes: [] } });
    t.ok(Date.parse(out.startedAt) < Date.parse(out.followedAfterRestart!.since), "the start (the operator's phone dialled) is from before the restart");
    t.notOk(p.pbx.channels.has(a.opLeg.channelId), 'the operator is hung up');
    t.equal((await p.journal('call.ended')).filter((e) => e.data.appealId === a.appealId && e.data.direction === 'out').length, 1, 'the callback recorded once');
    await waitFor('the callback contact completed', async () => (await p.journal('contact.completed')).some((e) => e.aggregateId === `cb-${a.channelId}`));
    await waitFor('the operator is free', async () => !(await held()).includes(`cb-${a.channelId}`));
  });

  await t.test('a callback in conversation at the restart: followed to its end, recorded once, its contact ended', async (t) => {
    const a = await callbackRinging(t, '+7 916 200-00-08');
    const n = p.pbx.dialed.length;
    p.pbx.answer(a.opLeg.channelId);
    const applicant = (await waitFor('the applicant dialled', () => p.pbx.dialed.slice(n).find((d) => d.endpoint === 'PJSIP/+79162000008@city-trunk')))!;
    p.pbx.answer(applicant.channelId);
    await waitFor('operator and applicant bridged', () => p.pbx.bridgeOf(applicant.channelId)?.channels.includes(a.opLeg.channelId));
    t.same(await held(), [`cb-${a.channelId}`], 'the operator holds the callback');

    await restart();
    t.same(p.flow.active(), { 'callback-talking': 1 }, 'the conversation is followed again');
    t.equal(p.pbx.bridgeOf(applicant.channelId)?.id, `okno-callback-${a.channelId}`, 'left as it is');
    p.pbx.hangupRemote(a.opLeg.channelId);
    const out = await summary(a.channelId, 'callback');
    t.match(out, { direction: 'out', outcome: 'answered', hungUpBy: 'operator', operatorUserId: p.operatorId, answeredAt: String, followedAfterRestart: { since: String, unknownTimes: [] } });
    t.ok(Date.parse(out.answeredAt!) < Date.parse(out.followedAfterRestart!.since), 'the answer time (the bridge was made) is from before the restart');
    t.match((await p.callInteraction(a.channelId, 'callback'))!.body, /Обратный звонок.*прослежен после перезапуска/s);
    t.notOk(p.pbx.channels.has(applicant.channelId), 'the applicant is hung up');
    t.notOk(p.pbx.bridges.has(`okno-callback-${a.channelId}`), 'the bridge is destroyed');
    t.equal((await p.journal('call.ended')).filter((e) => e.data.appealId === a.appealId && e.data.direction === 'out').length, 1, 'the callback recorded once');
    await waitFor('the callback contact completed', async () => (await p.journal('contact.completed')).some((e) => e.aggregateId === `cb-${a.channelId}`));
    await waitFor('the operator is free', async () => !(await held()).includes(`cb-${a.channelId}`));
  });

  await t.test('a callback assigned at a restart whose dial was lost goes back into the line with its place', async (t) => {
    const a = await callbackRinging(t, '+7 916 200-00-09');
    await core.stop();
    pbx.reject(a.opLeg.channelId, 19); // the operator's phone rang out while no node followed it
    p = await core.start();
    await p.setState('paused', 'break');
    const again = await waitFor('queued again', async () => (await queued(`cb-${a.channelId}-r1`))[0]);
    t.equal(again!.data.enqueuedAt, a.enqueuedAt, 'with the first enqueue time');
    t.equal(p.flow.stats.settledAfterRestart, 1);
    await waitFor('the assigned contact ended (the operator is free)', async () => !(await held()).includes(`cb-${a.channelId}`));
    await p.setState('ready');
    const offer = await p.offer();
    t.match(offer, { channel: 'callback', appealId: a.appealId });
  });
});
