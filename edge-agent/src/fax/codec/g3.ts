/**
 * A small ITU-T T.4 Group 3 codec: a one-dimensional (MH) encoder for test pages and outgoing
 * bitmaps, and a page analyser that counts EOLs and checks MH rows the way HylaFAX does for
 * received pages (it never trusts the modem's line count; reference 1.5 and 1.12).
 */
import { BLACK, MAX_CODE_LEN, WHITE, type ColourTable } from './g3-tables.js';
import type { FillOrder } from './bit-order.js';

/** A 1-bit image: rows packed MSB-first, 1 = black (the PBM convention). */
export interface Bitmap {
  width: number;
  height: number;
  /** ceil(width / 8) bytes per row */
  data: Uint8Array;
}

export function bitmapRowBytes(width: number): number {
  return (width + 7) >> 3;
}

export function blankBitmap(width: number, height: number): Bitmap {
  return { width, height, data: new Uint8Array(bitmapRowBytes(width) * height) };
}

export function getPixel(bm: Bitmap, x: number, y: number): 0 | 1 {
  return ((bm.data[y * bitmapRowBytes(bm.width) + (x >> 3)]! >> (7 - (x & 7))) & 1) as 0 | 1;
}

export function setPixel(bm: Bitmap, x: number, y: number, black: boolean): void {
  const i = y * bitmapRowBytes(bm.width) + (x >> 3);
  const m = 0x80 >> (x & 7);
  bm.data[i] = black ? bm.data[i]! | m : bm.data[i]! & ~m;
}

class BitWriter {
  private bytes: number[] = [];
  private cur = 0;
  private n = 0;
  constructor(private readonly fillOrder: FillOrder) {}

  put(bits: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) this.bit((bits >> i) & 1);
  }

  bit(b: number): void {
    if (this.fillOrder === 1) this.cur |= b << (7 - this.n);
    else this.cur |= b << this.n;
    if (++this.n === 8) this.flushByte();
  }

  get bitsInByte(): number {
    return this.n;
  }

  private flushByte(): void {
    this.bytes.push(this.cur);
    this.cur = 0;
    this.n = 0;
  }

  zeroBytes(count: number): void {
    while (this.n !== 0) this.bit(0);
    for (let i = 0; i < count; i++) this.bytes.push(0);
  }

  finish(): Buffer {
    if (this.n > 0) this.flushByte();
    return Buffer.from(this.bytes);
  }
}

const EOL_BITS = 0x001;
const EOL_LEN = 12;

export interface EncodeOptions {
  /** Bit order of the output bytes (2 = LSB first, as on the wire with +FBO=0). Default 2. */
  fillOrder?: FillOrder;
  /** Pad with zero bits so that every EOL ends on a byte boundary (T4Options bit 2). Default true. */
  alignEol?: boolean;
  /** Zero bytes before the first EOL (efax sends 32). Default 0. */
  leadingZeroBytes?: number;
  /** Append RTC (6 EOLs). Default true. */
  rtc?: boolean;
}

function writeRun(w: BitWriter, table: ColourTable, run: number): void {
  while (run >= 2560) {
    const c = table.encode.get(2560)!;
    w.put(c.bits, c.len);
    run -= 2560;
  }
  if (run >= 64) {
    const c = table.encode.get(run - (run % 64))!;
    w.put(c.bits, c.len);
    run %= 64;
  }
  const t = table.encode.get(run)!;
  w.put(t.bits, t.len);
}

function writeEol(w: BitWriter, align: boolean): void {
  if (align) while ((w.bitsInByte + EOL_LEN) % 8 !== 0) w.bit(0);
  w.put(EOL_BITS, EOL_LEN);
}

