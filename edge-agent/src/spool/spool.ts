/**
 * The agent's on-disk spool: everything the agent publishes goes here first (fsync'd) and leaves
 * only after the broker's PUBACK, so nothing is lost across restarts and broker outages.
 *
 * Layout of `dir`:
 *   seg-000001.log ...  append-only segments of framed records (see record.ts)
 *   index.log           append-only journal of removals: "A <seq>" delivered, "D <seq> <reason>" dropped
 *   files/<id>.bin|json fax files waiting for their chunked transfer, with their transfer record
 *
 * Overflow policy (bytes count message payloads plus waiting files):
 *   1. A new `state` record (inventory) drops older undelivered records with the same key.
 *   2. Above the SOFT limits (maxBytes / maxCount) the oldest telemetry is dropped first, until
 *      back under them. A telemetry record that still does not fit is dropped itself.
 *   3. Events, command results, inventory and fax files are never dropped. They are accepted
 *      up to the HARD limits (hardMaxBytes / hardMaxCount); past those, new ones are refused
 *      with a SpoolFullError (the agent reports it as an error event and in telemetry).
 */
import { statSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpoolStats } from '@okno/protocol';
import { decodeRecords, encodeRecord, type RecordHeader, type SpoolClass } from './record.js';

export interface SpoolLimits {
  maxBytes: number;
  maxCount: number;
  hardMaxBytes: number;
  hardMaxCount: number;
  segmentBytes: number;
}

export interface SpoolEntry extends RecordHeader {
  payload: Buffer;
  size: number;
  segment: number;
}

export interface SpoolInput {
  cls: SpoolClass;
  topic: string;
  payload: Uint8Array;
  qos?: 0 | 1;
  retain?: boolean;
  key?: string;
  ts?: number;
}

export interface SpooledFile {
  transferId: string;
  name: string;
  contentType: string;
  size: number;
  meta: Record<string, string | number | boolean>;
  createdAt: number;
}

export class SpoolFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpoolFullError';
  }
}

const SEG_RE = /^seg-(\d{6,})\.log$/;
const segName = (n: number) => `seg-${String(n).padStart(6, '0')}.log`;

