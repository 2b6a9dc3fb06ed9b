/**
 * Remembers command ids across restarts (commands.jsonl in the spool directory), so that a
 * command the broker redelivers (QoS 1, persistent session) runs once, and one that was running
 * when the agent died is answered `interrupted` instead of silently forgotten.
 */
import { appendFileSync, existsSync, fsyncSync, openSync, closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Entry {
  id: string;
  kind: string;
  state: 'accepted' | 'done';
  at: number;
}

export class CommandJournal {
  private readonly entries = new Map<string, Entry>();
  private lines = 0;
  private readonly path: string;

  constructor(
    dir: string,
    private readonly keep = 1000,
  ) {
    this.path = join(dir, 'commands.jsonl');
    if (existsSync(this.path)) {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as Entry;
          this.entries.delete(e.id);
          this.entries.set(e.id, e);
          this.lines++;
        } catch {
          // a torn last line
        }
      }
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Commands accepted but never finished (the agent died while running them). */
  unfinished(): { id: string; kind: string }[] {
    return [...this.entries.values()].filter((e) => e.state === 'accepted').map(({ id, kind }) => ({ id, kind }));
  }

  accepted(id: string, kind: string): void {
    this.write({ id, kind, state: 'accepted', at: Date.now() });
  }

  done(id: string, kind: string): void {
    this.write({ id, kind, state: 'done', at: Date.now() });
  }

  private write(e: Entry): void {
    this.entries.delete(e.id);
    this.entries.set(e.id, e);
    const fd = openSync(this.path, 'a');
    try {
      appendFileSync(fd, JSON.stringify(e) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.lines++;
    while (this.entries.size > this.keep) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    if (this.lines > 2 * this.keep) this.compact();
  }

  private compact(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, [...this.entries.values()].map((e) => JSON.stringify(e) + '\n').join(''));
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    this.lines = this.entries.size;
  }
}
