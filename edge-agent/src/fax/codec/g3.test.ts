import t from 'tap';
import fc from 'fast-check';
import UTIF from 'utif';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsTools, run, tempDir } from '@okno/testkit';
import { analyzeG3Page, blankBitmap, encodeMh, ensureRtc, setPixel, bitmapRowBytes, type Bitmap } from './g3.js';
import { makeTestPage } from './test-page.js';
import { writeTiffF } from '../tiff/tiff-f.js';
import type { FillOrder } from './bit-order.js';

/** Decodes our G3 strip with an independent decoder (utif) and returns its packed rows, 1 = black. */
function decodeWithUtif(bm: Bitmap, data: Buffer, fillOrder: FillOrder): Uint8Array {
  const tif = writeTiffF([{ data, fillOrder, width: bm.width, rows: bm.height, yResolution: 98, twoD: false }]);
  const ifds = UTIF.decode(tif);
  UTIF.decodeImage(tif, ifds[0]!);
  return ifds[0]!.data!;
}

function randomBitmap(width: number, height: number, seed: number): Bitmap {
  const bm = blankBitmap(width, height);
  let s = seed;
  for (let y = 0; y < height; y++) {
    let black = false;
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      if (s % 17 === 0) black = !black;
      if (black) setPixel(bm, x, y, true);
    }
  }
  return bm;
}

const cases = fc.sample(
  fc.record({
    width: fc.integer({ min: 1, max: 300 }),
    height: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
    fillOrder: fc.constantFrom(1 as const, 2 as const),
    alignEol: fc.boolean(),
  }),
  { numRuns: 120, seed: 42 },
);

t.test('our own analyser accepts every random MH page it encodes', async (t) => {
  for (const c of cases) {
    const data = encodeMh(randomBitmap(c.width, c.height, c.seed), c);
    const a = analyzeG3Page(data, c.fillOrder, c.width);
    if (a.rows !== c.height || !a.rtc || a.badRows !== 0) t.fail(`case ${JSON.stringify(c)}: ${JSON.stringify(a)}`);
  }
  t.pass(`${cases.length} pages`);
});

t.test('libtiff decodes random MH pages to the same pixels, in both bit orders', { skip: needsTools('tiffcp') }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const bitmaps = cases.map((c) => randomBitmap(c.width, c.height, c.seed));
  const pages = cases.map((c, i) => ({
    data: encodeMh(bitmaps[i]!, c),
    fillOrder: c.fillOrder,
    width: c.width,
    rows: c.height,
    yResolution: 98 as const,
    twoD: false,
  }));
  writeFileSync(join(dir, 'g3.tif'), writeTiffF(pages));
  run('tiffcp', ['-c', 'none', '-f', 'msb2lsb', join(dir, 'g3.tif'), join(dir, 'raw.tif')]);
  const raw = readFileSync(join(dir, 'raw.tif'));
  const ifds = UTIF.decode(raw);
  t.equal(ifds.length, cases.length);
  let same = 0;
  ifds.forEach((ifd, i) => {
    UTIF.decodeImage(raw, ifd);
    if (Buffer.from(ifd.data!.subarray(0, bitmaps[i]!.data.length)).equals(Buffer.from(bitmaps[i]!.data))) same++;
    else t.fail(`page ${i} ${JSON.stringify(cases[i])} differs`);
  });
  t.equal(same, cases.length);
});

t.test('every run length 0..2560+ round-trips (make-up and extended make-up codes)', async (t) => {
  const width = 2432 * 2;
  const runs = [0, 1, 63, 64, 65, 127, 128, 1727, 1728, 1792, 2047, 2560, 2561, 2700];
  const bm = blankBitmap(width, runs.length * 2);
  runs.forEach((r, i) => {
    for (let x = 0; x < r; x++) setPixel(bm, x + 1, i * 2, true); // black run of r
    for (let x = r + 1; x < width; x++) setPixel(bm, x, i * 2 + 1, true); // white run of r+1
  });
  const data = encodeMh(bm);
  t.same(Buffer.from(decodeWithUtif(bm, data, 2).subarray(0, bm.data.length)), Buffer.from(bm.data));
  t.equal(analyzeG3Page(data, 2, width).rows, bm.height);
});

t.test('page analysis counts rows, finds RTC and counts corrupted rows as bad', async (t) => {
  const bm = makeTestPage({ width: 1728, height: 200, pageNo: 3 });
  const data = encodeMh(bm, { fillOrder: 2, leadingZeroBytes: 32 });
  t.same(Buffer.from(decodeWithUtif(bm, data, 2).subarray(0, bm.data.length)), Buffer.from(bm.data), 'utif decodes the test page');
  const a = analyzeG3Page(data, 2, 1728);
  t.same(a, { rows: 200, eols: 206, rtc: true, badRows: 0, consecutiveBadRows: 0, uncheckedRows: 0 });
  const wrongOrder = analyzeG3Page(data, 1, 1728);
  t.ok(wrongOrder.badRows > 0 && wrongOrder.badRows === wrongOrder.rows, 'read in the wrong bit order, every row found is bad');
  const corrupt = Buffer.from(data);
  const row = bitmapRowBytes(1728); // arbitrary: flip bits in the middle of the page
  for (let i = 0; i < 3; i++) corrupt[Math.floor(data.length / 2) + i * row] = corrupt[Math.floor(data.length / 2) + i * row]! ^ 0x5a;
  const c = analyzeG3Page(corrupt, 2, 1728);
  t.ok(c.badRows >= 1 && c.badRows <= 12, `a few bad rows (${c.badRows})`);
  t.ok(Math.abs(c.rows - 200) <= 6, 'row count survives corruption');
  const noRtc = encodeMh(bm, { rtc: false });
  t.notOk(analyzeG3Page(noRtc, 2, 1728).rtc);
  const fixed = ensureRtc(noRtc, 2, 1728);
  t.same(analyzeG3Page(fixed, 2, 1728), { ...a, eols: 206 });
  t.equal(ensureRtc(data, 2, 1728).length, data.length, 'RTC is not added twice');
});
