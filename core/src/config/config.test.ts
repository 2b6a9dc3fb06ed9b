import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@okno/testkit';
import { loadConfig, envOverrides, jwtSecretOf } from './config.js';

t.test('defaults: SQLite in the data folder, embedded broker, port 8080', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const c = loadConfig({ env: {}, cwd: dir.dir });
  t.equal(c.db.url, `sqlite:${join(dir.dir, 'data', 'okno.sqlite')}`);
  t.equal(c.http.port, 8080);
  t.equal(c.mqtt.embedded.enabled, true);
  t.equal(c.configFile, null);
});

t.test('file, then environment, then explicit overrides', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  writeFileSync(join(dir.dir, 'okno.config.json'), JSON.stringify({ http: { port: 9000 }, demo: true, dataDir: 'var' }));
  const c = loadConfig({ env: { OKNO_HTTP_PORT: '9100', OKNO_DB_URL: 'mysql://u:p@db:3306/okno', OKNO_DEMO: 'false' }, cwd: dir.dir });
  t.equal(c.http.port, 9100, 'environment beats the file');
  t.equal(c.demo, false);
  t.equal(c.db.url, 'mysql://u:p@db:3306/okno');
  t.equal(c.dataDir, join(dir.dir, 'var'), 'relative paths are relative to the config file');
  t.equal(c.configFile, join(dir.dir, 'okno.config.json'));
});

t.test('errors name the field or variable', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  t.throws(() => envOverrides({ OKNO_HTTP_PORT: 'eighty' }).problems.length && loadConfig({ env: { OKNO_HTTP_PORT: 'eighty' }, cwd: dir.dir }), /OKNO_HTTP_PORT must be a number/);
  writeFileSync(join(dir.dir, 'bad.json'), JSON.stringify({ http: { port: 70000 }, colour: 'red' }));
  t.throws(() => loadConfig({ file: 'bad.json', env: {}, cwd: dir.dir }), /http\.port[\s\S]*colour|colour[\s\S]*http\.port/);
  writeFileSync(join(dir.dir, 'broken.json'), '{ "http": ');
  t.throws(() => loadConfig({ file: 'broken.json', env: {}, cwd: dir.dir }), /not valid JSON/);
  t.throws(() => loadConfig({ file: 'missing.json', env: {}, cwd: dir.dir }), /does not exist/);
});

t.test('the JWT secret is generated once and kept private', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const c = loadConfig({ env: {}, cwd: dir.dir });
  const s1 = jwtSecretOf(c);
  t.ok(s1.length >= 48);
  t.equal(jwtSecretOf(c), s1, 'the same secret the next time');
  const { statSync } = await import('node:fs');
  t.equal(statSync(join(c.dataDir, 'jwt-secret')).mode & 0o777, 0o600);
});
