// Routing engine decision cost at 1k, 10k and 100k waiting contacts and 100, 1k and 5k operators,
// against a baseline measured in the same run: a plain array scan of the N waiting contacts that
// picks the best one an operator may take (what a decision costs without the engine's buckets).
// No assertions on time: the growth is printed, and a decision must grow far slower than linearly
// with the number waiting.
// Run after building: npx tsc -b plugins/routing && node bench/routing.bench.js
//
// A "decision" here is what happens when an operator's slot frees up under a backlog: complete()
// of one of its contacts (no wrap-up), and the engine choosing and reserving its next contact
// (the offer). Timed per call; the accept and a new arrival that keeps the backlog at N follow,
// untimed. The clock moves 5 ms per decision, so relaxation and overflow timers fire as they would.
// A second table times a new contact's decision when operators are idle and nobody waits.
import { performance } from 'node:perf_hooks';
import { ManualClock, RoutingEngine } from '@okno/routing/engine';
import { percentile, table, fmt } from './lib.js';

const WAITING = [1_000, 10_000, 100_000];
const OPERATORS = [100, 1_000, 5_000];
const DECISIONS = 4_000;
const SITES = ['city', 'okrug-north', 'district-7'];
const TOPICS = ['housing', 'transport', 'social', 'tax', 'law', 'health'];
const CHANNEL_OF = { voice: 'voice', chat: 'chat', email: 'email' };
const T0 = Date.UTC(2025, 2, 3, 7, 0, 0);

/** Park–Miller minimal standard generator: reproducible spread is all the bench needs. */
const prng = (seed) => ((x) => () => (x = (x * 16807) % 2147483647) / 2147483647)(seed % 2147483646 + 1);

/** 3 sites x (voice, chat, e-mail) queues, relaxation, overflow between sites. */
function queues() {
  const out = [];
  for (const site of SITES) {
    for (const ch of Object.keys(CHANNEL_OF)) {
      out.push({
        id: `${site}-${ch}`,
        siteId: site,
        channels: [ch],
        relax: [{ afterMs: 60_000, maxLevel: 2 }, { afterMs: 120_000, maxLevel: 1 }],
        overflow: { afterMs: 300_000, toSites: SITES.filter((s) => s !== site) },
        offerTimeoutMs: 20_000,
      });
    }
  }
  return out;
}

function operatorProfiles(n, rand) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = ['voice', 'chat', 'email'][i % 3];
    const skills = {};
    const count = 2 + Math.floor(rand() * 3);
    while (Object.keys(skills).length < count) skills[TOPICS[Math.floor(rand() * TOPICS.length)]] = 1 + Math.floor(rand() * 5);
    const capacity = { voice: 0, callback: 0, chat: 0, email: 0, fax: 0, portal: 0, [kind]: { voice: 1, chat: 3, email: 5 }[kind] };
    out.push({ id: `op-${i}`, siteId: SITES[i % SITES.length], skills, capacity });
  }
  return out;
}

function waitingContact(i, rand, now) {
  const site = SITES[Math.floor(rand() * SITES.length)];
  const ch = ['voice', 'chat', 'email'][Math.floor(rand() * 3)];
  return {
    id: `w-${i}`,
    channel: ch,
    queueId: `${site}-${ch}`,
    priority: [0, 0, 0, 1, 1, 2][Math.floor(rand() * 6)],
    enqueuedAt: now - Math.floor(rand() * 1_800_000),
    skills: { [TOPICS[Math.floor(rand() * TOPICS.length)]]: 1 + Math.floor(rand() * 4) },
  };
}

/** Operators all busy to capacity, N contacts waiting with their ages. */
function build(nWaiting, nOperators, seed) {
  const rand = prng(seed);
  const clock = new ManualClock(T0);
  const assigned = new Map(); // operatorId -> [contactId]
  const events = [];
  const engine = new RoutingEngine({
    clock,
    queues: queues(),
    operators: operatorProfiles(nOperators, rand),
    policy: { wrapUpMs: 0, maxPendingOffers: 1, maxMissedOffers: 0 },
    onEvent: (e) => events.push(e),
  });
  const note = (list) => {
    for (const e of list) {
      if (e.type === 'contact.answered') (assigned.get(e.operatorId) ?? assigned.set(e.operatorId, []).get(e.operatorId)).push(e.contactId);
    }
  };
  // Fill every operator's room with contacts nobody else may take (no skill needed, its own site).
  let filler = 0;
  for (const id of engine.operatorIds()) {
    engine.login(id);
    const op = engine.operator(id);
    const ch = Object.keys(op.capacity).find((c) => op.capacity[c] > 0);
    for (let k = 0; k < op.capacity[ch]; k++) {
      const got = engine.enqueue({ id: `f-${filler++}`, channel: ch, queueId: `${op.siteId}-${ch}` });
      const offer = got.find((e) => e.type === 'contact.offered');
      if (offer) note(engine.accept(offer.offerId));
    }
  }
  const restored = [];
  for (let i = 0; i < nWaiting; i++) restored.push(waitingContact(i, rand, T0));
  engine.restore(restored);
  return { engine, clock, rand, assigned, note, next: nWaiting, events };
}

