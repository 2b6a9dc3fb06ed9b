/**
 * TIFF Class F (RFC 2306) for fax pages: write received T.4 pages as a multi-page TIFF, and read a
 * TIFF-F file to send (reference 1.12). The strips are kept verbatim; FillOrder says their bit order.
 */
import UTIF, { type IFD } from 'utif';
import { toFillOrder, type FillOrder } from '../codec/bit-order.js';

/** Fax resolution in lines per inch (VR=0 normal, VR=1 fine). */
export type FaxYResolution = 98 | 196;

export interface FaxPage {
  /** T.4 data of the page (one strip). */
  data: Buffer;
  /** Bit order of `data`. */
  fillOrder: FillOrder;
  /** Pixels per row: 1728 (WD=0), 2048 (WD=1) or 2432 (WD=2). */
  width: number;
  /** Rows (counted EOLs minus RTC). */
  rows: number;
  yResolution: FaxYResolution;
  /** MR (2D) coding; MH (1D) when false. */
  twoD: boolean;
  /** EOLs are byte aligned (T4Options fill bits). */
  eolAligned?: boolean;
  badRows?: number;
  consecutiveBadRows?: number;
}

export const FAX_WIDTHS = [1728, 2048, 2432] as const;

const enum Type {
  SHORT = 3,
  LONG = 4,
  RATIONAL = 5,
  ASCII = 2,
}

interface Entry {
  tag: number;
  type: Type;
  values: number[] | string;
}

function entrySize(e: Entry): number {
  if (typeof e.values === 'string') return e.values.length + 1;
  const unit = e.type === Type.SHORT ? 2 : e.type === Type.LONG ? 4 : 8;
  return unit * (e.type === Type.RATIONAL ? e.values.length / 2 : e.values.length);
}

function writeValues(buf: Buffer, at: number, e: Entry): void {
  if (typeof e.values === 'string') {
    buf.write(e.values, at, 'latin1');
    buf[at + e.values.length] = 0;
    return;
  }
  let p = at;
  for (const v of e.values) {
    if (e.type === Type.SHORT) {
      buf.writeUInt16LE(v, p);
      p += 2;
    } else {
      buf.writeUInt32LE(v, p);
      p += 4;
    }
  }
}

export interface WriteTiffOptions {
  /** Remote station id (TSI/CSI), stored as ImageDescription. */
  remoteId?: string;
  software?: string;
  /** Stored as DateTime (TIFF "YYYY:MM:DD HH:MM:SS"). */
  date?: Date;
}

function tiffDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}:${p(d.getMonth() + 1)}:${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Writes pages as one little-endian multi-page TIFF Class F file. */
export function writeTiffF(pages: FaxPage[], opts: WriteTiffOptions = {}): Buffer {
  if (pages.length === 0) throw new Error('writeTiffF: no pages');
  const parts: Buffer[] = [];
  let offset = 8;
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  parts.push(header);
  let prevNextPtr: { buf: Buffer; at: number } = { buf: header, at: 4 };

  pages.forEach((page, i) => {
    const strip = page.data;
    const stripOffset = offset;
    parts.push(strip);
    offset += strip.length;
    if (offset % 2) {
      parts.push(Buffer.alloc(1));
      offset++;
    }
    const bad = page.badRows ?? 0;
    const entries: Entry[] = [
      { tag: 254, type: Type.LONG, values: [2] }, // NewSubfileType: page of a multi-page document
      { tag: 256, type: Type.LONG, values: [page.width] },
      { tag: 257, type: Type.LONG, values: [page.rows] },
      { tag: 258, type: Type.SHORT, values: [1] },
      { tag: 259, type: Type.SHORT, values: [3] }, // T.4
      { tag: 262, type: Type.SHORT, values: [0] }, // WhiteIsZero
      { tag: 266, type: Type.SHORT, values: [page.fillOrder] },
      ...(opts.remoteId !== undefined ? [{ tag: 270, type: Type.ASCII, values: opts.remoteId } as Entry] : []),
      { tag: 273, type: Type.LONG, values: [stripOffset] },
      { tag: 277, type: Type.SHORT, values: [1] },
      { tag: 278, type: Type.LONG, values: [page.rows] },
      { tag: 279, type: Type.LONG, values: [strip.length] },
      { tag: 282, type: Type.RATIONAL, values: [204, 1] },
      { tag: 283, type: Type.RATIONAL, values: [page.yResolution, 1] },
      { tag: 292, type: Type.LONG, values: [(page.twoD ? 1 : 0) | (page.eolAligned ? 4 : 0)] },
      { tag: 296, type: Type.SHORT, values: [2] },
      { tag: 297, type: Type.SHORT, values: [i, pages.length] },
      ...(opts.software !== undefined ? [{ tag: 305, type: Type.ASCII, values: opts.software } as Entry] : []),
      ...(opts.date !== undefined ? [{ tag: 306, type: Type.ASCII, values: tiffDate(opts.date) } as Entry] : []),
      { tag: 326, type: Type.LONG, values: [bad] },
      { tag: 327, type: Type.SHORT, values: [bad === 0 ? 0 : 2] }, // clean / unclean (not regenerated)
      { tag: 328, type: Type.LONG, values: [page.consecutiveBadRows ?? 0] },
    ];
    const ifdSize = 2 + entries.length * 12 + 4;
    const extraSize = entries.reduce((n, e) => {
      const s = entrySize(e);
      return s > 4 ? n + s + (s % 2) : n;
    }, 0);
    const ifd = Buffer.alloc(ifdSize + extraSize);
    const ifdOffset = offset;
    prevNextPtr.buf.writeUInt32LE(ifdOffset, prevNextPtr.at);
    ifd.writeUInt16LE(entries.length, 0);
    let extra = ifdSize;
    entries.forEach((e, k) => {
      const at = 2 + k * 12;
      const count = typeof e.values === 'string' ? e.values.length + 1 : e.type === Type.RATIONAL ? e.values.length / 2 : e.values.length;
      ifd.writeUInt16LE(e.tag, at);
      ifd.writeUInt16LE(e.type, at + 2);
      ifd.writeUInt32LE(count, at + 4);
      const size = entrySize(e);
      if (size <= 4) writeValues(ifd, at + 8, e);
      else {
        ifd.writeUInt32LE(ifdOffset + extra, at + 8);
        writeValues(ifd, extra, e);
        extra += size + (size % 2);
      }
    });
    prevNextPtr = { buf: ifd, at: ifdSize - 4 };
    parts.push(ifd);
    offset += ifd.length;
  });
  return Buffer.concat(parts);
}

export interface TiffFaxPage extends FaxPage {
  /** TIFF compression of the strip data: 3 = T.4. */
  compression: number;
}

function tagNum(ifd: IFD, tag: number, dflt?: number): number {
  const v = ifd[`t${tag}`];
  if (v === undefined || v.length === 0) {
    if (dflt === undefined) throw new Error(`TIFF page lacks tag ${tag}`);
    return dflt;
  }
  return Number(v[0]);
}

/**
 * Reads a TIFF-F file: one FaxPage per IFD with the strips joined, in the file's own FillOrder.
 * Only T.4 (Compression=3) pages can be sent by a Class 2/2.0 modem without ECM; others are refused.
 */
export function readTiffF(buf: Uint8Array): TiffFaxPage[] {
  if (buf.length < 8) throw new Error('not a TIFF file (too short)');
  const magic = Buffer.from(buf.subarray(0, 4)).toString('latin1');
  if (magic !== 'II*\u0000' && magic !== 'MM\u0000*') throw new Error('not a TIFF file (bad header)');
  const ifds = UTIF.decode(buf).filter((d) => d.t256 !== undefined);
  if (ifds.length === 0) throw new Error('TIFF file has no image');
  return ifds.map((ifd, i) => {
    const compression = tagNum(ifd, 259, 1);
    if (compression !== 3) throw new Error(`TIFF page ${i + 1} uses compression ${compression}; only T.4 (3) can be faxed`);
    if (tagNum(ifd, 258, 1) !== 1) throw new Error(`TIFF page ${i + 1} is not bilevel`);
    const offsets = (ifd.t273 ?? []).map(Number);
    const counts = (ifd.t279 ?? []).map(Number);
    if (offsets.length === 0 || offsets.length !== counts.length) throw new Error(`TIFF page ${i + 1} has no strips`);
    const data = Buffer.concat(offsets.map((o, k) => Buffer.from(buf.subarray(o, o + counts[k]!))));
    const yres = ifd.t283 ? Number(ifd.t283[0]) : 98;
    const unit = tagNum(ifd, 296, 2);
    const lpi = unit === 3 ? yres * 2.54 : yres;
    const t4 = tagNum(ifd, 292, 0);
    return {
      data,
      compression,
      fillOrder: tagNum(ifd, 266, 1) === 2 ? 2 : 1,
      width: tagNum(ifd, 256),
      rows: tagNum(ifd, 257),
      yResolution: lpi > 150 ? 196 : 98,
      twoD: (t4 & 1) === 1,
      eolAligned: (t4 & 4) === 4,
    } satisfies TiffFaxPage;
  });
}

/** Page data in the bit order the modem expects on the wire (+FBO=0: LSB first, FillOrder 2). */
export function pageForWire(page: FaxPage, wireFillOrder: FillOrder = 2): Buffer {
  return toFillOrder(page.data, page.fillOrder, wireFillOrder);
}
