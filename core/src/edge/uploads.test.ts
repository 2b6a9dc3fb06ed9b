/**
 * Uploads from agents (received faxes): reassembled from checksummed chunks, stored as an
 * attachment with its journal row before the agent hears `done ok`; refused when the whole-file
 * hash does not match or the store will not take it; resumed after the broker or the whole core
 * restarted in the middle.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { agentSender, decodeFileMessage, encodeFileMessage, envelope, fileFilter, fileTopic, newId, sha256Hex, type FileMessage } from '@okno/protocol';
import { freePort, waitFor } from '@okno/testkit';
import { OknoApp } from '../kernel/app.js';
import { startTestApp } from '../testing/app.js';
import { Attachment, JournalEntry } from '../persistence/entities/index.js';
import type { Database } from '../persistence/database.js';
import { EdgeFileRecord } from './entities.js';
import { edgeRuntime } from './index.js';
import { edgeRig } from './test-support/rig.js';
import { SimEdgeAgent } from '../testing/edge-agent.js';

const LIMITS = { attachments: { maxBytes: 256 * 1024, allowedTypes: ['image/'] } };
const rig = await edgeRig(t, { config: LIMITS });
const db = rig.app.app.db;
const { password } = await rig.register('cao', 'fax-1');

async function stored(d: Database, transferId: string) {
  return d.read(async (em) => {
    const file = await em.findOneBy(EdgeFileRecord, { transferId });
    const journal = await em.find(JournalEntry, { where: { type: 'edge.file_received' } });
    const att = file ? await em.findOneBy(Attachment, { id: file.attachmentId }) : null;
    return { file, att, journal: journal.filter((j) => j.data.transferId === transferId) };
  });
}

t.test('a multi-chunk file: attachment, edge file and journal row exist when the agent hears done ok', async (t) => {
  const sim = rig.agent('cao', 'fax-1', password);
  await sim.connect();
  const data = randomBytes(10_000 + 123);
  const sender = sim.upload(data, { meta: { modemId: 'ttyUSB0', pages: 3, remoteId: '+7 495 000-00-01' } });
  const out = await sender.done;
  const atDone = await stored(db, sender.transferId);
  t.ok(out.ok, out.reason ?? 'done ok');
  t.equal(out.chunksSent, 10, 'every chunk once on a clean link');
  t.ok(atDone.file && atDone.att, 'the file is stored');
  t.equal(atDone.att!.sha256, sha256Hex(data));
  t.equal(atDone.att!.size, data.length);
  t.equal(atDone.att!.mime, 'image/tiff');
  const { content } = await rig.app.app.core.attachments.read(atDone.att!.id);
  t.ok(content.equals(data), 'the stored bytes are the file');
  t.equal(atDone.journal.length, 1);
  t.same(atDone.journal[0]!.data, { agent: 'fax-1', site: 'cao', transferId: sender.transferId, attachmentId: atDone.att!.id, contentType: 'image/tiff', meta: { modemId: 'ttyUSB0', pages: 3 } }, 'the journal row, without the remote fax id');
  t.equal(atDone.file!.meta.remoteId, '+7 495 000-00-01', 'which stays with the file');
  const viaAction = await rig.app.app.broker.call<{ attachmentId: number; site: string }, object>('edge.file', { transferId: sender.transferId });
  t.match(viaAction, { attachmentId: atDone.att!.id, site: 'cao', agent: 'fax-1' });

  // The same transfer again (the agent restarted before it saw done): answered ok, stored once.
  const again = await sim.uploadAndWait(data, { transferId: sender.transferId });
  t.ok(again.ok);
  t.equal(again.chunksSent, 0, 'nothing is sent again');
  t.equal((await stored(db, sender.transferId)).journal.length, 1, 'one journal row');
  t.equal(await db.read((em) => em.countBy(EdgeFileRecord, { transferId: sender.transferId })), 1);
  await sim.stop();
});

t.test('the store refuses the file: done ok=false and nothing recorded', async (t) => {
  const sim = rig.agent('cao', 'fax-1', password);
  await sim.connect();
  const out = await sim.uploadAndWait(randomBytes(3000), { contentType: 'application/x-msdownload', name: 'evil.exe' });
  t.notOk(out.ok);
  t.match(out.reason, /could not keep the file.*not accepted/);
  t.equal((await stored(db, out.transferId)).file, null);
  t.equal((await stored(db, out.transferId)).journal.length, 0);
  const big = await sim.uploadAndWait(randomBytes(300 * 1024), { chunkSize: 64 * 1024 });
  t.notOk(big.ok);
  t.match(big.reason, /too large/);
  await sim.stop();
});

t.test('a whole-file hash mismatch: chunks dropped, the sender asked to start over, nothing stored', async (t) => {
  const raw = await rig.raw({ username: 'cao.fax-1', password, clientId: 'okno-edge-cao.fax-1-raw' });
  const replies: FileMessage[] = [];
  raw.on('message', (_topic, payload) => replies.push(decodeFileMessage(payload)));
  await raw.subscribeAsync(fileFilter({ site: 'cao', agent: 'fax-1' }, 'down'), { qos: 1 });
  const promised = randomBytes(2048);
  const actual = randomBytes(2048);
  const transferId = newId();
  const env = () => envelope(agentSender('cao', 'fax-1'));
  const topic = fileTopic({ site: 'cao', agent: 'fax-1' }, 'up', transferId);
  const pub = (m: FileMessage) => raw.publishAsync(topic, Buffer.from(encodeFileMessage(m)), { qos: 1 });
  const fileSha = sha256Hex(promised);
  await pub({ ...env(), type: 'offer', transferId, name: 'x.tif', contentType: 'image/tiff', size: 2048, sha256: fileSha, chunkSize: 1024, chunkCount: 2, meta: {} });
  for (const index of [0, 1]) {
    const part = actual.subarray(index * 1024, (index + 1) * 1024);
    await pub({ ...env(), type: 'chunk', transferId, index, offset: index * 1024, size: 1024, sha256: sha256Hex(part), fileSha256: fileSha, data: part });
  }
  await pub({ ...env(), type: 'commit', transferId, chunkCount: 2, sha256: fileSha });
  const resume = await waitFor('resume', () => replies.find((m) => m.type === 'resume'));
  t.match(resume, { type: 'resume', from: 0, reason: 'file-hash' });
  t.notOk(replies.some((m) => m.type === 'done' && m.ok), 'never done ok');
  t.equal((await stored(db, transferId)).file, null, 'nothing stored');
  t.equal(await db.read((em) => em.countBy(Attachment, { sha256: sha256Hex(actual) })), 0);
});

t.test('the embedded broker restarts in the middle: the upload resumes where it was', async (t) => {
  const sim = rig.agent('cao', 'fax-1', password, { reconnectPeriod: 200 });
  await sim.connect();
  const data = randomBytes(200 * 1024);
  let acked = 0;
  const sender = sim.upload(data, { onProgress: (p) => (acked = p.ackedChunks) });
  await waitFor('a quarter acknowledged', () => acked >= 50, 30_000, 5);
  const ackedBefore = acked;
  await rig.rt.embedded!.stop();
  await rig.rt.embedded!.start();
  const out = await sender.done;
  t.ok(out.ok, out.reason ?? 'done ok');
  t.ok(out.chunksSent < sender.chunkCount + ackedBefore, `resumed, not started over (${out.chunksSent} chunks sent for ${sender.chunkCount}, ${ackedBefore} acknowledged before the restart)`);
  t.equal((await stored(db, sender.transferId)).att?.sha256, sha256Hex(data));
  await sim.stop();
});

t.test('the whole core restarts in the middle: chunks on disk, the upload resumes, then stored', async (t) => {
  const mqttPort = await freePort();
  const first = await startTestApp({ config: { ...LIMITS, mqtt: { url: null, embedded: { enabled: true, host: '127.0.0.1', port: mqttPort } } } });
  const config = first.app.config;
  let app: OknoApp = first.app;
  t.teardown(async () => {
    await app.stop();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  const reg = await app.broker.call<{ password: string }, object>('edge.register', { site: 'cao', agent: 'fax-2' });
  await waitFor('consumer', () => edgeRuntime(app.broker).consuming);
  const sim = new SimEdgeAgent({ url: `mqtt://127.0.0.1:${mqttPort}`, site: 'cao', agent: 'fax-2', password: reg.password, reconnectPeriod: 200 });
  t.teardown(() => sim.stop());
  await sim.connect();
  const data = randomBytes(150 * 1024);
  let acked = 0;
  const sender = sim.upload(data, { onProgress: (p) => (acked = p.ackedChunks) });
  await waitFor('a third acknowledged', () => acked >= 50, 30_000, 5);
  const ackedBefore = acked;
  await app.stop();
  app = await OknoApp.start({ config, relayPollMs: 50 });
  const out = await sender.done;
  t.ok(out.ok, out.reason ?? 'done ok');
  t.ok(out.chunksSent < sender.chunkCount + ackedBefore, `resumed from the chunks kept on disk (${out.chunksSent} chunks sent for ${sender.chunkCount}, ${ackedBefore} acknowledged before the restart)`);
  const s = await stored(app.db, sender.transferId);
  t.equal(s.att?.sha256, sha256Hex(data), 'stored after the restart');
  t.equal(s.journal.length, 1);
});

