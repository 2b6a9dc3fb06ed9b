/**
 * Reading fax TIFF files (TIFF Class F, RFC 2306) with utif: what pages they hold, whether they can
 * be sent as a fax, and their pixels. Pure and synchronous; the channel runs it in a worker thread
 * (worker-client.ts), because the file comes from outside: a remote fax machine chose its T.4 data.
 */
import UTIF, { type IFD } from 'utif';

/** Page widths a fax machine sends: A4 (1728 pixels), B4 (2048), A3 (2432). */
export const FAX_WIDTHS = [1728, 2048, 2432] as const;
/** Limits against corrupt files that claim absurd sizes (a fax page is at most ~4,600 rows at 391 lpi). */
export const MAX_PAGE_WIDTH = 10_000;
export const MAX_PAGE_ROWS = 20_000;
export const MAX_PAGES = 500;

export interface FaxPageInfo {
  /** 1-based. */
  page: number;
  width: number;
  rows: number;
  /** TIFF Compression: 1 none, 2 modified Huffman (RLE), 3 T.4 (G3), 4 T.6 (G4). */
  compression: number;
  bitsPerSample: number;
  /** T.4 with two-dimensional (MR) coding (T4Options bit 0). */
  twoD: boolean;
  /** Horizontal resolution in dots per inch (204 for fax), null when the file does not say. */
  xDpi: number | null;
  /** Vertical resolution in lines per inch: 98 (normal), 196 (fine), 391 (superfine); null when unknown. */
  yLpi: number | null;
}

export class FaxTiffError extends Error {
  override name = 'FaxTiffError';
}

function first(ifd: IFD, tag: number): number | undefined {
  const v = ifd[`t${tag}`];
  if (v === undefined || v.length === 0) return undefined;
  const n = Number(v[0]);
  return Number.isFinite(n) ? n : undefined;
}

/** A resolution tag in per-inch units (ResolutionUnit 3 = centimetre). */
function perInch(ifd: IFD, tag: number): number | null {
  const v = first(ifd, tag);
  if (v === undefined || v <= 0) return null;
  return Math.round((first(ifd, 296) === 3 ? v * 2.54 : v) * 10) / 10;
}

function pageInfo(ifd: IFD, page: number): FaxPageInfo {
  const width = first(ifd, 256);
  const rows = first(ifd, 257);
  if (!width || !rows) throw new FaxTiffError(`page ${page} has no width or height`);
  if (width > MAX_PAGE_WIDTH || rows > MAX_PAGE_ROWS) throw new FaxTiffError(`page ${page} claims ${width} x ${rows} pixels, more than a fax page can have`);
  return {
    page,
    width,
    rows,
    compression: first(ifd, 259) ?? 1,
    bitsPerSample: first(ifd, 258) ?? 1,
    twoD: ((first(ifd, 292) ?? 0) & 1) === 1,
    xDpi: perInch(ifd, 282),
    yLpi: perInch(ifd, 283),
  };
}

/**
 * Walks the chain of page directories before utif does: utif follows it without bounds checks, so a
 * truncated file or a loop in the chain would make it read forever.
 */
function checkDirectoryChain(buf: Uint8Array): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = buf[0] === 0x49;
  const seen = new Set<number>();
  let at = view.getUint32(4, le);
  if (at === 0) throw new FaxTiffError('the TIFF file has no page');
  while (at !== 0) {
    if (seen.has(at)) throw new FaxTiffError('the TIFF page directories form a loop');
    if (seen.size >= MAX_PAGES) throw new FaxTiffError(`the TIFF file has more than ${MAX_PAGES} pages`);
    if (at < 8 || at + 2 > buf.length) throw new FaxTiffError('the TIFF file is truncated (a page directory lies beyond its end)');
    seen.add(at);
    const entries = view.getUint16(at, le);
    const next = at + 2 + entries * 12;
    if (next + 4 > buf.length) throw new FaxTiffError('the TIFF file is truncated (a page directory is cut off)');
    at = view.getUint32(next, le);
  }
}

function parse(buf: Uint8Array): { ifds: IFD[]; pages: FaxPageInfo[] } {
  if (buf.length < 8) throw new FaxTiffError('not a TIFF file (too short)');
  const magic = Buffer.from(buf.subarray(0, 4)).toString('latin1');
  if (magic !== 'II*\u0000' && magic !== 'MM\u0000*') throw new FaxTiffError('not a TIFF file (bad header)');
  checkDirectoryChain(buf);
  let ifds: IFD[];
  try {
    ifds = UTIF.decode(buf).filter((d) => d.t256 !== undefined);
  } catch (err) {
    throw new FaxTiffError(`the TIFF structure is damaged (${(err as Error).message})`);
  }
  if (!ifds.length) throw new FaxTiffError('the TIFF file has no page');
  if (ifds.length > MAX_PAGES) throw new FaxTiffError(`the TIFF file claims ${ifds.length} pages`);
  return { ifds, pages: ifds.map((ifd, i) => pageInfo(ifd, i + 1)) };
}

/** The pages of a TIFF file; throws FaxTiffError when it cannot be read. */
export function inspectTiff(buf: Uint8Array): FaxPageInfo[] {
  return parse(buf).pages;
}