/** Encodes a bitmap as a T.4 MH page: EOL, row, EOL, row, … then RTC (6 EOLs). */
export function encodeMh(bm: Bitmap, opts: EncodeOptions = {}): Buffer {
  const align = opts.alignEol ?? true;
  const w = new BitWriter(opts.fillOrder ?? 2);
  if (opts.leadingZeroBytes) w.zeroBytes(opts.leadingZeroBytes);
  for (let y = 0; y < bm.height; y++) {
    writeEol(w, align);
    let colour: 0 | 1 = 0;
    let x = 0;
    while (x < bm.width) {
      let run = 0;
      while (x < bm.width && getPixel(bm, x, y) === colour) {
        run++;
        x++;
      }
      writeRun(w, colour === 0 ? WHITE : BLACK, run);
      colour = colour === 0 ? 1 : 0;
    }
    if (bm.width === 0) writeRun(w, WHITE, 0);
  }
  if (opts.rtc ?? true) for (let i = 0; i < 6; i++) writeEol(w, align);
  return w.finish();
}

/** Reads bits in transmission order from bytes stored in the given FillOrder. */
class BitReader {
  pos = 0;
  readonly totalBits: number;
  constructor(
    private readonly data: Uint8Array,
    private readonly fillOrder: FillOrder,
  ) {
    this.totalBits = data.length * 8;
  }
  bitAt(p: number): number {
    const byte = this.data[p >> 3]!;
    return this.fillOrder === 1 ? (byte >> (7 - (p & 7))) & 1 : (byte >> (p & 7)) & 1;
  }
}

export interface PageAnalysis {
  /** Rows of image data: EOL-delimited, non-empty segments before RTC. */
  rows: number;
  /** EOLs seen in total (including RTC). */
  eols: number;
  /** Whether the page ended with RTC (6 consecutive EOLs). */
  rtc: boolean;
  /** MH rows whose codes were invalid or whose runs did not add up to the width. */
  badRows: number;
  /** Longest stretch of consecutive bad rows. */
  consecutiveBadRows: number;
  /** Rows that were 2D-coded (MR) and therefore only counted, not checked. */
  uncheckedRows: number;
}

/**
 * Finds EOLs (11+ zero bits followed by a 1) and returns the bit ranges between them: from just after
 * one EOL to the start of the next EOL's last 11 zeros (fill bits stay inside the range).
 * MH data never holds 11 zeros except in an EOL (reference 1.12), so this is exact for MH and MR.
 */
function eolSegments(r: BitReader): { segments: Array<[number, number]>; eols: number } {
  const segments: Array<[number, number]> = [];
  let zeros = 0;
  let eols = 0;
  let segStart = -1;
  for (let p = 0; p < r.totalBits; p++) {
    if (r.bitAt(p) === 0) {
      zeros++;
      continue;
    }
    if (zeros >= 11) {
      eols++;
      if (segStart >= 0) segments.push([segStart, p - 11]);
      segStart = p + 1;
    }
    zeros = 0;
  }
  if (segStart >= 0 && segStart < r.totalBits) segments.push([segStart, r.totalBits]);
  return { segments, eols };
}

function hasOneBit(r: BitReader, start: number, end: number): boolean {
  for (let p = start; p < end; p++) if (r.bitAt(p) === 1) return true;
  return false;
}

/** Reads one MH code of the given colour at bit `p`; returns the run and the next position, or null. */
function readCode(r: BitReader, p: number, end: number, colour: number): { run: number; next: number } | null {
  const table = colour === 0 ? WHITE : BLACK;
  let code = 0;
  for (let len = 1; len <= MAX_CODE_LEN && p < end; len++) {
    code = (code << 1) | r.bitAt(p++);
    const hit = table.decode.get((len << 16) | code);
    if (hit !== undefined) return { run: hit, next: p };
  }
  return null;
}

/**
 * Decodes one MH row in [start, end): true when its runs add up to `width` and only fill follows.
 * Zero-length runs after a full row are tolerated (pbm2g3 writes them; libtiff accepts them).
 */
function decodeMhRow(r: BitReader, start: number, end: number, width: number): boolean {
  let p = start;
  let colour = 0;
  let x = 0;
  while (x < width) {
    const c = readCode(r, p, end, colour);
    if (!c) return false;
    p = c.next;
    x += c.run;
    if (x > width) return false;
    if (c.run < 64) colour ^= 1;
    else if (x === width) {
      const t = readCode(r, p, end, colour); // a make-up code must be followed by its terminating code
      if (!t || t.run !== 0) return false;
      p = t.next;
      colour ^= 1;
    }
  }
  while (hasOneBit(r, p, end)) {
    const c = readCode(r, p, end, colour);
    if (!c || c.run !== 0) return false;
    p = c.next;
    colour ^= 1;
  }
  return true;
}

