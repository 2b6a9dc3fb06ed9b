/**
 * The embedded broker: who may connect (agents against the core's records, the core with its own
 * password; nobody anonymous, unknown, disabled or with a wrong password) and what each agent may
 * touch (only its own topics, wildcards and shared subscriptions included; nothing in another
 * agent's name).
 */
import t from 'tap';
import type { MqttClient } from 'mqtt';
import { agentSender, encodeMessage, envelope, fileTopic, newId, topicFor } from '@okno/protocol';
import { waitFor } from '@okno/testkit';
import { EdgeEventRecord } from './entities.js';
import { edgeRig } from './test-support/rig.js';

const rig = await edgeRig(t);
const a1 = await rig.register('cao', 'a1');
const a2 = await rig.register('cao', 'a2');
const other = await rig.register('sao', 'a1');
const A1 = { site: 'cao', agent: 'a1' };
const A2 = { site: 'cao', agent: 'a2' };

/** The CONNACK return code of a refused login (mqtt.js puts it on the error). */
async function refused(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: number }).code;
  }
  return undefined;
}

/** The granted QoS per filter (mqtt.js rejects a SUBACK with refusals, carrying the packet). */
async function subscribe(c: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await c.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    return (err as { packet: { granted: number[] } }).packet.granted;
  }
}

const closed = (c: MqttClient) => new Promise<void>((resolve) => (c.disconnected || !c.connected ? resolve() : c.once('close', () => resolve())));

t.test('authentication: right password in; wrong, unknown, anonymous, no password, disabled out', async (t) => {
  const ok = await rig.raw({ username: 'cao.a1', password: a1.password, clientId: 'okno-edge-cao.a1-auth' });
  t.ok(ok.connected, 'the right password connects');
  await ok.endAsync();
  t.equal(await refused(rig.raw({ username: 'cao.a1', password: a2.password })), 4, 'another agent\'s password: bad user name or password');
  t.equal(await refused(rig.raw({ username: 'cao.a1', password: `${a1.password}x` })), 4, 'a wrong password');
  t.equal(await refused(rig.raw({ username: 'cao.nobody', password: a1.password })), 4, 'an unknown agent');
  t.equal(await refused(rig.raw({ username: 'sao.a1', password: a1.password })), 4, 'the same agent id at another site is another agent');
  t.equal(await refused(rig.raw({})), 4, 'anonymous');
  t.equal(await refused(rig.raw({ username: 'cao.a1' })), 4, 'no password');
  t.equal(await refused(rig.raw({ username: 'okno-core', password: a1.password })), 4, 'the core\'s user name with a wrong password');
  const before = rig.rt.embedded!.counters.refusedLogins;
  t.ok(before >= 7, 'refusals are counted');

  const admin = await rig.app.token('admin');
  const connected = await rig.raw({ username: 'sao.a1', password: other.password, clientId: 'okno-edge-sao.a1' });
  const off = await rig.app.req('PUT', `/api/edge/agents/${other.id}`, { token: admin, body: { enabled: false } });
  t.equal(off.status, 200);
  t.equal(off.body.enabled, false);
  await waitFor('the disabled agent disconnected', () => !connected.connected);
  t.equal(await refused(rig.raw({ username: 'sao.a1', password: other.password })), 5, 'a disabled agent: not authorised');
  await rig.app.req('PUT', `/api/edge/agents/${other.id}`, { token: admin, body: { enabled: true } });
  const back = await rig.raw({ username: 'sao.a1', password: other.password });
  t.ok(back.connected, 'enabled again');
  await back.endAsync();
});

t.test('a new password: the old one stops working', async (t) => {
  const admin = await rig.app.token('admin');
  const r = await rig.app.req('POST', `/api/edge/agents/${other.id}/password`, { token: admin });
  t.equal(r.status, 200);
  t.not(r.body.password, other.password);
  t.equal(await refused(rig.raw({ username: 'sao.a1', password: other.password })), 4, 'the old password is refused');
  const c = await rig.raw({ username: 'sao.a1', password: r.body.password });
  t.ok(c.connected, 'the new one works');
  await c.endAsync();
});

