/**
 * The fleet registry from what agents publish: presence (and the last will), inventory, telemetry,
 * events with their journal rows; an agent a minor behind; garbage, other majors and oversized
 * payloads counted without harm; who may read and change the fleet over REST.
 */
import t from 'tap';
import { agentSender, envelope, topicFor } from '@okno/protocol';
import { waitFor } from '@okno/testkit';
import { JournalEntry } from '../persistence/entities/index.js';
import { EdgeAgentRecord, EdgeEventRecord } from './entities.js';
import { MAX_JSON_BYTES } from './consumer.js';
import { edgeRig } from './test-support/rig.js';
import { SAMPLE_HEADSET, SAMPLE_MODEM } from '../testing/edge-agent.js';

const rig = await edgeRig(t);
const db = rig.app.app.db;
const row = (id: number) => db.read((em) => em.findOneByOrFail(EdgeAgentRecord, { id }));
const journal = (type: string, id: number) => db.read((em) => em.find(JournalEntry, { where: { type, aggregateId: String(id) }, order: { seq: 'ASC' } }));

t.test('presence, inventory and telemetry make the registry; the last will and a clean stop take it offline', async (t) => {
  const { id, password } = await rig.register('cao', 'fleet-1');
  const tech = await rig.app.token('technician');
  let list = await rig.app.req('GET', '/api/edge/agents', { token: tech });
  t.equal(list.status, 200);
  t.match(list.body.find((a: { id: number }) => a.id === id), { online: false, lastSeenAt: null, username: 'cao.fleet-1' }, 'registered, never seen');

  const sim = rig.agent('cao', 'fleet-1', password);
  await sim.connect();
  await sim.telemetry({ callsIn: 5, spoolDepth: 2, ringing: true });
  await waitFor('online with inventory and telemetry', async () => {
    const r = await row(id);
    return r.online && r.inventory && r.telemetry;
  });
  list = await rig.app.req('GET', '/api/edge/agents?online=true', { token: tech });
  const summary = list.body.find((a: { id: number }) => a.id === id);
  t.match(summary, { site: 'cao', agent: 'fleet-1', online: true, stale: false, agentVersion: 'sim-1', protocolVersion: '1.1', devices: { modems: 1, headsets: 1, modemsInError: 0 }, spoolDepth: 2 });
  t.ok(summary.lastSeenAt && summary.onlineSince, 'last seen and online since');

  const detail = await rig.app.req('GET', `/api/edge/agents/${id}`, { token: tech });
  t.equal(detail.status, 200);
  t.match(detail.body.modems[0], { id: SAMPLE_MODEM.id, model: '5637', state: 'idle', line: { callsIn: 5, pagesIn: 7, failures: 1, lastBitRate: 14400, lastHangup: { code: '0', fclass: '2.0' } } }, 'a modem with its line statistics');
  t.match(detail.body.headsets[0], { id: SAMPLE_HEADSET.id, product: 'Jabra EVOLVE 30', controls: { hookSwitch: 'toggle' }, state: { ringing: true, offHook: false } }, 'a headset with its state');
  t.match(detail.body.host, { hostname: 'host-fleet-1', os: 'linux' });
  t.match(detail.body.telemetry, { intervalMs: 5000, spool: { depth: 2 }, link: { reconnects: 0 } });
  t.ok(detail.body.commands.includes('headset.ring'), 'a 1.1 agent takes headset commands');

  const online = await journal('edge.agent_online', id);
  t.equal(online.length, 1);
  t.same(online[0]!.data, { agent: 'fleet-1', site: 'cao', agentVersion: 'sim-1', protocolVersion: '1.1' }, 'journal: ids and facts only');

  sim.kill();
  await waitFor('offline by the last will', async () => !(await row(id)).online);
  t.equal((await row(id)).offlineReason, 'will');
  t.same((await journal('edge.agent_offline', id)).map((j) => j.data.reason), ['will']);

  await sim.connect();
  await waitFor('online again', async () => (await row(id)).online);
  // a late copy of an older presence changes nothing
  await sim.publish('presence', JSON.stringify({ ...envelope(agentSender('cao', 'fleet-1'), Date.now() - 60_000), state: 'offline', reason: 'shutdown', agentVersion: 'sim-1', startedAt: sim.startedAt }));
  await sim.stop();
  await waitFor('offline after a clean stop', async () => (await row(id)).offlineReason === 'shutdown');
  t.same((await journal('edge.agent_offline', id)).map((j) => j.data.reason), ['will', 'shutdown'], 'the stale copy made no row');
  t.equal((await journal('edge.agent_online', id)).length, 2);
});

