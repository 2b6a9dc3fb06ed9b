import t from 'tap';
import fc from 'fast-check';
import { FileSender, type FileSenderOptions } from './sender.js';
import { FileReceiver, type ReceivedFile } from './receiver.js';
import { MemoryChunkStore } from './store.js';
import { envelope, agentSender, coreSender } from '../schemas/envelope.js';
import { newId } from '../ids.js';
import { sha256Hex } from '../hash.js';
import { ManualClock, prng } from '../test-support/manual-clock.js';
import { LossyLink, type Faults } from '../test-support/lossy-link.js';

function fileOf(size: number, seed = 1): Uint8Array {
  const r = prng(seed);
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = Math.floor(r() * 256);
  return b;
}

interface Rig {
  clock: ManualClock;
  link: LossyLink;
  store: MemoryChunkStore;
  files: ReceivedFile[];
  receiver: FileReceiver;
  sender: FileSender;
  run(maxSteps?: number): Promise<void>;
  newReceiver(): FileReceiver;
  newSender(extra?: Partial<FileSenderOptions>): FileSender;
}

function rig(data: Uint8Array, faults: Faults = {}, seed = 7, extra: Partial<FileSenderOptions> = {}): Rig {
  const clock = new ManualClock();
  const link = new LossyLink(prng(seed), faults);
  const store = new MemoryChunkStore();
  const files: ReceivedFile[] = [];
  const transferId = newId();
  const r: Rig = {
    clock,
    link,
    store,
    files,
    receiver: undefined as unknown as FileReceiver,
    sender: undefined as unknown as FileSender,
    newReceiver() {
      r.receiver = new FileReceiver({ store, send: link.toSender, envelope: () => envelope(coreSender(), clock.now()), onFile: (f) => void files.push(f) });
      return r.receiver;
    },
    newSender(more = {}) {
      r.sender = new FileSender({
        transferId,
        data,
        name: 'fax.tif',
        contentType: 'image/tiff',
        chunkSize: 1000,
        window: 4,
        ackTimeoutMs: 1000,
        maxRetries: 12,
        send: link.toReceiver,
        envelope: () => envelope(agentSender('cao', 'edge-1'), clock.now()),
        clock,
        ...extra,
        ...more,
      });
      return r.sender;
    },
    async run(maxSteps = 20_000) {
      for (let i = 0; i < maxSteps; i++) {
        await link.drain(r.sender, r.receiver);
        if (r.sender.state === 'done' || r.sender.state === 'failed') return;
        if (!clock.fireNext()) return;
      }
    },
  };
  r.newReceiver();
  r.newSender();
  return r;
}

t.test('a multi-chunk file arrives intact over a clean link, with progress', async (t) => {
  const data = fileOf(10_500);
  const progress: number[] = [];
  const r = rig(data, {}, 1, { onProgress: (p) => progress.push(p.ackedChunks) });
  t.equal(r.sender.chunkCount, 11);
  r.sender.start();
  await r.run();
  const out = await r.sender.done;
  t.ok(out.ok, out.reason ?? "ok");
  t.equal(out.chunksSent, 11, 'no chunk sent twice on a clean link');
  t.equal(r.files.length, 1);
  t.same(Buffer.from(r.files[0]!.data), Buffer.from(data));
  t.equal(r.files[0]!.offer.sha256, sha256Hex(data));
  t.equal(progress.at(-1), 11);
  t.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]!), 'progress never goes back');
});

t.test('an empty file is offered, committed and verified', async (t) => {
  const r = rig(new Uint8Array(0));
  r.sender.start();
  await r.run();
  t.ok((await r.sender.done).ok);
  t.equal(r.files[0]!.data.length, 0);
});

t.test('a corrupted chunk is refused and re-requested (resume reason checksum)', async (t) => {
  const data = fileOf(5000, 3);
  const r = rig(data);
  const seen: string[] = [];
  const toSender = r.link.toSender;
  r.link.toSender = (m) => {
    if (m.type === 'resume') seen.push(`${m.reason}@${m.from}`);
    toSender(m);
  };
  r.newReceiver();
  const send = r.link.toReceiver;
  let corrupted = false;
  r.newSender({
    send: (m) => {
      if (m.type === 'chunk' && m.index === 2 && !corrupted) {
        corrupted = true;
        const bad = m.data.slice();
        bad[10]! ^= 1;
        return send({ ...m, data: bad });
      }
      return send(m);
    },
  });
  r.sender.start();
  await r.run();
  t.ok((await r.sender.done).ok);
  t.ok(corrupted);
  t.ok(seen.includes('checksum@2'), `asked to resume at the bad chunk: ${seen.join(',')}`);
  t.same(Buffer.from(r.files[0]!.data), Buffer.from(data));
});

t.test('loss, duplication, reordering and corruption: every file still arrives intact, exactly once', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 30_000 }),
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.record({
        loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
        duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
        reorder: fc.double({ min: 0, max: 0.3, noNaN: true }),
        corrupt: fc.double({ min: 0, max: 0.2, noNaN: true }),
      }),
      async (size, seed, faults) => {
        const data = fileOf(size, seed);
        const r = rig(data, faults, seed, { maxRetries: 50 });
        r.sender.start();
        await r.run();
        const out = await r.sender.done;
        if (!out.ok) throw new Error(`failed: ${out.reason}`);
        if (r.files.length !== 1) throw new Error(`delivered ${r.files.length} times`);
        if (Buffer.compare(Buffer.from(r.files[0]!.data), Buffer.from(data)) !== 0) throw new Error('data differs');
      },
    ),
    { numRuns: 60, seed: 42 },
  );
  t.pass('all runs delivered the exact file once');
});

