import t from 'tap';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import UTIF from 'utif';
import { needsTools, run, tempDir } from '@okno/testkit';
import { readTiffF, writeTiffF, pageForWire, type FaxPage } from './tiff-f.js';
import { encodeMh, analyzeG3Page } from '../codec/g3.js';
import { makeTestPage } from '../codec/test-page.js';

function page(pageNo: number, fillOrder: 1 | 2, yResolution: 98 | 196): FaxPage {
  const bm = makeTestPage({ height: 300, pageNo });
  return { data: encodeMh(bm, { fillOrder }), fillOrder, width: 1728, rows: 300, yResolution, twoD: false, eolAligned: true };
}

t.test('a multi-page TIFF-F decodes with utif and reads back with its tags', async (t) => {
  const pages = [page(1, 2, 98), { ...page(2, 1, 196), badRows: 3, consecutiveBadRows: 2 }];
  const tif = writeTiffF(pages, { remoteId: '+7 495 000', software: 'okno', date: new Date(2024, 0, 2, 3, 4, 5) });
  const ifds = UTIF.decode(tif);
  t.equal(ifds.length, 2);
  for (const ifd of ifds) {
    UTIF.decodeImage(tif, ifd);
    t.equal(ifd.width, 1728);
    t.equal(ifd.height, 300);
    const rgba = UTIF.toRGBA8(ifd);
    let black = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] === 0) black++;
    t.ok(black > 20_000 && black < 200_000, `page has ink (${black} black pixels)`);
  }
  t.same(ifds[1]!.t297, [1, 2], 'PageNumber');
  t.same(ifds[1]!.t326, [3], 'BadFaxLines');
  t.same(ifds[1]!.t327, [2], 'CleanFaxData = unclean');
  t.same(ifds[0]!.t327, [0], 'CleanFaxData = clean');
  const back = readTiffF(tif);
  t.equal(back.length, 2);
  t.same(back.map((p) => [p.fillOrder, p.yResolution, p.rows, p.width, p.twoD]), [[2, 98, 300, 1728, false], [1, 196, 300, 1728, false]]);
  t.ok(back[1]!.data.equals(pages[1]!.data));
  t.ok(pageForWire(back[1]!).equals(pageForWire(pages[1]!, 2)), 'wire data is LSB-first whatever the file order');
  t.same(analyzeG3Page(pageForWire(back[1]!), 2, 1728).rows, 300);
});

t.test('refuses what cannot be faxed', async (t) => {
  t.throws(() => readTiffF(Buffer.from('hello world')), /not a TIFF/);
  t.throws(() => writeTiffF([]), /no pages/);
});

t.test('libtiff agrees: tiffinfo reads the tags and tiffcp decodes every row', { skip: needsTools('tiffinfo', 'tiffcp') }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'in.tif');
  writeFileSync(file, writeTiffF([page(1, 2, 196), page(2, 1, 98)], { remoteId: 'REMOTE' }));
  const info = run('tiffinfo', ['-D', file]);
  t.match(info, /Image Width: 1728 Image Length: 300/);
  t.match(info, /Compression Scheme: CCITT Group 3/);
  t.match(info, /FillOrder: lsb-to-msb/);
  t.match(info, /FillOrder: msb-to-lsb/);
  t.match(info, /Resolution: 204, 196 pixels\/inch/);
  t.match(info, /Page Number: 1-2/);
  t.match(info, /Fax Data: clean/);
  t.notMatch(info, /[Ee]rror|[Ww]arning/);
  run('tiffcp', ['-c', 'none', file, join(dir, 'raw.tif')]);
  t.ok(readFileSync(join(dir, 'raw.tif')).length > 2 * 1728 * 300 / 8, 'tiffcp decompressed both pages');
});

t.test('reads TIFF-F made by efax (efix)', { skip: needsTools('efix') }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'page.txt'), 'OKNO EFIX PAGE\nline two\n');
  run('efix', ['-i', 'text', '-o', 'tiffg3', '-n', join(dir, 'page.%03d.tif'), join(dir, 'page.txt')]);
  const tif = readFileSync(join(dir, 'page.001.tif'));
  const [p] = readTiffF(tif);
  t.ok(p);
  const a = analyzeG3Page(pageForWire(p!), 2, p!.width, p!.twoD);
  t.equal(a.badRows, 0);
  t.ok(Math.abs(a.rows - p!.rows) <= 1, `EOL count ${a.rows} matches ImageLength ${p!.rows}`);
});