t.test('events: stored once with a journal row each; errors apart; fax numbers masked for the fleet pages', async (t) => {
  const { id, password } = await rig.register('cao', 'fleet-2');
  const sim = rig.agent('cao', 'fleet-2', password);
  await sim.connect();
  const faxId = await sim.event({ type: 'fax.received', modemId: 'ttyUSB0', transferId: '01J0000000000000000000000A', fileName: 'in.tif', size: 100, sha256: 'a'.repeat(64), pages: 2, remoteId: '+7 495 123-45-67', durationMs: 30_000 });
  await sim.event({ type: 'headset.hook', headsetId: 'hidraw0', offHook: true });
  await sim.event({ type: 'fax.failed', jobId: 'j1', modemId: 'ttyUSB0', number: '84951234567', attempts: 3, willRetry: false, reason: 'no answer', hangup: { code: '11', fclass: '2', meaning: 'no answer' } });
  // QoS 1 may deliver a message twice: the same message id is stored once
  const dup = { ...envelope(agentSender('cao', 'fleet-2')), event: { type: 'device.added', device: { kind: 'modem', id: 'ttyUSB1' } } };
  await sim.publish('events', JSON.stringify(dup));
  await sim.publish('events', JSON.stringify(dup));
  await waitFor('four events', async () => (await db.read((em) => em.countBy(EdgeEventRecord, { agentRowId: id }))) === 4);
  await waitFor('journal rows', async () => (await journal('edge.event', id)).length === 4);
  const rows = await journal('edge.event', id);
  t.same(rows.map((r) => r.data.eventType), ['fax.received', 'headset.hook', 'fax.failed', 'device.added']);
  t.match(rows[0]!.data, { agent: 'fleet-2', site: 'cao', eventType: 'fax.received', device: 'ttyUSB0', transferId: '01J0000000000000000000000A' });
  t.notOk(JSON.stringify(rows.map((r) => r.data)).includes('495'), 'no fax number in the journal');
  t.match(rows[2]!.data, { jobId: 'j1', device: 'ttyUSB0' });

  const sup = await rig.app.token('supervisor');
  const detail = await rig.app.req('GET', `/api/edge/agents/${id}`, { token: sup });
  t.equal(detail.status, 200, 'a supervisor may look');
  t.same(detail.body.events.map((e: { type: string }) => e.type), ['device.added', 'fax.failed', 'headset.hook', 'fax.received'], 'newest first');
  t.same(detail.body.errors.map((e: { type: string }) => e.type), ['fax.failed'], 'a fax that will not be retried is an error');
  const fax = detail.body.events.find((e: { type: string }) => e.type === 'fax.received');
  t.equal(fax.data.remoteId, '********67', 'the remote fax id is masked');
  const full = await rig.app.app.broker.call<{ data: { remoteId: string } }, object>('edge.event', { id: fax.id });
  t.equal(full.data.remoteId, '+7 495 123-45-67', 'the internal action (the fax channel) gets it whole');
  const fleet = await rig.app.req('GET', '/api/edge/events?level=problems&site=cao', { token: sup });
  t.ok(fleet.body.some((e: { type: string; agent: string }) => e.type === 'fax.failed' && e.agent === 'fleet-2'), 'recent problems across the fleet');
  const heads = await rig.app.req('GET', '/api/edge/events?type=headset.hook', { token: sup });
  t.same(heads.body.map((e: { messageId?: string; type: string }) => e.type), ['headset.hook']);
  t.ok(faxId);
});

t.test('an agent a minor behind (1.0) keeps working; commands it cannot know are refused before sending', async (t) => {
  const { id, password } = await rig.register('sao', 'old-1');
  const upgraded = rig.rt.consumer.counters.upgraded;
  const sim = rig.agent('sao', 'old-1', password, { version: '1.0' });
  await sim.connect();
  await sim.telemetry();
  await waitFor('registry from a 1.0 agent', async () => {
    const r = await row(id);
    return r.online && r.inventory && r.telemetry;
  });
  t.ok(rig.rt.consumer.counters.upgraded >= upgraded + 3, 'presence, inventory and telemetry upgraded on decode');
  const tech = await rig.app.token('technician');
  const d = await rig.app.req('GET', `/api/edge/agents/${id}`, { token: tech });
  t.equal(d.body.protocolVersion, '1.0');
  t.same(d.body.headsets, [], '1.0 has no headsets');
  t.notOk(d.body.commands.includes('headset.ring'), 'and no headset commands');
  const ring = await rig.app.req('POST', `/api/edge/agents/${id}/commands`, { token: tech, body: { kind: 'headset.ring', args: { headsetId: 'x', on: true } } });
  t.equal(ring.status, 409);
  t.match(ring.body.error.message, /1\.0.*1\.1/);
  const ping = await rig.app.req('POST', `/api/edge/agents/${id}/commands`, { token: tech, body: { kind: 'ping' } });
  t.equal(ping.body.status, 'ok', 'a 1.0 agent answers ping');
});

