import t from 'tap';
import { PNG } from 'pngjs';
import { inspectInWorker, previewsInWorker, TiffWorkerError } from './worker-client.js';
import { tiffF, testPage } from '../test-support/tiff-f.js';

const fax = tiffF([testPage(40, 98, 1), testPage(30, 196, 2)]);

t.test('a worker draws the pages and hands back PNGs', async (t) => {
  const r = await previewsInWorker(fax);
  t.equal(r.pages.length, 2);
  t.same(r.problems, []);
  t.same(r.previews.map((p) => [p.page, p.width, p.height, p.sourceRows, p.scale]), [[1, 1728, 80, 40, 2], [2, 1728, 30, 30, 1]]);
  t.ok(Buffer.isBuffer(r.previews[0]!.png));
  t.equal(PNG.sync.read(r.previews[1]!.png).height, 30);
  const pages = await inspectInWorker(fax);
  t.same(pages.map((p) => p.yLpi), [98, 196]);
});

t.test('what the worker cannot read comes back as an error with the reason', async (t) => {
  await t.rejects(previewsInWorker(Buffer.from('GIF89a')), { name: 'TiffWorkerError', message: /not a TIFF file/ });
  await t.rejects(inspectInWorker(Buffer.alloc(3)), { name: 'TiffWorkerError', message: /too short/ });
});

t.test('a reader that does not finish in time is stopped', async (t) => {
  // A page far larger than any fax: decoding it takes far longer than the limit given.
  const big = tiffF([testPage(16_000, 196, 3, 2432)]);
  await t.rejects(previewsInWorker(big, { timeoutMs: 50 }), { name: 'TiffWorkerError', message: /took longer than/ });
  t.ok(new TiffWorkerError('x') instanceof Error);
});
