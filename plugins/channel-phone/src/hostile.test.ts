/**
 * A hostile or broken peer on a real core (SQLite, routing) against the fake Asterisk:
 *
 * - `GET /channels` entries that are not Channels (a caller number that is a JSON number) at a
 *   reconnection: left out and counted, nothing crashes, the calls go on; a call whose own entry is
 *   unreadable is not ended for it.
 * - A comparison that cannot be completed (`GET /channels` answers 500) is tried again on a timer, so
 *   a caller who hung up while the link was down is still recorded.
 * - A flood of DTMF digits: one invalid-choice prompt at a time, the call still works.
 * - A call from a 3–4 digit internal extension is registered as from a hidden number.
 * - An operator whose login cannot be put into the dial string: a clear error and the call goes
 *   back into the line; nothing is dialled.
 */
import t from 'tap';
import { User, type ChannelHealth } from '@okno/core';
import { waitFor } from '@okno/testkit';
import { startPhoneApp } from './test-support/phone-app.js';
import { FakeAsterisk } from './test-support/fake-asterisk.js';
import type { CallSummary } from './calls/call-record.js';

t.test('a hostile or broken peer', async (t) => {
  // Playbacks run a minute, so a prompt is still playing while more digits come.
  const pbx = await FakeAsterisk.start({ playbackMs: 60_000 });
  t.teardown(() => pbx.stop());
  const p = await startPhoneApp({ pbx, phone: { operatorEndpoint: 'PJSIP/{login}' } });
  t.teardown(() => p.stop());
  const health = () => p.app.app.broker.call<ChannelHealth, object>('channel.phone.health', {});
  const interaction = async (channelId: string) => (await waitFor('the call recorded', async () => {
    const i = await p.callInteraction(channelId);
    return i?.meta?.call ? i : null;
  }))!;
  const outage = async (during: () => void | Promise<void>) => {
    const before = p.flow.stats.resyncs;
    await p.pbx.goAway();
    await waitFor('disconnected', async () => (await health()).status === 'down');
    await during();
    await p.pbx.comeBack();
    await waitFor('reconnected and compared', () => p.pbx.connected('okno') && p.flow.stats.resyncs > before, 15_000);
    await p.flow.idle();
  };
  await p.setState('paused', 'break');

  await t.test('GET /channels entries that are not Channels: left out and counted, nothing crashes', async (t) => {
    const waiting = await p.callIn('+7 916 200-00-01');
    const other = await p.callIn('+7 916 200-00-02');
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    t.teardown(() => process.off('unhandledRejection', onUnhandled));
    // Another call in Stasis whose caller number is a JSON number, and the waiting call's own entry broken the same way.
    p.pbx.tamper('channels', (list) => [
      ...list.map((c) => (c.id === waiting.channelId ? { ...c, caller: { name: '', number: 7916 } } : c)),
      { ...list[0], id: 'hostile.1', caller: { name: '', number: 7916 } },
    ]);
    await outage(() => undefined);
    t.same(unhandled, [], 'no unhandled rejection');
    const h = await health();
    t.equal(h.status, 'degraded');
    t.match(h.details, { badEntries: Number, lastBadEntry: 'GET /channels: channel.caller is not a CallerID' });
    t.ok(Number(h.details?.badEntries) >= 2);
    t.match(p.flow.active(), { waiting: 2 }, 'both calls are still followed; the one with an unreadable entry is not ended for it');
    t.equal(await p.callInteraction(waiting.channelId).then((i) => i?.meta?.call ?? null), null, 'not recorded as ended');
    // Asterisk answers properly again: the comparison tried again completes, and the calls end normally.
    p.pbx.tamper('channels', null);
    p.pbx.hangupRemote(waiting.channelId);
    p.pbx.hangupRemote(other.channelId);
    t.match((await interaction(waiting.channelId)).meta?.call, { outcome: 'abandoned', hungUpBy: 'caller' });
    t.match((await interaction(other.channelId)).meta?.call, { outcome: 'abandoned' });
  });

  await t.test('GET /channels failing at a reconnection: the comparison is tried again until it completes', async (t) => {
    const { channelId } = await p.callIn('+7 916 200-00-03');
    await outage(() => {
      p.pbx.hangupRemote(channelId); // the events are lost
      p.pbx.failNext('GET', /^\/ari\/channels$/, 500, 'Internal Server Error', 2);
    });
    const s = (await interaction(channelId)).meta?.call as CallSummary;
    t.match(s, { outcome: 'abandoned', hungUpBy: 'caller' }, 'found gone by a later comparison');
    t.equal(p.pbx.requests.filter((r) => r.path === '/ari/channels' && r.method === 'GET' && r.status === 500).length, 2);
  });

  await t.test('a flood of digits plays the invalid-choice prompt once at a time, and the menu still works', async (t) => {
    const channelId = p.pbx.placeCall({ from: '+7 916 200-00-04' });
    await waitFor('the greeting', () => p.pbx.heard(channelId).includes('sound:okno-greeting'));
    for (let i = 0; i < 200; i++) p.pbx.press(channelId, '5');
    await waitFor('the invalid-choice prompt', () => p.pbx.heard(channelId).includes('sound:option-is-invalid'));
    await p.flow.idle();
    t.equal(p.pbx.heard(channelId).filter((m) => m === 'sound:option-is-invalid').length, 1, 'one prompt while it plays');
    t.equal(p.pbx.requests.filter((r) => r.path === `/ari/channels/${channelId}/play`).length, 2, 'the greeting and one prompt: no request per digit');
    p.pbx.press(channelId, '2');
    const inter = await waitFor('registered', () => p.callInteraction(channelId));
    t.match(await p.appeal(inter!.appealId), { subject: 'Звонок: Справки' });
    p.pbx.hangupRemote(channelId);
    await interaction(channelId);
  });

  await t.test('a call from a 3-4 digit internal extension is taken as from a hidden number', async (t) => {
    const { channelId, appealId } = await p.callIn('1234');
    t.match(await p.appeal(appealId), { replyAddress: null });
    p.pbx.hangupRemote(channelId);
    const inter = await interaction(channelId);
    t.match(inter.body, /^Входящий звонок \(внутренний номер 1234\)/, 'the extension is in the text');
    t.match(inter.meta?.call, { outcome: 'abandoned' });
  });

  await t.test("an operator whose login cannot be dialled: a clear error, the call goes back into the line", async (t) => {
    await p.app.app.db.transaction((em) => em.update(User, { id: p.operatorId }, { login: 'x/sip:+79160000000@attacker.example' }));
    const { channelId } = await p.callIn('+7 916 200-00-05');
    await p.setState('ready');
    const offer = await p.offer();
    const dialsBefore = p.pbx.dialed.length;
    t.equal((await p.accept(offer.id)).status, 200);
    await waitFor('queued again', async () => (await p.journal('contact.queued')).some((e) => e.aggregateId === `call-${channelId}-r1`));
    t.equal(p.pbx.dialed.length, dialsBefore, 'nothing dialled');
    t.match(p.flow.stats.lastFailure, /dial the operator: the operator's login ".*" cannot be put into operatorEndpoint/);
    await p.setState('paused', 'break');
    p.pbx.hangupRemote(channelId);
    t.match((await interaction(channelId)).meta?.call, { missedBy: [{ operatorUserId: p.operatorId, cause: /cannot be put into operatorEndpoint/ }] });
  });
});