t.test('garbage, another major, bad schemas, oversized and foreign senders are counted, never fatal', async (t) => {
  const { id, password } = await rig.register('cao', 'noisy');
  const sim = rig.agent('cao', 'noisy', password);
  await sim.connect();
  const c = rig.rt.consumer.counters;
  const before = { ...c };
  await sim.publish('telemetry', 'not json at all \u0000\u0001');
  await sim.publish('events', Buffer.from([0xff, 0xfe, 0x00]));
  await sim.publish('events', JSON.stringify({ ...envelope(agentSender('cao', 'noisy')), event: { type: 'fax.received' } }));
  await sim.publish('inventory', JSON.stringify({ ...envelope(agentSender('cao', 'noisy')), v: '2.0', host: {}, modems: [], headsets: [] }));
  await sim.publish('inventory', JSON.stringify({ ...envelope(agentSender('cao', 'noisy')), v: '0.9', host: {}, modems: [] }));
  await sim.publish('telemetry', JSON.stringify({ ...envelope(agentSender('cao', 'noisy')), pad: 'x'.repeat(MAX_JSON_BYTES) }));
  await sim.publish('cmd-result', JSON.stringify([1, 2, 3]));
  await waitFor('all counted', () => c.malformed - before.malformed === 4 && c.incompatible - before.incompatible === 2 && c.oversized - before.oversized === 1);
  t.equal(c.failed, before.failed, 'no handler failed');
  const tech = await rig.app.token('technician');
  const status = await rig.app.req('GET', '/api/edge/status', { token: tech });
  t.match(status.body, { broker: { embedded: true }, connected: true, consumerNode: rig.rt.nodeId, consumer: { counters: { oversized: c.oversized } } });
  t.ok(status.body.consumer.lastRefusals.some((r: { reason: string; detail?: string }) => r.reason === 'incompatible' && /2\.0/.test(r.detail ?? '')), 'the refusal says which version');
  const ping = await rig.app.req('POST', `/api/edge/agents/${id}/commands`, { token: tech, body: { kind: 'ping' } });
  t.equal(ping.body.status, 'ok', 'the fleet still works');
  t.equal(topicFor(sim.addr, 'events'), 'okno/v1/cao/noisy/events');
});

t.test('REST: roles, registration with a ready configuration, sites, Mosquitto files', async (t) => {
  const [admin, tech, op] = [await rig.app.token('admin'), await rig.app.token('technician'), await rig.app.token('operator')];
  t.equal((await rig.app.req('GET', '/api/edge/agents', { token: op })).status, 403, 'operators do not see the fleet');
  t.equal((await rig.app.req('POST', '/api/edge/agents', { token: tech, body: { site: 'cao', agent: 'x' } })).status, 403, 'technicians do not make credentials');
  t.equal((await rig.app.req('GET', '/api/edge/mosquitto', { token: tech })).status, 403);
  const bad = await rig.app.req('POST', '/api/edge/agents', { token: admin, body: { site: 'CAO', agent: 'a/b' } });
  t.equal(bad.status, 422);
  t.same(bad.body.error.fields.map((f: { field: string }) => f.field).sort(), ['agent', 'site']);
  const made = await rig.app.req('POST', '/api/edge/agents', { token: admin, body: { site: 'cao', agent: 'new-1', label: 'ЦАО, Тверская 13' } });
  t.equal(made.status, 201);
  t.match(made.body, {
    agent: { site: 'cao', agent: 'new-1', label: 'ЦАО, Тверская 13', siteId: Number },
    username: 'cao.new-1',
    brokerUrl: rig.url,
    config: { site: 'cao', agent: 'new-1', broker: { url: rig.url, username: 'cao.new-1', clientId: 'okno-edge-cao.new-1' } },
    topics: { publish: ['okno/v1/cao/new-1/presence', 'okno/v1/cao/new-1/inventory', 'okno/v1/cao/new-1/telemetry', 'okno/v1/cao/new-1/events', 'okno/v1/cao/new-1/cmd-result', 'okno/v1/cao/new-1/files/up/+'], subscribe: ['okno/v1/cao/new-1/cmd', 'okno/v1/cao/new-1/files/down/+'] },
  });
  t.equal(made.body.config.broker.password, made.body.password);
  t.equal((await rig.app.req('POST', '/api/edge/agents', { token: admin, body: { site: 'cao', agent: 'new-1' } })).status, 409, 'no duplicates');
  const listed = (await rig.app.req('GET', `/api/edge/agents/${made.body.agent.id}`, { token: admin })).body;
  t.notOk(JSON.stringify(listed).includes(made.body.password) || JSON.stringify(listed).includes('$7$'), 'neither the password nor its hash is shown again');
  const sim = rig.agent('cao', 'new-1', made.body.password, { clientId: made.body.config.broker.clientId });
  await sim.connect();
  await waitFor('the new agent online', async () => (await row(made.body.agent.id)).online);
  const sites = await rig.app.req('GET', '/api/edge/sites', { token: tech });
  t.match(sites.body.find((s: { site: string }) => s.site === 'cao'), { online: Number, agents: Number, modems: Number });
  const files = await rig.app.req('GET', '/api/edge/mosquitto', { token: admin });
  t.match(files.body.passwordFile, /^okno-core:\$7\$/m);
  t.match(files.body.aclFile, /^user cao\.new-1$/m);
  t.match(files.body.conf, /allow_anonymous false/);
});
