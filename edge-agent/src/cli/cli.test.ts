import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, needsTools, tempDir, waitFor } from '@okno/testkit';
import { openPtyPair } from '../fax/index.js';
import { openSerialLink } from '../fax/index.js';
import { ModemSimulator } from '../fax/index.js';
import { makeTestPage } from '../fax/index.js';
import { encodeMh } from '../fax/index.js';
import { writeTiffF } from '../fax/index.js';
import { CoreObserver } from '../agent/test-support/core-observer.js';
import { Spool } from '../spool/spool.js';
import { startAedes } from '../agent/test-support/broker.js';

const BIN = fileURLToPath(new URL('../bin/okno-edge.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('--help on the program and on every command and subcommand', async (t) => {
  const top = await cli(['--help']);
  t.equal(top.code, 0);
  for (const c of ['run', 'devices', 'doctor', 'fax', 'headset', 'spool']) t.match(top.stdout, new RegExp(`\\n\\s+${c}\\b`), `lists ${c}`);
  t.match(top.stdout, /Exit codes:[\s\S]*3\s+the broker cannot be reached/);
  t.match(top.stdout, /OKNO_EDGE_BROKER_URL/);
  for (const sub of [['run'], ['devices'], ['doctor'], ['fax'], ['fax', 'send'], ['fax', 'test'], ['headset'], ['headset', 'watch'], ['spool'], ['spool', 'status'], ['spool', 'list'], ['spool', 'purge']]) {
    const r = await cli([...sub, '--help']);
    t.equal(r.code, 0, `${sub.join(' ')} --help exits 0`);
    t.match(r.stdout, new RegExp(`Usage: okno-edge ${sub.join(' ')}`), `${sub.join(' ')} has usage text`);
  }
  const send = await cli(['fax', 'send', '--help']);
  t.match(send.stdout, /<number>[\s\S]*<file>/);
});

t.test('wrong usage and bad configuration exit 2 with the reason', async (t) => {
  const r = await cli(['frobnicate']);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown command/);
  const bad = await cli(['doctor'], { OKNO_EDGE_SITE: 'Bad Site', OKNO_EDGE_AGENT: 'a1' });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /site: a site id is lower-case/);
  const num = await cli(['doctor'], { OKNO_EDGE_SITE: 's', OKNO_EDGE_AGENT: 'a', OKNO_EDGE_SPOOL_MAX_BYTES: 'lots' });
  t.equal(num.code, 2);
  t.match(num.stderr, /OKNO_EDGE_SPOOL_MAX_BYTES="lots" is not a whole number/);
});

t.test('doctor against a broker: right credentials, wrong credentials, broker down', async (t) => {
  const broker = await startAedes({ users: { 'cao.a1': 'right' } });
  const spool = tempDir('okno-cli-');
  t.teardown(async () => {
    await broker.close();
    spool.cleanup();
  });
  const cfg = join(spool.dir, 'edge.json');
  writeFileSync(cfg, JSON.stringify({ site: 'cao', agent: 'a1', broker: { url: broker.url }, spool: { dir: join(spool.dir, 'spool') }, fax: { ports: [] }, headsets: { enabled: false } }));
  const ok = await cli(['-c', cfg, 'doctor', '--no-modem'], { OKNO_EDGE_PASSWORD: 'right' });
  t.equal(ok.code, 0, ok.stdout + ok.stderr);
  t.match(ok.stdout, /✔ broker reachable/);
  t.match(ok.stdout, /✔ credentials accepted for user cao\.a1/);
  t.match(ok.stdout, /✔ command topics granted/);
  t.match(ok.stdout, /all checks passed/);

  const wrong = await cli(['-c', cfg, 'doctor', '--no-modem'], { OKNO_EDGE_PASSWORD: 'wrong' });
  t.equal(wrong.code, 3);
  t.match(wrong.stdout, /✘ credentials accepted for user cao\.a1/);
  t.match(wrong.stdout, /fix: the broker refused user "cao\.a1"/);

  const port = await freePort();
  const down = await cli(['-c', cfg, 'doctor', '--no-modem'], { OKNO_EDGE_PASSWORD: 'right', OKNO_EDGE_BROKER_URL: `mqtt://127.0.0.1:${port}` });
  t.equal(down.code, 3);
  t.match(down.stdout, /✘ broker reachable at 127\.0\.0\.1:\d+/);
  t.match(down.stdout, /fix: check broker\.url/);
});

