import t from 'tap';
import { erlangC, erlangCAgents, erlangCMetrics } from './erlang-c.js';
import { trafficLoad } from './erlang-b.js';
import { halfinWhittWaitProbability } from './normal.js';
import { staffWithShrinkage } from './target.js';

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

t.test('published reference: 100 calls in 30 min, AHT 180 s, 80/20 → 14 agents, SL 0.888, ASA 7.84 s', async (t) => {
  const load = trafficLoad(100, 180, 1800);
  const r = erlangCAgents(load, 180, { serviceLevel: 0.8, withinSeconds: 20 });
  t.equal(r.agents, 14);
  t.equal(round(r.serviceLevel, 3), 0.888);
  t.equal(round(r.asaSeconds, 2), 7.84);
  t.equal(round(r.occupancy, 3), 0.714);
  t.equal(r.limitedBy, 'serviceLevel');
  t.ok(erlangCMetrics(13, load, 180).serviceLevel < 0.8, '13 agents miss the target');
});

// /work/shared/reference/regulations.md §8, "Erlang C sizing" (80% within 20 s, 30% shrinkage).
const regulationRows = [
  { name: 'district unit', callsPerHour: 200, aht: 180, load: 10.0, agents: 14, sl: 0.888, asa: 7.8, occ: 0.71, staff: 20 },
  { name: '2014 MFC average', callsPerHour: 9000 * 0.12, aht: 180, load: 54.0, agents: 60, sl: 0.833, asa: 9.7, occ: 0.9, staff: 86 },
  { name: '2014 MFC peak', callsPerHour: 16000 * 0.12, aht: 180, load: 96.0, agents: 103, sl: 0.828, asa: 9.7, occ: 0.93, staff: 148 },
  { name: 'ESS 2025', callsPerHour: 16700 * 0.1, aht: 240, load: 111.3, agents: 119, sl: 0.806, asa: 11.5, occ: 0.94, staff: 170 },
  { name: 'OKC 2025', callsPerHour: 10300, aht: 180, load: 515, agents: 525, sl: 0.817, asa: 10.0, occ: 0.98, staff: 750 },
];

t.test('reproduces every row of the Erlang C table in regulations.md §8', async (t) => {
  for (const row of regulationRows) {
    const load = trafficLoad(row.callsPerHour, row.aht, 3600);
    const r = erlangCAgents(load, row.aht, { serviceLevel: 0.8, withinSeconds: 20 }, 0.3);
    t.equal(round(load, 1), row.load, `${row.name}: load`);
    t.equal(r.agents, row.agents, `${row.name}: agents`);
    t.equal(round(r.serviceLevel, 3), row.sl, `${row.name}: SL20`);
    t.equal(round(r.asaSeconds, 1), row.asa, `${row.name}: ASA`);
    t.equal(round(r.occupancy, 2), row.occ, `${row.name}: occupancy`);
    t.equal(r.staff, row.staff, `${row.name}: staff at 30% shrinkage`);
  }
});

t.test('ASA target, occupancy cap and shrinkage', async (t) => {
  const byAsa = erlangCAgents(10, 180, { maxAsaSeconds: 10 });
  t.ok(byAsa.asaSeconds <= 10 && erlangCMetrics(byAsa.agents - 1, 10, 180).asaSeconds > 10);
  t.equal(byAsa.limitedBy, 'asa');
  const capped = erlangCAgents(515, 180, { serviceLevel: 0.8, maxOccupancy: 0.85 }, 0.3);
  t.equal(capped.agents, Math.ceil(515 / 0.85));
  t.equal(capped.limitedBy, 'occupancy');
  t.ok(capped.serviceLevel > 0.99);
  const both = erlangCAgents(10, 180, { serviceLevel: 0.8, maxAsaSeconds: 3 });
  t.equal(both.agents, Math.max(14, byAsaFor(3)));
  t.equal(staffWithShrinkage(14, 0.3), 20);
  t.equal(staffWithShrinkage(119, 0.3), 170, '170.00000000000003 is not rounded up');
  t.equal(staffWithShrinkage(10, 0), 10);
  t.throws(() => staffWithShrinkage(10, 1));
  t.throws(() => erlangCAgents(10, 180, {}));
});

function byAsaFor(seconds: number): number {
  return erlangCAgents(10, 180, { maxAsaSeconds: seconds }).agents;
}

t.test('unstable and empty queues', async (t) => {
  const m = erlangCMetrics(10, 10, 180);
  t.same([m.waitProbability, m.serviceLevel, m.asaSeconds, m.occupancy], [1, 0, Infinity, 1]);
  const none = erlangCAgents(0, 180, { serviceLevel: 0.8 });
  t.same([none.agents, none.staff, none.serviceLevel, none.limitedBy], [0, 0, 1, 'none']);
  t.equal(erlangC(3, 0), 0);
});

t.test('stable at 1,000 and 10,000 Erlangs: monotone in N, SL in [0,1], near square-root staffing', async (t) => {
  for (const load of [1_000, 10_000]) {
    let previous = { c: 1, sl: 0 };
    for (let n = load + 1; n <= load + 6 * Math.sqrt(load); n += 1) {
      const m = erlangCMetrics(n, load, 180);
      t.ok(m.waitProbability <= previous.c && m.serviceLevel >= previous.sl, `monotone at ${n}`);
      t.ok(m.serviceLevel >= 0 && m.serviceLevel <= 1 && Number.isFinite(m.asaSeconds));
      previous = { c: m.waitProbability, sl: m.serviceLevel };
    }
    for (const beta of [0.5, 1, 2]) {
      const n = Math.round(load + beta * Math.sqrt(load));
      const exact = erlangC(n, load);
      const limit = halfinWhittWaitProbability((n - load) / Math.sqrt(load));
      t.ok(Math.abs(exact - limit) < (load === 1_000 ? 0.02 : 0.007), `β=${beta}: C=${exact}, Halfin–Whitt ${limit}`);
    }
    const r = erlangCAgents(load, 180, { serviceLevel: 0.8, withinSeconds: 20 }, 0.3);
    const beta = (r.agents - load) / Math.sqrt(load);
    t.ok(beta > 0 && beta < 1.5, `β of the answer: ${beta}`);
    t.ok(r.serviceLevel >= 0.8 && erlangCMetrics(r.agents - 1, load, 180).serviceLevel < 0.8);
  }
});
