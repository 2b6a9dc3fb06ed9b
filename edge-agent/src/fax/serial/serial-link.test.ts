import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { needsTools, tempDir, waitFor } from '@okno/testkit';
import { openPtyPair } from '../simulator/pty-pair.js';
import { openSerialLink, PortClosedError } from './serial-link.js';
import { uucpLockName } from './uucp-lock.js';

t.test('two SerialLinks on a socat PTY pair exchange raw bytes, including XON/XOFF and NUL', { skip: needsTools('socat') }, async (t) => {
  const pair = await openPtyPair();
  const locks = tempDir();
  t.teardown(async () => {
    await pair.close();
    locks.cleanup();
  });
  const a = await openSerialLink({ path: pair.modemPath, lockDir: locks.dir });
  const b = await openSerialLink({ path: pair.dtePath, lockDir: locks.dir });
  t.ok(existsSync(join(locks.dir, uucpLockName(pair.dtePath))), 'UUCP lock held while open');
  const got: Buffer[] = [];
  b.on('data', (d) => got.push(d));
  const payload = Buffer.from([0x11, 0x13, 0x00, 0x10, 0x03, 0x0d, 0x0a, 0xff, 0x7f]);
  await a.write(payload);
  await waitFor('bytes', () => Buffer.concat(got).length >= payload.length);
  t.same([...Buffer.concat(got)], [...payload], 'no byte eaten or translated (raw, no xon/xoff)');
  await b.close();
  t.notOk(b.isOpen);
  t.notOk(existsSync(join(locks.dir, uucpLockName(pair.dtePath))), 'lock released on close');
  await t.rejects(b.write('x'), PortClosedError);
  await a.close();
});

t.test('the link reports a close with an error when the line vanishes', { skip: needsTools('socat') }, async (t) => {
  const pair = await openPtyPair();
  const link = await openSerialLink({ path: pair.dtePath, uucpLock: 'off', livenessIntervalMs: 50 });
  const closed = new Promise<Error | null>((resolve) => link.once('close', resolve));
  await pair.close();
  const err = await closed;
  t.ok(err instanceof Error, `close carries an error (${String(err)})`);
  t.notOk(link.isOpen);
});

t.test('opening a port that does not exist fails and leaves no lock behind', async (t) => {
  const locks = tempDir();
  t.teardown(locks.cleanup);
  await t.rejects(openSerialLink({ path: '/dev/ttyNONEXISTENT9', lockDir: locks.dir }));
  t.notOk(existsSync(join(locks.dir, 'LCK..ttyNONEXISTENT9')));
});
