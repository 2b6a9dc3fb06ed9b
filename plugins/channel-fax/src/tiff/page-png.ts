/**
 * A fax page as a PNG a browser can show: black and white pixels as 8-bit grey (pngjs writes no 1-bit
 * PNGs; deflate shrinks the flat areas of a page as well), stretched or squeezed vertically so the
 * page has its real proportions (see verticalScale).
 */
import { PNG } from 'pngjs';
import type { PageBitmap } from './fax-tiff.js';

export interface PagePng {
  png: Buffer;
  width: number;
  height: number;
}

/** Grey pixels (0 black, 255 white) of the page with rows repeated (x2) or merged pairwise (x0.5; black wins). */
export function scaledGrey(page: PageBitmap, scale: 0.5 | 1 | 2): { grey: Buffer; height: number } {
  const { width, rows, black } = page;
  const height = scale === 2 ? rows * 2 : scale === 0.5 ? Math.ceil(rows / 2) : rows;
  const grey = Buffer.alloc(width * height, 255);
  for (let y = 0; y < height; y++) {
    const src = scale === 2 ? y >> 1 : scale === 0.5 ? y * 2 : y;
    const alsoSrc = scale === 0.5 && src + 1 < rows ? src + 1 : src;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      if (black[src * width + x] || black[alsoSrc * width + x]) grey[out + x] = 0;
    }
  }
  return { grey, height };
}

export function pagePng(page: PageBitmap, scale: 0.5 | 1 | 2): PagePng {
  const { grey, height } = scaledGrey(page, scale);
  // pngjs packs any object with width, height and data (PNG.sync.write's PNG type asks for more).
  const image = { width: page.width, height, data: grey, gamma: 0 } as unknown as PNG;
  const png = PNG.sync.write(image, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, filterType: 0 });
  return { png, width: page.width, height };
}
