import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@okno/testkit';
import { brokerCredentials, brokerTls, clientIdOf, ConfigError, loadConfig } from './config.js';

t.test('file plus environment, environment wins; defaults filled in', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'edge.json');
  writeFileSync(file, JSON.stringify({ site: 'cao', agent: 'a1', broker: { url: 'mqtt://file:1883', password: 'from-file' }, telemetry: { intervalMs: 10_000 } }));
  const c = loadConfig({ file, env: { OKNO_EDGE_BROKER_URL: 'mqtts://env:8883', OKNO_EDGE_FAX_PORTS: '/dev/ttyUSB0, /dev/ttyUSB1', OKNO_EDGE_TELEMETRY_INTERVAL_MS: '2000' } });
  t.equal(c.broker.url, 'mqtts://env:8883');
  t.same(c.fax.ports, ['/dev/ttyUSB0', '/dev/ttyUSB1']);
  t.equal(c.telemetry.intervalMs, 2000);
  t.equal(c.spool.maxBytes, 64 * 1024 * 1024);
  t.same(brokerCredentials(c), { username: 'cao.a1', password: 'from-file' });
  t.equal(clientIdOf(c), 'okno-edge-cao.a1');
  t.equal(brokerTls(c), undefined);
  const pw = join(dir, 'pw');
  writeFileSync(pw, 's3cret\n');
  t.equal(brokerCredentials(loadConfig({ env: { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'a1', OKNO_EDGE_PASSWORD_FILE: pw } })).password, 's3cret');
});

t.test('clear errors for every kind of mistake', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  t.throws(() => loadConfig({ file: join(dir, 'missing.json'), env: {} }), /cannot read the config file/);
  writeFileSync(join(dir, 'bad.json'), '{ nope');
  t.throws(() => loadConfig({ file: join(dir, 'bad.json'), env: {} }), /is not valid JSON/);
  const e = t.throws(() => loadConfig({ env: { OKNO_EDGE_SITE: 'cao' } })) as ConfigError;
  t.ok(e instanceof ConfigError);
  t.match(e.message, /agent: /);
  t.throws(() => loadConfig({ env: { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'a', OKNO_EDGE_BROKER_URL: 'http://x' } }), /broker\.url must start with mqtt/);
  t.throws(() => loadConfig({ env: { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'a', OKNO_EDGE_SPOOL_MAX_BYTES: '900000000' } }), /spool\.hardMaxBytes: must be at least spool\.maxBytes/);
  t.throws(() => brokerTls(loadConfig({ env: { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'a', OKNO_EDGE_TLS_CA: join(dir, 'none.pem') } })), /cannot read broker\.tls\.ca/);
});
