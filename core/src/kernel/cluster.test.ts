/**
 * Two core nodes joined by the NATS transporter on one MariaDB database, as in production:
 * the same message taken in on both nodes at once is one appeal, the journal relay runs on one node,
 * and journal events reach the other node's subscribers.
 */
import t from 'tap';
import { needs, needsMysql, scratchMysqlDatabase, tcpReachable } from '@okno/testkit';
import { startTestApp, type TestApp } from '../testing/app.js';
import { Appeal } from '../persistence/entities/index.js';

const natsUrl = process.env.OKNO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsSkip = needs(`NATS at ${natsUrl}`, await tcpReachable(new URL(natsUrl).hostname, Number(new URL(natsUrl).port || 4222)), 'start nats-server or set OKNO_TEST_NATS_URL');
const skip = (await needsMysql()) || natsSkip;

t.test('two core nodes over NATS on one MariaDB', { skip }, async (t) => {
  const db = await scratchMysqlDatabase('okno_cluster');
  t.teardown(db.drop);
  const namespace = `okno-test-${process.pid}-${Date.now()}`;
  const nodes: TestApp[] = [];
  for (const [i, demo] of [[1, true], [2, false]] as const) {
    nodes.push(await startTestApp({ dbUrl: db.url, demo, config: { transporter: natsUrl, nodeId: `node-${i}` }, broker: { namespace } }));
  }
  t.teardown(async () => {
    for (const n of nodes.reverse()) await n.stop();
  });
  const [a, b] = nodes as [TestApp, TestApp];
  await a.app.broker.waitForServices(['appeals'], 10_000);
  // Both nodes see each other's services.
  await b.app.broker.waitForServices([{ name: 'appeals' }], 10_000);
  t.ok(b.app.broker.registry.nodes.list({ onlyAvailable: true }).some((n: { id: string }) => n.id === 'node-1'), 'node 2 sees node 1');

  const seen: number[] = [];
  b.app.broker.createService({ name: 'watcher', events: { 'appeal.registered': { handler: (ctx: { params: { seq: number } }) => void seen.push(ctx.params.seq) } } });
  await b.app.broker.waitForServices(['watcher']);

  const msg = (node: TestApp) => node.app.broker.call<{ appealId: number; created: boolean }, object>('appeals.intake', {
    channel: 'email', messageId: '<cluster-1@example.ru>', applicant: { contacts: [{ kind: 'email', value: 'c@example.ru' }] }, body: 'x',
  }, { nodeID: node === a ? 'node-1' : 'node-2' });
  const results = await Promise.all([msg(a), msg(b), msg(a), msg(b)]);
  t.equal(new Set(results.map((r) => r.appealId)).size, 1, 'one appeal');
  t.equal(results.filter((r) => r.created).length, 1, 'created once');
  t.equal(await a.app.db.read((em) => em.countBy(Appeal, { id: results[0]!.appealId })), 1);

  for (let i = 0; i < 100 && !seen.length; i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(seen.length >= 1, 'the journal event reached a subscriber on the other node');
  t.equal(new Set(seen).size, seen.length, 'each event once');
  const relays = [a, b].map((n) => (n.app.broker.getLocalService('journal') ? 1 : 0));
  t.same(relays, [1, 1], 'both nodes run the journal service (one holds the relay lease)');
});
