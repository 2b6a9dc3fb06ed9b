/** Output for the technician: plain lines on stdout, progress and problems on stderr. */
import { createInterface } from 'node:readline/promises';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** A progress line (rewritten in place on a terminal). */
  progress: (line: string) => void;
  confirm: (question: string) => Promise<boolean>;
  isTty: boolean;
}

export function processIo(): Io {
  const tty = !!process.stderr.isTTY;
  return {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    progress: (l) => process.stderr.write(tty ? `\r\x1b[K${l}` : `${l}\n`),
    confirm: async (q) => {
      if (!process.stdin.isTTY) return false;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${q} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    isTty: tty,
  };
}

export function mark(ok: boolean | 'skipped'): string {
  return ok === 'skipped' ? '–' : ok ? '✔' : '✘';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function bar(done: number, total: number, width = 20): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${Math.round(f * 100)}%`;
}
