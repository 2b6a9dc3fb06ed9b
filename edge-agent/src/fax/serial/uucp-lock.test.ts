import t from 'tap';
import { readFileSync, writeFileSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@okno/testkit';
import { acquireUucpLock, uucpLockName, PortLockedError } from './uucp-lock.js';

t.test('lock names follow mgetty: below /dev, slashes become underscores, links resolved', async (t) => {
  t.equal(uucpLockName('/dev/ttyS0'), 'LCK..ttyS0');
  t.equal(uucpLockName('/dev/pts/1'), 'LCK..pts_1');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  symlinkSync('/dev/null', join(dir, 'modem'));
  t.equal(uucpLockName(join(dir, 'modem')), 'LCK..null');
});

t.test('HDB lock file: created, refused while held by a live process, stale ones replaced', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const lock = await acquireUucpLock('/dev/ttyS7', { lockDir: dir, mode: 'required' });
  const file = join(dir, 'LCK..ttyS7');
  t.equal(lock.file, file);
  t.equal(readFileSync(file, 'latin1'), `${String(process.pid).padStart(10)}\n`);
  await t.rejects(acquireUucpLock('/dev/ttyS7', { lockDir: dir, pid: process.pid + 1 }), PortLockedError);
  lock.release();
  t.notOk(existsSync(file));

  writeFileSync(file, `${String(process.ppid).padStart(10)}\n`); // a live other process (our parent)
  await t.rejects(acquireUucpLock('/dev/ttyS7', { lockDir: dir }), { name: 'PortLockedError', ownerPid: process.ppid });

  writeFileSync(file, '2147483646\n'); // no such process: stale
  const again = await acquireUucpLock('/dev/ttyS7', { lockDir: dir });
  t.equal(again.file, file);
  again.release();
});

t.test('best-effort mode carries on without a lock folder; required mode fails', async (t) => {
  const none = await acquireUucpLock('/dev/ttyS1', { lockDir: '/nonexistent/lock' });
  t.equal(none.file, null);
  t.match(none.warning, /ENOENT/);
  await t.rejects(acquireUucpLock('/dev/ttyS1', { lockDir: '/nonexistent/lock', mode: 'required' }));
  t.equal((await acquireUucpLock('/dev/ttyS1', { mode: 'off' })).file, null);
});
