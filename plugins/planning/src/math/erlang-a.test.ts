import t from 'tap';
import { erlangAAgents, erlangAMetrics } from './erlang-a.js';
import { erlangB } from './erlang-b.js';
import { erlangCAgents, erlangCMetrics } from './erlang-c.js';
import { normalCdf, normalDensity } from './normal.js';
import { SeededRandom } from '@okno/core';

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

t.test('patience → ∞ tends to Erlang C; Infinity is Erlang C', async (t) => {
  const c = erlangCMetrics(14, 10, 180);
  const inf = erlangAMetrics(14, 10, 180, Infinity);
  t.equal(inf.serviceLevel, c.serviceLevel);
  t.equal(inf.asaSeconds, c.asaSeconds);
  let previousGap = Infinity;
  for (const patience of [1e3, 1e5, 1e7, 1e9]) {
    const a = erlangAMetrics(14, 10, 180, patience);
    const gap = Math.abs(a.serviceLevel - c.serviceLevel) + relative(a.asaSeconds, c.asaSeconds) + relative(a.waitProbability, c.waitProbability);
    t.ok(gap < previousGap, `patience ${patience}: gap ${gap} shrinks`);
    previousGap = gap;
  }
  t.ok(previousGap < 1e-5, 'within 1e-5 at patience 1e9 s');
  t.equal(erlangAAgents(10, 180, 1e9, { serviceLevel: 0.8 }).agents, 14);
});

/** Stationary distribution of the M/M/N+M birth–death chain, summed directly (independent check). */
function birthDeath(agents: number, load: number, ahtSeconds: number, patienceSeconds: number) {
  const mu = 1 / ahtSeconds;
  const lambda = load * mu;
  const theta = 1 / patienceSeconds;
  const weights = [1];
  for (let j = 1; j < 5000; j++) {
    const death = Math.min(j, agents) * mu + Math.max(0, j - agents) * theta;
    weights.push(((weights[j - 1] as number) * lambda) / death);
  }
  const total = weights.reduce((s, w) => s + w, 0);
  const pi = weights.map((w) => w / total);
  const wait = pi.slice(agents).reduce((s, p) => s + p, 0);
  const queue = pi.reduce((s, p, j) => s + p * Math.max(0, j - agents), 0);
  return { wait, abandon: (theta * queue) / lambda };
}

t.test('agrees with the birth–death chain summed directly', async (t) => {
  for (const [n, load, patience] of [[14, 10, 180], [10, 10, 60], [5, 10, 300], [30, 25, 30]] as const) {
    const a = erlangAMetrics(n, load, 180, patience);
    const d = birthDeath(n, load, 180, patience);
    t.ok(relative(a.waitProbability, d.wait) < 1e-10, `P(wait) N=${n} A=${load} patience=${patience}`);
    t.ok(relative(a.abandonProbability, d.abandon) < 1e-10, `P(abandon) N=${n} A=${load} patience=${patience}`);
  }
});

/** FCFS M/M/N+M simulated call by call: each caller takes the earliest free agent or hangs up first. */
function simulate(agents: number, load: number, aht: number, patience: number, within: number, calls: number, seed: number) {
  const random = new SeededRandom(seed);
  const free = new Float64Array(agents);
  const batches = 20;
  const perBatch = Math.floor(calls / batches);
  const stats = Array.from({ length: batches }, () => ({ offered: 0, waited: 0, abandoned: 0, answeredWithin: 0, answered: 0, answeredWait: 0 }));
  let now = 0;
  const warmup = Math.floor(calls / 100);
  for (let i = -warmup; i < perBatch * batches; i++) {
    now += random.exponential(aht / load);
    let best = 0;
    for (let s = 1; s < agents; s++) if ((free[s] as number) < (free[best] as number)) best = s;
    const wait = Math.max(0, (free[best] as number) - now);
    const gaveUpAfter = random.exponential(patience);
    const service = random.exponential(aht);
    if (i < 0) {
      if (wait <= gaveUpAfter) free[best] = now + wait + service;
      continue;
    }
    const b = stats[Math.floor(i / perBatch)] as (typeof stats)[number];
    b.offered++;
    if (wait > 0) b.waited++;
    if (wait > gaveUpAfter) b.abandoned++;
    else {
      free[best] = now + wait + service;
      b.answered++;
      b.answeredWait += wait;
      if (wait <= within) b.answeredWithin++;
    }
  }
  const summary = (f: (b: (typeof stats)[number]) => number) => {
    const values = stats.map(f);
    const mean = values.reduce((s, v) => s + v, 0) / batches;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (batches - 1));
    return { mean, standardError: sd / Math.sqrt(batches) };
  };
  return {
    wait: summary((b) => b.waited / b.offered),
    abandon: summary((b) => b.abandoned / b.offered),
    serviceLevel: summary((b) => b.answeredWithin / b.offered),
    asa: summary((b) => b.answeredWait / b.answered),
  };
}

t.test('agrees with a seeded discrete-event simulation within 4 batch-means standard errors', async (t) => {
  // Tolerance: |simulated − exact| ≤ 4 standard errors (20 batch means of 100,000 calls each),
  // and each standard error is itself small (< 2% of the value or 0.003 absolute).
  for (const [n, load, patience, seed] of [[12, 10, 120, 7], [9, 10, 60, 11], [45, 40, 300, 13]] as const) {
    const exact = erlangAMetrics(n, load, 180, patience, 20);
    const sim = simulate(n, load, 180, patience, 20, 2_000_000, seed);
    for (const [name, value, estimate] of [
      ['P(wait)', exact.waitProbability, sim.wait],
      ['P(abandon)', exact.abandonProbability, sim.abandon],
      ['SL20', exact.serviceLevel, sim.serviceLevel],
      ['ASA', exact.asaSeconds, sim.asa],
    ] as const) {
      const label = `N=${n} A=${load} patience=${patience} ${name}: exact ${value.toFixed(4)}, simulated ${estimate.mean.toFixed(4)} ± ${estimate.standardError.toFixed(4)}`;
      t.ok(Math.abs(estimate.mean - value) <= 4 * estimate.standardError, label);
      t.ok(estimate.standardError < Math.max(0.02 * value, 0.003), `${label}: precise enough to mean something`);
    }
  }
});