t.test('duplicate chunks are idempotent: they are not stored twice and do not move the ack', async (t) => {
  const data = fileOf(3000, 5);
  const r = rig(data, { duplicate: 1 });
  r.sender.start();
  await r.run();
  t.ok((await r.sender.done).ok);
  t.equal(r.files.length, 1);
  t.ok(r.link.stats.duplicated > 0);
});

t.test('the receiver restarts mid-transfer and the transfer resumes from the first missing chunk', async (t) => {
  const data = fileOf(20_000, 9);
  const r = rig(data);
  let delivered = 0;
  const send = r.link.toReceiver;
  r.newSender({
    send: (m) => {
      if (m.type === 'chunk') delivered++;
      // the link goes down after 9 chunks
      if (delivered > 9) r.link.up = false;
      return send(m);
    },
  });
  r.sender.start();
  await r.link.drain(r.sender, r.receiver);
  await r.link.drain(r.sender, r.receiver);
  r.sender.pause();
  r.link.clear();
  const stored = (await r.store.chunkIndexes(r.sender.transferId)).length;
  t.ok(stored >= 8 && stored < 20, `some chunks stored before the outage (${stored})`);

  // the receiving process restarts: only its store survives
  r.newReceiver();
  r.link.up = true;
  delivered = -1000;
  let firstResent: number | undefined;
  const send2 = r.link.toReceiver;
  r.newSender({
    send: (m) => {
      if (m.type === 'chunk' && firstResent === undefined) firstResent = m.index;
      return send2(m);
    },
  });
  r.sender.start(); // a restarted sender with the same transfer id
  await r.run();
  const out = await r.sender.done;
  t.ok(out.ok, out.reason ?? "ok");
  t.equal(firstResent, stored, 'continued at the first chunk the receiver did not have');
  t.ok(out.chunksSent <= 20 - stored + 4, `only the rest was sent (${out.chunksSent})`);
  t.same(Buffer.from(r.files[0]!.data), Buffer.from(data));
});

t.test('pause and resume on the same sender after a link outage', async (t) => {
  const data = fileOf(12_000, 11);
  const r = rig(data);
  let chunks = 0;
  const send = r.link.toReceiver;
  r.newSender({
    send: (m) => {
      if (m.type === 'chunk' && ++chunks === 5) r.link.up = false;
      return send(m);
    },
  });
  r.sender.start();
  await r.link.drain(r.sender, r.receiver);
  t.equal(r.sender.state, 'sending');
  r.clock.fireNext(); // a timeout while the link is down: re-sends get lost
  r.sender.pause();
  t.equal(r.sender.state, 'paused');
  r.link.up = true;
  r.sender.resume();
  await r.run();
  t.ok((await r.sender.done).ok);
  t.same(Buffer.from(r.files[0]!.data), Buffer.from(data));
});

t.test('a whole-file hash mismatch at commit makes the receiver start over from chunk 0', async (t) => {
  const data = fileOf(4000, 13);
  const r = rig(data);
  const reasons: string[] = [];
  const toSender = r.link.toSender;
  r.link.toSender = (m) => {
    if (m.type === 'resume') reasons.push(m.reason);
    toSender(m);
  };
  r.newReceiver();
  let corrupted = false;
  const send = r.link.toReceiver;
  r.newSender({
    send: (m) => {
      if (m.type === 'commit' && !corrupted) {
        corrupted = true;
        r.store.corrupt(m.transferId, 1); // stored bytes rot before the commit
      }
      return send(m);
    },
  });
  r.sender.start();
  await r.run();
  t.ok((await r.sender.done).ok);
  t.ok(reasons.includes('file-hash'));
  t.same(Buffer.from(r.files[0]!.data), Buffer.from(data));
});

t.test('a transfer id reused for another file is refused', async (t) => {
  const r = rig(fileOf(2500, 1));
  r.sender.start();
  await r.run();
  t.ok((await r.sender.done).ok);
  r.newSender({ data: fileOf(2500, 2) });
  r.sender.start();
  await r.run();
  const out = await r.sender.done;
  t.notOk(out.ok);
  t.match(out.reason, /conflict/);
});

t.test('a repeated transfer of the same file after completion is answered done at once', async (t) => {
  const data = fileOf(2500, 1);
  const r = rig(data);
  r.sender.start();
  await r.run();
  r.newSender();
  r.sender.start();
  await r.run();
  const out = await r.sender.done;
  t.ok(out.ok);
  t.equal(out.chunksSent, 0);
  t.equal(r.files.length, 1, 'the file is handed over once');
});

t.test('the sender gives up after maxRetries when nobody answers', async (t) => {
  const r = rig(fileOf(3000), {}, 1, { maxRetries: 3 });
  r.link.up = false;
  r.sender.start();
  await r.run();
  const out = await r.sender.done;
  t.notOk(out.ok);
  t.match(out.reason, /no answer/);
});

t.test('a receiver that cannot keep the file answers done ok=false', async (t) => {
  const data = fileOf(1500);
  const r = rig(data);
  r.receiver = new FileReceiver({
    store: r.store,
    send: r.link.toSender,
    envelope: () => envelope(coreSender(), r.clock.now()),
    onFile: () => {
      throw new Error('disk full');
    },
  });
  r.sender.start();
  await r.run();
  const out = await r.sender.done;
  t.notOk(out.ok);
  t.match(out.reason, /disk full/);
});

t.test('offers that do not add up or are too large are refused', async (t) => {
  const r = rig(fileOf(100));
  r.receiver = new FileReceiver({ store: r.store, send: r.link.toSender, envelope: () => envelope(coreSender()), onFile: () => undefined, maxSize: 50 });
  r.sender.start();
  await r.run();
  const out = await r.sender.done;
  t.notOk(out.ok);
  t.match(out.reason, /too large/);
});
