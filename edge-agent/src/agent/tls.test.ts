import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsTools, run, tempDir, waitFor } from '@okno/testkit';
import { startAedes } from './test-support/broker.js';
import { CoreObserver } from './test-support/core-observer.js';
import { testAgent } from './test-support/agent-rig.js';

t.test('the agent connects over TLS, checking the broker certificate against the configured CA', { skip: needsTools('openssl') }, async (t) => {
  const { dir, cleanup } = tempDir('okno-tls-');
  t.teardown(cleanup);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
  const cert = readFileSync(join(dir, 'cert.pem'));
  const broker = await startAedes({ tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
  const core = await CoreObserver.connect(broker.url, { ca: cert });
  t.teardown(async () => {
    await core.close();
    await broker.close();
  });
  t.match(broker.url, /^mqtts:/);
  const addr = { site: 'cao', agent: 'tls-1' };
  const agent = testAgent({ url: broker.url, ...addr, spoolDir: join(dir, 'spool'), extra: { broker: { url: broker.url, tls: { ca: join(dir, 'cert.pem') }, reconnect: { minMs: 100, maxMs: 400 } } } });
  await agent.start();
  await waitFor('online over TLS', () => core.of('presence', addr).some((s) => s.msg.state === 'online'));
  await agent.stop();

  // without the CA the certificate is not trusted: the agent never comes online
  const untrusting = testAgent({ url: broker.url, ...addr, spoolDir: join(dir, 'spool2'), extra: { broker: { url: broker.url, reconnect: { minMs: 100, maxMs: 400 } } } });
  await untrusting.start();
  await new Promise((r) => setTimeout(r, 800));
  t.notOk(untrusting.link.connected, 'an unknown certificate is refused');
  await untrusting.stop();
});
