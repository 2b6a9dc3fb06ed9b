/**
 * The ARI adapter against the fake Asterisk: basic auth, Asterisk's error statuses and messages as
 * `AriError`, an unreachable Asterisk as `AriUnavailable`, the events WebSocket refused without
 * credentials, and reconnection after Asterisk went away.
 */
import t from 'tap';
import { waitFor } from '@okno/testkit';
import { AriClient, AriError, AriUnavailable } from './client.js';
import type { AriEvent } from './types.js';
import { FakeAsterisk } from '../test-support/fake-asterisk.js';

const client = (fake: FakeAsterisk, o: Partial<ConstructorParameters<typeof AriClient>[0]> = {}) => {
  const events: AriEvent[] = [];
  const connects: boolean[] = [];
  const c = new AriClient({
    url: fake.url, user: fake.user, password: fake.password, app: 'okno', reconnect: { minMs: 20, maxMs: 100 }, pingMs: 500,
    onEvent: (e) => events.push(e), onConnected: ({ reconnect }) => connects.push(reconnect), ...o,
  });
  return { c, events, connects };
};

t.test('REST: answers and Asterisk\'s errors', async (t) => {
  const fake = await FakeAsterisk.start();
  t.teardown(() => fake.stop());
  const { c } = client(fake);
  t.teardown(() => c.close());
  c.start();
  await waitFor('connected', () => fake.connected('okno'));

  const id = fake.placeCall({ from: '+74951234567' });
  await c.answer(id);
  t.equal((await c.getChannel(id)).state, 'Up');
  t.same((await c.listChannels()).map((x) => x.id), [id]);

  const err = await c.answer('no-such-channel').catch((e: unknown) => e);
  t.type(err, AriError);
  t.match(err, { status: 404, reason: 'Channel not found', message: 'Asterisk answered 404 to POST /channels/no-such-channel/answer: Channel not found' });

  const leg = await c.originate({ endpoint: 'PJSIP/op-1', app: 'okno', appArgs: 'operator,x', channelId: 'leg-1', timeout: 30 });
  t.match(leg, { id: 'leg-1', state: 'Down' });
  t.match(await c.answer('leg-1').catch((e: unknown) => e), { status: 409, reason: 'Channel not in a Stasis application' }, 'a ringing originated channel is not in Stasis');
  t.match(await c.originate({ endpoint: 'PJSIP/op-1', app: 'okno', channelId: 'leg-1' }).catch((e: unknown) => e), { status: 409 }, 'a channel id is unique');

  await c.createBridge('holding', 'hold');
  t.match(await c.createBridge('holding', 'hold').catch((e: unknown) => e), { status: 409 });
  t.match(await c.addChannel('hold', 'leg-1').catch((e: unknown) => e), { status: 422, reason: 'Channel not in Stasis application' });
  t.match(await c.addChannel('hold', 'nobody').catch((e: unknown) => e), { status: 400, reason: 'Channel not found' });
  t.match(await c.addChannel('nowhere', id).catch((e: unknown) => e), { status: 404, reason: 'Bridge not found' });
  await c.addChannel('hold', id);
  await c.startBridgeMoh('hold', 'default');
  t.same((await c.getBridge('hold')).channels, [id]);
  t.match(await c.removeChannel('hold', 'leg-1').catch((e: unknown) => e), { status: 422, reason: 'Channel not in this bridge' });
  await c.removeChannel('hold', id);
  await c.destroyBridge('hold');
  t.match(await c.destroyBridge('hold').catch((e: unknown) => e), { status: 404 });
  t.match(await c.hangup(id, 'bogus' as never).catch((e: unknown) => e), { status: 400, reason: 'Invalid reason for hangup provided' });
  await c.hangup(id, 'normal');
  t.match(await c.getChannel(id).catch((e: unknown) => e), { status: 404 });

  fake.failNext('GET', /\/channels$/, 500, 'Internal Server Error');
  t.match(await c.listChannels().catch((e: unknown) => e), { status: 500, message: /500 to GET \/channels: Internal Server Error/ });

  const wrong = new AriClient({ url: fake.url, user: fake.user, password: 'wrong', app: 'other', reconnect: { minMs: 20, maxMs: 100 }, onEvent: () => undefined });
  t.teardown(() => wrong.close());
  t.match(await wrong.listChannels().catch((e: unknown) => e), { status: 401, reason: 'Authentication required' });
  wrong.start();
  await waitFor('the WebSocket refused', () => wrong.status().lastError?.includes('401'), 5000);
  t.equal(wrong.status().lastError, 'the events WebSocket was refused with HTTP 401 (check user and password in ari.conf)');
  t.equal(fake.connected('other'), false);
});

t.test('events in order, and reconnection with nothing lost that Asterisk still has', async (t) => {
  const fake = await FakeAsterisk.start();
  t.teardown(() => fake.stop());
  const { c, events, connects } = client(fake);
  t.teardown(() => c.close());
  c.start();
  await waitFor('connected', () => connects.length === 1);
  t.same(connects, [false]);

  const id = fake.placeCall({ from: '+74951234567', name: 'Иванов' });
  await c.answer(id);
  fake.press(id, '5');
  await waitFor('three events', () => events.length === 3);
  t.same(events.map((e) => e.type), ['StasisStart', 'ChannelStateChange', 'ChannelDtmfReceived']);
  t.match(events[0], { application: 'okno', timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/, args: [], channel: { id, state: 'Ring', caller: { number: '+74951234567', name: 'Иванов' }, dialplan: { app_name: 'Stasis', app_data: 'okno' } } });
  t.match(events[2], { digit: '5', duration_ms: Number });

  await fake.goAway();
  await waitFor('disconnected', () => !c.status().connected);
  t.match(await c.listChannels().catch((e: unknown) => e), AriUnavailable, 'REST while away: unreachable');
  fake.press(id, '7'); // lost: nobody is connected
  await fake.comeBack();
  await waitFor('reconnected', () => connects.length === 2);
  t.same(connects, [false, true]);
  t.equal(c.status().reconnects, 1);
  t.same((await c.listChannels()).map((x) => x.id), [id], 'the call is still there to re-read');
  fake.hangupRemote(id);
  await waitFor('the hang-up events', () => events.some((e) => e.type === 'ChannelDestroyed'));
  t.same(events.slice(3).map((e) => e.type), ['ChannelHangupRequest', 'StasisEnd', 'ChannelDestroyed']);
});