t.test('client ids: the core\'s are reserved, and one agent cannot take over another\'s session', async (t) => {
  t.equal(await refused(rig.raw({ username: 'cao.a1', password: a1.password, clientId: 'okno-core-consumer' })), 2, 'okno-core* is the core\'s');
  const mine = await rig.raw({ username: 'cao.a2', password: a2.password, clientId: 'okno-edge-cao.a2' });
  await mine.endAsync();
  t.equal(await refused(rig.raw({ username: 'cao.a1', password: a1.password, clientId: 'okno-edge-cao.a2' })), 2, 'a2\'s client id is a2\'s');
});

t.test('ACL: an agent neither subscribes to nor publishes on another agent\'s topics', async (t) => {
  const c1 = await rig.raw({ username: 'cao.a1', password: a1.password, clientId: 'okno-edge-cao.a1-acl' });
  const got: string[] = [];
  c1.on('message', (topic) => got.push(topic));
  const foreign = [
    topicFor(A2, 'cmd'), 'okno/v1/cao/+/cmd', 'okno/v1/+/a1/cmd', 'okno/v1/cao/a1/#', 'okno/v1/#', '#', '+/+/+/+/+',
    `okno/v1/cao/a2/files/down/${newId()}`, 'okno/v1/cao/a2/files/down/+', 'okno/v1/cao/a1/files/#', topicFor(A1, 'telemetry'),
    '$share/g/okno/v1/cao/a2/cmd', '$share/g/okno/v1/#', '$SYS/#',
  ];
  t.same(await subscribe(c1, foreign), foreign.map(() => 128), 'every foreign or too wide filter is refused (SUBACK 0x80)');
  t.same(await subscribe(c1, [topicFor(A1, 'cmd'), 'okno/v1/cao/a1/files/down/+', '$share/g/okno/v1/cao/a1/cmd']), [1, 1, 1], 'its own command and download topics are granted (also as a shared subscription)');

  // The core commands both agents; a1 sees only its own.
  const core = rig.rt.publisher!;
  await core.publish(topicFor(A2, 'cmd'), Buffer.from('{}'));
  await core.publish(topicFor(A1, 'cmd'), Buffer.from('{}'));
  await core.publish(fileTopic(A2, 'down', newId()), Buffer.from('{}'));
  await waitFor('a1 gets its command', () => got.includes(topicFor(A1, 'cmd')));
  t.notOk(got.some((x) => x.includes('/a2/')), 'nothing of a2 reached a1');

  // Publishing in a2's name: the broker drops the message and closes a1's connection.
  c1.publish(topicFor(A2, 'events'), Buffer.from(encodeMessage('events', { ...envelope(agentSender('cao', 'a2')), event: { type: 'error', component: 'x', code: 'forged', message: 'forged by a1' } })), { qos: 1 });
  await closed(c1);
  t.ok(rig.rt.embedded!.counters.deniedPublish >= 1, 'the publish was denied');

  const c1b = await rig.raw({ username: 'cao.a1', password: a1.password, clientId: 'okno-edge-cao.a1-acl2' });
  c1b.publish(topicFor(A2, 'cmd'), Buffer.from('{"forged":true}'), { qos: 1 });
  await closed(c1b);
  t.equal(await rig.app.app.db.read((em) => em.countBy(EdgeEventRecord, { type: 'error' })), 0, 'no forged event was recorded');
});

t.test('a message whose envelope names another sender is dropped, even on the agent\'s own topic', async (t) => {
  const sim = rig.agent('cao', 'a1', a1.password);
  await sim.connect();
  const before = rig.rt.embedded!.counters.spoofedSender;
  const c = sim.client!;
  c.publish(topicFor(A1, 'events'), Buffer.from(encodeMessage('events', { ...envelope(agentSender('cao', 'a2')), event: { type: 'error', component: 'x', code: 'spoof', message: 'I am a2' } })), { qos: 1 });
  await closed(c);
  t.equal(rig.rt.embedded!.counters.spoofedSender, before + 1, 'counted as a spoofed sender');
  // the honest path still works and is recorded
  const honest = rig.agent('cao', 'a1', a1.password, { clientId: 'okno-edge-cao.a1-honest' });
  await honest.connect();
  const id = await honest.event({ type: 'error', component: 'modem', code: 'no-dial-tone', message: 'no dial tone', deviceId: 'ttyUSB0' });
  await waitFor('the honest event', () => rig.app.app.db.read((em) => em.findOneBy(EdgeEventRecord, { messageId: id })));
  t.equal(await rig.app.app.db.read((em) => em.countBy(EdgeEventRecord, { type: 'error' })), 1, 'only the honest event is stored');
});