/**
 * Analyses one received page of T.4 data.
 * @param twoD the page is MR coded (each EOL is followed by a 1D/2D tag bit)
 */
export function analyzeG3Page(data: Uint8Array, fillOrder: FillOrder, width: number, twoD = false): PageAnalysis {
  const r = new BitReader(data, fillOrder);
  const { segments, eols } = eolSegments(r);
  let rows = 0;
  let badRows = 0;
  let run = 0;
  let consecutiveBadRows = 0;
  let uncheckedRows = 0;
  let emptyRun = 0;
  let rtc = false;
  for (const [s0, e] of segments) {
    let s = s0;
    let oneD = true;
    if (twoD) {
      oneD = s < e && r.bitAt(s) === 1;
      s++;
    }
    if (s >= e || !hasOneBit(r, s, e)) {
      emptyRun++;
      if (emptyRun >= 5) {
        rtc = true;
        break;
      }
      continue;
    }
    emptyRun = 0;
    rows++;
    if (!oneD) {
      uncheckedRows++;
      continue;
    }
    if (decodeMhRow(r, s, e, width)) run = 0;
    else {
      badRows++;
      run++;
      consecutiveBadRows = Math.max(consecutiveBadRows, run);
    }
  }
  if (!rtc && emptyRun >= 5) rtc = true;
  return { rows, eols, rtc, badRows, consecutiveBadRows, uncheckedRows };
}

/**
 * mgetty's copy-quality rule, used by every receiver here (and the simulated remote): a page with no
 * rows, or with more bad rows than a tenth of its rows plus 30, is refused (RTN).
 */
export function badCopy(a: Pick<PageAnalysis, 'rows' | 'badRows'>): boolean {
  return a.rows === 0 || a.badRows > a.rows / 10 + 30;
}

/** Ensures a page ends with RTC; returns the data unchanged when it already does. */
export function ensureRtc(data: Uint8Array, fillOrder: FillOrder, width: number, twoD = false): Buffer {
  const a = analyzeG3Page(data, fillOrder, width, twoD);
  if (a.rtc) return Buffer.from(data);
  const w = new BitWriter(fillOrder);
  for (let i = 0; i < 6; i++) {
    w.put(EOL_BITS, EOL_LEN);
    if (twoD) w.bit(1);
  }
  return Buffer.concat([data, w.finish()]);
}

/**
 * Inserts fill (zero bits before an EOL) so that every coded row, EOL included, lasts at least
 * `minBitsPerRow` bits: T.4's minimum transmission time of a scan line, which a Class 1 host must
 * meet itself (a Class 2 modem pads for the DTE). Empty rows (RTC) are left alone.
 */
export function padRows(data: Uint8Array, fillOrder: FillOrder, minBitsPerRow: number): Buffer {
  if (minBitsPerRow <= EOL_LEN) return Buffer.from(data);
  const r = new BitReader(data, fillOrder);
  const w = new BitWriter(fillOrder);
  let zeros = 0;
  let rowBits = 0;
  let seenEol = false;
  for (let p = 0; p < r.totalBits; p++) {
    if (r.bitAt(p) === 0) {
      zeros++;
      continue;
    }
    if (zeros >= 11) {
      const content = rowBits + zeros - 11;
      const short = seenEol && rowBits > 0 ? minBitsPerRow - (content + EOL_LEN) : 0;
      for (let i = 0; i < zeros + Math.max(0, short); i++) w.bit(0);
      w.bit(1);
      rowBits = 0;
      seenEol = true;
    } else {
      for (let i = 0; i < zeros; i++) w.bit(0);
      w.bit(1);
      rowBits += zeros + 1;
    }
    zeros = 0;
  }
  for (let i = 0; i < zeros; i++) w.bit(0);
  return w.finish();
}
