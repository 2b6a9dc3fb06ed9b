/** The AT channel against a scripted peer on a real PTY pair. */
import t, { type Test } from 'tap';
import { needsTools } from '@okno/testkit';
import { openPtyPair } from '../simulator/pty-pair.js';
import { openSerialLink, type SerialLink } from '../serial/serial-link.js';
import { AtChannel, type DataSink } from './at-channel.js';
import { DleDecoder } from '../codec/dle.js';

/** A peer that answers each command line with `script(line)`. */
async function pair(t: Test, script: (line: string, peer: SerialLink) => string | null) {
  const p = await openPtyPair();
  const peer = await openSerialLink({ path: p.modemPath, uucpLock: 'off', livenessIntervalMs: 0 });
  const dte = await openSerialLink({ path: p.dtePath, uucpLock: 'off', livenessIntervalMs: 0 });
  let buf = '';
  const seen: string[] = [];
  peer.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\r')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      seen.push(line);
      const out = script(line, peer);
      if (out !== null) void peer.write(out);
    }
  });
  const ch = new AtChannel(dte, { commandDelayMs: 0, ringRetryDelayMs: 20 });
  t.teardown(async () => {
    await dte.close();
    await peer.close();
    await p.close();
  });
  return { ch, peer, seen };
}

const skip = needsTools('socat');

t.test('echo lines (ending in CR) and blank lines are skipped; info lines collected', { skip }, async (t) => {
  const { ch } = await pair(t, (l) => `${l}\r\r\n\r\nFAKE 1\r\n\r\nOK\r\n`);
  t.same(await ch.command('ATI3'), { command: 'ATI3', lines: ['FAKE 1'], final: 'OK' });
});

t.test('RING during a command is a collision: the command is sent again (efax)', { skip }, async (t) => {
  let n = 0;
  const { ch, seen } = await pair(t, () => (n++ === 0 ? '\r\nRING\r\n' : '\r\n0,1,2,2.0\r\n\r\nOK\r\n'));
  const rings: number[] = [];
  ch.on('ring', () => rings.push(1));
  const r = await ch.command('AT+FCLASS=?');
  t.same(r.lines, ['0,1,2,2.0']);
  t.same(seen, ['AT+FCLASS=?', 'AT+FCLASS=?']);
  t.equal(rings.length, 1);
});

t.test("RING while dialling fails the dial with RingCollisionError when asked", { skip }, async (t) => {
  const { ch } = await pair(t, () => '\r\nRING\r\n');
  await t.rejects(ch.command('ATD123', { onRing: 'abort' }), { name: 'RingCollisionError' });
});

t.test('unsolicited lines, hangup without OK (grace), timeout, junk bytes', { skip }, async (t) => {
  const { ch, peer } = await pair(t, (l) => (l === 'AT+FDR' ? '\r\n+FHNG:0\r\n' : l === 'ATX' ? null : '\r\nOK\r\n'));
  const unsolicited: string[] = [];
  ch.on('unsolicited', (l) => unsolicited.push(l));
  await peer.write('\r\nNO CARRIER\r\n');
  await new Promise((r) => setTimeout(r, 50));
  t.same(unsolicited, ['NO CARRIER']);
  t.same(await ch.command('AT+FDR', { hangupGraceMs: 50 }), { command: 'AT+FDR', lines: ['+FHNG:0'], final: 'HANGUP' });
  await t.rejects(ch.command('ATX', { timeoutMs: 50 }), { name: 'AtTimeoutError' });
  await peer.write(Buffer.from([0x00, 0x13, 0xff, 0x11]));
  t.same((await ch.command('AT')).final, 'OK');
  t.ok(ch.junkBytes >= 4);
});

t.test('data mode starts right after CONNECT and the bytes after DLE ETX are lines again', { skip }, async (t) => {
  const { ch } = await pair(t, (l) => (l === 'AT+FDR' ? '\r\nCONNECT\r\n\x01\x10\x10\x02\x10\x03\r\n+FET:2\r\n\r\nOK\r\n' : '\r\nOK\r\n'));
  const dec = new DleDecoder(true);
  const got: Buffer[] = [];
  let post: Promise<unknown> | null = null;
  const sink: DataSink = {
    push: (c) => {
      const r = dec.push(c);
      got.push(r.data);
      if (!r.done) return null;
      post = ch.expect('<page end>', { timeoutMs: 1000 });
      return r.rest;
    },
  };
  const r = await ch.command('AT+FDR', { dataSink: sink });
  t.equal(r.final, 'CONNECT');
  await new Promise((res) => setTimeout(res, 100));
  t.same([...Buffer.concat(got)], [0x01, 0x10, 0x02]);
  t.same(await post, { command: '<page end>', lines: ['+FET:2'], final: 'OK' });
});