t.test('spool status, list and purge', async (t) => {
  const { dir, cleanup } = tempDir('okno-cli-spool-');
  t.teardown(cleanup);
  const s = Spool.open(dir);
  s.append({ cls: 'critical', topic: 'okno/v1/cao/a1/events', payload: Buffer.from('{"x":1}') });
  s.append({ cls: 'telemetry', topic: 'okno/v1/cao/a1/telemetry', payload: Buffer.from('{"y":2}') });
  s.close();
  const env = { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'a1', OKNO_EDGE_SPOOL_DIR: dir };
  const st = await cli(['spool', 'status', '--json'], env);
  t.equal(st.code, 0);
  t.match(JSON.parse(st.stdout), { depth: 2, bytes: 14, byClass: { critical: 1, telemetry: 1 } });
  const human = await cli(['spool', 'status'], env);
  t.match(human.stdout, /messages waiting: 2/);
  const list = await cli(['spool', 'list'], env);
  t.match(list.stdout, /critical\t7\t\d+\tokno\/v1\/cao\/a1\/events/);
  const refuse = await cli(['spool', 'purge'], env);
  t.equal(refuse.code, 2, 'no confirmation without a terminal');
  t.match(refuse.stderr, /--yes/);
  const purge = await cli(['spool', 'purge', '--yes', '--class', 'telemetry'], env);
  t.equal(purge.code, 0);
  t.match(purge.stdout, /purged 1 item/);
  t.match(JSON.parse((await cli(['spool', 'status', '--json'], env)).stdout), { depth: 1 });
});

t.test('run: the daemon comes online, answers a command, and goes offline cleanly on SIGTERM', async (t) => {
  const broker = await startAedes({ users: { 'cao.d1': 'pw', 'okno-core': 'core' } });
  const core = await CoreObserver.connect(broker.url);
  const spool = tempDir('okno-cli-run-');
  t.teardown(async () => {
    await core.close();
    await broker.close();
    spool.cleanup();
  });
  const addr = { site: 'cao', agent: 'd1' };
  const child = spawn(process.execPath, [BIN, 'run'], {
    env: { PATH: process.env.PATH ?? '', OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'd1', OKNO_EDGE_PASSWORD: 'pw', OKNO_EDGE_BROKER_URL: broker.url, OKNO_EDGE_SPOOL_DIR: spool.dir, OKNO_EDGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await waitFor('online', () => core.of('presence', addr).some((s) => s.msg.state === 'online'), 20_000);
  const busy = await cli(['spool', 'purge', '--yes'], { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'd1', OKNO_EDGE_SPOOL_DIR: spool.dir });
  t.equal(busy.code, 1, 'purge refuses while the daemon holds the spool');
  t.match(busy.stderr, /is running with this spool/);
  const ping = await core.command(addr, 'ping', {});
  t.equal((await core.result(ping.id)).status, 'ok');
  child.kill('SIGTERM');
  t.equal(await exited, 0, stderr);
  await waitFor('offline', () => core.of('presence', addr).some((s) => s.msg.reason === 'shutdown'));
});

t.test('fax test (loopback on the simulator) and fax send to a simulated modem, with page progress', { skip: needsTools('socat') }, async (t) => {
  const env = { OKNO_EDGE_SITE: 'cao', OKNO_EDGE_AGENT: 'a1', OKNO_EDGE_SPOOL_DIR: '/tmp/okno-cli-unused' };
  const loop = await cli(['fax', 'test'], env);
  t.equal(loop.code, 0, loop.stdout + loop.stderr);
  t.match(loop.stdout, /✔ simulator received the page intact \(Class 2\.0\)/);
  t.match(loop.stdout, /✔ simulator received the page intact \(Class 1\)/);

  const pair = await openPtyPair();
  const simLink = await openSerialLink({ path: pair.modemPath, uucpLock: 'off', livenessIntervalMs: 0 });
  const sim = new ModemSimulator(simLink, { speedFactor: 50, minPageMs: 20, connectDelayMs: 20, xonDelayMs: 10 });
  const { dir, cleanup } = tempDir('okno-cli-fax-');
  t.teardown(async () => {
    sim.shutdown();
    await simLink.close().catch(() => undefined);
    await pair.close();
    cleanup();
  });
  const pages = [1, 2].map((n) => ({ data: encodeMh(makeTestPage({ height: 200, pageNo: n }), { fillOrder: 2 }), fillOrder: 2 as const, width: 1728, rows: 200, yResolution: 98 as const, twoD: false }));
  const file = join(dir, 'doc.tif');
  writeFileSync(file, writeTiffF(pages));
  const got: number[] = [];
  sim.on('page', (p) => got.push(p.page));
  const r = await cli(['fax', 'send', '--port', pair.dtePath, '5551234', file], env);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /✔ sent 2 page\(s\)/);
  t.match(r.stderr, /page 1\/2[\s\S]*page 2\/2/, 'progress per page');
  t.same(got, [1, 2]);
});
