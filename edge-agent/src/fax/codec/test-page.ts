/**
 * A recognisable fax test page drawn from scratch: a frame, a title in a 5x7 dot font scaled up,
 * the page number, and a ruler of black bars of every width 1..63 (so every MH run length code is
 * exercised). Used by `fax test` and by the tests.
 */
import { blankBitmap, setPixel, type Bitmap } from './g3.js';

// 5x7 glyphs, one string of 7 rows of 5 bits per character.
const FONT: Record<string, string> = {
  A: '01110100011000111111100011000110001', B: '11110100011000111110100011000111110',
  C: '01110100011000010000100001000101110', D: '11110100011000110001100011000111110',
  E: '11111100001000011110100001000011111', F: '11111100001000011110100001000010000',
  G: '01110100011000010111100011000101111', H: '10001100011000111111100011000110001',
  I: '01110001000010000100001000010001110', K: '10001100101010011000101001001010001',
  L: '10000100001000010000100001000011111', M: '10001110111010110101100011000110001',
  N: '10001110011010110011100011000110001', O: '01110100011000110001100011000101110',
  P: '11110100011000111110100001000010000', R: '11110100011000111110101001001010001',
  S: '01111100001000001110000010000111110', T: '11111001000010000100001000010000100',
  U: '10001100011000110001100011000101110', W: '10001100011000110101101011010101010',
  X: '10001100010101000100010101000110001', Y: '10001100010101000100001000010000100',
  '0': '01110100011001110101110011000101110', '1': '00100011000010000100001000010001110',
  '2': '01110100010000100010001000100011111', '3': '11111000100010000010000011000101110',
  '4': '00010001100101010010111110001000010', '5': '11111100001111000001000011000101110',
  '6': '00110010001000011110100011000101110', '7': '11111000010001000100010000100001000',
  '8': '01110100011000101110100011000101110', '9': '01110100011000101111000010001001100',
  '-': '00000000000000011111000000000000000', '.': '00000000000000000000000000110001100',
  ' ': '00000000000000000000000000000000000', '/': '00001000010001000100010001000010000',
  ':': '00000011000110000000011000110000000',
};

function fillRect(bm: Bitmap, x0: number, y0: number, w: number, h: number): void {
  for (let y = Math.max(0, y0); y < Math.min(bm.height, y0 + h); y++)
    for (let x = Math.max(0, x0); x < Math.min(bm.width, x0 + w); x++) setPixel(bm, x, y, true);
}

/** Draws text in the 5x7 font; `scale` pixels per dot. Unknown characters draw as a filled box. */
export function drawText(bm: Bitmap, text: string, x0: number, y0: number, scale: number): void {
  let x = x0;
  for (const ch of text.toUpperCase()) {
    const g = FONT[ch] ?? '1'.repeat(35);
    for (let r = 0; r < 7; r++)
      for (let c = 0; c < 5; c++) if (g[r * 5 + c] === '1') fillRect(bm, x + c * scale, y0 + r * scale, scale, scale);
    x += 6 * scale;
  }
}

export interface TestPageOptions {
  width?: number;
  /** Rows; default 1143 (A4 at 98 lpi). */
  height?: number;
  pageNo?: number;
  title?: string;
}

export function makeTestPage(opts: TestPageOptions = {}): Bitmap {
  const width = opts.width ?? 1728;
  const height = opts.height ?? 1143;
  const bm = blankBitmap(width, height);
  fillRect(bm, 0, 0, width, 4);
  fillRect(bm, 0, height - 4, width, 4);
  fillRect(bm, 0, 0, 4, height);
  fillRect(bm, width - 4, 0, 4, height);
  const scale = Math.max(1, Math.floor(width / 200));
  drawText(bm, opts.title ?? 'OKNO TEST PAGE', 40, 40, scale);
  drawText(bm, `PAGE ${opts.pageNo ?? 1}`, 40, 40 + 10 * scale, scale);
  // Bars of widths 1..63 separated by white gaps of the same widths, then long runs.
  let x = 40;
  const y = Math.min(height - 60, 40 + 20 * scale);
  for (let w = 1; w < 64 && x + 2 * w < width - 8; w++) {
    fillRect(bm, x, y, w, 30);
    x += 2 * w;
  }
  if (height > y + 80) fillRect(bm, 8, y + 40, width - 16, 20);
  return bm;
}
