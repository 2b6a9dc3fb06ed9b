/**
 * Group commit for intake. Intakes that arrive together are decided in order and written together:
 * one transaction, one statement per table for the whole group (see intakeGroupIn), so a group costs
 * about what one intake costs, in round trips to MySQL and in syncs to disk on SQLite.
 *
 * Every caller gets its answer only after the commit, so a channel acknowledges nothing that is not
 * durably stored. Each intake stays all or nothing: one refused for its input (an unknown site,
 * service or attachment) gets its error and the others are stored; when the group's transaction
 * fails (a race with another node on the same message or address, a deadlock that outlived the
 * retries, a lost connection), its intakes are run again one by one, each in its own transaction,
 * and answered as those turn out.
 *
 * A group starts one turn of the event loop after the first intake waiting for it (and after the
 * previous group's commit), so the callers answered by that commit have handed in their next
 * intakes by then: with N senders in flight a group holds up to N intakes. A group is one
 * Database.batchTransaction (on MySQL four or five round trips, see intake.ts). Groups of more than one
 * need ids that one INSERT hands out consecutively (Database.consecutiveIdStep); where the database
 * does not promise that, intakes are not grouped and run side by side, each in its own transaction.
 */
import type { IntakeDeps, IntakeInput, IntakeResult } from './intake.js';
import { intakeGroupIn, intakeWith } from './intake.js';

interface Waiting {
  input: IntakeInput;
  resolve: (r: IntakeResult) => void;
  reject: (e: unknown) => void;
}

export interface BatcherOptions {
  /** Most intakes in one group (default 64). */
  maxGroup?: number;
  /**
   * Most text in one group, in characters of message bodies and subjects (default 1,000,000; a
   * larger intake is a group of its own): a statement must fit MySQL's max_allowed_packet.
   */
  maxGroupChars?: number;
  /**
   * Groups in flight at once (default 1: on SQLite transactions run one at a time anyway; on MariaDB
   * a group's fixed cost, about 1 ms of CPU in Node and MariaDB together against some 0.14 ms per
   * intake, makes one group of N cheaper than two of N/2: with 2 the bench measured 0.75-0.85 of
   * the rate with 8 senders and no gain with 32).
   */
  parallel?: number;
}

const textOf = (w: Waiting) => (typeof w.input.body === 'string' ? w.input.body.length : 0) + (w.input.subject?.length ?? 0);

export class IntakeBatcher {
  private readonly queue: Waiting[] = [];
  private active = 0;
  private scheduled = false;
  /** The database hands out no consecutive ids (see Database.consecutiveIdStep): no groups. */
  private ungrouped = false;
  private readonly maxGroup: number;
  private readonly maxGroupChars: number;
  private readonly parallel: number;
  /** Groups committed, intakes in them, the largest, and groups run again one by one (for tests and metrics). */
  readonly stats = { groups: 0, intakes: 0, largest: 0, splits: 0 };

  constructor(private readonly deps: Omit<IntakeDeps, 'batcher'>, opts: BatcherOptions = {}) {
    this.maxGroup = Math.max(1, opts.maxGroup ?? 64);
    this.maxGroupChars = opts.maxGroupChars ?? 1_000_000;
    this.parallel = Math.max(1, opts.parallel ?? 1);
  }

  submit(input: IntakeInput): Promise<IntakeResult> {
    if (this.ungrouped) return this.single(input);
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.active >= this.parallel || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.startGroups();
    });
  }

  private async startGroups(): Promise<void> {
    let step: number | null;
    try {
      step = await this.deps.db.consecutiveIdStep();
      // Without consecutive ids intakes are not grouped: each runs on its own, side by side.
      this.ungrouped = step === null;
    } catch {
      step = null;
    }
    if (step === null) {
      for (const w of this.queue.splice(0)) void this.single(w.input).then(w.resolve, w.reject);
      return;
    }
    while (this.active < this.parallel && this.queue.length) {
      const free = this.parallel - this.active;
      const most = Math.min(this.maxGroup, Math.ceil(this.queue.length / free));
      let size = 1;
      for (let chars = textOf(this.queue[0]!); size < most && (chars += textOf(this.queue[size]!)) <= this.maxGroupChars; size++);
      const group = this.queue.splice(0, size);
      this.active++;
      void this.run(group, step).finally(() => {
        this.active--;
        this.schedule();
      });
    }
  }

  /** One intake in its own transaction. */
  private single(input: IntakeInput): Promise<IntakeResult> {
    return this.deps.db.batchTransaction((sql) => intakeWith(sql, this.deps, input));
  }

  private async run(group: Waiting[], step: number): Promise<void> {
    let outcomes;
    try {
      outcomes = await this.deps.db.batchTransaction((sql) => intakeGroupIn(sql, this.deps, group.map((w) => w.input), step));
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      this.stats.splits++;
      for (const w of group) await this.single(w.input).then(w.resolve, w.reject);
      return;
    }
    this.stats.groups++;
    this.stats.intakes += group.length;
    this.stats.largest = Math.max(this.stats.largest, group.length);
    outcomes.forEach((o, i) => ('ok' in o ? group[i]!.resolve(o.ok) : 'err' in o ? group[i]!.reject(o.err) : undefined));
    for (const [i, o] of outcomes.entries()) {
      if ('later' in o) await this.single(group[i]!.input).then(group[i]!.resolve, group[i]!.reject);
    }
  }
}
