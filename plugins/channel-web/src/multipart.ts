/**
 * Reads a multipart/form-data body (the appeal form with its files) with busboy. Files go to a
 * temporary folder first, so nothing reaches the attachment store before the whole form has been
 * read and checked; limits stop the read at the first file or total over the limit.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';

export interface FormLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Bytes of one text field. */
  maxFieldBytes: number;
  maxFields: number;
}

export interface TempFile {
  field: string;
  filename: string;
  mime: string;
  size: number;
  path: string;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: TempFile[];
  /** Text fields cut at maxFieldBytes (reported as too long). */
  truncated: string[];
}

export type FormLimitKind = 'fileSize' | 'totalSize' | 'files' | 'fields' | 'malformed';

export class FormLimitError extends Error {
  constructor(readonly kind: FormLimitKind, message: string, readonly filename: string | null = null) {
    super(message);
    this.name = 'FormLimitError';
  }
}

class Meter extends Transform {
  size = 0;
  constructor(private readonly fileLimit: number, private readonly total: { used: number; limit: number }, private readonly filename: string) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    this.total.used += chunk.length;
    if (this.size > this.fileLimit) return cb(new FormLimitError('fileSize', `file "${this.filename}" is larger than ${this.fileLimit} bytes`, this.filename));
    if (this.total.used > this.total.limit) return cb(new FormLimitError('totalSize', `the files together are larger than ${this.total.limit} bytes`, this.filename));
    cb(null, chunk);
  }
}

export function isMultipart(contentType: string | null | undefined): boolean {
  return /^multipart\/form-data\s*;.*boundary=/i.test(contentType ?? '');
}

/**
 * Parses `body` into fields and files stored under `dir`. On a limit or a malformed body it rejects
 * with FormLimitError and leaves the rest of the body to be discarded (the caller answers at once).
 */
export function parseMultipart(body: Readable, contentType: string, limits: FormLimits, dir: string): Promise<ParsedForm> {
  return new Promise<ParsedForm>((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: TempFile[] = [];
    const truncated: string[] = [];
    const writes: Promise<void>[] = [];
    const total = { used: 0, limit: limits.maxTotalBytes };
    let failed = false;
    let busboy: InstanceType<typeof Busboy>;

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      body.unpipe(busboy);
      // Read and drop the rest, so the answer reaches a client that is still sending.
      body.resume();
      reject(err instanceof FormLimitError ? err : new FormLimitError('malformed', `the form could not be read: ${(err as Error)?.message ?? err}`));
    };

    try {
      busboy = new Busboy({
        headers: { 'content-type': contentType },
        // One file more than allowed is let through to be noticed (busboy would drop it silently).
        limits: { files: limits.maxFiles + 1, fileSize: limits.maxFileBytes + 1, fields: limits.maxFields, fieldSize: limits.maxFieldBytes, parts: limits.maxFields + limits.maxFiles + 2, headerPairs: 20 },
      });
    } catch (err) {
      fail(err);
      return;
    }

    busboy.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (failed) return;
      if (valueTruncated) truncated.push(name);
      fields[name] = value;
    });
    busboy.on('file', (field: string, stream: BusboyFileStream, filename: string, _enc: string, mime: string) => {
      if (failed) {
        stream.resume();
        return;
      }
      // A file input left empty still sends a part with no name and no content.
      if (!filename) {
        stream.resume();
        return;
      }
      if (files.length >= limits.maxFiles) {
        stream.resume();
        fail(new FormLimitError('files', `at most ${limits.maxFiles} files`));
        return;
      }
      const path = join(dir, `f${files.length}`);
      const entry: TempFile = { field, filename, mime: (mime || 'application/octet-stream').toLowerCase(), size: 0, path };
      files.push(entry);
      const meter = new Meter(limits.maxFileBytes, total, filename);
      writes.push(pipeline(stream, meter, createWriteStream(path)).then(() => {
        entry.size = meter.size;
      }, (err) => {
        stream.resume();
        fail(err);
      }));
    });
    busboy.on('filesLimit', () => fail(new FormLimitError('files', `at most ${limits.maxFiles} files`)));
    busboy.on('fieldsLimit', () => fail(new FormLimitError('fields', `at most ${limits.maxFields} fields`)));
    busboy.on('partsLimit', () => fail(new FormLimitError('fields', 'too many parts in the form')));
    busboy.on('error', (err: unknown) => fail(err));
    busboy.on('finish', () => {
      void Promise.all(writes).then(() => {
        if (!failed) resolve({ fields, files, truncated });
      });
    });
    // A client that goes away mid-upload: the request ends without its end.
    let ended = false;
    body.on('end', () => (ended = true));
    body.on('close', () => {
      if (!ended) fail(new FormLimitError('malformed', 'the upload was interrupted'));
    });
    body.on('error', (err) => fail(err));
    body.pipe(busboy);
  });
}
