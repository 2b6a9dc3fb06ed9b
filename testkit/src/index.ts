/**
 * Test helpers shared by every Okno package.
 *
 * Outside parts (MariaDB, Mosquitto, socat, efax, dovecot, chromium) are real. When one is missing
 * on a developer's machine the test is skipped with a reason that says what to install; under CI
 * (`OKNO_TEST_REQUIRE_ALL=1`, set by .ci/run) a missing part fails the test instead, so nothing is
 * silently left untested there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const requireAll = process.env.OKNO_TEST_REQUIRE_ALL === '1';

/** A TCP port nobody listens on right now (never a standard one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'okno-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when something accepts TCP connections at host:port within the timeout. */
export async function tcpReachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Full path of an executable on PATH (or in /usr/sbin), or undefined. */
export function which(cmd: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * What to pass as tap's `skip` option for a test that needs an outside part:
 * `false` when it is there (run the test), a reason when it is missing on a developer machine.
 * Under CI a missing part throws, which fails the test file with the reason.
 */
export function needs(what: string, present: boolean, howToGet: string): false | string {
  if (present) return false;
  const reason = `${what} is not available here (${howToGet})`;
  if (requireAll) throw new Error(`CI requires ${reason}`);
  return reason;
}

/** Skip reason (or false) for tests that need the executables named. */
export function needsTools(...cmds: string[]): false | string {
  const missing = cmds.filter((c) => !which(c));
  return needs(`the program(s) ${missing.join(', ')}`, missing.length === 0, 'install the Debian packages; .ci/run does');
}

export const mysqlTestUrl = process.env.OKNO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const mosquittoTestUrl = process.env.OKNO_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';

/** Skip reason (or false) for tests that need the MariaDB/MySQL server. */
export async function needsMysql(): Promise<false | string> {
  const u = new URL(mysqlTestUrl);
  const up = await tcpReachable(u.hostname, Number(u.port || 3306));
  return needs(`MariaDB at ${u.host}`, up, 'start it or set OKNO_TEST_MYSQL_URL');
}

/** Skip reason (or false) for tests that need the Mosquitto broker. */
export async function needsMosquitto(): Promise<false | string> {
  const u = new URL(mosquittoTestUrl);
  const up = await tcpReachable(u.hostname, Number(u.port || 1883));
  return needs(`Mosquitto at ${u.host}`, up, 'start it or set OKNO_TEST_MOSQUITTO_URL');
}

/**
 * A throw-away database on the MariaDB test server, so test files can run in parallel.
 * Returns its URL and a drop function.
 */
export async function scratchMysqlDatabase(prefix = 'okno_t'): Promise<{ url: string; drop: () => Promise<void> }> {
  const mysql = await import('mysql2/promise');
  const base = new URL(mysqlTestUrl);
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const conn = await mysql.createConnection({
    host: base.hostname,
    port: Number(base.port || 3306),
    user: decodeURIComponent(base.username || 'root'),
    password: decodeURIComponent(base.password || ''),
  });
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const url = new URL(mysqlTestUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await mysql.createConnection({
        host: base.hostname,
        port: Number(base.port || 3306),
        user: decodeURIComponent(base.username || 'root'),
        password: decodeURIComponent(base.password || ''),
      });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Polls until `check` returns a truthy value or the time runs out (then throws with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Runs a command and returns its stdout (throws with stderr on failure). */
export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string | Buffer; timeoutMs?: number } = {}): string {
  return execFileSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
