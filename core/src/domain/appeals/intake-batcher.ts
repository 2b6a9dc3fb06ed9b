/**
 * Group commit for intake on SQLite. SQLite has one writer, so concurrent intakes wait in line anyway;
 * the batcher runs the waiting ones in one transaction, each inside its own savepoint (a failure
 * undoes only that intake), and commits once: one sync to disk for the group instead of one each.
 * Every caller still gets its answer only after the commit, so a channel acknowledges nothing that is
 * not durably stored; if the commit fails, every intake of the group fails and is retried by its sender.
 */
import type { IntakeDeps, IntakeInput, IntakeResult } from './intake.js';
import { intakeIn } from './intake.js';

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
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, this.maxGroup);
        let outcomes: ({ ok: IntakeResult } | { err: unknown })[];
        try {
          outcomes = await this.deps.db.transaction(async (em) => {
            const out: ({ ok: IntakeResult } | { err: unknown })[] = [];
            for (let i = 0; i < group.length; i++) {
              await em.query(`SAVEPOINT okno_intake_${i}`);
              try {
                out.push({ ok: await intakeIn(em, this.deps, group[i]!.input) });
                await em.query(`RELEASE SAVEPOINT okno_intake_${i}`);
              } catch (err) {
                await em.query(`ROLLBACK TO SAVEPOINT okno_intake_${i}`);
                await em.query(`RELEASE SAVEPOINT okno_intake_${i}`);
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
      }
    } finally {
      this.running = false;
    }
  }
}
