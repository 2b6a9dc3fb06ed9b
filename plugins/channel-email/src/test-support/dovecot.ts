/**
 * A real Dovecot IMAP server for tests: its own config (passwd-file user, maildir in a temp folder,
 * plain IMAP on a free port on 127.0.0.1), started with `dovecot -F -c <conf>` as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync, chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, waitFor, tcpReachable, which, run } from '@okno/testkit';

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startDovecot(): Promise<Dovecot> {
  const tmp = tempDir('okno-dovecot-');
  const dir = tmp.dir;
  const port = await freePort();
  const user = 'appeals';
  const password = 'imap-test-secret';
  for (const d of ['run', 'state', 'home']) mkdirSync(join(dir, d), { recursive: true });
  // Dovecot's auth process runs as the "dovecot" user: it must reach the passwd file.
  chmodSync(dir, 0o711);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  // Dovecot never gives mail access as root: as root, the mail belongs to "nobody".
  let uid = process.getuid?.() ?? 0;
  let gid = process.getgid?.() ?? 0;
  if (uid === 0) {
    uid = Number(run('id', ['-u', 'nobody']).trim());
    gid = Number(run('id', ['-g', 'nobody']).trim());
    chownSync(join(dir, 'home'), uid, gid);
  }
  writeFileSync(join(dir, 'dovecot.conf'), `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/home/%u/Maildir
first_valid_uid = 1
first_valid_gid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`);
  const bin = which('dovecot') ?? 'dovecot';
  const child: ChildProcess = spawn(bin, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const log = () => output + (existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '');
  try {
    await waitFor('dovecot listening', async () => {
      if (child.exitCode !== null) throw new Error(`dovecot exited: ${log()}`);
      return tcpReachable('127.0.0.1', port, 300);
    }, 15_000, 100);
  } catch (err) {
    child.kill('SIGKILL');
    tmp.cleanup();
    throw err;
  }
  return {
    port, user, password, dir, log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      tmp.cleanup();
    },
  };
}