function measureBacklog(nWaiting, nOperators) {
  const s = build(nWaiting, nOperators, 42);
  const { engine, clock, rand, assigned, note } = s;
  const busy = [...assigned.keys()];
  const samples = [];
  let offers = 0;
  let total = 0;
  for (let d = 0; d < DECISIONS; d++) {
    // An operator with an assigned contact finishes it; the engine picks its next contact.
    let opId;
    let list;
    for (let tries = 0; tries < 50; tries++) {
      opId = busy[Math.floor(rand() * busy.length)];
      list = assigned.get(opId);
      if (list && list.length) break;
    }
    if (!list || !list.length) break;
    const contactId = list.splice(Math.floor(rand() * list.length), 1)[0];
    clock.advance(5);
    const t0 = performance.now();
    const out = engine.complete(contactId, { wrapUpMs: 0 });
    const dt = performance.now() - t0;
    samples.push(dt * 1000);
    total += dt;
    for (const e of out) {
      if (e.type === 'contact.offered') {
        offers++;
        note(engine.accept(e.offerId));
      }
    }
    note(engine.enqueue(waitingContact(s.next++, rand, clock.now())));
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), perSecond: samples.length / (total / 1000), offers, decisions: samples.length };
}

/** A new contact arrives while operators are idle: the contact-driven decision. */
function measureArrivals(nOperators) {
  const rand = prng(7);
  const clock = new ManualClock(T0);
  const engine = new RoutingEngine({ clock, queues: queues(), operators: operatorProfiles(nOperators, rand), policy: { wrapUpMs: 0 } });
  for (const id of engine.operatorIds()) engine.login(id);
  const samples = [];
  for (let i = 0; i < DECISIONS; i++) {
    clock.advance(5);
    const c = waitingContact(i, rand, clock.now());
    c.enqueuedAt = clock.now();
    const t0 = performance.now();
    const out = engine.enqueue(c);
    samples.push((performance.now() - t0) * 1000);
    const offer = out.find((e) => e.type === 'contact.offered');
    if (offer) {
      engine.accept(offer.offerId);
      engine.complete(c.id, { wrapUpMs: 0 });
    } else {
      engine.abandon(c.id);
    }
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Baseline: scan an array of N contacts for the best one an operator may take (median µs per scan). */
function measureScan(nWaiting) {
  const rand = prng(42);
  const contacts = [];
  for (let i = 0; i < nWaiting; i++) {
    const c = waitingContact(i, rand, T0);
    contacts.push({ ...c, site: c.queueId.split('-').slice(0, -1).join('-'), topic: Object.keys(c.skills)[0], level: Object.values(c.skills)[0] });
  }
  const op = { siteId: 'city', channel: 'chat', skills: { housing: 3, tax: 5, law: 2 } };
  let sink = 0;
  const scan = () => {
    let best;
    for (const c of contacts) {
      if (c.site !== op.siteId || c.channel !== op.channel || (op.skills[c.topic] ?? 0) < c.level) continue;
      if (!best || c.priority > best.priority || (c.priority === best.priority && c.enqueuedAt < best.enqueuedAt)) best = c;
    }
    return best;
  };
  const samples = [];
  const reps = Math.max(3, Math.min(400, Math.floor(2_000_000 / nWaiting)));
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    sink += scan()?.priority ?? 0;
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  if (Number.isNaN(sink)) console.log('(sink)');
  return percentile(samples, 50);
}

const baseline = new Map(WAITING.map((n) => [n, measureScan(n)]));
const results = [];
for (const nOps of OPERATORS) {
  for (const n of WAITING) {
    const r = measureBacklog(n, nOps);
    results.push({ waiting: n, operators: nOps, ...r });
  }
}

console.log('Routing engine: a freed operator\'s decision under a backlog (complete() of one contact -> next offer reserved)');
console.log(`${DECISIONS} decisions per row; µs per decision; baseline = plain scan of the N waiting contacts for one operator's best (median µs)`);
const rows = results.map((r) => {
  const first = results.find((x) => x.operators === r.operators && x.waiting === WAITING[0]);
  return {
    waiting: r.waiting.toLocaleString('en'),
    operators: r.operators.toLocaleString('en'),
    'p50 µs': fmt(r.p50, 2),
    'p99 µs': fmt(r.p99, 2),
    'decisions/s': Math.round(r.perSecond).toLocaleString('en'),
    offers: r.offers,
    'p50 ×1k': fmt(r.p50 / first.p50, 2),
    'baseline µs': fmt(baseline.get(r.waiting), 1),
    'baseline ×1k': fmt(baseline.get(r.waiting) / baseline.get(WAITING[0]), 1),
    'p50 / baseline': fmt(r.p50 / baseline.get(r.waiting), 3),
  };
});
console.log(table(rows));

console.log('\nGrowth with the number waiting (1k -> 100k = ×100 contacts); it must be far slower than linear:');
for (const nOps of OPERATORS) {
  const at = (n) => results.find((r) => r.operators === nOps && r.waiting === n);
  const growth = at(100_000).p50 / at(1_000).p50;
  const scanGrowth = baseline.get(100_000) / baseline.get(1_000);
  const verdict = growth < 10 ? 'far slower than linear' : growth < 50 ? 'sub-linear, but not by much' : 'NEAR LINEAR';
  console.log(`  ${String(nOps).padStart(5)} operators: decision p50 ×${fmt(growth, 2)}, p99 ×${fmt(at(100_000).p99 / at(1_000).p99, 2)}; plain scan ×${fmt(scanGrowth, 1)} -> ${verdict}`);
}

console.log('\nA new contact\'s decision with every operator idle and nobody waiting (enqueue -> offer), µs:');
console.log(table(OPERATORS.map((n) => {
  const r = measureArrivals(n);
  return { operators: n.toLocaleString('en'), 'p50 µs': fmt(r.p50, 2), 'p99 µs': fmt(r.p99, 2) };
})));
console.log('(this path scans the idle operators with the contact\'s rarest skill at its sites; it grows with idle operators, not with contacts waiting)');
