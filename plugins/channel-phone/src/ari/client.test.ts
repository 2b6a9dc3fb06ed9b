/**
 * The ARI adapter against the fake Asterisk: basic auth, Asterisk's error statuses and messages as
 * `AriError`, an unreachable Asterisk as `AriUnavailable`, the events WebSocket refused without
 * credentials, and reconnection after Asterisk went away; answers that are not what ARI describes,
 * credentials in the URL, requests bounded by the lease's time left and aborted when the line is
 * lost, and oversized frames.
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
  t.same((await c.listChannels()).items.map((x) => x.id), [id]);

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
  t.same((await c.listChannels()).items.map((x) => x.id), [id], 'the call is still there to re-read');
  fake.hangupRemote(id);
  await waitFor('the hang-up events', () => events.some((e) => e.type === 'ChannelDestroyed'));
  t.same(events.slice(3).map((e) => e.type), ['ChannelHangupRequest', 'StasisEnd', 'ChannelDestroyed']);
});

t.test('GET /channels and /bridges: entries that are not a Channel or Bridge are left out and counted', async (t) => {
  const fake = await FakeAsterisk.start();
  t.teardown(() => fake.stop());
  const warnings: object[] = [];
  const { c } = client(fake, { logger: { warn: (o) => warnings.push(o), info: () => undefined } });
  t.teardown(() => c.close());
  c.start();
  await waitFor('connected', () => fake.connected('okno'));
  const id = fake.placeCall({ from: '+74951234567' });
  fake.tamper('channels', (list) => [
    ...list,
    { ...list[0], id: 'bad.1', caller: { name: '', number: 7916 } },
    { id: 'bad.2', name: 'x', state: 'Up', creationtime: 'x', caller: { number: '' }, connected: { number: '' }, dialplan: null },
    null,
    'a string',
  ]);
  const listed = await c.listChannels();
  t.same(listed.items.map((x) => x.id), [id], 'only the valid Channel');
  t.same(listed.unreadable, ['bad.1', 'bad.2'], 'the ids of the entries that could be read');
  t.match(c.status(), { badEntries: 4, lastBadEntry: 'GET /channels: channel.caller is not a CallerID' });
  t.match(warnings, [{ path: '/channels', skipped: 4 }]);

  await c.createBridge('holding', 'hold');
  fake.tamper('bridges', (list) => [...list, { id: 'b2', channels: [1, 2] }, { id: 'b3' }]);
  const bridges = await c.listBridges();
  t.same(bridges.items.map((b) => b.id), ['hold']);
  t.same(bridges.unreadable, ['b2', 'b3']);
  t.equal(c.status().badEntries, 6);

  fake.tamper('channels', () => ({ not: 'a list' }) as never);
  t.match(await c.listChannels().catch((e: unknown) => e), { name: 'AriError', reason: 'the answer is not a list' });
});

t.test('a user and password in the URL are never sent, shown or quoted in an error', async (t) => {
  const fake = await FakeAsterisk.start();
  t.teardown(() => fake.stop());
  const url = fake.url.replace('http://', 'http://admin:url-secret-pw@');
  const { c } = client(fake, { url });
  t.teardown(() => c.close());
  t.same((await c.listChannels()).items, [], 'the request goes out without them (fetch refuses a URL with credentials)');
  await fake.goAway();
  const err = await c.listChannels().catch((e: unknown) => e);
  t.type(err, AriUnavailable);
  t.match((err as Error).message, /^Asterisk is unreachable \(GET \/channels\): [A-Z]+/);
  t.notMatch((err as Error).message, /url-secret-pw|admin|127\.0\.0\.1/, 'no credentials and no URL in the message');
});

t.test('a REST request runs no longer than the time this node may still act, and close() aborts it', async (t) => {
  const fake = await FakeAsterisk.start();
  t.teardown(() => fake.stop());
  let left = 150;
  const { c } = client(fake, { requestTimeoutMs: 60_000, timeLeft: () => left });
  t.teardown(() => c.close());
  fake.stall('GET', /\/channels$/);
  const timedOut = await c.listChannels().catch((e: unknown) => e);
  t.type(timedOut, AriUnavailable);
  t.match((timedOut as Error).message, /GET \/channels\): timed out after 150 ms \(the time this node may still act on the phone line\)/);

  left = 60_000;
  const pending = c.listChannels().catch((e: unknown) => e);
  await waitFor('the request held by Asterisk', () => fake.stalledCount === 2);
  await c.close();
  const aborted = await pending;
  t.type(aborted, AriUnavailable, 'the request in flight ends when the connection is closed (the line lost)');
  t.match((aborted as Error).message, /GET \/channels\): aborted: the connection to Asterisk was closed/);
  t.equal(fake.stalledCount, 2, 'before Asterisk answered it');

  left = 0;
  t.match(await c.listChannels().catch((e: unknown) => e), { name: 'NotLineHolder' }, 'nothing left: refused before it is sent');
  fake.releaseStalled();
});

t.test('a frame over 1 MiB closes the connection, which is opened again', async (t) => {
  const fake = await FakeAsterisk.start();
  t.teardown(() => fake.stop());
  const { c, connects } = client(fake);
  t.teardown(() => c.close());
  c.start();
  await waitFor('connected', () => connects.length === 1);
  fake.sendRaw(`"${'x'.repeat(1024 * 1024)}"`); // the limit is 1 MiB
  await waitFor('reconnected', () => connects.length === 2);
  t.equal(c.status().badMessages, 0, 'never read as a message');
});
