import t from 'tap';
import { join } from 'node:path';
import { tempDir, freePort } from '@okno/testkit';
import { definePlugin } from './plugin.js';
import { loadPlugins, PluginLoadError } from './plugin-loader.js';
import { OknoApp } from './app.js';
import { loadConfig } from '../config/config.js';

const sample = definePlugin<{ port: number; greeting: string }>({
  name: 'sample',
  kind: 'integration',
  version: '1.2.3',
  configSchema: { port: 'number|integer|min:1|max:65535', greeting: 'string|min:1' },
  defaults: { greeting: 'привет' },
  services: (ctx) => [{ name: 'sample', actions: { hello: () => `${ctx.config.greeting}:${ctx.config.port}` } }],
});

t.test('definePlugin refuses a malformed definition', async (t) => {
  t.throws(() => definePlugin({ name: 'Bad Name', kind: 'channel', version: '1', services: () => [] }), /name must be lower-case.*version must be semver/);
});

t.test('a plugin config is validated, with defaults, and errors name the plugin and the field', async (t) => {
  const ok = await loadPlugins([{ name: 'sample', config: { port: 25 } }], { searchFrom: [], preloaded: { sample } });
  t.same(ok[0]!.config, { greeting: 'привет', port: 25 });
  await t.rejects(loadPlugins([{ name: 'sample', config: { port: 'twenty' } }], { searchFrom: [], preloaded: { sample } }), { name: 'PluginLoadError', message: /plugin "sample".*config\.port/ });
  await t.rejects(loadPlugins([{ name: 'sample', config: { port: 1, colour: 'red' } }], { searchFrom: [], preloaded: { sample } }), /colour/, 'unknown settings are refused');
  const skipped = await loadPlugins([{ name: 'sample', enabled: false }], { searchFrom: [], preloaded: { sample } });
  t.same(skipped, [], 'a disabled plugin is not loaded');
});

t.test('a missing package or a package that is not a plugin is named in the error', async (t) => {
  await t.rejects(loadPlugins([{ name: '@okno/no-such-plugin' }], { searchFrom: [process.cwd()] }), { message: /plugin "@okno\/no-such-plugin" failed to load: package not found/ });
  const err = await loadPlugins([{ name: 'typeorm' }], { searchFrom: [process.cwd()] }).catch((e) => e);
  t.ok(err instanceof PluginLoadError);
  t.match(err.message, /plugin "typeorm".*not a plugin/);
});

t.test('the app refuses to start with a bad plugin config, before touching the database', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const config = loadConfig({ env: {}, cwd: dir.dir, overrides: { dataDir: dir.dir, plugins: [{ name: 'sample', config: { port: -1 } }], log: { level: 'fatal' } } as never });
  await t.rejects(OknoApp.start({ config, plugins: { sample } }), /plugin "sample".*config\.port/);
});

t.test('graceful stop: a call in flight finishes before the node stops', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  let finished = false;
  const slow = definePlugin({
    name: 'slow', kind: 'integration', version: '1.0.0',
    services: () => [{ name: 'slow', actions: { work: async () => { await new Promise((r) => setTimeout(r, 600)); finished = true; return 'done'; } } }],
  });
  const config = loadConfig({ env: {}, cwd: dir.dir, overrides: { dataDir: dir.dir, db: { url: `sqlite:${join(dir.dir, 'db.sqlite')}` }, http: { port: await freePort() }, plugins: [{ name: 'slow' }], log: { level: 'fatal' }, console: { enabled: false } } as never });
  const app = await OknoApp.start({ config, plugins: { slow } });
  t.equal(await app.broker.call('sample.hello').catch(() => 'absent'), 'absent');
  const inFlight = app.broker.call('slow.work');
  await new Promise((r) => setTimeout(r, 50));
  const stopping = app.stop();
  t.equal(await inFlight, 'done', 'the call completed');
  await stopping;
  t.ok(finished, 'the work finished before stop returned');
});

t.test('plugin services run with their validated config', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const config = loadConfig({ env: {}, cwd: dir.dir, overrides: { dataDir: dir.dir, http: { port: await freePort() }, plugins: [{ name: 'sample', config: { port: 8025 } }], log: { level: 'fatal' }, console: { enabled: false } } as never });
  const app = await OknoApp.start({ config, plugins: { sample } });
  t.teardown(() => app.stop());
  t.equal(await app.broker.call('sample.hello'), 'привет:8025');
});
