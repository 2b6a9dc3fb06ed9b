/**
 * Runs TIFF reading in a worker thread with a time limit and a heap limit, so a bad file can neither
 * block the core's event loop nor take its memory. One short-lived worker per file: faxes arrive a
 * few a minute, and a fresh worker also resets utif's global decoder state.
 */
import { Worker } from 'node:worker_threads';
import type { FaxPageInfo } from './fax-tiff.js';
import type { FaxPreviews } from './previews.js';

export type TiffJob = { op: 'inspect' | 'previews'; tiff: Uint8Array };
export type TiffAnswer =
  | ({ ok: true; op: 'previews' } & FaxPreviews)
  | { ok: true; op: 'inspect'; pages: FaxPageInfo[] }
  | { ok: false; error: string };

export interface WorkerLimits {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Heap limit of the worker in MiB (default 512). */
  maxHeapMb?: number;
}

export class TiffWorkerError extends Error {
  override name = 'TiffWorkerError';
}

function run(job: TiffJob, limits: WorkerLimits): Promise<TiffAnswer> {
  const timeoutMs = limits.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./tiff-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb ?? 512, maxYoungGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (a: TiffAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(a);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `reading the file took longer than ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    worker.once('message', (a: TiffAnswer) => finish(a));
    worker.once('error', (err) =>
      finish({ ok: false, error: (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'reading the file needed more memory than allowed' : `the reader failed (${err.message})` }),
    );
    worker.once('exit', (code) => finish({ ok: false, error: `the reader stopped (exit code ${code})` }));
    worker.postMessage({ op: job.op, tiff: job.tiff } satisfies TiffJob);
  });
}

/** Page previews; throws TiffWorkerError with the reason when the file cannot be read at all. */
export async function previewsInWorker(tiff: Uint8Array, limits: WorkerLimits = {}): Promise<FaxPreviews> {
  const a = await run({ op: 'previews', tiff }, limits);
  if (!a.ok) throw new TiffWorkerError(a.error);
  if (a.op !== 'previews') throw new TiffWorkerError('the reader answered another question');
  return { pages: a.pages, problems: a.problems, previews: a.previews.map((p) => ({ ...p, png: Buffer.from(p.png) })) };
}

/** The pages of a TIFF file; throws TiffWorkerError when it cannot be read. */
export async function inspectInWorker(tiff: Uint8Array, limits: WorkerLimits = {}): Promise<FaxPageInfo[]> {
  const a = await run({ op: 'inspect', tiff }, limits);
  if (!a.ok) throw new TiffWorkerError(a.error);
  if (a.op !== 'inspect') throw new TiffWorkerError('the reader answered another question');
  return a.pages;
}
