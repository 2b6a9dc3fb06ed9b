import t from 'tap';
import { BlockingTable, erlangB, linesForBlocking, trafficLoad } from './erlang-b.js';
import { logPoissonTerm, regularizedGamma } from './gamma.js';
import { normalCdf, normalDensity } from './normal.js';

t.test('published reference: 10 Erlangs at 2% blocking need 17 lines', async (t) => {
  const r = linesForBlocking(10, 0.02);
  t.equal(r.lines, 17);
  t.ok(r.blocking <= 0.02 && erlangB(16, 10) > 0.02);
  // Classic Erlang B table values.
  t.ok(Math.abs(erlangB(17, 10) - 0.01295) < 5e-6);
  t.ok(Math.abs(erlangB(1, 1) - 0.5) < 1e-15);
  t.ok(Math.abs(erlangB(2, 1) - 0.2) < 1e-15);
  t.equal(linesForBlocking(5, 0.01).lines, 11);
  t.equal(linesForBlocking(20, 0.01).lines, 30);
  t.equal(linesForBlocking(100, 0.01).lines, 117);
});

t.test('traffic load is calls × holding time / interval', async (t) => {
  t.equal(trafficLoad(100, 180, 1800), 10);
  t.throws(() => trafficLoad(1, 1, 0));
});

t.test('the table and the plain recurrence agree, and so does the Poisson form at 10,000 Erlangs', async (t) => {
  const table = new BlockingTable(10_000);
  for (const n of [0, 1, 500, 9_900, 10_000, 10_100, 10_250, 12_000]) t.equal(table.at(n), erlangB(n, 10_000));
  // B(n, A) = P(Poisson(A) = n) / P(Poisson(A) ≤ n) = e^{ln pmf} / Q(n+1, A).
  for (const n of [9_800, 10_000, 10_100, 10_300]) {
    const viaGamma = Math.exp(logPoissonTerm(n, 10_000) - regularizedGamma(n + 1, 10_000).logQ);
    t.ok(Math.abs(table.at(n) - viaGamma) / viaGamma < 1e-9, `n=${n}`);
  }
});

t.test('stable and sane at 1,000 and 10,000 Erlangs', async (t) => {
  for (const load of [1_000, 10_000]) {
    const table = new BlockingTable(load);
    let previous = 1;
    for (let n = 0; n <= 2 * load; n += Math.max(1, Math.floor(load / 500))) {
      const b = table.at(n);
      t.ok(Number.isFinite(b) && b >= 0 && b <= previous, `B(${n}) monotone in [0,1]`);
      previous = b;
    }
    const r = linesForBlocking(load, 0.01);
    t.ok(table.at(r.lines) <= 0.01 && table.at(r.lines - 1) > 0.01, `${r.lines} lines for 1%`);
    t.ok(r.lines >= load * 0.99 && r.lineOccupancy <= 1, 'carried traffic fits the lines');
    // Jagerman's square-root limit: √A·B(A + β√A, A) → φ(β)/Φ(β).
    for (const beta of [0, 1, 2]) {
      const n = Math.round(load + beta * Math.sqrt(load));
      const b = Math.sqrt(load) * table.at(n);
      const limit = normalDensity(beta) / normalCdf(beta);
      t.ok(Math.abs(b - limit) / limit < (load === 1_000 ? 0.08 : 0.03), `β=${beta}: ${b} vs ${limit}`);
    }
  }
});

t.test('rejects nonsense', async (t) => {
  t.throws(() => erlangB(-1, 3));
  t.throws(() => erlangB(2.5, 3));
  t.throws(() => erlangB(3, NaN));
  t.throws(() => linesForBlocking(3, 0));
  t.equal(linesForBlocking(0, 0.01).lines, 0);
});
