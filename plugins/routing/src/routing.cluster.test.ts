/**
 * Two core nodes (NATS transporter, one MariaDB), an operator served by each, e-mails arriving on
 * both: every node enqueues every contact from the journal, each offers to its own operator, and the
 * shared SQL store lets each contact be assigned once. Calls reaching the other node are forwarded
 * to the node serving the operator.
 */
import t from 'tap';
import { readJournal } from '@okno/core';
import { needs, needsMysql, scratchMysqlDatabase, tcpReachable, waitFor } from '@okno/testkit';
import type { TestApp } from '@okno/core/testing';
import { addOperator, clearWaiting, emailAppeal, siteId, startRoutingApp } from './test-support/app.js';

const natsUrl = process.env.OKNO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsSkip = needs(`NATS at ${natsUrl}`, await tcpReachable(new URL(natsUrl).hostname, Number(new URL(natsUrl).port || 4222)), 'start nats-server or set OKNO_TEST_NATS_URL');
const skip = (await needsMysql()) || natsSkip;

t.test('two nodes, one store: every contact assigned once', { skip }, async (t) => {
  const db = await scratchMysqlDatabase('okno_routing_cluster');
  t.teardown(db.drop);
  const namespace = `okno-routing-${process.pid}-${Date.now()}`;
  const nodes: TestApp[] = [];
  t.teardown(async () => {
    for (const n of [...nodes].reverse()) await n.stop();
  });
  for (const [i, demo] of [[1, true], [2, false]] as const) {
    nodes.push(await startRoutingApp({ dbUrl: db.url, demo, config: { settingsRefreshMs: 300 }, core: { transporter: natsUrl, nodeId: `rnode-${i}` }, broker: { namespace } }));
  }
  const [a, b] = nodes as [TestApp, TestApp];
  const sees = (n: TestApp, id: string) => n.app.broker.registry.nodes.list({ onlyAvailable: true }).some((x: { id: string }) => x.id === id);
  await waitFor('the nodes to discover each other', () => sees(a, 'rnode-2') && sees(b, 'rnode-1'), 15_000);
  await clearWaiting(a);

  const admin = await a.token('admin');
  const q = await a.req('POST', '/api/routing/queues', { token: admin, body: { code: 'cluster', name: 'Cluster', siteId: await siteId(a, 'msk'), channels: ['email'], priority: 5, wrapUpSeconds: 0 } });
  t.equal(q.status, 201);
  const rules = (await a.req('GET', '/api/routing/rules', { token: admin })).body as unknown[];
  t.equal((await a.req('PUT', '/api/routing/rules', { token: admin, body: [{ match: { channels: ['email'] }, queueId: q.body.id }, ...rules] })).status, 200);
  const bQueues = async () => (await b.req('GET', '/api/routing/queues', { token: await b.token('admin') })).body as { code: string }[];
  await waitFor('node 2 to load the new queue', async () => (await bQueues()).some((x) => x.code === 'cluster'));
  await addOperator(a, 'operator3', 'msk', [{ skill: 'email', proficiency: 3 }]);

  // 'operator' is served by node 1, 'operator3' by node 2.
  const served = { operator: a, operator3: b } as const;
  for (const [login, node] of Object.entries(served)) {
    const r = await node.req('POST', '/api/routing/state', { token: await node.token(login), body: { state: 'ready' } });
    t.equal(r.body.state, 'ready', `${login} ready on ${node === a ? 'node 1' : 'node 2'}`);
  }
  // Asked on the other node, the answer comes from the serving node.
  const remote = await b.req('GET', '/api/routing/me', { token: await b.token('operator') });
  t.equal(remote.body.state, 'ready', 'forwarded to the node serving the operator');

  const appeals: number[] = [];
  for (let i = 0; i < 12; i++) appeals.push(await emailAppeal(i % 2 ? b : a, `cluster-${i}`));

  // Both operators accept whatever they are offered, through the node serving them.
  const accepted = new Map<number, string[]>();
  const done = () => appeals.every((id) => accepted.has(id));
  await waitFor('every appeal to be accepted', async () => {
    await Promise.all(Object.entries(served).map(async ([login, node]) => {
      const token = await node.token(login);
      const me = await node.req('GET', '/api/routing/me', { token });
      const offer = me.body?.offer;
      if (!offer) return;
      const r = await node.req('POST', `/api/routing/offers/${offer.id}/accept`, { token });
      if (r.status !== 200) return;
      accepted.set(r.body.appealId, [...(accepted.get(r.body.appealId) ?? []), login]);
      // Handled: closing the appeal completes the contact and frees the operator's slot.
      t.equal((await node.req('POST', `/api/appeals/${r.body.appealId}/close`, { token, body: { outcome: 'consulted' } })).status, 200);
    }));
    return done();
  }, 60_000, 50);
  for (const id of appeals) t.equal(accepted.get(id)?.length, 1, `appeal ${id} accepted once`);
  t.ok(new Set([...accepted.values()].flat()).size === 2, 'both operators took work');

  const journal = await readJournal(a.app.db, 0, 100_000);
  for (const id of appeals) {
    const contact = `appeal-${id}`;
    t.equal(journal.filter((e) => e.type === 'contact.answered' && e.aggregateId === contact).length, 1, `${contact} answered once`);
    t.equal(journal.filter((e) => e.type === 'contact.queued' && e.aggregateId === contact).length, 1, `${contact} queued once over both nodes`);
  }
  const assigned = journal.filter((e) => e.type === 'appeal.assigned' && appeals.includes(Number(e.aggregateId)));
  t.equal(assigned.length, appeals.length, 'each appeal assigned once');

  // operator3 (node 2) takes one more and keeps it; then node 2 goes away.
  t.equal((await a.req('POST', '/api/routing/state', { token: await a.token('operator'), body: { state: 'paused', reason: 'break' } })).body.state, 'paused');
  const kept = await emailAppeal(a, 'cluster-kept');
  const op3token = await b.token('operator3');
  await waitFor('the offer to operator3', async () => (await b.req('GET', '/api/routing/me', { token: op3token })).body?.offer?.appealId === kept, 15_000);
  const keptOffer = (await b.req('GET', '/api/routing/me', { token: op3token })).body.offer;
  t.equal((await b.req('POST', `/api/routing/offers/${keptOffer.id}/accept`, { token: op3token })).status, 200);
  await new Promise((r) => setTimeout(r, 300));

  // Node 2 goes away: its operator is logged out by node 1 (once, journaled).
  await b.stop();
  nodes.pop();
  const sup = await a.token('supervisor');
  const op3 = async () => ((await a.req('GET', '/api/routing/operators', { token: sup })).body as { name: string; state: string; reason: string }[]).find((o) => o.name === 'Operator operator3')!;
  await waitFor('operator3 logged out after their node left', async () => (await op3()).state === 'logged_out', 15_000);
  t.equal((await op3()).reason, 'node-gone');
  const gone = (await readJournal(a.app.db, 0, 100_000)).filter((e) => e.type === 'operator.state_changed' && e.data.reason === 'node-gone');
  t.equal(gone.length, 1, 'journaled once');

  // operator3 comes back through node 1: the e-mail they kept is theirs again, and ends once.
  const op3onA = await a.token('operator3');
  t.equal((await a.req('POST', '/api/routing/state', { token: op3onA, body: { state: 'ready' } })).body.state, 'busy', 'node 1 adopts the assignment node 2 made');
  t.equal((await a.req('POST', `/api/appeals/${kept}/close`, { token: op3onA, body: { outcome: 'consulted' } })).status, 200);
  await waitFor('operator3 ready again', async () => (await a.req('GET', '/api/routing/me', { token: op3onA })).body.state === 'ready');
  // The state changes in memory first; the journal row follows (written behind, in order).
  const ends = async () => (await readJournal(a.app.db, 0, 100_000)).filter((e) => e.type === 'contact.completed' && e.aggregateId === `appeal-${kept}`);
  await waitFor('contact.completed journaled', async () => (await ends()).length > 0, 10_000);
  await new Promise((r) => setTimeout(r, 500));
  t.equal((await ends()).length, 1, 'completed once');
});
