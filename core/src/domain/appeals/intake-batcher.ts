/**
 * Group commit for intake on SQLite. SQLite has one writer, so concurrent intakes wait in line anyway;
 * the batcher runs the waiting ones in one transaction, each inside its own savepoint (a failure
 * undoes only that intake), and commits once: one sync to disk for the group instead of one each.
 * Every caller still gets its answer only after the commit, so a channel acknowledges nothing that is
 * not durably stored; if the commit fails, every intake of the group fails and is retried by its sender.
 *
 * A group starts one turn of the event loop after the first intake waiting for it (and after the
 * previous group's commit), so the callers answered by that commit have handed in their next
 * intakes by then: with N senders in flight a group holds up to N intakes.
 */
import type { IntakeDeps, IntakeInput, IntakeResult } from './intake.js';
import { intakeIn } from './intake.js';
import { sqlFor } from '../../persistence/sql.js';

interface Waiting {
  input: IntakeInput;
  resolve: (r: IntakeResult) => void;
  reject: (e: unknown) => void;
}

export class IntakeBatcher {
  private readonly queue: Waiting[] = [];
  private running = false;
  /** Groups committed and intakes in them (for tests and metrics). */
  readonly stats = { groups: 0, intakes: 0, largest: 0 };

  constructor(private readonly deps: Omit<IntakeDeps, 'batcher'>, private readonly maxGroup = 64) {}

  submit(input: IntakeInput): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, this.maxGroup);
        let outcomes: ({ ok: IntakeResult } | { err: unknown })[];
        try {
          outcomes = await this.deps.db.transaction(async (em) => {
            const sql = sqlFor(em);
            const out: ({ ok: IntakeResult } | { err: unknown })[] = [];
            for (const w of group) {
              await sql.run('SAVEPOINT okno_intake');
              try {
                out.push({ ok: await intakeIn(em, this.deps, w.input) });
                await sql.run('RELEASE SAVEPOINT okno_intake');
              } catch (err) {
                await sql.run('ROLLBACK TO SAVEPOINT okno_intake');
                await sql.run('RELEASE SAVEPOINT okno_intake');
                out.push({ err });
              }
            }
            return out;
          });
        } catch (err) {
          for (const w of group) w.reject(err);
          continue;
        }
        this.stats.groups++;
        this.stats.intakes += group.length;
        this.stats.largest = Math.max(this.stats.largest, group.length);
        outcomes.forEach((o, i) => ('ok' in o ? group[i]!.resolve(o.ok) : group[i]!.reject(o.err)));
        // Let the callers just answered hand in their next intakes before the next group starts.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
  }
}
