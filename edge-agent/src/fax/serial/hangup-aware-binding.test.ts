/** A tty that reads end of file has hung up: the port closes with an error instead of spinning (see hangup-aware-binding.ts). */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsTools, tempDir } from '@okno/testkit';
import { openPtyPair } from '../simulator/pty-pair.js';
import { openSerialLink } from './serial-link.js';
import { readOrHangUp } from './hangup-aware-binding.js';

t.test('a PTY whose other end is gone closes the link from the read side alone', { skip: needsTools('socat') }, async (t) => {
  const pair = await openPtyPair();
  // No liveness check and no write: only the read side can notice. Before the fix the read spun on
  // 0-byte reads for ever (a core busy, memory growing) and this close never came.
  const link = await openSerialLink({ path: pair.dtePath, uucpLock: 'off', livenessIntervalMs: 0 });
  const closed = new Promise<Error | null>((resolve) => link.once('close', resolve));
  await pair.close();
  const err = await Promise.race([closed, new Promise<'silent'>((resolve) => setTimeout(() => resolve('silent'), 10_000).unref())]);
  t.match(err, { message: /hung up|EIO/ }, `the close carries the reason (${String(err)})`);
  t.notOk(link.isOpen);
  await t.rejects(link.write('AT\r'), { name: 'PortClosedError' }, 'a write after it is refused at once');
});

t.test('readOrHangUp: data is returned, EAGAIN waits for the poller, end of file is a hangup', async (t) => {
  const dir = tempDir();
  t.teardown(() => dir.cleanup());
  const file = join(dir.dir, 'line');
  writeFileSync(file, 'AT');
  const fd = openSync(file, 'r');
  t.teardown(() => closeSync(fd));
  const poller = new EventEmitter();
  const port = { fd, isOpen: true, poller: poller as unknown as { once(e: 'readable', l: (err?: Error | null) => void): unknown } };
  const buf = Buffer.alloc(16);
  t.match(await readOrHangUp(port, '/dev/ttyS9', buf, 0, 16), { bytesRead: 2 });
  t.equal(buf.subarray(0, 2).toString(), 'AT');
  await t.rejects(readOrHangUp(port, '/dev/ttyS9', buf, 0, 16), { code: 'EIO', disconnect: true, message: /\/dev\/ttyS9: the line hung up/ }, 'end of file');
  const cancelled = await readOrHangUp({ ...port, isOpen: false }, '/dev/ttyS9', buf, 0, 16).catch((e: unknown) => e);
  t.match(cancelled, { message: 'Port is not open', canceled: true }, 'a closed port is a cancelled read');
});
