import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mosquittoTestUrl, needsMosquitto, tempDir, waitFor } from '@okno/testkit';
import { sha256Hex, topicFor } from '@okno/protocol';
import { CoreObserver } from './test-support/core-observer.js';
import { testAgent } from './test-support/agent-rig.js';

// The machine's running Mosquitto (OKNO_TEST_MOSQUITTO_URL, default 127.0.0.1:1883). Ids are unique
// per run; retained messages are cleared at the end.
const skip = await needsMosquitto();

async function need<T>(what: string, check: () => T | undefined, timeoutMs?: number): Promise<T> {
  return (await waitFor(what, check, timeoutMs))!;
}

t.test('against the running Mosquitto: presence and will, commands, persistent session, file transfer', { skip }, async (t) => {
  const addr = { site: 'test', agent: `t-${randomBytes(4).toString('hex')}` };
  const spool = tempDir('okno-mosq-agent-');
  const core = await CoreObserver.connect(mosquittoTestUrl, { clientId: `okno-test-core-${addr.agent}` });
  t.teardown(async () => {
    for (const k of ['presence', 'inventory'] as const) await core.client.publishAsync(topicFor(addr, k), Buffer.alloc(0), { qos: 1, retain: true });
    await core.close();
    spool.cleanup();
  });
  const mk = () => testAgent({ url: mosquittoTestUrl, ...addr, spoolDir: spool.dir });

  let agent = mk();
  await agent.start();
  const online = await need('presence online', () => core.of('presence', addr).find((s) => s.msg.state === 'online'));
  t.equal(online.msg.reason, 'connect');
  await need('inventory', () => core.of('inventory', addr)[0]);

  const ping = await core.command(addr, 'ping', {});
  t.equal((await core.result(ping.id)).status, 'ok', 'command round trip');

  agent.link.kill();
  const will = await need('last will', () => core.of('presence', addr).find((s) => s.msg.reason === 'will'), 15_000);
  t.equal(will.msg.state, 'offline', 'Mosquitto published the last will');
  await agent.stop();

  // while the agent is down, a QoS 1 command waits in its persistent session
  const queued = await core.command(addr, 'inventory.refresh', {}, 30_000);
  agent = mk();
  await agent.start();
  t.equal((await core.result(queued.id)).status, 'ok', 'queued command delivered after the agent restarted');

  const data = randomBytes(20 * 1024 + 17);
  agent.devices.emit('received', { modemId: 'ttyS1', data, fileName: 'in.tif', pages: 1, durationMs: 1000 });
  const f = await need('file', () => core.files[0], 20_000);
  t.equal(sha256Hex(f.data), sha256Hex(data), 'multi-chunk file intact through Mosquitto');
  await agent.stop();
  await need('clean offline', () => core.of('presence', addr).find((s) => s.msg.reason === 'shutdown'));
});
