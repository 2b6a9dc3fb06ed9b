/** Page previews of a received fax: one PNG per page that could be decoded. */
import { decodeFax, verticalScale, type FaxPageInfo } from './fax-tiff.js';
import { pagePng } from './page-png.js';

export interface PagePreview {
  /** 1-based page number. */
  page: number;
  width: number;
  height: number;
  /** Rows of the page in the TIFF (before scaling). */
  sourceRows: number;
  scale: 0.5 | 1 | 2;
  png: Buffer;
}

export interface FaxPreviews {
  pages: FaxPageInfo[];
  previews: PagePreview[];
  /** Pages that could not be shown, and why. */
  problems: string[];
}

/** Throws FaxTiffError when the file cannot be read at all. */
export function renderPreviews(tiff: Uint8Array): FaxPreviews {
  const decoded = decodeFax(tiff);
  const previews: PagePreview[] = [];
  decoded.bitmaps.forEach((bitmap, i) => {
    if (!bitmap) return;
    const info = decoded.pages[i]!;
    const scale = verticalScale(info);
    const { png, width, height } = pagePng(bitmap, scale);
    previews.push({ page: info.page, width, height, sourceRows: info.rows, scale, png });
  });
  return { pages: decoded.pages, previews, problems: decoded.problems };
}
