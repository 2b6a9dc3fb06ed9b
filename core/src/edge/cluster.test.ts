/**
 * Several core nodes (NATS transporter, one MariaDB) on one external Mosquitto: one node consumes
 * the fleet's messages at a time, a command sent from the other node gets its result, and when the
 * consuming node stops the other takes over its persistent session (messages sent meanwhile arrive).
 */
import t from 'tap';
import { freePort, needs, needsMysql, needsTools, scratchMysqlDatabase, tcpReachable, waitFor } from '@okno/testkit';
import { startTestApp, type TestApp } from '../testing/app.js';
import { EdgeAgentRecord, EdgeEventRecord } from './entities.js';
import { edgeRuntime } from './index.js';
import type { CommandView } from './commands.js';
import { startMosquitto } from './test-support/mosquitto.js';
import { SimEdgeAgent } from '../testing/edge-agent.js';

const natsUrl = process.env.OKNO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsSkip = needs(`NATS at ${natsUrl}`, await tcpReachable(new URL(natsUrl).hostname, Number(new URL(natsUrl).port || 4222)), 'start nats-server or set OKNO_TEST_NATS_URL');
const skip = (await needsMysql()) || natsSkip || needsTools('mosquitto');

t.test('two core nodes, one consumer; commands from either node; the consumer moves with its session', { skip }, async (t) => {
  const db = await scratchMysqlDatabase('okno_edge');
  t.teardown(db.drop);
  const mosquitto = await startMosquitto(t, await freePort());
  const namespace = `okno-edge-${process.pid}-${Date.now()}`;
  const running = new Set<TestApp>();
  const nodes: TestApp[] = [];
  for (const [i, demo] of [[1, true], [2, false]] as const) {
    const n = await startTestApp({ dbUrl: db.url, demo, config: { transporter: natsUrl, nodeId: `edge-node-${i}`, mqtt: { url: mosquitto.url, embedded: { enabled: false, host: '127.0.0.1', port: 0 } } }, broker: { namespace } });
    nodes.push(n);
    running.add(n);
  }
  t.teardown(async () => {
    for (const n of [...running].reverse()) await n.stop();
  });
  const [a, b] = nodes as [TestApp, TestApp];
  await b.app.broker.waitForServices([{ name: 'edge' }], 10_000);
  const rts = nodes.map((n) => edgeRuntime(n.app.broker));
  await waitFor('one consumer', () => rts.some((r) => r.consuming), 15_000);
  t.equal(rts.filter((r) => r.leader).length, 1, 'exactly one node consumes');
  const leader = nodes[rts.findIndex((r) => r.leader)]!;
  const other = leader === a ? b : a;

  const reg = await other.app.broker.call<{ password: string; agent: { id: number } }, object>('edge.register', { site: 'cao', agent: 'c1' });
  const sim = new SimEdgeAgent({ url: mosquitto.url, site: 'cao', agent: 'c1', password: reg.password, reconnectPeriod: 200 });
  t.teardown(() => sim.stop());
  await sim.connect();
  await waitFor('online', () => a.app.db.read((em) => em.findOneBy(EdgeAgentRecord, { id: reg.agent.id })).then((r) => r?.online));

  const viaOther = await other.app.broker.call<CommandView, object>('edge.command', { site: 'cao', agent: 'c1', kind: 'ping' }, { nodeID: other.app.broker.nodeID });
  t.match(viaOther, { status: 'ok', node: other.app.broker.nodeID }, 'a command from the node that does not consume gets its result');
  const viaLeader = await leader.app.broker.call<CommandView, object>('edge.command', { site: 'cao', agent: 'c1', kind: 'ping' }, { nodeID: leader.app.broker.nodeID });
  t.equal(viaLeader.status, 'ok');

  // The consuming node goes away; an event sent before anyone took over waits in the session.
  await leader.stop();
  running.delete(leader);
  const eventId = await sim.event({ type: 'device.removed', device: { kind: 'headset', id: 'hidraw3' } });
  const next = edgeRuntime(other.app.broker);
  await waitFor('the other node consumes', () => next.consuming, 20_000);
  await waitFor('the event sent meanwhile', () => other.app.db.read((em) => em.findOneBy(EdgeEventRecord, { messageId: eventId })), 10_000);
  t.pass('the persistent session passed to the new consumer');
  const after = await other.app.broker.call<CommandView, object>('edge.command', { site: 'cao', agent: 'c1', kind: 'ping' });
  t.equal(after.status, 'ok', 'commands work after the takeover');
});
