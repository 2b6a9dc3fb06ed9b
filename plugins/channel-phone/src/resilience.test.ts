/**
 * Asterisk going away and coming back mid-call, and bad input from it, on a real core: nothing is
 * lost and nothing crashes.
 *
 * - A call in progress stays bridged and ends normally after the link is back.
 * - A waiting caller who hangs up while the link is down (the events are lost) is found gone by
 *   `GET /channels` at reconnection: abandoned and recorded.
 * - An operator who accepts while Asterisk is away is dialled once it is back.
 * - Frames that are not ARI messages, unknown events, 5xx answers: clear errors in health, the
 *   channel goes on taking calls.
 */
import t from 'tap';
import { waitFor } from '@okno/testkit';
import type { ChannelHealth } from '@okno/core';
import { startPhoneApp } from './test-support/phone-app.js';
import type { CallSummary } from './calls/call-record.js';

t.test('Asterisk away and back, bad input', async (t) => {
  const p = await startPhoneApp();
  t.teardown(() => p.stop());
  const opEndpoint = `PJSIP/op-${p.operatorId}`;
  const health = () => p.app.app.broker.call<ChannelHealth, object>('channel.phone.health', {});
  const summary = async (channelId: string) => {
    let s: CallSummary | undefined;
    await waitFor('the call recorded', async () => (s = (await p.callInteraction(channelId))?.meta?.call as CallSummary | undefined));
    return s!;
  };
  const dials = () => p.pbx.dialed.filter((d) => d.endpoint === opEndpoint).length;
  const reconnects = async () => Number((await health()).details?.reconnects);
  const outage = async (during: () => void | Promise<void>) => {
    const before = await reconnects();
    await p.pbx.goAway();
    await waitFor('health down', async () => (await health()).status === 'down');
    try {
      await during();
    } finally {
      await p.pbx.comeBack();
    }
    await waitFor('reconnected', async () => (await reconnects()) === before + 1 && p.pbx.connected('okno'), 15_000);
    await p.flow.idle();
  };
  await p.setState('ready');

  await t.test('a call in progress survives the outage and ends normally', async (t) => {
    const { channelId } = await p.callIn('+7 916 100-00-01');
    const offer = await p.offer();
    t.equal((await p.accept(offer.id)).status, 200);
    const dial = await p.pbx.waitForDial(opEndpoint);
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    await outage(() => undefined);
    const h = await health();
    t.equal(h.status, 'ok', JSON.stringify(h.details));
    t.equal(p.pbx.bridgeOf(channelId)?.type, 'mixing', 'still bridged');
    t.same(h.details?.calls, { talking: 1 });
    p.pbx.hangupRemote(dial.channelId);
    t.match(await summary(channelId), { outcome: 'answered', hungUpBy: 'operator' });
    t.equal((await p.journal('call.ended')).filter((e) => e.data.appealId === offer.appealId).length, 1, 'recorded once');
  });

  await t.test('a caller who hangs up while Asterisk is away is abandoned at reconnection', async (t) => {
    await p.setState('paused', 'break');
    const { channelId } = await p.callIn('+7 916 100-00-02');
    await outage(() => p.pbx.hangupRemote(channelId));
    t.match(await summary(channelId), { outcome: 'abandoned', hungUpBy: 'caller' });
    await waitFor('abandoned in routing', async () => (await p.journal('contact.abandoned')).some((e) => e.aggregateId === `call-${channelId}`));
  });

  await t.test('an operator who accepts while Asterisk is away is dialled when it is back', async (t) => {
    const { channelId } = await p.callIn('+7 916 100-00-03');
    const n = dials();
    await outage(async () => {
      await p.setState('ready');
      const offer = await p.offer();
      t.equal((await p.accept(offer.id)).status, 200);
      await waitFor('the dial failed', async () => String((await health()).details?.stats && ((await health()).details!.stats as { lastFailure: string }).lastFailure).includes('unreachable'));
    });
    const dial = await p.pbx.waitForDial(opEndpoint, n);
    t.equal(dials(), n + 1, 'dialled once, after the reconnection');
    t.same(dial.appArgs, ['operator', channelId]);
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(channelId);
    t.match(await summary(channelId), { outcome: 'answered', hungUpBy: 'caller' });
  });

  await t.test('an operator who answers while Asterisk is away is bridged at reconnection', async (t) => {
    const { channelId } = await p.callIn('+7 916 100-00-04');
    const offer = await p.offer();
    const n = dials();
    t.equal((await p.accept(offer.id)).status, 200);
    const dial = await p.pbx.waitForDial(opEndpoint, n);
    t.same(dial.appArgs, ['operator', channelId]);
    await outage(() => p.pbx.answer(dial.channelId));
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(channelId);
    t.match(await summary(channelId), { outcome: 'answered' });
  });

  await t.test('bad frames and unknown events are passed over with a reason', async (t) => {
    await p.setState('paused', 'break');
    p.pbx.sendRaw('{"type": "StasisStart", oops');
    p.pbx.sendRaw(JSON.stringify({ type: 'StasisStart', application: 'okno', timestamp: '2025-03-05T11:07:00.000+0000', args: [], channel: { id: 'x1' } }));
    p.pbx.sendRaw(JSON.stringify({ type: 'ChannelTalkingStarted', application: 'okno', timestamp: '2025-03-05T11:07:00.000+0000', channel: { id: 'x2' } }));
    p.pbx.sendRaw(JSON.stringify([1, 2, 3]));
    await waitFor('three bad frames counted', async () => (await health()).details?.badMessages === 3);
    const h = await health();
    t.equal(h.status, 'degraded');
    t.equal(h.details?.lastBadMessage, 'not a JSON object');
    // The channel still takes calls.
    const { channelId } = await p.callIn('+7 916 100-00-05');
    p.pbx.hangupRemote(channelId);
    t.match(await summary(channelId), { outcome: 'abandoned' });
  });

  await t.test('5xx from Asterisk: a clear error, the call goes on', async (t) => {
    p.pbx.failNext('POST', /\/channels$/, 500, 'Internal Server Error');
    const { channelId } = await p.callIn('+7 916 100-00-06');
    await p.setState('ready');
    const offer = await p.offer();
    t.equal((await p.accept(offer.id)).status, 200);
    await waitFor('queued again after the failed dial', async () => (await p.journal('contact.queued')).some((e) => e.aggregateId === `call-${channelId}-r1`));
    t.match(((await health()).details?.stats as { lastFailure: string }).lastFailure, /dial the operator: Asterisk answered 500 to POST \/channels: Internal Server Error/);
    const again = await p.offer();
    const n = dials();
    t.equal((await p.accept(again.id)).status, 200);
    const dial = await p.pbx.waitForDial(opEndpoint, n);
    p.pbx.answer(dial.channelId);
    await waitFor('bridged', () => p.pbx.bridgeOf(channelId)?.type === 'mixing');
    p.pbx.hangupRemote(channelId);
    t.match(await summary(channelId), { outcome: 'answered', missedBy: [{ cause: /500/ }] });

  });

  await t.test('a new call Asterisk answers 5xx to: tried again, then hung up with a cause, never left silent', async (t) => {
    await p.setState('paused', 'break');
    // Two failures, then Asterisk answers: the third try takes the call.
    p.pbx.failNext('POST', /\/answer$/, 503, 'Service Unavailable', 2);
    const { channelId } = await p.callIn('+7 916 100-00-07');
    t.equal(p.pbx.requests.filter((r) => r.path === `/ari/channels/${channelId}/answer`).map((r) => r.status).join(','), '503,503,204', 'answered on the third try');
    t.match(((await health()).details?.stats as { lastFailure: string }).lastFailure, /answer a call \(attempt 2 of 3\): Asterisk answered 503 to POST \/channels\/[^/]+\/answer: Service Unavailable/);
    p.pbx.hangupRemote(channelId);
    t.match(await summary(channelId), { outcome: 'abandoned' });

    // Asterisk keeps failing: the call is hung up with "congestion" (the caller's network says "try later").
    p.pbx.failNext('POST', /\/answer$/, 500, 'Internal Server Error', 3);
    const lost = p.pbx.placeCall({ from: '+7 916 100-00-08' });
    const destroyed = await waitFor('the call hung up', () => p.pbx.sent.find((e) => e.type === 'ChannelDestroyed' && (e.channel as { id: string }).id === lost));
    t.equal(destroyed!.cause, 34, 'with the cause congestion');
    t.notOk(p.pbx.channels.has(lost), 'not left in Stasis');
    t.equal(p.pbx.requests.filter((r) => r.path === `/ari/channels/${lost}/answer`).length, 3, 'tried three times');
    await p.flow.idle();
    const h = await health();
    t.equal(h.status, 'degraded');
    t.match(h.details?.stats, { answerFailures: 1, lastFailure: /answer a call: given up after 3 attempt\(s\), hung up with "congestion": Asterisk answered 500/ });
    t.same(p.flow.active(), {}, 'the call is not followed any more');
    t.equal(await p.callInteraction(lost), null, 'a call never answered is no appeal');
  });
});
