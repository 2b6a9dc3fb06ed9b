/**
 * `okno start` as a process: it says where to open the console, stops gracefully on SIGTERM (exit 0),
 * and a bug that escapes every handler (an unhandled promise rejection) is written to the structured
 * log and ends in the same graceful stop with exit code 1, for the service manager to restart it.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, tempDir } from '@okno/testkit';

const bin = fileURLToPath(new URL('./okno.js', import.meta.url));

async function start(t: Test, preload?: string): Promise<{ out: () => string; exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void; running: Promise<void> }> {
  const dir = tempDir('okno-start-');
  t.teardown(() => dir.cleanup());
  writeFileSync(join(dir.dir, 'okno.config.json'), JSON.stringify({ dataDir: '.', demo: false, http: { port: await freePort() }, mqtt: { embedded: { port: await freePort() } }, console: { enabled: false }, plugins: [] }));
  const args = [...(preload ? ['--import', preload] : []), bin, 'start', '--config', join(dir.dir, 'okno.config.json')];
  const child = spawn(process.execPath, args, { cwd: dir.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': after the output pipes are drained too.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  const running = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('Okno is running')) resolve(clearInterval(timer));
      if (child.exitCode !== null) reject(new Error(`exited early: ${out}`));
    }, 50);
  });
  return { out: () => out, exited, kill: (s) => child.kill(s), running };
}

t.test('SIGTERM: work in flight finished, exit 0', async (t) => {
  const p = await start(t);
  await p.running;
  t.match(p.out(), /Console:\s+http:\/\/127\.0\.0\.1:\d+\//);
  p.kill('SIGTERM');
  t.equal(await p.exited, 0);
  t.match(p.out(), /SIGTERM received, finishing work in flight…[\s\S]*okno: stopped/);
});

t.test('an unhandled promise rejection: a fatal log line, the graceful stop, exit 1', async (t) => {
  const dir = tempDir('okno-preload-');
  t.teardown(() => dir.cleanup());
  // Stands for a bug in a plugin: a promise rejected with nobody to catch it, when the test says so
  // (SIGUSR2, sent once the core runs).
  const preload = join(dir.dir, 'reject-on-signal.mjs');
  writeFileSync(preload, "process.on('SIGUSR2', () => { Promise.reject(new Error('boom from a test bug')); });\n");
  const p = await start(t, preload);
  await p.running;
  p.kill('SIGUSR2');
  t.equal(await p.exited, 1, 'exit code 1');
  const fatal = p.out().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } }).find((l) => l.level === 60);
  t.match(fatal, { msg: 'unhandled promise rejection', err: { message: 'boom from a test bug' } }, 'said in the structured log, at level fatal');
  t.match(p.out(), /finishing work in flight…[\s\S]*okno: stopped/, 'then stopped gracefully');
});
