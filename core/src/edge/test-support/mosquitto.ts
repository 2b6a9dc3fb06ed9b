/** A real Mosquitto for tests: the machine's `mosquitto` binary as a child process on a free port. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tcpReachable, tempDir, waitFor } from '@okno/testkit';
import type { Teardown } from './rig.js';

export interface TestMosquitto {
  url: string;
  /** What Mosquitto wrote to stderr so far. */
  log(): string;
}

/** Starts Mosquitto on `port`; with `files` it requires their passwords and ACL (no anonymous clients). */
export async function startMosquitto(t: Teardown, port: number, files?: { passwordFile: string; aclFile: string }): Promise<TestMosquitto> {
  const { dir, cleanup } = tempDir('okno-core-mosq-');
  t.teardown(cleanup);
  const conf = [`listener ${port} 127.0.0.1`, 'persistence false', 'user root'];
  if (files) {
    writeFileSync(join(dir, 'okno.passwd'), files.passwordFile, { mode: 0o600 });
    writeFileSync(join(dir, 'okno.acl'), files.aclFile);
    conf.push('allow_anonymous false', `password_file ${join(dir, 'okno.passwd')}`, `acl_file ${join(dir, 'okno.acl')}`);
  } else conf.push('allow_anonymous true');
  writeFileSync(join(dir, 'mosquitto.conf'), conf.join('\n') + '\n');
  const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  broker.stderr.on('data', (d) => (log += d));
  t.teardown(() => void broker.kill());
  await waitFor('mosquitto to listen', () => tcpReachable('127.0.0.1', port, 200), 10_000, 100);
  return { url: `mqtt://127.0.0.1:${port}`, log: () => log };
}