const near = (v: number | null, target: number) => v !== null && Math.abs(v - target) <= target * 0.05;

/**
 * Why these pages cannot be sent by the edge agent's Class 2/2.0 modems as they are (empty: they
 * can): every page T.4 coded, bilevel, 1728/2048/2432 pixels wide, 204 x 98 or 204 x 196 dpi.
 */
export function sendProblems(pages: FaxPageInfo[]): string[] {
  const p: string[] = [];
  for (const pg of pages) {
    if (pg.compression !== 3) p.push(`page ${pg.page} is not T.4 coded (TIFF compression ${pg.compression})`);
    if (pg.bitsPerSample !== 1) p.push(`page ${pg.page} is not black and white (${pg.bitsPerSample} bits per pixel)`);
    if (!(FAX_WIDTHS as readonly number[]).includes(pg.width)) p.push(`page ${pg.page} is ${pg.width} pixels wide (a fax page is ${FAX_WIDTHS.join(', ')})`);
    if (!(near(pg.xDpi, 204) || near(pg.xDpi, 200))) p.push(`page ${pg.page} has a horizontal resolution of ${pg.xDpi ?? 'unknown'} dpi (fax: 204)`);
    if (!(near(pg.yLpi, 98) || near(pg.yLpi, 196))) p.push(`page ${pg.page} has a vertical resolution of ${pg.yLpi ?? 'unknown'} lpi (fax: 98 or 196)`);
  }
  return p;
}

/**
 * How much a page is stretched vertically to look right on a screen with square pixels: a fax pixel
 * at 204 x 98 dpi is twice as tall as wide (x2), at 204 x 196 square (x1), at 204 x 391 half as tall
 * (two rows are merged).
 */
export function verticalScale(pg: Pick<FaxPageInfo, 'xDpi' | 'yLpi'>): 0.5 | 1 | 2 {
  if (!pg.xDpi || !pg.yLpi) return 1;
  const ratio = pg.xDpi / pg.yLpi;
  return ratio > 1.5 ? 2 : ratio < 0.75 ? 0.5 : 1;
}

export interface PageBitmap {
  width: number;
  rows: number;
  /** One byte per pixel: 1 black, 0 white. */
  black: Uint8Array;
}

/** Decodes one page to pixels. */
function decodePage(buf: Uint8Array, ifd: IFD, ifds: IFD[], info: FaxPageInfo): PageBitmap {
  if (info.bitsPerSample !== 1) throw new FaxTiffError(`page ${info.page} is not black and white`);
  if (![1, 2, 3, 4].includes(info.compression)) throw new FaxTiffError(`page ${info.page} uses TIFF compression ${info.compression}, not a fax coding`);
  const offsets = (ifd.t273 ?? []) as number[];
  const counts = (ifd.t279 ?? []) as number[];
  if (!offsets.length) throw new FaxTiffError(`page ${info.page} has no image data`);
  if (info.compression !== 1 && offsets.some((o, k) => !(counts[k]! > 0) || o + counts[k]! > buf.length)) {
    throw new FaxTiffError(`page ${info.page} is truncated (its data lies beyond the end of the file)`);
  }
  // utif guesses 1D/2D T.4 from the bit after the first EOL, which in MH data is already a run code.
  UTIF.decode._decodeG3.allow2D = info.compression === 3 && !info.twoD ? false : null;
  try {
    UTIF.decodeImage(buf, ifd, ifds);
  } catch (err) {
    throw new FaxTiffError(`page ${info.page} could not be decoded (${(err as Error).message})`);
  }
  const packed = ifd.data;
  if (!packed?.length) throw new FaxTiffError(`page ${info.page} has no image data`);
  // The CCITT decoders write 1 for black; uncompressed data follows PhotometricInterpretation.
  const blackIsOne = info.compression !== 1 || first(ifd, 262) !== 1;
  // utif applies FillOrder only to CCITT data; uncompressed LSB-first bytes are read here.
  const lsbFirst = info.compression === 1 && first(ifd, 266) === 2;
  const stride = Math.ceil(info.width / 8);
  const black = new Uint8Array(info.width * info.rows);
  for (let y = 0; y < info.rows; y++) {
    for (let x = 0; x < info.width; x++) {
      const byte = packed[y * stride + (x >> 3)] ?? 0;
      const bit = (byte >> (lsbFirst ? x & 7 : 7 - (x & 7))) & 1;
      black[y * info.width + x] = bit === (blackIsOne ? 1 : 0) ? 1 : 0;
    }
  }
  return { width: info.width, rows: info.rows, black };
}

export interface DecodedFax {
  pages: FaxPageInfo[];
  /** Decoded pages in order; a page that failed is null, with its reason in `problems`. */
  bitmaps: (PageBitmap | null)[];
  problems: string[];
}

/** Decodes every page it can; throws FaxTiffError when the file itself cannot be read. */
export function decodeFax(buf: Uint8Array): DecodedFax {
  const { ifds, pages } = parse(buf);
  const problems: string[] = [];
  const bitmaps = pages.map((info, i) => {
    try {
      return decodePage(buf, ifds[i]!, ifds, info);
    } catch (err) {
      problems.push((err as Error).message);
      return null;
    }
  });
  return { pages, bitmaps, problems };
}
