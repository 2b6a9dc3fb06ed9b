/**
 * Production: the machine's real `mosquitto` with the password_file and acl_file the core generates
 * (allow_anonymous false), started as a child process on a free port. It enforces the same
 * isolation as the embedded broker, and the core runs its fleet against it (config mqtt.url).
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { agentSender, encodeMessage, envelope, fileTopic, newId, sha256Hex, topicFor } from '@okno/protocol';
import { freePort, needsTools, waitFor } from '@okno/testkit';
import { Attachment, JournalEntry } from '../persistence/entities/index.js';
import { EdgeAgentRecord, EdgeEventRecord } from './entities.js';
import { EDGE_PBKDF2_ITERATIONS } from './credentials.js';
import { edgeRig } from './test-support/rig.js';
import { startMosquitto } from './test-support/mosquitto.js';

const skip = needsTools('mosquitto');

t.test('the generated Mosquitto files isolate agents; the core runs its fleet on that Mosquitto', { skip }, async (t) => {
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  // The core first (its clients retry until Mosquitto is up): the files need its agents and its password.
  const rig = await edgeRigWithoutWaiting(t, url);
  const a1 = await rig.register('cao', 'a1');
  const a2 = await rig.register('cao', 'a2');
  const off = await rig.register('cao', 'off');
  const admin = await rig.app.token('admin');
  await rig.app.req('PUT', `/api/edge/agents/${off.id}`, { token: admin, body: { enabled: false } });
  const files = await rig.app.req('GET', '/api/edge/mosquitto', { token: admin });
  t.equal(files.status, 200);
  t.match(files.body.passwordFile, new RegExp(`^cao\\.a1:\\$7\\$${EDGE_PBKDF2_ITERATIONS}\\$`, 'm'), 'agent hashes with our iteration count');
  t.notMatch(files.body.passwordFile, /^cao\.off:/m, 'a disabled agent is left out');
  t.match(files.body.aclFile, /^user cao\.a1\ntopic write okno\/v1\/cao\/a1\/presence/m);

  const mosquitto = await startMosquitto(t, port, files.body);
  await waitFor('the core consuming from Mosquitto', () => rig.rt.consuming && rig.rt.publisher?.connected, 15_000);

  const connect = (username: string | undefined, password: string | undefined, clientId?: string) =>
    mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000, ...(clientId ? { clientId } : {}), ...(username ? { username } : {}), ...(password ? { password } : {}) });
  const clients: MqttClient[] = [];
  t.teardown(() => Promise.all(clients.map((c) => c.endAsync(true))).then(() => undefined));

  await t.test('logins: the stored hash works on Mosquitto; wrong, anonymous and disabled are refused', async (t) => {
    const ok = await connect('cao.a1', a1.password);
    t.ok(ok.connected);
    await ok.endAsync();
    await t.rejects(connect('cao.a1', a2.password), 'another agent\'s password');
    await t.rejects(connect(undefined, undefined), 'anonymous');
    await t.rejects(connect('cao.off', off.password), 'a disabled agent (not in the password file)');
  });

  await t.test('an agent can neither read nor write another agent\'s topics', async (t) => {
    const c1 = await connect('cao.a1', a1.password, 'okno-edge-cao.a1');
    const c2 = await connect('cao.a2', a2.password, 'okno-edge-cao.a2');
    clients.push(c1, c2);
    const got: Record<string, string[]> = { a1: [], a2: [] };
    c1.on('message', (topic) => got.a1!.push(topic));
    c2.on('message', (topic) => got.a2!.push(topic));
    // Mosquitto 2.0 may grant a SUBSCRIBE and enforce `topic read` at delivery: what counts is what arrives.
    await c1.subscribeAsync([topicFor({ site: 'cao', agent: 'a1' }, 'cmd'), topicFor({ site: 'cao', agent: 'a2' }, 'cmd'), 'okno/v1/#', '$share/g/okno/v1/cao/a2/cmd', 'okno/v1/cao/a2/files/down/+'], { qos: 1 }).catch(() => undefined);
    await c2.subscribeAsync(topicFor({ site: 'cao', agent: 'a2' }, 'cmd'), { qos: 1 });

    await c1.publishAsync(topicFor({ site: 'cao', agent: 'a2' }, 'cmd'), Buffer.from('forged command'), { qos: 1 });
    const forgedEvent = encodeMessage('events', { ...envelope(agentSender('cao', 'a2')), event: { type: 'error', component: 'x', code: 'forged', message: 'a1 writing as a2' } });
    await c1.publishAsync(topicFor({ site: 'cao', agent: 'a2' }, 'events'), Buffer.from(forgedEvent), { qos: 1 });
    await rig.rt.publisher!.publish(topicFor({ site: 'cao', agent: 'a1' }, 'cmd'), Buffer.from('{}'));
    await rig.rt.publisher!.publish(topicFor({ site: 'cao', agent: 'a2' }, 'cmd'), Buffer.from('{}'));
    await rig.rt.publisher!.publish(fileTopic({ site: 'cao', agent: 'a2' }, 'down', newId()), Buffer.from('{}'));
    await waitFor('deliveries', () => got.a1!.length >= 1 && got.a2!.length >= 1);
    // a marker through the same path: once it is in, anything forged before it would be in too
    const marker = rig.agent('cao', 'a1', a1.password, { url, clientId: 'okno-edge-cao.a1-marker' });
    await marker.connect({ announce: false });
    const markerId = await marker.event({ type: 'device.added', device: { kind: 'modem', id: 'ttyUSB9' } });
    await waitFor('the marker event', () => rig.app.app.db.read((em) => em.findOneBy(EdgeEventRecord, { messageId: markerId })));
    t.same(got.a1, [topicFor({ site: 'cao', agent: 'a1' }, 'cmd')], 'a1 received only its own command');
    t.same(got.a2, [topicFor({ site: 'cao', agent: 'a2' }, 'cmd')], 'a2 did not get a1\'s forged command');
    t.equal(await rig.app.app.db.read((em) => em.countBy(EdgeEventRecord, { type: 'error' })), 0, 'nothing a1 wrote in a2\'s name was recorded');

    // On its own topic but naming a2 as sender: Mosquitto passes it (it cannot look inside), the core refuses it.
    const spoofed = rig.rt.consumer.counters.spoofed;
    await c1.publishAsync(topicFor({ site: 'cao', agent: 'a1' }, 'events'), Buffer.from(forgedEvent), { qos: 1 });
    await waitFor('the spoofed sender counted', () => rig.rt.consumer.counters.spoofed === spoofed + 1);
    t.equal(await rig.app.app.db.read((em) => em.countBy(EdgeEventRecord, { type: 'error' })), 0, 'and not recorded');
    t.comment(mosquitto.log().split('\n').filter((l) => /denied/i.test(l)).slice(0, 3).join('\n'));
  });

  await t.test('the fleet on Mosquitto: presence, inventory, telemetry, a command, an upload, the last will', async (t) => {
    const sim = rig.agent('cao', 'a2', a2.password, { url, clientId: 'okno-edge-cao.a2-fleet' });
    await sim.connect();
    await sim.telemetry({ callsIn: 9 });
    const row = await waitFor('online with telemetry', () => rig.app.app.db.read((em) => em.findOne(EdgeAgentRecord, { where: { siteCode: 'cao', agentId: 'a2' } })).then((r) => (r?.online && r.telemetry && r.inventory ? r : undefined)));
    t.equal(row!.agentVersion, 'sim-1');
    const tech = await rig.app.token('technician');
    const ping = await rig.app.req('POST', `/api/edge/agents/${a2.id}/commands`, { token: tech, body: { kind: 'ping' } });
    t.equal(ping.status, 200);
    t.equal(ping.body.status, 'ok', 'command round trip through Mosquitto');
    const data = randomBytes(5000);
    const out = await sim.uploadAndWait(data);
    t.ok(out.ok, out.reason ?? 'upload done');
    const att = await rig.app.app.db.read((em) => em.findOneBy(Attachment, { sha256: sha256Hex(data) }));
    t.ok(att, 'the file is in the attachment store');
    sim.kill();
    await waitFor('offline by the last will', () => rig.app.app.db.read((em) => em.findOneBy(EdgeAgentRecord, { id: a2.id })).then((r) => r && !r.online && r.offlineReason === 'will'), 20_000);
    const offline = await rig.app.app.db.read((em) => em.findOne(JournalEntry, { where: { type: 'edge.agent_offline', aggregateId: String(a2.id) }, order: { seq: 'DESC' } }));
    t.same(offline?.data, { agent: 'a2', site: 'cao', reason: 'will' });
  });
});

/** edgeRig, but without waiting for the consumer (Mosquitto is not up yet). */
async function edgeRigWithoutWaiting(t: Parameters<typeof edgeRig>[0], url: string) {
  return edgeRig(t, { config: { mqtt: { url, embedded: { enabled: false, host: '127.0.0.1', port: 0 } } } }, { waitForConsumer: false });
}
