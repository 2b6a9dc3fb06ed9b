/**
 * Worker thread entry: reads or renders one TIFF file and posts the answer. The file comes from a
 * remote fax machine, so a damaged or hostile one may make utif spin or allocate without bound; in a
 * worker that costs only the worker (worker-client.ts ends it on a time or memory limit).
 */
import { parentPort } from 'node:worker_threads';
import { inspectTiff } from './fax-tiff.js';
import { renderPreviews } from './previews.js';
import type { TiffJob, TiffAnswer } from './worker-client.js';

parentPort!.once('message', (job: TiffJob) => {
  let answer: TiffAnswer;
  try {
    answer = job.op === 'inspect' ? { ok: true, op: 'inspect', pages: inspectTiff(job.tiff) } : { ok: true, op: 'previews', ...renderPreviews(job.tiff) };
  } catch (err) {
    answer = { ok: false, error: (err as Error).message };
  }
  parentPort!.postMessage(answer);
});
