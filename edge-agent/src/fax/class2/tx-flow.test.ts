/**
 * Phase C flow control on a real PTY pair: XOFF holds the writer until XON; a modem that vanishes
 * while holding us off is reported as gone (not as a protocol fault), without waiting out the XON
 * timeout; a modem that never sends XON ends the page with a clear reason.
 */
import t, { type Test } from 'tap';
import { needsTools } from '@okno/testkit';
import { openPtyPair } from '../simulator/pty-pair.js';
import { openSerialLink } from '../serial/serial-link.js';
import { AtChannel } from '../at/at-channel.js';
import { DC1, DC3 } from '../codec/dle.js';
import { systemClock } from '../logger.js';
import { TxFlowWatcher, writeData } from './tx-flow.js';

const skip = needsTools('socat');

async function setup(t: Test) {
  const p = await openPtyPair();
  const peer = await openSerialLink({ path: p.modemPath, uucpLock: 'off', livenessIntervalMs: 0 });
  const dte = await openSerialLink({ path: p.dtePath, uucpLock: 'off', livenessIntervalMs: 200 });
  const ch = new AtChannel(dte, { commandDelayMs: 0 });
  const watcher = new TxFlowWatcher();
  ch.enterDataMode(watcher);
  let received = 0;
  peer.on('data', (d: Buffer) => (received += d.length));
  t.teardown(async () => {
    await dte.close().catch(() => undefined);
    await peer.close().catch(() => undefined);
    await p.close();
  });
  return { p, peer, ch, watcher, received: () => received };
}

const page = Buffer.alloc(4096, 0x55);

t.test('XOFF holds the writer until XON', { skip }, async (t) => {
  const { peer, ch, watcher, received } = await setup(t);
  await peer.write(Buffer.from([DC3]));
  while (!watcher.paused) await new Promise((r) => setTimeout(r, 5));
  const writing = writeData(ch, watcher, page, { chunkBytes: 256, paceBps: 0, xoffTimeoutMs: 10_000, clock: systemClock });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(received(), 0, 'nothing written while held off');
  await peer.write(Buffer.from([DC1]));
  await writing;
  while (received() < page.length) await new Promise((r) => setTimeout(r, 5));
  t.equal(received(), page.length, 'the whole page after XON');
});

t.test('the modem vanishing while it holds us off is "gone", before the XON timeout', { skip }, async (t) => {
  const { p, peer, ch, watcher } = await setup(t);
  await peer.write(Buffer.from([DC3]));
  while (!watcher.paused) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  const writing = writeData(ch, watcher, page, { chunkBytes: 256, paceBps: 0, xoffTimeoutMs: 30_000, clock: systemClock });
  const outcome = t.rejects(writing, { name: 'ModemGoneError' });
  await new Promise((r) => setTimeout(r, 100));
  await peer.close();
  await p.close();
  await outcome;
  t.ok(Date.now() - started < 30_000, `ended after ${Date.now() - started} ms, not at the XON timeout`);
});

t.test('no XON at all ends the page with the reason', { skip }, async (t) => {
  const { peer, ch, watcher } = await setup(t);
  await peer.write(Buffer.from([DC3]));
  while (!watcher.paused) await new Promise((r) => setTimeout(r, 5));
  await t.rejects(writeData(ch, watcher, page, { chunkBytes: 256, paceBps: 0, xoffTimeoutMs: 300, clock: systemClock }), {
    name: 'PageAbortedError', message: /no XON within 300 ms after XOFF/,
  });
});
