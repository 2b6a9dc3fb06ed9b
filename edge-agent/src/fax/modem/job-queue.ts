/**
 * Send jobs for one modem, one at a time, with retries and exponential back-off for failures worth
 * retrying (busy, no answer, no fax tone, RTN, line trouble). A ringing line comes first: no dial
 * starts while the modem rings or receives, and a dial that collides with a RING is put back
 * without counting as an attempt.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { sleep, systemClock, type Clock } from '../logger.js';
import type { FaxModem, SendResult } from './fax-modem.js';
import type { FaxPage } from '../tiff/tiff-f.js';
import type { PageProgress } from '../class2/send-session.js';

export interface RetryPolicy {
  /** Attempts in all (default 3). */
  maxAttempts: number;
  /** Delay before the 2nd attempt (default 60 s), multiplied by `factor` each time, at most `maxDelayMs`. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 60_000, factor: 2, maxDelayMs: 15 * 60_000 };

export interface FaxJob {
  id: string;
  number: string;
  pages: FaxPage[];
  onPage?: (p: PageProgress & { attemptNo: number }) => void;
  onAttempt?: (a: { attemptNo: number; result: SendResult; nextTryInMs: number | null }) => void;
}

export interface JobResult {
  id: string;
  attempts: number;
  result: SendResult;
}

export interface FaxJobQueueEvents {
  queued: [{ id: string; position: number }];
  attempt: [{ id: string; attemptNo: number; result: SendResult; nextTryInMs: number | null }];
  done: [JobResult];
}

export function backoffDelay(policy: RetryPolicy, failedAttempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** Math.max(0, failedAttempts - 1));
}

interface Entry {
  job: FaxJob;
  attempts: number;
  notBefore: number;
  resolve: (r: JobResult) => void;
}

export class FaxJobQueue extends EventEmitter<FaxJobQueueEvents> {
  private readonly entries: Entry[] = [];
  private running = false;
  private stopped = false;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly pollMs: number;

  constructor(
    private readonly modem: FaxModem,
    opts: { retry?: Partial<RetryPolicy>; clock?: Clock; pollMs?: number } = {},
  ) {
    super();
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.clock = opts.clock ?? systemClock;
    this.pollMs = opts.pollMs ?? 250;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Queues a send; the promise settles once the job succeeded or finally failed. */
  submit(job: Omit<FaxJob, 'id'> & { id?: string }): { id: string; done: Promise<JobResult> } {
    const id = job.id ?? randomUUID();
    const done = new Promise<JobResult>((resolve) => {
      this.entries.push({ job: { ...job, id }, attempts: 0, notBefore: 0, resolve });
    });
    this.emit('queued', { id, position: this.entries.length });
    void this.pump();
    return { id, done };
  }

  /** Stops taking jobs; the ones waiting fail with reason 'aborted'. */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries.splice(0)) {
      e.resolve({ id: e.job.id, attempts: e.attempts, result: { ok: false, reason: 'aborted', message: 'queue stopped', retryable: false, pagesSent: 0, durationMs: 0 } });
    }
  }

  private lineBusy(): boolean {
    const s = this.modem.state;
    return s === 'ringing' || s === 'receiving' || s === 'recovering' || s === 'initializing';
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped && this.entries.length) {
        const now = this.clock.now();
        const idx = this.entries.findIndex((e) => e.notBefore <= now);
        if (idx < 0 || this.lineBusy()) {
          const next = Math.min(...this.entries.map((e) => e.notBefore));
          await sleep(this.clock, Math.max(1, Math.min(this.pollMs, next - now)));
          continue;
        }
        const e = this.entries.splice(idx, 1)[0]!;
        const attemptNo = e.attempts + 1;
        const result = await this.modem.send({
          number: e.job.number,
          pages: e.job.pages,
          onPage: (p) => e.job.onPage?.({ ...p, attemptNo }),
        });
        const collided = !result.ok && result.reason === 'ring-collision';
        if (!collided) e.attempts = attemptNo;
        let nextTryInMs: number | null = null;
        if (!result.ok && !this.stopped && (collided || (result.retryable && e.attempts < this.retry.maxAttempts))) {
          nextTryInMs = collided ? 0 : backoffDelay(this.retry, e.attempts);
          e.notBefore = this.clock.now() + nextTryInMs;
          this.entries.push(e);
        }
        const info = { id: e.job.id, attemptNo, result, nextTryInMs };
        e.job.onAttempt?.({ attemptNo, result, nextTryInMs });
        this.emit('attempt', info);
        if (nextTryInMs === null) {
          const done: JobResult = { id: e.job.id, attempts: e.attempts, result };
          this.emit('done', done);
          e.resolve(done);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