export class Spool {
  private readonly entries = new Map<number, SpoolEntry>(); // live, in seq order
  private readonly segLive = new Map<number, number>(); // segment -> live record count
  private readonly inflight = new Set<number>();
  private readonly files = new Map<string, SpooledFile>();
  private bytes = 0;
  private fileBytes = 0;
  private seq = 0;
  private seg = 0;
  private segFd = -1;
  private segSize = 0;
  private indexFd = -1;
  private indexLines = 0;
  private droppedTelemetry = 0;
  private refused = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly limits: SpoolLimits,
  ) {}

  /** Opens (and recovers) the spool in `dir`. */
  static open(dir: string, limits: Partial<SpoolLimits> = {}): Spool {
    const s = new Spool(dir, {
      maxBytes: 64 * 1024 * 1024,
      maxCount: 100_000,
      hardMaxBytes: 256 * 1024 * 1024,
      hardMaxCount: 400_000,
      segmentBytes: 4 * 1024 * 1024,
      ...limits,
    });
    s.recover();
    return s;
  }

  private recover(): void {
    mkdirSync(join(this.dir, 'files'), { recursive: true });
    const scan = scanSpool(this.dir);
    for (const { segment, validBytes } of scan.torn) {
      // a torn tail from a crash during append: cut it off
      const fd = openSync(join(this.dir, segName(segment)), 'r+');
      ftruncateSync(fd, validBytes);
      fsyncSync(fd);
      closeSync(fd);
    }
    for (const e of scan.entries) {
      this.entries.set(e.seq, e);
      this.bytes += e.size;
    }
    for (const [n, live] of scan.segLive) this.segLive.set(n, live);
    this.seq = scan.maxSeq;
    this.seg = scan.lastSegment;
    for (const n of [...this.segLive.keys()]) if (this.segLive.get(n) === 0 && n !== this.seg) this.removeSegment(n);
    for (const f of scan.files) {
      this.files.set(f.transferId, f);
      this.fileBytes += f.size;
    }
    this.rewriteIndex();
    this.openSegment(this.seg || 1);
  }

  /** Reads a spool without changing it (for `okno-edge spool status` while the daemon runs). */
  static inspect(dir: string): { stats: SpoolStats; entries: SpoolEntry[]; files: SpooledFile[] } {
    const scan = scanSpool(dir);
    const first = scan.entries[0];
    return {
      stats: {
        depth: scan.entries.length,
        bytes: scan.entries.reduce((n, e) => n + e.size, 0),
        files: scan.files.length,
        fileBytes: scan.files.reduce((n, f) => n + f.size, 0),
        droppedTelemetry: 0,
        refused: 0,
        ...(first ? { oldestTs: first.ts } : {}),
      },
      entries: scan.entries,
      files: scan.files.sort((a, b) => a.createdAt - b.createdAt),
    };
  }

  private openSegment(n: number): void {
    if (this.segFd >= 0) closeSync(this.segFd);
    this.seg = n;
    this.segFd = openSync(join(this.dir, segName(n)), 'a');
    this.segSize = statSync(join(this.dir, segName(n))).size;
    if (!this.segLive.has(n)) this.segLive.set(n, 0);
  }

  /** Rewrites index.log with only the removals that still matter (records in existing segments). */
  private rewriteIndex(): void {
    if (this.indexFd >= 0) closeSync(this.indexFd);
    const keep: string[] = [];
    for (const n of this.segLive.keys()) {
      const path = join(this.dir, segName(n));
      if (!existsSync(path)) continue;
      for (const r of decodeRecords(readFileSync(path)).records) if (!this.entries.has(r.header.seq)) keep.push(`A ${r.header.seq}`);
    }
    const tmp = join(this.dir, 'index.log.tmp');
    writeFileSync(tmp, keep.length ? keep.join('\n') + '\n' : '');
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, 'index.log'));
    this.indexFd = openSync(join(this.dir, 'index.log'), 'a');
    this.indexLines = keep.length;
  }

  private removeSegment(n: number): void {
    try {
      unlinkSync(join(this.dir, segName(n)));
    } catch {
      // already gone
    }
    this.segLive.delete(n);
  }

  private get count(): number {
    return this.entries.size + this.files.size;
  }
  private get totalBytes(): number {
    return this.bytes + this.fileBytes;
  }

  /** Drops the oldest telemetry until under the soft limits (or none is left). */
  private shedTelemetry(extraBytes: number, extraCount: number): void {
    for (const e of this.entries.values()) {
      if (this.totalBytes + extraBytes <= this.limits.maxBytes && this.count + extraCount <= this.limits.maxCount) return;
      if (e.cls === 'telemetry' && !this.inflight.has(e.seq)) {
        this.remove(e.seq, 'D', 'overflow');
        this.droppedTelemetry++;
      }
    }
  }

  private admit(cls: SpoolClass | 'file', size: number): void {
    this.shedTelemetry(size, 1);
    const overSoft = this.totalBytes + size > this.limits.maxBytes || this.count + 1 > this.limits.maxCount;
    if (cls === 'telemetry' && overSoft) {
      this.droppedTelemetry++;
      throw new SpoolFullError('spool above its soft limit: telemetry dropped');
    }
    if (this.totalBytes + size > this.limits.hardMaxBytes || this.count + 1 > this.limits.hardMaxCount) {
      this.refused++;
      throw new SpoolFullError(
        `spool full: ${this.totalBytes} bytes / ${this.count} items (hard limit ${this.limits.hardMaxBytes} bytes / ${this.limits.hardMaxCount} items); ${cls} refused`,
      );
    }
  }

  /** Appends and fsyncs a message. Throws SpoolFullError per the overflow policy. */
  append(input: SpoolInput): SpoolEntry {
    this.assertOpen();
    const payload = Buffer.from(input.payload.buffer, input.payload.byteOffset, input.payload.byteLength);
    if (input.key) {
      for (const e of this.entries.values()) if (e.key === input.key && !this.inflight.has(e.seq)) this.remove(e.seq, 'D', 'superseded');
    }
    this.admit(input.cls, payload.length);
    const header: RecordHeader = {
      seq: ++this.seq,
      cls: input.cls,
      topic: input.topic,
      qos: input.qos ?? 1,
      retain: input.retain ?? false,
      ts: input.ts ?? Date.now(),
      ...(input.key ? { key: input.key } : {}),
    };
    const rec = encodeRecord(header, payload);
    if (this.segSize > 0 && this.segSize + rec.length > this.limits.segmentBytes) this.openSegment(this.seg + 1);
    writeSync(this.segFd, rec);
    fsyncSync(this.segFd);
    this.segSize += rec.length;
    const entry: SpoolEntry = { ...header, payload: Buffer.from(payload), size: payload.length, segment: this.seg };
    this.entries.set(header.seq, entry);
    this.segLive.set(this.seg, (this.segLive.get(this.seg) ?? 0) + 1);
    this.bytes += payload.length;
    return entry;
  }

  /** Oldest records not in flight, up to `limit`. */
  pending(limit = Infinity): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= limit) break;
      if (!this.inflight.has(e.seq)) out.push(e);
    }
    return out;
  }

  /** Marks a record as published and waiting for PUBACK. */
  markInFlight(seq: number): void {
    if (this.entries.has(seq)) this.inflight.add(seq);
  }
  /** The publish failed or the connection dropped before PUBACK: send it again later. */
  release(seq: number): void {
    this.inflight.delete(seq);
  }
  releaseAll(): void {
    this.inflight.clear();
  }
  get inflightCount(): number {
    return this.inflight.size;
  }

  /** The broker acknowledged the record: remove it for good. */
  ack(seq: number): void {
    this.remove(seq, 'A');
  }

  private remove(seq: number, how: 'A' | 'D', reason = ''): void {
    const e = this.entries.get(seq);
    if (!e) return;
    this.entries.delete(seq);
    this.inflight.delete(seq);
    this.bytes -= e.size;
    writeSync(this.indexFd, `${how} ${seq}${reason ? ' ' + reason : ''}\n`);
    fsyncSync(this.indexFd);
    this.indexLines++;
    const live = (this.segLive.get(e.segment) ?? 1) - 1;
    this.segLive.set(e.segment, live);
    if (live === 0 && e.segment !== this.seg) this.removeSegment(e.segment);
    if (this.indexLines > 10_000 && this.indexLines > 4 * this.entries.size) this.rewriteIndex();
  }

  /** Removes every waiting record (and file), optionally only of one class. Returns how many. */
  purge(cls?: SpoolClass | 'file'): number {
    let n = 0;
    if (cls !== 'file') {
      for (const e of [...this.entries.values()]) {
        if (cls && e.cls !== cls) continue;
        this.remove(e.seq, 'D', 'purged');
        n++;
      }
    }
    if (!cls || cls === 'file') {
      for (const id of [...this.files.keys()]) {
        this.removeFile(id);
        n++;
      }
    }
    if (this.entries.size === 0) {
      // start afresh: a new segment, old ones deleted
      const old = [...this.segLive.keys()];
      this.openSegment(this.seg + 1);
      for (const s of old) if (s !== this.seg) this.removeSegment(s);
      this.rewriteIndex();
    }
    return n;
  }

  private filePath(id: string): string {
    if (!/^[0-9A-Za-z-]+$/.test(id)) throw new Error(`invalid transfer id ${id}`);
    return join(this.dir, 'files', `${id}.bin`);
  }

  /** Stores a file for a later chunked transfer (fsync'd). Throws SpoolFullError at the hard limit. */
  addFile(rec: Omit<SpooledFile, 'size' | 'createdAt'>, data: Uint8Array): SpooledFile {
    this.assertOpen();
    this.admit('file', data.length);
    const full: SpooledFile = { ...rec, size: data.length, createdAt: Date.now() };
    const path = this.filePath(rec.transferId);
    for (const [p, content] of [
      [path, data],
      [path.replace(/\.bin$/, '.json'), JSON.stringify(full)],
    ] as const) {
      const tmp = `${p}.tmp`;
      const fd = openSync(tmp, 'w');
      writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, p);
    }
    this.files.set(rec.transferId, full);
    this.fileBytes += data.length;
    return full;
  }

  listFiles(): SpooledFile[] {
    return [...this.files.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  readFile(id: string): Buffer {
    return readFileSync(this.filePath(id));
  }

  /** The file was delivered (or given up on): forget it. */
  removeFile(id: string): void {
    const f = this.files.get(id);
    if (!f) return;
    this.files.delete(id);
    this.fileBytes -= f.size;
    for (const p of [this.filePath(id), this.filePath(id).replace(/\.bin$/, '.json')]) {
      try {
        unlinkSync(p);
      } catch {
        // gone already
      }
    }
  }

  entriesList(): SpoolEntry[] {
    return [...this.entries.values()];
  }

  stats(): SpoolStats {
    const first = this.entries.values().next();
    return {
      depth: this.entries.size,
      bytes: this.bytes,
      files: this.files.size,
      fileBytes: this.fileBytes,
      droppedTelemetry: this.droppedTelemetry,
      refused: this.refused,
      ...(first.done ? {} : { oldestTs: first.value.ts }),
    };
  }

  /** True while below the soft limits. */
  get belowSoftLimit(): boolean {
    return this.totalBytes < this.limits.maxBytes && this.count < this.limits.maxCount;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.segFd >= 0) closeSync(this.segFd);
    if (this.indexFd >= 0) closeSync(this.indexFd);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('spool is closed');
  }
}

