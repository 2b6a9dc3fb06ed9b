// Staffing solve time of @okno/planning/math at 10, 100, 1,000 and 10,000 Erlangs, reported as
// ratios against a baseline measured in the same run: one plain Erlang B recurrence pass over as
// many lines as the Erlang C answer (the least work any exact Erlang C/B evaluation at that size
// must do). No assertions on time. Run after building: npx tsc -b plugins/planning && node bench/planning.bench.js
import { performance } from 'node:perf_hooks';
import { erlangAAgents, erlangCAgents, linesForBlocking } from '@okno/planning/math';

const AHT = 180;
const TARGET = { serviceLevel: 0.8, withinSeconds: 20 };
const PATIENCE = 120;
let sink = 0;

/** Median time per call in microseconds over several batches of at least `batchMs` each. */
function time(fn, batchMs = 60, batches = 7) {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) sink += fn();
    if (performance.now() - t0 >= batchMs / 4) break;
    reps *= 2;
  }
  reps = Math.max(1, Math.round((reps * batchMs) / Math.max(1, batchMs / 4)));
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) sink += fn();
    samples.push(((performance.now() - t0) * 1000) / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(batches / 2)];
}

function recurrencePass(lines, load) {
  let b = 1;
  for (let n = 1; n <= lines; n++) b = (load * b) / (n + load * b);
  return b;
}

const rows = [];
for (const load of [10, 100, 1_000, 10_000]) {
  const c = erlangCAgents(load, AHT, TARGET, 0.3);
  const a = erlangAAgents(load, AHT, PATIENCE, TARGET, 0.3);
  const lines = linesForBlocking(load, 0.01).lines;
  const baseline = time(() => recurrencePass(c.agents, load));
  const erlangC = time(() => erlangCAgents(load, AHT, TARGET, 0.3).agents);
  const erlangA = time(() => erlangAAgents(load, AHT, PATIENCE, TARGET, 0.3).agents);
  const erlangB = time(() => linesForBlocking(load, 0.01).lines);
  rows.push({ load, agentsC: c.agents, agentsA: a.agents, lines, baseline, erlangC, erlangA, erlangB });
}

const pad = (s, n) => String(s).padStart(n);
const us = (x) => (x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0));
console.log('Staffing solve time, @okno/planning/math (median µs per solve; ×: ratio to the baseline of the same row)');
console.log('baseline = one Erlang B recurrence pass over the Erlang C answer\'s number of lines; target 80/20, AHT 180 s, patience 120 s, B target 1%');
console.log([pad('Erlangs', 8), pad('C agents', 9), pad('A agents', 9), pad('B lines', 8), pad('baseline', 10), pad('Erlang C', 10), pad('×', 7), pad('Erlang A', 10), pad('×', 8), pad('Erlang B', 10), pad('×', 7)].join(' '));
for (const r of rows) {
  console.log([
    pad(r.load, 8), pad(r.agentsC, 9), pad(r.agentsA, 9), pad(r.lines, 8), pad(us(r.baseline), 10),
    pad(us(r.erlangC), 10), pad((r.erlangC / r.baseline).toFixed(1), 7),
    pad(us(r.erlangA), 10), pad((r.erlangA / r.baseline).toFixed(1), 8),
    pad(us(r.erlangB), 10), pad((r.erlangB / r.baseline).toFixed(1), 7),
  ].join(' '));
}
if (Number.isNaN(sink)) console.log('(sink)');
