/**
 * Bit order of fax data. On the phone line the first bit of each byte is its LSB when the modem runs
 * "direct" (+FBO=0, Class 1, Class 2.0): that is TIFF FillOrder 2 (LSB2MSB). Rockwell Class 2 modems
 * deliver received data MSB-first (FillOrder 1) even with +FBOR=0 (reference 1.6).
 */
export type FillOrder = 1 | 2;

const REVERSED = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >> b;
  REVERSED[i] = r;
}

/** A copy of `data` with the bits of every byte reversed. */
export function reverseBits(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = REVERSED[data[i]!]!;
  return out;
}

/** Converts bytes from one FillOrder to another (a copy either way). */
export function toFillOrder(data: Uint8Array, from: FillOrder, to: FillOrder): Buffer {
  return from === to ? Buffer.from(data) : reverseBits(data);
}
