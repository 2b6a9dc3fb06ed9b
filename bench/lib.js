// Shared helpers for the benchmarks: timing, percentiles, tables. Benchmarks report ratios against a
// baseline measured in the same run, never absolute pass/fail thresholds.
export const now = () => performance.now();

export async function timed(fn) {
  const t0 = now();
  const result = await fn();
  return { ms: now() - t0, result };
}

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; returns operations per second. */
export async function throughput(n, concurrency, task) {
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await task(next++);
  }));
  return (n / (now() - t0)) * 1000;
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padStart(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
}

/** The value after `--name` on the command line, or `def`. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

export const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/**
 * The journal's raw read rates, events per second: readJournal pages of `batch` from the start, and
 * a JournalFollower (what consumers read through) from the start.
 */
export async function journalReadRates(db, batch) {
  const { JournalFollower, readJournal } = await import('@okno/core');
  const raw = await timed(async () => {
    let n = 0;
    for (let page = await readJournal(db, 0, batch); page.length; page = await readJournal(db, page.at(-1).seq, batch)) n += page.length;
    return n;
  });
  const follower = await timed(async () => {
    const f = new JournalFollower(db, { afterSeq: 0, batch });
    let n = 0;
    for (let page = await f.next(); page.length; page = await f.next()) n += page.length;
    return n;
  });
  return { raw: (raw.result / raw.ms) * 1000, follower: (follower.result / follower.ms) * 1000 };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `measure(name, url)` on a fresh SQLite file and, when the test server is reachable, on a
 * scratch MariaDB database (`only`: 'sqlite' or 'mysql' for one of them); returns their results.
 */
export async function onDatabases(only, prefix, measure) {
  const { needsMysql, scratchMysqlDatabase, tempDir } = await import('@okno/testkit');
  const out = [];
  if (!only || only === 'sqlite') {
    const d = tempDir(`okno-bench-${prefix}-`);
    try {
      out.push(await measure('SQLite', `sqlite:${d.dir}/okno.sqlite`));
    } finally {
      d.cleanup();
    }
  }
  if (!only || only === 'mysql') {
    const skip = await needsMysql();
    if (skip) {
      console.log(`MariaDB skipped: ${skip}`);
    } else {
      const s = await scratchMysqlDatabase(`okno_bench_${prefix.replace(/\W/g, '_')}`);
      try {
        out.push(await measure('MariaDB', s.url));
      } finally {
        await s.drop();
      }
    }
  }
  return out;
}
