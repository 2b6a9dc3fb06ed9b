import t from 'tap';
import { randomBytes } from 'node:crypto';
import { tempDir, waitFor } from '@okno/testkit';
import { parseCommandResult, sha256Hex } from '@okno/protocol';
import { startAedes } from './test-support/broker.js';
import { CoreObserver } from './test-support/core-observer.js';
import { testAgent } from './test-support/agent-rig.js';

const addr = { site: 'cao', agent: 'edge-1' };

async function need<T>(what: string, check: () => T | undefined, timeoutMs?: number): Promise<T> {
  return (await waitFor(what, check, timeoutMs))!;
}

async function rig(t: { teardown(fn: () => unknown): void }) {
  const broker = await startAedes({ users: { 'okno-core': 'core', 'cao.edge-1': 'pw1' } });
  const spool = tempDir('okno-agent-');
  const core = await CoreObserver.connect(broker.url);
  t.teardown(async () => {
    await core.close();
    await broker.close();
    spool.cleanup();
  });
  const mk = () => testAgent({ url: broker.url, ...addr, password: 'pw1', spoolDir: spool.dir });
  return { broker, core, mk, spoolDir: spool.dir };
}

t.test('presence online (retained) on connect, inventory, telemetry; last will offline on a crash', async (t) => {
  const { core, mk } = await rig(t);
  const agent = mk();
  await agent.start();
  const online = await need('presence online', () => core.of('presence', addr).find((s) => s.msg.state === 'online'));
  t.equal(online.msg.reason, 'connect');
  const inv = await need('inventory', () => core.of('inventory', addr)[0]);
  t.equal(inv.msg.host.agentVersion, online.msg.agentVersion);
  const tel = await need('telemetry', () => core.of('telemetry', addr)[0], 5000);
  t.equal(tel.msg.intervalMs, 1000);
  agent.link.kill(); // the connection dies without DISCONNECT: the broker publishes the will
  const will = await need('last will', () => core.of('presence', addr).find((s) => s.msg.reason === 'will'));
  t.equal(will.msg.state, 'offline');
  await waitFor('reconnected', () => core.of('presence', addr).filter((s) => s.msg.state === 'online').length === 2);
  await agent.stop();
  const bye = await need('clean offline', () => core.of('presence', addr).find((s) => s.msg.reason === 'shutdown'));
  t.equal(bye.msg.state, 'offline');
  // a late subscriber sees the retained presence
  const late = await CoreObserver.connect(`mqtt://127.0.0.1:${(await core.client.options).port}`);
  const retained = await need('retained presence', () => late.of('presence', addr)[0]);
  t.equal(retained.retain, true);
  t.equal(retained.msg.state, 'offline');
  await late.close();
});

t.test('command round trip: results, errors, deadlines and de-duplication', async (t) => {
  const { core, mk } = await rig(t);
  const agent = mk();
  await agent.start();
  await waitFor('online', () => agent.link.connected);
  const ping = await core.command(addr, 'ping', {});
  const r = await core.result(ping.id);
  t.equal(r.status, 'ok');
  t.ok(parseCommandResult('ping', r.result).uptimeSec >= 0);

  const inv = await core.result((await core.command(addr, 'inventory.refresh', {})).id);
  t.same(inv.result, { modems: 0, headsets: 0 });

  const noFax = await core.result((await core.command(addr, 'modems.probe', {})).id);
  t.equal(noFax.error?.code, 'unsupported', 'no fax module injected');

  const unknown = { ...ping, id: crypto.randomUUID(), kind: 'coffee.make' };
  await core.sendRaw(addr, unknown);
  t.equal((await core.result(unknown.id)).error?.code, 'unknown-command');

  const bad = { ...ping, id: crypto.randomUUID(), kind: 'headset.ring', args: { on: 'yes' } };
  await core.sendRaw(addr, bad);
  t.equal((await core.result(bad.id)).error?.code, 'invalid-args');

  const late = { ...ping, id: crypto.randomUUID(), deadline: Date.now() - 1000 };
  await core.sendRaw(addr, late);
  t.equal((await core.result(late.id)).error?.code, 'expired');

  const dup = await core.command(addr, 'ping', {});
  await core.sendRaw(addr, dup);
  await core.result(dup.id);
  const flush = await core.result((await core.command(addr, 'spool.flush', {})).id);
  t.equal(flush.status, 'ok');
  t.equal(core.of('cmd-result').filter((s) => s.msg.correlationId === dup.id).length, 1, 'a duplicate command runs once');
  await agent.stop();
});

