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

export const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
