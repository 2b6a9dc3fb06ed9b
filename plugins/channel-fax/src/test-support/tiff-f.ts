/**
 * Test support: builds real TIFF Class F files (RFC 2306) from a bitmap, as a fax modem's receiver
 * writes them: T.4 modified Huffman (MH) pages, an EOL before every row and RTC after the last,
 * optionally byte-aligned EOLs and LSB-first bit order (FillOrder 2). The code words come from
 * utif's own T.4 tables (turned around); tiff-f.test.ts checks the output with libtiff.
 */
import UTIF from 'utif';

export interface TestPage {
  width: number;
  rows: number;
  /** One byte per pixel, 1 = black. */
  black: Uint8Array;
  /** 98 normal, 196 fine. */
  yLpi: number;
}

export interface TiffOptions {
  fillOrder?: 1 | 2;
  /** Byte-align each EOL with fill bits (T4Options bit 2). */
  eolAligned?: boolean;
  remoteId?: string;
}

/** run length -> code word, for white [0] and black [1]. */
const CODES: [Map<number, string>, Map<number, string>] = (() => {
  const [w, b] = UTIF.decode._lens;
  const turn = (t: Record<string, number>) => new Map(Object.entries(t).map(([code, run]) => [run, code]));
  return [turn(w), turn(b)];
})();

const EOL = '000000000001';

class BitWriter {
  private bits: number[] = [];
  put(code: string): void {
    for (const c of code) this.bits.push(c === '1' ? 1 : 0);
  }
  align(beforeEol: number): void {
    while ((this.bits.length + beforeEol) % 8) this.bits.push(0);
  }
  bytes(fillOrder: 1 | 2): Buffer {
    const out = Buffer.alloc(Math.ceil(this.bits.length / 8));
    this.bits.forEach((bit, i) => {
      if (bit) out[i >> 3]! |= fillOrder === 1 ? 0x80 >> (i & 7) : 1 << (i & 7);
    });
    return out;
  }
}

function putRun(w: BitWriter, color: 0 | 1, run: number): void {
  const codes = CODES[color];
  while (run >= 2560) {
    w.put(codes.get(2560)!);
    run -= 2560;
  }
  if (run >= 64) {
    w.put(codes.get(run - (run % 64))!);
    run %= 64;
  }
  w.put(codes.get(run)!);
}

/** One page as T.4 MH data. */
export function mhEncode(page: TestPage, opts: TiffOptions = {}): Buffer {
  const w = new BitWriter();
  const eol = () => {
    if (opts.eolAligned) w.align(EOL.length);
    w.put(EOL);
  };
  for (let y = 0; y < page.rows; y++) {
    eol();
    let color: 0 | 1 = 0;
    let run = 0;
    for (let x = 0; x < page.width; x++) {
      const px = page.black[y * page.width + x] ? 1 : 0;
      if (px === color) run++;
      else {
        putRun(w, color, run);
        color = px;
        run = 1;
      }
    }
    putRun(w, color, run);
  }
  for (let i = 0; i < 6; i++) eol(); // RTC
  return w.bytes(opts.fillOrder ?? 1);
}

type Entry = { tag: number; type: 2 | 3 | 4 | 5; values: number[] | string };

/** A multi-page little-endian TIFF Class F file. */
export function tiffF(pages: TestPage[], opts: TiffOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0])];
  let size = 8;
  let linkAt = { buf: parts[0]!, at: 4 };
  pages.forEach((page, i) => {
    const strip = mhEncode(page, opts);
    const stripAt = size;
    parts.push(strip);
    size += strip.length + (strip.length % 2);
    if (strip.length % 2) parts.push(Buffer.alloc(1));
    const entries: Entry[] = [
      { tag: 254, type: 4, values: [2] },
      { tag: 256, type: 4, values: [page.width] },
      { tag: 257, type: 4, values: [page.rows] },
      { tag: 258, type: 3, values: [1] },
      { tag: 259, type: 3, values: [3] },
      { tag: 262, type: 3, values: [0] },
      { tag: 266, type: 3, values: [opts.fillOrder ?? 1] },
      ...(opts.remoteId ? [{ tag: 270, type: 2, values: opts.remoteId } as Entry] : []),
      { tag: 273, type: 4, values: [stripAt] },
      { tag: 277, type: 3, values: [1] },
      { tag: 278, type: 4, values: [page.rows] },
      { tag: 279, type: 4, values: [strip.length] },
      { tag: 282, type: 5, values: [204, 1] },
      { tag: 283, type: 5, values: [page.yLpi, 1] },
      { tag: 292, type: 4, values: [opts.eolAligned ? 4 : 0] },
      { tag: 296, type: 3, values: [2] },
      { tag: 297, type: 3, values: [i, pages.length] },
    ];
    const dirAt = size;
    const extra: Buffer[] = [];
    let extraAt = dirAt + 2 + entries.length * 12 + 4;
    const dir = Buffer.alloc(2 + entries.length * 12 + 4);
    dir.writeUInt16LE(entries.length, 0);
    entries.forEach((e, k) => {
      const at = 2 + k * 12;
      const raw = typeof e.values === 'string' ? Buffer.from(`${e.values}\0`, 'latin1') : Buffer.alloc(e.values.length * (e.type === 3 ? 2 : 4));
      if (typeof e.values !== 'string') e.values.forEach((v, j) => (e.type === 3 ? raw.writeUInt16LE(v, j * 2) : raw.writeUInt32LE(v, j * 4)));
      const count = typeof e.values === 'string' ? raw.length : e.type === 5 ? e.values.length / 2 : e.values.length;
      dir.writeUInt16LE(e.tag, at);
      dir.writeUInt16LE(e.type, at + 2);
      dir.writeUInt32LE(count, at + 4);
      if (raw.length <= 4) raw.copy(dir, at + 8);
      else {
        dir.writeUInt32LE(extraAt, at + 8);
        const padded = raw.length % 2 ? Buffer.concat([raw, Buffer.alloc(1)]) : raw;
        extra.push(padded);
        extraAt += padded.length;
      }
    });
    linkAt.buf.writeUInt32LE(dirAt, linkAt.at);
    linkAt = { buf: dir, at: dir.length - 4 };
    parts.push(dir, ...extra);
    size = extraAt;
  });
  return Buffer.concat(parts);
}

/**
 * A test page with runs of many lengths: a frame, bars, a checkerboard patch, a long black run and
 * a row that starts black (a white run of 0). Deterministic for a given seed.
 */
export function testPage(rows: number, yLpi: number, seed = 1, width = 1728): TestPage {
  const black = new Uint8Array(width * rows);
  const set = (x: number, y: number) => {
    if (x >= 0 && x < width && y >= 0 && y < rows) black[y * width + x] = 1;
  };
  for (let x = 0; x < width; x++) {
    set(x, 0);
    set(x, rows - 1);
  }
  for (let y = 0; y < rows; y++) {
    set(0, y);
    set(width - 1, y);
    for (let x = 100 + seed * 7; x < 100 + seed * 7 + 3 * (y % 9); x++) set(x, y);
    if (y % 4 < 2) for (let x = 400; x < 480; x++) if (((x >> 2) + (y >> 1) + seed) % 2) set(x, y);
    if (y === 5 + seed) for (let x = 600; x < 600 + 1000; x++) set(x, y);
  }
  return { width, rows, black, yLpi };
}
