import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsTools, tempDir } from '@okno/testkit';
import { mosquittoPasswordHash, verifyMosquittoPassword, mosquittoPasswordFile, DirChunkStore, nodeSha256 } from './index.js';
import { sha256Hex } from '../hash.js';
import { FileReceiver } from '../files/receiver.js';
import { FileSender } from '../files/sender.js';
import { envelope, coreSender, agentSender } from '../schemas/envelope.js';
import { newId } from '../ids.js';
import type { ReceiverMessage, SenderMessage } from '../files/messages.js';

t.test('node sha256 equals the portable one', async (t) => {
  const d = new TextEncoder().encode('okno');
  t.equal(nodeSha256(d), sha256Hex(d));
});

t.test('password hashes have the $7$ format and verify', async (t) => {
  const h = mosquittoPasswordHash('secret', { salt: Buffer.alloc(12, 1) });
  t.match(h, /^\$7\$101\$AQEBAQEBAQEBAQEB\$[A-Za-z0-9+/]{86}==$/);
  t.ok(verifyMosquittoPassword('secret', h));
  t.notOk(verifyMosquittoPassword('Secret', h));
  t.throws(() => mosquittoPasswordFile([{ username: 'a:b', password: 'x' }]));
});

t.test('hashes written by mosquitto_passwd verify with our code', { skip: needsTools('mosquitto_passwd') }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const f = join(dir, 'pw');
  execFileSync('mosquitto_passwd', ['-c', '-b', f, 'cao.a1', 's3cret']);
  const hash = readFileSync(f, 'utf8').trim().split(':')[1]!;
  t.ok(verifyMosquittoPassword('s3cret', hash));
  t.notOk(verifyMosquittoPassword('other', hash));
});

t.test('a DirChunkStore lets a transfer resume after the receiver process restarts', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const data = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
  const toRx: SenderMessage[] = [];
  const toTx: ReceiverMessage[] = [];
  const files: Uint8Array[] = [];
  const mkRx = () => new FileReceiver({ store: new DirChunkStore(dir), send: (m) => void toTx.push(m), envelope: () => envelope(coreSender()), onFile: (f) => void files.push(f.data), sha256: nodeSha256 });
  const tx = new FileSender({ transferId: newId(), data, name: 'a.tif', contentType: 'image/tiff', chunkSize: 1000, window: 10, send: (m) => void toRx.push(m), envelope: () => envelope(agentSender('cao', 'a1')), sha256: nodeSha256 });
  let rx = mkRx();
  tx.start();
  await rx.handle(toRx.shift()!); // offer
  tx.handle(toTx.shift()!); // ack 0 -> 5 chunks out
  for (const m of toRx.splice(0, 3)) await rx.handle(m); // 3 arrive, 2 are lost
  toRx.length = 0;
  toTx.length = 0;
  tx.pause();
  rx = mkRx(); // restart
  tx.resume();
  for (let i = 0; i < 100 && tx.state !== 'done'; i++) {
    for (const m of toRx.splice(0)) await rx.handle(m);
    for (const m of toTx.splice(0)) tx.handle(m);
  }
  const out = await tx.done;
  t.ok(out.ok);
  t.equal(out.chunksSent, 7, '5 chunks before the restart (2 lost), only the 2 missing after it');
  t.same(Buffer.from(files[0]!), Buffer.from(data));
});