t.test('Garnett–Mandelbaum–Reiman square-root (QED) limit of P(wait) at 100, 1,000 and 10,000 Erlangs', async (t) => {
  const hazard = (x: number): number => normalDensity(x) / (1 - normalCdf(x));
  for (const load of [100, 1_000, 10_000]) {
    for (const patienceOverAht of [0.5, 1, 4]) {
      for (const beta of [-0.5, 0, 0.5, 1.5]) {
        const n = Math.round(load + beta * Math.sqrt(load));
        const b = (n - load) / Math.sqrt(load);
        const thetaOverMu = 1 / patienceOverAht;
        const limit = 1 / (1 + (Math.sqrt(thetaOverMu) * hazard(b / Math.sqrt(thetaOverMu))) / hazard(-b));
        const exact = erlangAMetrics(n, load, 180, 180 * patienceOverAht).waitProbability;
        t.ok(Math.abs(exact - limit) < 0.2 / Math.sqrt(load), `A=${load} r=${patienceOverAht} β=${beta}: ${exact} vs ${limit}`);
      }
    }
  }
});

t.test('stable at 1,000 and 10,000 Erlangs, from deep overload to long patience', async (t) => {
  for (const load of [1_000, 10_000]) {
    for (const patience of [30, 180, 3_600, 1e6]) {
      let previous = { sl: -1, abandon: 2 };
      for (let n = Math.round(load * 0.8); n <= load + 5 * Math.sqrt(load); n += Math.max(1, Math.round(Math.sqrt(load) / 4))) {
        const m = erlangAMetrics(n, load, 180, patience);
        const finite = [m.waitProbability, m.serviceLevel, m.asaSeconds, m.occupancy, m.abandonProbability].every(Number.isFinite);
        t.ok(finite && m.serviceLevel >= 0 && m.serviceLevel <= 1 && m.occupancy <= 1, `finite, in range at N=${n} patience=${patience}`);
        t.ok(m.serviceLevel >= previous.sl - 1e-12 && m.abandonProbability <= previous.abandon + 1e-12, `monotone at N=${n}`);
        previous = { sl: m.serviceLevel, abandon: m.abandonProbability };
      }
    }
    const r = erlangAAgents(load, 180, 180, { serviceLevel: 0.8, maxAbandonRate: 0.02 });
    const c = erlangCAgents(load, 180, { serviceLevel: 0.8 });
    t.ok(r.agents <= c.agents, `Erlang A (${r.agents}) needs no more than Erlang C (${c.agents}) with patience = AHT`);
    t.ok(r.agents > load - 3 * Math.sqrt(load), 'and stays within square-root staffing reach');
  }
});

t.test('agents for service level, abandonment and occupancy targets', async (t) => {
  const sl = erlangAAgents(10, 180, 120, { serviceLevel: 0.8, withinSeconds: 20 }, 0.3);
  t.ok(sl.serviceLevel >= 0.8 && erlangAMetrics(sl.agents - 1, 10, 180, 120).serviceLevel < 0.8);
  t.equal(sl.staff, Math.ceil(sl.agents / 0.7));
  t.equal(sl.limitedBy, 'serviceLevel');
  const ab = erlangAAgents(50, 180, 60, { maxAbandonRate: 0.01 });
  t.ok(ab.abandonProbability <= 0.01 && erlangAMetrics(ab.agents - 1, 50, 180, 60).abandonProbability > 0.01);
  t.equal(ab.limitedBy, 'abandonment');
  const occ = erlangAAgents(50, 180, 60, { serviceLevel: 0.5, maxOccupancy: 0.8 });
  t.ok(occ.occupancy <= 0.8);
  t.equal(occ.limitedBy, 'occupancy');
  const none = erlangAAgents(0, 180, 60, { serviceLevel: 0.8 });
  t.same([none.agents, none.staff, none.serviceLevel], [0, 0, 1]);
  const empty = erlangAMetrics(0, 5, 180, 60);
  t.same([empty.serviceLevel, empty.abandonProbability, empty.waitProbability], [0, 1, 1]);
  t.throws(() => erlangAMetrics(3, 5, 180, 0));
  t.ok(erlangB(3, 5) > 0);
});

t.test('in deep overload the figures reach the fluid limits (abandon 1 − N/A, wait −patience·ln(N/A))', async (t) => {
  // Large loads with long patience put the peak of the queue-length weights tens of thousands of
  // places out, which exercises the ln Γ / digamma path of the sums.
  for (const [n, load, patience] of [[8_000, 10_000, 3_600], [8_000, 10_000, 1e6], [900, 1_000, 180]] as const) {
    const m = erlangAMetrics(n, load, 180, patience);
    const fluidWait = -patience * Math.log(n / load);
    t.ok(Math.abs(m.abandonProbability - (1 - n / load)) < 1e-4, `N=${n} A=${load}: abandon ${m.abandonProbability}`);
    t.ok(relative(m.asaSeconds, fluidWait) < 0.01, `N=${n} A=${load} patience ${patience}: ASA ${m.asaSeconds} vs ${fluidWait}`);
    t.ok(m.waitProbability > 0.999 && m.occupancy > 0.999);
  }
});
