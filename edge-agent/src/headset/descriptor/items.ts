/**
 * HID report descriptor tokenizer: raw bytes -> items (HID 1.11 §6.2.2.2 short items, §6.2.2.3 long items).
 *
 * A short item is one prefix byte (bSize in bits 0-1 where 3 means 4 bytes, bType in bits 2-3, bTag in bits
 * 4-7) followed by 0, 1, 2 or 4 data bytes, little-endian. A long item starts with 0xFE, then bDataSize and
 * bLongItemTag, then that many data bytes; no usage is defined for long items, so the parser skips them.
 */

export class DescriptorError extends Error {
  /** Byte offset in the descriptor where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`HID report descriptor: ${message} (at byte ${offset})`);
    this.name = 'DescriptorError';
    this.offset = offset;
  }
}

export type ItemType = 'main' | 'global' | 'local' | 'reserved' | 'long';

export interface Item {
  /** Offset of the prefix byte. */
  offset: number;
  type: ItemType;
  /** bTag (long items: bLongItemTag). */
  tag: number;
  /** Number of data bytes. */
  size: number;
  data: Uint8Array;
  /** Data as an unsigned little-endian integer (0 for long items). */
  unsigned: number;
  /** Data as a two's-complement little-endian integer of `size` bytes (0 for long items). */
  signed: number;
}

const TYPES: ItemType[] = ['main', 'global', 'local', 'reserved'];
const LONG_ITEM_PREFIX = 0xfe;

function littleEndian(data: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  for (let i = data.length - 1; i >= 0; i--) unsigned = unsigned * 256 + (data[i] ?? 0);
  const bits = data.length * 8;
  const signed = bits > 0 && unsigned >= 2 ** (bits - 1) ? unsigned - 2 ** bits : unsigned;
  return { unsigned, signed };
}

/** Splits a descriptor into items; throws DescriptorError on an empty or truncated descriptor. */
export function tokenize(bytes: Uint8Array): Item[] {
  if (bytes.length === 0) throw new DescriptorError('the descriptor is empty', 0);
  const items: Item[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const prefix = bytes[pos] as number;
    if (prefix === LONG_ITEM_PREFIX) {
      if (pos + 3 > bytes.length) {
        throw new DescriptorError(`truncated long item header: needs 3 bytes, ${bytes.length - pos} left`, pos);
      }
      const size = bytes[pos + 1] as number;
      const tag = bytes[pos + 2] as number;
      if (pos + 3 + size > bytes.length) {
        throw new DescriptorError(`truncated long item: needs ${size} data bytes, ${bytes.length - pos - 3} left`, pos);
      }
      items.push({ offset: pos, type: 'long', tag, size, data: bytes.slice(pos + 3, pos + 3 + size), unsigned: 0, signed: 0 });
      pos += 3 + size;
      continue;
    }
    const sizeCode = prefix & 0x03;
    const size = sizeCode === 3 ? 4 : sizeCode;
    const type = TYPES[(prefix >> 2) & 0x03] as ItemType;
    const tag = prefix >> 4;
    if (pos + 1 + size > bytes.length) {
      throw new DescriptorError(
        `truncated item 0x${prefix.toString(16).padStart(2, '0')}: needs ${size} data bytes, ${bytes.length - pos - 1} left`,
        pos,
      );
    }
    const data = bytes.slice(pos + 1, pos + 1 + size);
    items.push({ offset: pos, type, tag, size, data, ...littleEndian(data) });
    pos += 1 + size;
  }
  return items;
}

/** Parses "05 0B 09 05 ..." (spaces, commas, newlines and 0x prefixes allowed) into bytes. */
export function hexToBytes(text: string): Uint8Array {
  const tokens = text
    .replace(/0x/gi, '')
    .split(/[\s,]+/)
    .filter((s) => s.length > 0);
  return Uint8Array.from(
    tokens.map((tok) => {
      if (!/^[0-9a-f]{1,2}$/i.test(tok)) throw new Error(`not a hex byte: "${tok}"`);
      return parseInt(tok, 16);
    }),
  );
}