t.test('the spool holds messages while the broker is away and replays them when it is back', async (t) => {
  const { broker, core, mk } = await rig(t);
  const agent = mk();
  await agent.start();
  await waitFor('online', () => agent.link.connected);
  await broker.down();
  await waitFor('agent sees the outage', () => !agent.link.connected);
  for (let i = 0; i < 20; i++) agent.event({ type: 'error', component: 'test', code: 'e', message: `offline event ${i}` });
  t.ok(agent.spool.stats().depth >= 20, 'events spooled while offline');
  await broker.up();
  const got = await need('replayed events', () => {
    const msgs = core.of('events', addr).map((s) => (s.msg.event.type === 'error' ? s.msg.event.message : ''));
    return msgs.filter((m) => m.startsWith('offline event')).length >= 20 ? msgs : undefined;
  }, 15_000);
  const order = got.filter((m) => m.startsWith('offline event')).map((m) => Number(m.split(' ')[2]));
  t.same([...new Set(order)], [...Array(20).keys()], 'all 20 arrive, in order');
  await waitFor('spool drained', () => agent.spool.stats().depth === 0);
  await agent.stop();
});

t.test('spooled messages survive an agent restart, and QoS 1 commands wait in the persistent session', async (t) => {
  const { broker, core, mk } = await rig(t);
  let agent = mk();
  await agent.start();
  await waitFor('online', () => agent.link.connected);
  await broker.down();
  await waitFor('offline', () => !agent.link.connected);
  agent.event({ type: 'error', component: 'test', code: 'e', message: 'before restart' });
  await agent.stop(); // the process ends with the event still in the spool
  await broker.up();
  // the core sends a command while the agent is not running: the broker keeps it for the session
  const cmd = await core.command(addr, 'ping', {}, 30_000);
  agent = mk();
  await agent.start();
  const r = await core.result(cmd.id);
  t.equal(r.status, 'ok', 'the command queued in the persistent session was delivered after the restart');
  await waitFor('spooled event delivered', () => core.of('events', addr).some((s) => s.msg.event.type === 'error' && s.msg.event.message === 'before restart'));
  await agent.stop();
});

t.test('a multi-chunk fax file reaches the core across a broker outage in the middle', async (t) => {
  const { broker, core, mk } = await rig(t);
  const agent = mk();
  await agent.start();
  await waitFor('online', () => agent.link.connected);
  const data = randomBytes(60 * 1024); // 60 chunks of 1 KiB
  let chunksBeforeDrop = 0;
  agent.devices.emit('received', { modemId: 'ttyS0', data, fileName: 'fax-001.tif', pages: 2, durationMs: 30_000, remoteId: '+7 495 000', incomplete: 'more than 100 pages in one call' });
  await waitFor('some chunks arrived', () => (chunksBeforeDrop = core.store ? core.chunkTopics.length : 0) > 15);
  await broker.down();
  await new Promise((r) => setTimeout(r, 300));
  await broker.up();
  const f = await need('file complete', () => core.files[0], 30_000);
  t.equal(sha256Hex(f.data), sha256Hex(data));
  t.equal(f.offer.name, 'fax-001.tif');
  t.equal(f.offer.meta.pages, 2);
  t.equal(f.offer.meta.incomplete, 'more than 100 pages in one call', 'a call cut short by a receive limit says so with the file');
  const ev = await need('fax.received event', () => core.of('events', addr).find((s) => s.msg.event.type === 'fax.received'));
  t.equal(ev.msg.event.type === 'fax.received' && ev.msg.event.transferId, f.offer.transferId, 'the event names the transfer');
  t.ok(chunksBeforeDrop > 15);
  t.ok(core.chunkTopics.length < 2 * 60, `resumed, not restarted (${core.chunkTopics.length} file messages for 60 chunks)`);
  await waitFor('spool file removed', () => agent.spool.stats().files === 0);
  await agent.stop();
});
