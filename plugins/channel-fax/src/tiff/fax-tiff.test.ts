import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { needsTools, tempDir } from '@okno/testkit';
import { decodeFax, inspectTiff, sendProblems, verticalScale, FaxTiffError, type PageBitmap } from './fax-tiff.js';
import { renderPreviews } from './previews.js';
import { tiffF, testPage, type TestPage } from '../test-support/tiff-f.js';

const normal = testPage(40, 98, 1);
const fine = testPage(30, 196, 2);

function same(t: Test, got: PageBitmap | null, want: TestPage, what: string) {
  t.ok(got, `${what}: decoded`);
  t.equal(got?.width, want.width, `${what}: width`);
  t.equal(got?.rows, want.rows, `${what}: rows`);
  const diff = got ? got.black.reduce((n, v, i) => n + (v !== want.black[i] ? 1 : 0), 0) : -1;
  t.equal(diff, 0, `${what}: every pixel as sent`);
}

t.test('a two-page TIFF-F (MH, normal and fine) is read page by page', async (t) => {
  for (const opts of [{}, { fillOrder: 2 as const, eolAligned: true }]) {
    const file = tiffF([normal, fine], { ...opts, remoteId: '+7 495 123-45-67' });
    const pages = inspectTiff(file);
    t.same(pages.map((p) => [p.page, p.width, p.rows, p.compression, p.twoD, p.xDpi, p.yLpi]), [[1, 1728, 40, 3, false, 204, 98], [2, 1728, 30, 3, false, 204, 196]]);
    t.same(sendProblems(pages), [], 'it can be sent as it is');
    const d = decodeFax(file);
    t.same(d.problems, []);
    same(t, d.bitmaps[0]!, normal, `page 1 ${JSON.stringify(opts)}`);
    same(t, d.bitmaps[1]!, fine, `page 2 ${JSON.stringify(opts)}`);
  }
});

t.test('previews: normal pages are stretched x2 vertically, fine pages kept', async (t) => {
  const r = renderPreviews(tiffF([normal, fine]));
  t.same(r.previews.map((p) => [p.page, p.width, p.height, p.scale]), [[1, 1728, 80, 2], [2, 1728, 30, 1]]);
  const png = PNG.sync.read(r.previews[0]!.png);
  t.equal(png.width, 1728);
  t.equal(png.height, 80);
  // Row 2y and 2y+1 of the preview are row y of the page; black is 0, white 255 (read back as RGBA).
  let wrong = 0;
  for (let y = 0; y < 80; y++) for (let x = 0; x < 1728; x++) if ((png.data[(y * 1728 + x) * 4] === 0 ? 1 : 0) !== normal.black[(y >> 1) * 1728 + x]) wrong++;
  t.equal(wrong, 0, 'the preview shows the page');
});

t.test('the vertical scale follows the resolution', async (t) => {
  t.equal(verticalScale({ xDpi: 204, yLpi: 98 }), 2);
  t.equal(verticalScale({ xDpi: 204, yLpi: 196 }), 1);
  t.equal(verticalScale({ xDpi: 204, yLpi: 391 }), 0.5);
  t.equal(verticalScale({ xDpi: 80.3, yLpi: 38.5 }), 2, 'centimetre units');
  t.equal(verticalScale({ xDpi: null, yLpi: null }), 1, 'unknown: as is');
});

t.test('damaged files are refused with a reason', async (t) => {
  const good = tiffF([normal]);
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /too short/],
    ['not TIFF', Buffer.from('%PDF-1.4 this is not a fax'), /bad header/],
    ['truncated', good.subarray(0, good.length - 40), /truncated/],
    ['directory loop', (() => {
      const b = Buffer.from(good);
      const dir = b.readUInt32LE(4);
      b.writeUInt32LE(dir, dir + 2 + b.readUInt16LE(dir) * 12);
      return b;
    })(), /loop/],
  ];
  for (const [what, buf, re] of cases) t.throws(() => decodeFax(buf), { name: 'FaxTiffError', message: re }, what);
  // The strip of the page claims more bytes than there are: the page fails, not the file.
  const b = Buffer.from(good);
  const dir = b.readUInt32LE(4);
  for (let k = 0; k < b.readUInt16LE(dir); k++) if (b.readUInt16LE(dir + 2 + k * 12) === 279) b.writeUInt32LE(10_000_000, dir + 2 + k * 12 + 8);
  const d = decodeFax(b);
  t.equal(d.bitmaps[0], null);
  t.match(d.problems[0], /page 1 is truncated/);
  t.ok(new FaxTiffError('x') instanceof Error);
});

t.test('what cannot be sent as a fax says why', async (t) => {
  t.same(sendProblems([{ page: 1, width: 2000, rows: 10, compression: 4, bitsPerSample: 8, twoD: false, xDpi: 300, yLpi: 300 }]), [
    'page 1 is not T.4 coded (TIFF compression 4)',
    'page 1 is not black and white (8 bits per pixel)',
    'page 1 is 2000 pixels wide (a fax page is 1728, 2048, 2432)',
    'page 1 has a horizontal resolution of 300 dpi (fax: 204)',
    'page 1 has a vertical resolution of 300 lpi (fax: 98 or 196)',
  ]);
});

t.test('libtiff reads our test files as we meant them, and we read what libtiff writes (MR, G4)', { skip: needsTools('tiffinfo', 'tiffcp') }, async (t) => {
  const dir = tempDir('okno-fax-tiff-');
  t.teardown(dir.cleanup);
  const src = join(dir.dir, 'mh.tif');
  writeFileSync(src, tiffF([normal, fine], { fillOrder: 2, eolAligned: true }));
  const info = execFileSync('tiffinfo', ['-D', src], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  t.match(info, /CCITT Group 3/);
  t.match(info, /Image Width: 1728 Image Length: 40/);
  t.notMatch(info, /Bad code word|Premature EOL|Line length mismatch/i);
  for (const [codec, compression] of [['none', 1], ['g3:2d:fill', 3], ['g4', 4]] as const) {
    const out = join(dir.dir, `${codec.replace(/:/g, '-')}.tif`);
    execFileSync('tiffcp', ['-c', codec, src, out]);
    const d = decodeFax(readFileSync(out));
    t.equal(d.pages[0]!.compression, compression, `libtiff wrote ${codec}`);
    same(t, d.bitmaps[0]!, normal, `${codec} page 1`);
    same(t, d.bitmaps[1]!, fine, `${codec} page 2`);
  }
});
