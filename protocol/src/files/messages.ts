/**
 * File transfer messages. The sender publishes offer / chunk / commit / abort; the receiver answers
 * with ack / resume / done / abort on the topic of the other direction (files/up <-> files/down).
 *
 * Chunks travel as a binary frame (no base64): "OKC1" | u32 BE header length | JSON header | data.
 * All other file messages are JSON. Every one carries the common envelope (id, v, ts, sender).
 */
import { z } from 'zod';
import { TransferId } from '../ids.js';
import { envelopeShape } from '../schemas/envelope.js';
import { checkCompatible } from '../version.js';
import { ProtocolMessageError } from '../errors.js';

const Sha = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lower-case hex digits');
const Index = z.number().int().nonnegative();

export const FileOffer = z.object({
  ...envelopeShape,
  type: z.literal('offer'),
  transferId: TransferId,
  name: z.string().min(1).max(255),
  contentType: z.string().min(1).max(128),
  size: z.number().int().nonnegative(),
  sha256: Sha,
  chunkSize: z.number().int().min(1).max(16 * 1024 * 1024),
  chunkCount: z.number().int().nonnegative(),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type FileOffer = z.infer<typeof FileOffer>;

export const ChunkHeader = z.object({
  ...envelopeShape,
  type: z.literal('chunk'),
  transferId: TransferId,
  index: Index,
  offset: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  /** sha256 of this chunk's bytes. */
  sha256: Sha,
  /** sha256 of the whole file (must match the offer). */
  fileSha256: Sha,
});
export type ChunkHeader = z.infer<typeof ChunkHeader>;
export type FileChunk = ChunkHeader & { data: Uint8Array };

export const FileCommit = z.object({
  ...envelopeShape,
  type: z.literal('commit'),
  transferId: TransferId,
  chunkCount: z.number().int().nonnegative(),
  sha256: Sha,
});
export type FileCommit = z.infer<typeof FileCommit>;

export const FileAbort = z.object({ ...envelopeShape, type: z.literal('abort'), transferId: TransferId, reason: z.string() });
export type FileAbort = z.infer<typeof FileAbort>;

/** Cumulative acknowledgement: every chunk below `next` is stored. */
export const FileAck = z.object({ ...envelopeShape, type: z.literal('ack'), transferId: TransferId, next: Index, received: Index });
export type FileAck = z.infer<typeof FileAck>;

/** Please (re)send from chunk `from` on. */
export const FileResume = z.object({
  ...envelopeShape,
  type: z.literal('resume'),
  transferId: TransferId,
  from: Index,
  reason: z.enum(['gap', 'checksum', 'file-hash', 'unknown-transfer']),
});
export type FileResume = z.infer<typeof FileResume>;

/** Final answer: ok when the whole-file sha256 matched and the file is stored. */
export const FileDone = z.object({
  ...envelopeShape,
  type: z.literal('done'),
  transferId: TransferId,
  ok: z.boolean(),
  sha256: Sha.optional(),
  reason: z.string().optional(),
});
export type FileDone = z.infer<typeof FileDone>;

export type SenderMessage = FileOffer | FileChunk | FileCommit | FileAbort;
export type ReceiverMessage = FileAck | FileResume | FileDone | FileAbort;
export type FileMessage = SenderMessage | ReceiverMessage;

const JsonFileMessage = z.discriminatedUnion('type', [FileOffer, FileCommit, FileAbort, FileAck, FileResume, FileDone]);

const MAGIC = [0x4f, 0x4b, 0x43, 0x31]; // "OKC1"
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Serializes a file message: chunks as a binary frame, everything else as JSON. */
export function encodeFileMessage(msg: FileMessage): Uint8Array {
  if (msg.type === 'chunk') {
    const { data, ...header } = msg;
    const h = enc.encode(JSON.stringify(ChunkHeader.parse(header)));
    const out = new Uint8Array(8 + h.length + data.length);
    out.set(MAGIC, 0);
    new DataView(out.buffer).setUint32(4, h.length);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  }
  return enc.encode(JSON.stringify(JsonFileMessage.parse(msg)));
}

function isChunkFrame(b: Uint8Array): boolean {
  return b.length >= 8 && MAGIC.every((m, i) => b[i] === m);
}

function parseChecked<T>(schema: z.ZodType<T>, value: unknown): T {
  const v = (value as { v?: unknown } | null)?.v;
  if (typeof v !== 'string') throw new ProtocolMessageError('files', 'file message has no protocol version field "v"');
  checkCompatible(v);
  const r = schema.safeParse(value);
  if (!r.success) throw new ProtocolMessageError('files', `invalid file message:\n${z.prettifyError(r.error)}`, r.error.issues);
  return r.data;
}

/** Parses a payload from a files/up or files/down topic. Throws on bad or incompatible messages. */
export function decodeFileMessage(payload: Uint8Array): FileMessage {
  try {
    if (isChunkFrame(payload)) {
      const len = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(4);
      if (8 + len > payload.length) throw new ProtocolMessageError('files', 'chunk frame header is longer than the payload');
      const header = parseChecked(ChunkHeader, JSON.parse(dec.decode(payload.subarray(8, 8 + len))));
      return { ...header, data: payload.slice(8 + len) };
    }
    return parseChecked(JsonFileMessage, JSON.parse(dec.decode(payload)));
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof TypeError) throw new ProtocolMessageError('files', `file message is not valid: ${err.message}`);
    throw err;
  }
}