interface SpoolScan {
  entries: SpoolEntry[];
  segLive: Map<number, number>;
  maxSeq: number;
  lastSegment: number;
  torn: { segment: number; validBytes: number }[];
  files: SpooledFile[];
}

/** Reads segments, the removal index and waiting files; changes nothing. */
function scanSpool(dir: string): SpoolScan {
  const scan: SpoolScan = { entries: [], segLive: new Map(), maxSeq: 0, lastSegment: 0, torn: [], files: [] };
  if (!existsSync(dir)) return scan;
  const removed = new Set<number>();
  const indexPath = join(dir, 'index.log');
  if (existsSync(indexPath)) {
    for (const line of readFileSync(indexPath, 'utf8').split('\n')) {
      const m = /^[AD] (\d+)/.exec(line);
      if (m) removed.add(Number(m[1]));
    }
  }
  const segs = readdirSync(dir)
    .map((f) => SEG_RE.exec(f))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  for (const n of segs) {
    const buf = readFileSync(join(dir, segName(n)));
    const { records, validBytes } = decodeRecords(buf);
    if (validBytes < buf.length) scan.torn.push({ segment: n, validBytes });
    let live = 0;
    for (const r of records) {
      scan.maxSeq = Math.max(scan.maxSeq, r.header.seq);
      if (removed.has(r.header.seq)) continue;
      scan.entries.push({ ...r.header, payload: r.payload, size: r.payload.length, segment: n });
      live++;
    }
    scan.segLive.set(n, live);
    scan.lastSegment = n;
  }
  const filesDir = join(dir, 'files');
  if (existsSync(filesDir)) {
    for (const f of readdirSync(filesDir)) {
      if (!f.endsWith('.json')) continue;
      const rec = JSON.parse(readFileSync(join(filesDir, f), 'utf8')) as SpooledFile;
      if (existsSync(join(filesDir, `${rec.transferId}.bin`))) scan.files.push(rec);
    }
  }
  return scan;
}
