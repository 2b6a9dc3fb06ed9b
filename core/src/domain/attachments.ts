/**
 * Attachments stored by content hash on disk (`<dir>/ab/abcdef…`), metadata in the database. A file
 * is written to a temporary name while its hash is computed and its size checked, synced to disk,
 * then renamed into place, so a half-written or oversized upload never appears as stored. The same
 * content is kept once however many times it arrives.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../persistence/database.js';
import { Attachment } from '../persistence/entities/index.js';
import { invalid, notFound, tooLarge } from './errors.js';

export interface AttachmentLimits {
  maxBytes: number;
  /** Allowed MIME types (prefix match, e.g. "image/"); empty = any. */
  allowedTypes?: string[];
}

export class SizeLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than ${limit} bytes`);
  }
}

class Meter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) return cb(new SizeLimitError(this.limit));
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

export function safeFilename(name: string | undefined | null): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const base = (name ?? '').replace(/^.*[\\/]/, '').replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').trim();
  return (base || 'attachment').slice(0, 200);
}

export class AttachmentStore {
  constructor(private readonly db: Database, readonly dir: string, readonly limits: AttachmentLimits) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  checkType(mime: string): void {
    const allowed = this.limits.allowedTypes ?? [];
    if (allowed.length && !allowed.some((t) => mime.toLowerCase().startsWith(t))) {
      throw invalid(['file', `type ${mime} is not accepted (allowed: ${allowed.join(', ')})`]);
    }
  }

  /** Stores a file from a stream or buffer; rejects it (413) when it exceeds the limit. */
  async put(content: Readable | Buffer, meta: { filename?: string | null; mime?: string | null }, maxBytes = this.limits.maxBytes): Promise<Attachment> {
    const mime = (meta.mime || 'application/octet-stream').toLowerCase().slice(0, 120);
    this.checkType(mime);
    const tmp = join(this.dir, 'tmp', `${Date.now()}-${randomBytes(6).toString('hex')}`);
    const meter = new Meter(maxBytes);
    const out = createWriteStream(tmp);
    const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
    try {
      await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : content, meter, out);
      const fh = await open(tmp, 'r+');
      await fh.sync();
      await fh.close();
    } catch (err) {
      // Wait until the file is really closed, so removing it cannot race with its opening.
      out.destroy();
      await closed;
      await rm(tmp, { force: true });
      // Our own meter, or the HTTP layer's multipart limit (moleculer-web's PayloadTooLarge).
      if (err instanceof SizeLimitError || (err as { code?: number }).code === 413) {
        throw tooLarge(`attachment "${safeFilename(meta.filename)}" is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
      }
      throw err;
    }
    const sha256 = meter.hash.digest('hex');
    const target = this.pathOf(sha256);
    mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    if (existsSync(target)) await rm(tmp, { force: true });
    else await rename(tmp, target);
    return this.db.transaction((em) => em.save(Attachment, em.create(Attachment, { sha256, size: meter.size, mime, filename: safeFilename(meta.filename), createdAt: new Date() })));
  }

  async get(id: number): Promise<Attachment> {
    const a = await this.db.read((em) => em.findOne(Attachment, { where: { id } }));
    if (!a) throw notFound('attachment', id);
    return a;
  }

  /** The stored bytes, checked against the recorded size. */
  async open(id: number): Promise<{ meta: Attachment; stream: Readable }> {
    const meta = await this.get(id);
    const path = this.pathOf(meta.sha256);
    const st = await stat(path).catch(() => null);
    if (!st || st.size !== meta.size) throw notFound('stored file of attachment', id);
    return { meta, stream: createReadStream(path) };
  }

  async read(id: number): Promise<{ meta: Attachment; content: Buffer }> {
    const { meta, stream } = await this.open(id);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return { meta, content: Buffer.concat(chunks) };
  }
}
