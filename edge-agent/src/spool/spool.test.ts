import t from 'tap';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@okno/testkit';
import { Spool, SpoolFullError } from './spool.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function open(t: { teardown(fn: () => void): void }, limits = {}) {
  const { dir, cleanup } = tempDir('okno-spool-');
  t.teardown(cleanup);
  return { dir, spool: Spool.open(dir, limits) };
}

t.test('records survive a restart until acknowledged', async (t) => {
  const { dir, spool } = open(t);
  const a = spool.append({ cls: 'critical', topic: 't/events', payload: bytes('one') });
  spool.append({ cls: 'critical', topic: 't/events', payload: bytes('two') });
  spool.append({ cls: 'state', topic: 't/inventory', payload: bytes('inv'), retain: true, key: 'inventory' });
  spool.ack(a.seq);
  spool.close();
  const again = Spool.open(dir);
  t.same(again.pending().map((e) => text(e.payload)), ['two', 'inv']);
  t.equal(again.pending()[1]!.retain, true);
  const next = again.append({ cls: 'critical', topic: 't/events', payload: bytes('three') });
  t.ok(next.seq > again.pending()[0]!.seq, 'sequence numbers keep growing after a restart');
  again.close();
});

t.test('a torn record at the end of a segment (crash mid-write) is cut off', async (t) => {
  const { dir, spool } = open(t);
  spool.append({ cls: 'critical', topic: 'x', payload: bytes('kept') });
  spool.close();
  const seg = readdirSync(dir).find((f) => f.startsWith('seg-'))!;
  appendFileSync(join(dir, seg), Buffer.from([0, 0, 0, 50, 1, 2, 3]));
  const again = Spool.open(dir);
  t.same(again.pending().map((e) => text(e.payload)), ['kept']);
  again.append({ cls: 'critical', topic: 'x', payload: bytes('after') });
  again.close();
  t.same(Spool.open(dir).pending().map((e) => text(e.payload)), ['kept', 'after']);
});

t.test('in-flight records are not handed out twice; released ones come back', async (t) => {
  const { spool } = open(t);
  const a = spool.append({ cls: 'critical', topic: 'x', payload: bytes('a') });
  spool.append({ cls: 'critical', topic: 'x', payload: bytes('b') });
  spool.markInFlight(a.seq);
  t.same(spool.pending().map((e) => text(e.payload)), ['b']);
  spool.release(a.seq);
  t.same(spool.pending().map((e) => text(e.payload)), ['a', 'b']);
  spool.close();
});

t.test('a newer inventory supersedes an undelivered older one', async (t) => {
  const { spool } = open(t);
  spool.append({ cls: 'state', topic: 'inv', payload: bytes('v1'), key: 'inventory' });
  spool.append({ cls: 'critical', topic: 'ev', payload: bytes('e') });
  spool.append({ cls: 'state', topic: 'inv', payload: bytes('v2'), key: 'inventory' });
  t.same(spool.pending().map((e) => text(e.payload)), ['e', 'v2']);
  spool.close();
});

t.test('overflow: oldest telemetry goes first, critical records fill up to the hard limit, then are refused', async (t) => {
  const { spool } = open(t, { maxBytes: 100, maxCount: 1000, hardMaxBytes: 150, hardMaxCount: 1000 });
  const ten = bytes('x'.repeat(10));
  for (let i = 0; i < 8; i++) spool.append({ cls: 'telemetry', topic: 'tel', payload: ten });
  spool.append({ cls: 'critical', topic: 'ev', payload: ten });
  spool.append({ cls: 'critical', topic: 'ev', payload: ten });
  t.equal(spool.stats().bytes, 100);
  spool.append({ cls: 'critical', topic: 'ev', payload: ten });
  t.equal(spool.stats().droppedTelemetry, 1, 'one telemetry dropped to make room');
  t.equal(spool.pending().filter((e) => e.cls === 'critical').length, 3);
  // telemetry that does not fit is dropped itself
  t.throws(() => spool.append({ cls: 'telemetry', topic: 'tel', payload: bytes('y'.repeat(200)) }), SpoolFullError);
  // fill with critical: all telemetry goes, then the hard limit refuses
  for (let i = 0; i < 11; i++) spool.append({ cls: 'critical', topic: 'ev', payload: ten });
  t.equal(spool.pending().filter((e) => e.cls === 'telemetry').length, 0, 'every telemetry dropped before any event');
  t.equal(spool.stats().bytes, 140);
  t.throws(() => spool.append({ cls: 'critical', topic: 'ev', payload: bytes('z'.repeat(11)) }), /spool full/);
  t.equal(spool.stats().refused, 1);
  t.equal(spool.pending().filter((e) => e.cls === 'critical').length, 14, 'no event was ever dropped');
  t.throws(() => spool.addFile({ transferId: 'a1', name: 'f', contentType: 'image/tiff', meta: {} }, new Uint8Array(50)), SpoolFullError, 'files count against the limit');
  spool.close();
});

t.test('segments roll over and are deleted once every record in them is delivered', async (t) => {
  const { dir, spool } = open(t, { segmentBytes: 200 });
  const seqs = [];
  for (let i = 0; i < 20; i++) seqs.push(spool.append({ cls: 'critical', topic: 'ev', payload: bytes('x'.repeat(40)) }).seq);
  const segs = () => readdirSync(dir).filter((f) => f.startsWith('seg-')).length;
  t.ok(segs() > 3, `several segments (${segs()})`);
  for (const s of seqs.slice(0, 18)) spool.ack(s);
  t.ok(segs() <= 2, `delivered segments deleted (${segs()} left)`);
  spool.close();
  t.equal(Spool.open(dir).pending().length, 2);
});

t.test('files wait in the spool across restarts until removed', async (t) => {
  const { dir, spool } = open(t);
  spool.addFile({ transferId: '0190a0b0-0000-7000-8000-000000000001', name: 'fax.tif', contentType: 'image/tiff', meta: { pages: 2 } }, bytes('TIFF'));
  t.equal(spool.stats().files, 1);
  spool.close();
  const again = Spool.open(dir);
  const [f] = again.listFiles();
  t.equal(f?.name, 'fax.tif');
  t.equal(text(again.readFile(f!.transferId)), 'TIFF');
  again.removeFile(f!.transferId);
  t.equal(again.stats().fileBytes, 0);
  again.close();
  t.equal(Spool.open(dir).listFiles().length, 0);
});

t.test('purge removes records (by class) and files', async (t) => {
  const { dir, spool } = open(t);
  spool.append({ cls: 'telemetry', topic: 'tel', payload: bytes('t') });
  spool.append({ cls: 'critical', topic: 'ev', payload: bytes('e') });
  t.equal(spool.purge('telemetry'), 1);
  t.same(spool.pending().map((e) => e.cls), ['critical']);
  t.equal(spool.purge(), 1);
  spool.close();
  t.equal(Spool.open(dir).stats().depth, 0);
});
