/**
 * Bit access in HID reports. HID packs fields least-significant bit first: bit n of a report payload is
 * bit (n mod 8) of byte floor(n / 8), and a multi-bit value continues into the next byte's low bits.
 */

/** Where a value sits in a report payload (after the report ID byte). */
export interface BitLocation {
  reportId: number;
  bitOffset: number;
  bitSize: number;
  /** Two's complement (the field's Logical Minimum is negative). */
  signed: boolean;
}

/** Reads `size` bits (1..32) at `offset`; undefined when the payload is too short. */
export function readBits(payload: Uint8Array, offset: number, size: number, signed = false): number | undefined {
  if (size < 1 || size > 32) throw new RangeError(`cannot read a ${size}-bit value`);
  if (offset + size > payload.length * 8) return undefined;
  let value = 0;
  for (let i = size - 1; i >= 0; i--) {
    const bit = offset + i;
    value = value * 2 + (((payload[bit >> 3] as number) >> (bit & 7)) & 1);
  }
  if (signed && value >= 2 ** (size - 1)) value -= 2 ** size;
  return value;
}

/** Writes the low `size` bits (1..32) of `value` (two's complement for negatives) at `offset`. */
export function writeBits(payload: Uint8Array, offset: number, size: number, value: number): void {
  if (size < 1 || size > 32) throw new RangeError(`cannot write a ${size}-bit value`);
  if (offset + size > payload.length * 8) throw new RangeError(`bits ${offset}..${offset + size - 1} lie outside a ${payload.length}-byte report`);
  let v = value < 0 ? value + 2 ** size : value;
  for (let i = 0; i < size; i++) {
    const bit = offset + i;
    const mask = 1 << (bit & 7);
    const idx = bit >> 3;
    if (v % 2 === 1) payload[idx] = (payload[idx] as number) | mask;
    else payload[idx] = (payload[idx] as number) & ~mask;
    v = Math.floor(v / 2);
  }
}
