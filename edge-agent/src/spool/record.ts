/**
 * On-disk record framing of spool segments: u32 BE length | u32 BE crc32 | body, where
 * body = u16 BE header length | header JSON | payload bytes. A torn write at the tail of a segment
 * (crash while appending) fails the length or crc check and is cut off on recovery.
 */
import { crc32 } from 'node:zlib';

export interface RecordHeader {
  seq: number;
  cls: SpoolClass;
  topic: string;
  qos: 0 | 1;
  retain: boolean;
  ts: number;
  /** Coalescing key: a newer record with the same key supersedes older undelivered ones. */
  key?: string;
}

/** telemetry: droppable; state: latest wins (inventory); critical: events, command results. */
export type SpoolClass = 'telemetry' | 'state' | 'critical';

export function encodeRecord(header: RecordHeader, payload: Uint8Array): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const body = Buffer.alloc(2 + h.length + payload.length);
  body.writeUInt16BE(h.length, 0);
  h.copy(body, 2);
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).copy(body, 2 + h.length);
  const frame = Buffer.alloc(8);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(crc32(body), 4);
  return Buffer.concat([frame, body]);
}

export interface DecodedRecord {
  header: RecordHeader;
  payload: Buffer;
  /** Bytes the record takes in the segment. */
  length: number;
}

/** Reads the records of a segment; stops at the first torn or corrupt one (`validBytes` says where). */
export function decodeRecords(buf: Buffer): { records: DecodedRecord[]; validBytes: number } {
  const records: DecodedRecord[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const crc = buf.readUInt32BE(off + 4);
    if (off + 8 + len > buf.length || len < 2) break;
    const body = buf.subarray(off + 8, off + 8 + len);
    if (crc32(body) !== crc) break;
    const hl = body.readUInt16BE(0);
    if (2 + hl > body.length) break;
    let header: RecordHeader;
    try {
      header = JSON.parse(body.subarray(2, 2 + hl).toString('utf8')) as RecordHeader;
    } catch {
      break;
    }
    records.push({ header, payload: Buffer.from(body.subarray(2 + hl)), length: 8 + len });
    off += 8 + len;
  }
  return { records, validBytes: off };
}
