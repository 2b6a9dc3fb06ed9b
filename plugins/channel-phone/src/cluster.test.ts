/**
 * Two core nodes on one MariaDB database joined by NATS, both running the phone channel against one
 * fake Asterisk. Node 1 runs in a child process so it can be killed abruptly (SIGKILL: no shutdown,
 * its lease is not given up). Exactly one node holds the phone line (the `phone-line:okno` lease):
 *   - node 1 holds it and calls flow through it; node 2 stands by and its health names node 1;
 *   - node 1 is killed with a caller in conversation and a caller waiting on hold;
 *   - node 2 takes the line only after node 1's lease expired, connects, and carries both calls on:
 *     the conversation is recorded once when it ends, the waiting caller is offered, bridged and
 *     recorded once.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Lease, type ChannelHealth } from '@okno/core';
import { needs, needsMysql, scratchMysqlDatabase, tcpReachable, waitFor } from '@okno/testkit';
import { FakeAsterisk } from './test-support/fake-asterisk.js';
import { startPhoneApp } from './test-support/phone-app.js';
import type { CallSummary } from './calls/call-record.js';

const natsUrl = process.env.OKNO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsSkip = needs(`NATS at ${natsUrl}`, await tcpReachable(new URL(natsUrl).hostname, Number(new URL(natsUrl).port || 4222)), 'start nats-server or set OKNO_TEST_NATS_URL');
const skip = (await needsMysql()) || natsSkip;

t.test('two core nodes: one holds the phone line; the other takes it over when the holder dies', { skip }, async (t) => {
  const db = await scratchMysqlDatabase('okno_phone_line');
  t.teardown(db.drop);
  const pbx = await FakeAsterisk.start();
  t.teardown(() => pbx.stop());
  const namespace = `okno-phone-${process.pid}-${Date.now()}`;

  // Node 1 in a child process: it seeds the demo data and takes the line first.
  const script = fileURLToPath(new URL('./test-support/line-node.js', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify({ pbxUrl: pbx.url, dbUrl: db.url, nodeId: 'phone-1', transporter: natsUrl, namespace, demo: true })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('ready ') && resolve());
    child.once('exit', (code) => reject(new Error(`node 1 exited (${code}) before it was ready`)));
  });
  await waitFor('node 1 holds the line and is connected', () => pbx.connected('okno'), 30_000);

  const p = await startPhoneApp({ pbx, dbUrl: db.url, demo: false, core: { transporter: natsUrl, nodeId: 'phone-2' }, broker: { namespace } });
  t.teardown(() => p.stop());
  const broker = p.app.app.broker;
  await waitFor('the nodes see each other', () => broker.registry.nodes.list({ onlyAvailable: true }).some((n: { id: string }) => n.id === 'phone-1'), 15_000);
  const lease = () => p.app.app.db.read((em) => em.findOneBy(Lease, { name: 'phone-line:okno' }));
  const health = () => broker.call<ChannelHealth & { details: Record<string, any> }, object>('channel.phone.health', {}, { nodeID: 'phone-2' });

  t.equal((await lease())?.holder, 'phone-1', 'node 1 holds the lease');
  t.notOk(p.line.mayAct(), 'node 2 stands by');
  const before = await health();
  t.match(before, { status: 'ok', details: { line: { node: 'phone-1', holder: 'phone-1', active: true }, askedOn: 'phone-2', connected: true } }, "node 2's health is node 1's, and names it");

  const opEndpoint = `PJSIP/op-${p.operatorId}`;
  const summary = async (channelId: string) => {
    let s: CallSummary | undefined;
    await waitFor('the call recorded', async () => (s = (await p.callInteraction(channelId))?.meta?.call as CallSummary | undefined), 20_000);
    return s!;
  };
  const ended = async (appealId: number) => (await p.journal('call.ended')).filter((e) => e.data.appealId === appealId).length;

  // A conversation through node 1.
  await p.setState('ready');
  const a = await p.callIn('+7 916 300-00-01');
  const offerA = await p.offer();
  t.equal((await p.accept(offerA.id)).status, 200);
  const dialA = await pbx.waitForDial(opEndpoint, 0, 20_000);
  t.same(dialA.appArgs, ['operator', a.channelId]);
  pbx.answer(dialA.channelId);
  await waitFor('caller A and the operator bridged', () => pbx.bridgeOf(a.channelId)?.type === 'mixing');
  // A caller waiting on hold (the operator is busy).
  const b = await p.callIn('+7 916 300-00-02');
  const enqueuedB = (await p.journal('contact.queued')).find((e) => e.aggregateId === `call-${b.channelId}`)!.data.enqueuedAt;
  t.notOk(p.line.mayAct(), 'node 2 never acted');

  // Node 1 dies.
  const expiresAt = (await lease())!.expiresAt.getTime();
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await exited;
  await waitFor('node 2 takes the line over', () => p.line.mayAct(), 30_000);
  const took = await p.line.status();
  t.equal(took.holder, 'phone-2');
  t.ok(Date.parse(took.since!) >= expiresAt, "node 2 took the line only after node 1's lease expired");
  t.comment(`takeover ${Date.parse(took.since!) - killedAt} ms after the kill (lease ttl 3000 ms, renew 300 ms)`);
  await waitFor('node 2 connected and compared the calls', () => pbx.connected('okno') && p.flow.stats.resyncs >= 1, 15_000);
  await p.flow.idle();
  t.same(p.flow.active(), { talking: 1, waiting: 1 }, 'both calls are followed by node 2');
  t.equal(p.flow.stats.adopted, 2);
  t.equal(pbx.bridgeOf(a.channelId)?.type, 'mixing', 'the conversation is left as it is');
  t.equal(pbx.bridgeOf(b.channelId)?.type, 'holding', 'the waiting caller is still on hold');
  t.match(await health(), { status: 'ok', details: { line: { node: 'phone-2', holder: 'phone-2', active: true, takeovers: 1 } } }, 'health names node 2');

  // The conversation ends: recorded once; the operator is free and gets the waiting caller.
  pbx.hangupRemote(a.channelId);
  t.match(await summary(a.channelId), { outcome: 'answered', hungUpBy: 'caller', operatorUserId: p.operatorId, followedAfterRestart: { since: String, unknownTimes: [] } });
  const offerB = await waitFor('caller B offered', async () => {
    const o = (await p.app.req('GET', '/api/routing/me', { token: p.operatorToken })).body.offer;
    return o?.appealId === b.appealId ? o : null;
  }, 30_000);
  t.equal((await p.accept(offerB.id)).status, 200);
  const dialB = await pbx.waitForDial(opEndpoint, 1, 30_000);
  t.same(dialB.appArgs, ['operator', b.channelId], 'node 2 dials the operator for the waiting caller');
  pbx.answer(dialB.channelId);
  await waitFor('caller B and the operator bridged', () => pbx.bridgeOf(b.channelId)?.type === 'mixing');
  pbx.hangupRemote(dialB.channelId);
  t.match(await summary(b.channelId), { outcome: 'answered', hungUpBy: 'operator', queuedAt: enqueuedB, followedAfterRestart: { since: String } });
  t.equal(await ended(a.appealId), 1, 'call A recorded once');
  t.equal(await ended(b.appealId), 1, 'call B recorded once');
  const queuedB = (await p.journal('contact.queued')).filter((e) => e.aggregateId.startsWith(`call-${b.channelId}`));
  t.same(queuedB.map((e) => e.aggregateId), [`call-${b.channelId}`], 'caller B queued once, with its place');
});
