/**
 * The SQL reservation store on SQLite and MariaDB: the compare-and-set rules one by one, races of
 * many reservations at once, and (fast-check) two engines sharing one SQL store under random
 * interleavings: a contact is never answered twice nor held by two nodes, an operator's room
 * (capacity, voice exclusive) is never exceeded — also for an operator logged in on both nodes.
 */
import fc from 'fast-check';
import t from 'tap';
import { ManualClock, RoutingEngine, type Channel, type RoutingEvent } from './engine/index.js';
import { SqlReservationStore } from './sql-store.js';
import { storeDatabases } from './test-support/databases.js';

const EXCLUSIVE: Channel[] = ['voice', 'callback'];
const req = (contactId: string, operatorId: string, offerId: string, channel: Channel, now: number, ttl = 1000, capacity = 2) => ({
  contactId, operatorId, offerId, channel, exclusive: EXCLUSIVE.includes(channel), capacity, compatibleWithExclusive: [] as Channel[], now, expiresAt: now + ttl,
});

for (const { name, skip, open } of await storeDatabases()) {
  t.test(`${name}: compare-and-set rules`, { skip }, async (t) => {
    const { db, dispose } = await open();
    t.teardown(dispose);
    const s = new SqlReservationStore(db);
    t.same(await s.holding('c1'), { contactId: 'c1', state: 'free', version: 0 }, 'unknown contacts are free at version 0');
    const r1 = await s.reserveContact(req('c1', 'o1', 'f1', 'email', 100));
    t.match(r1, { ok: true, version: 1 });
    t.match(await s.reserveContact(req('c1', 'o2', 'f2', 'email', 100)), { ok: false, reason: 'contact-held', holder: { offerId: 'f1', operatorId: 'o1', state: 'reserved' } });
    t.match(await s.confirm('c1', 'f2', 100), { ok: false }, 'confirm needs the offer holding it');
    t.match(await s.confirm('c1', 'f1', 100), { ok: true, version: 2 });
    t.match(await s.holding('c1'), { state: 'assigned', offerId: 'f1', operatorId: 'o1', channel: 'email', exclusive: false });
    t.match(await s.retire('c1', 100), { ok: false, holder: { state: 'assigned' } }, 'retire leaves an assignment alone');
    t.match(await s.release('c1', 'f1', 100), { ok: true, version: 3 });
    t.same(await s.claimsOf(['o1']), [], 'the claim went with the release');

    // Voice is exclusive: a call takes the operator whole, and nothing joins it.
    t.match(await s.reserveContact(req('v1', 'o3', 'f3', 'voice', 100)), { ok: true });
    t.match(await s.reserveContact(req('e1', 'o3', 'f4', 'email', 100)), { ok: false, reason: 'operator-full' });
    t.match(await s.reserveContact(req('v2', 'o3', 'f5', 'voice', 100)), { ok: false, reason: 'operator-full' });
    // Capacity per channel.
    t.match(await s.reserveContact(req('e2', 'o4', 'f6', 'email', 100, 1000, 1)), { ok: true });
    t.match(await s.reserveContact(req('e3', 'o4', 'f7', 'email', 100, 1000, 1)), { ok: false, reason: 'operator-full' });
    t.match(await s.reserveContact(req('v3', 'o4', 'f8', 'voice', 100)), { ok: false, reason: 'operator-full' }, 'no call beside other work');

    // An expired reservation is taken over; the old claim goes, the old offer's steps fail.
    t.match(await s.reserveContact(req('x1', 'o5', 'f9', 'chat', 100, 10)), { ok: true });
    t.match(await s.reserveContact(req('x1', 'o6', 'f10', 'chat', 105)), { ok: false, reason: 'contact-held' }, 'not before it expires');
    t.match(await s.reserveContact(req('x1', 'o6', 'f10', 'chat', 111)), { ok: true });
    t.same((await s.claimsOf(['o5'])).length, 0, 'the expired claim went');
    t.match(await s.confirm('x1', 'f9', 112), { ok: false, holder: { offerId: 'f10' } }, 'the old offer is fenced off');
    t.match(await s.finish('x1', 'f10', 113), { ok: true });
    t.match(await s.reserveContact(req('x1', 'o6', 'f11', 'chat', 114)), { ok: false, reason: 'contact-done' });

    // Retire: free or reserved -> done, once.
    t.match(await s.retire('new', 120), { ok: true });
    t.match(await s.retire('new', 121), { ok: false, holder: { state: 'done' } }, 'a second retire reports the contact done');
    t.match(await s.retire('e2', 122), { ok: true }, 'a reservation is retired');
    t.same(await s.claimsOf(['o4']), [], 'with its claim');
  });

  t.test(`${name}: many reservations at once`, { skip }, async (t) => {
    const { db, dispose } = await open();
    t.teardown(dispose);
    const s = new SqlReservationStore(db);
    const one = await Promise.all(Array.from({ length: 12 }, (_, i) => s.reserveContact(req('hot', `op${i}`, `h${i}`, 'email', 1))));
    t.equal(one.filter((r) => r.ok).length, 1, 'one contact, one winner');
    const room = await Promise.all(Array.from({ length: 12 }, (_, i) => s.reserveContact(req(`c${i}`, 'busy', `b${i}`, 'email', 1, 1000, 3))));
    t.equal(room.filter((r) => r.ok).length, 3, 'capacity 3 admits three of twelve at once');
    const calls = await Promise.all(Array.from({ length: 8 }, (_, i) => s.reserveContact(req(`call${i}`, 'agent', `v${i}`, 'voice', 1))));
    t.equal(calls.filter((r) => r.ok).length, 1, 'one call at a time');
  });

  t.test(`${name}: two engines on one SQL store never double-assign`, { skip }, async (t) => {
    const { db, dispose } = await open();
    t.teardown(dispose);
    const store = new SqlReservationStore(db);
    let run = 0;
    const cmd = fc.oneof(
      fc.record({ k: fc.constant('enqueue' as const), ch: fc.constantFrom<Channel>('voice', 'email', 'chat') }),
      fc.record({ k: fc.constantFrom('accept' as const, 'reject' as const), node: fc.nat(1), pick: fc.nat() }),
      fc.record({ k: fc.constantFrom('complete' as const, 'abandon' as const), pick: fc.nat() }),
      fc.record({ k: fc.constant('time' as const), ms: fc.integer({ min: 100, max: 8000 }) }),
      fc.record({ k: fc.constant('pause' as const), node: fc.nat(1), op: fc.constantFrom('a', 'b', 'c') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 30 }), async (cmds) => {
        run++;
        const clock = new ManualClock(1_000_000 + run * 10_000_000);
        const answered = new Map<string, number>();
        const events: RoutingEvent[] = [];
        const onEvent = (e: RoutingEvent) => {
          events.push(e);
          if (e.type === 'contact.answered') answered.set(e.contactId, (answered.get(e.contactId) ?? 0) + 1);
        };
        const queue = { id: 'q', siteId: 's', channels: ['voice', 'email', 'chat'] as Channel[], offerTimeoutMs: 3000 };
        const policy = { capacity: { voice: 1, callback: 1, chat: 2, email: 2, fax: 0, portal: 0 }, skipMs: 1000, reservationGraceMs: 1000, maxMissedOffers: 0 };
        const engines = [0, 1].map((n) => new RoutingEngine({ clock, store, nodeId: `r${run}n${n}`, policy, queues: [queue], onEvent }));
        // 'a' on node 0, 'b' on node 1, 'c' logged in on both (the store alone keeps its room).
        const placement: Record<string, number[]> = { a: [0], b: [1], c: [0, 1] };
        for (const [op, nodes] of Object.entries(placement)) for (const n of nodes) {
          engines[n]!.addOperator({ id: `${run}-${op}`, siteId: 's', skills: {} });
          engines[n]!.login(`${run}-${op}`);
        }
        let seq = 0;
        const contacts: string[] = [];
        for (const c of cmds) {
          if (c.k === 'enqueue') {
            const id = `${run}-c${seq++}`;
            contacts.push(id);
            for (const e of engines) e.enqueue({ id, channel: c.ch, queueId: 'q', enqueuedAt: clock.now() });
          } else if (c.k === 'accept' || c.k === 'reject') {
            const open = engines[c.node]!.allContacts().filter((x) => x.state === 'offered' && x.offerId);
            const o = open[c.pick % Math.max(1, open.length)];
            if (o?.offerId) {
              try {
                if (c.k === 'accept') engines[c.node]!.accept(o.offerId);
                else engines[c.node]!.reject(o.offerId);
              } catch {
                /* the offer ended meanwhile */
              }
            }
          } else if (c.k === 'complete' || c.k === 'abandon') {
            const id = contacts[c.pick % Math.max(1, contacts.length)];
            for (const e of engines) {
              const snap = id ? e.contact(id) : undefined;
              if (!snap) continue;
              if (c.k === 'complete' && snap.state === 'assigned') e.complete(snap.id, { wrapUpMs: 0 });
              if (c.k === 'abandon' && snap.state !== 'assigned' && snap.state !== 'wrapping' && snap.state !== 'gone') e.abandon(snap.id);
            }
          } else if (c.k === 'time') {
            clock.advance(c.ms);
            for (const e of engines) e.tick();
          } else if (c.k === 'pause') {
            const e = engines[c.node]!;
            const id = `${run}-${c.op}`;
            const snap = e.operator(id);
            if (snap?.state === 'paused') e.resume(id);
            else if (snap && snap.state !== 'logged_out') e.pause(id, 'break');
          }
          // Let some store calls land between steps (not all: races stay possible).
          await new Promise((r) => setImmediate(r));
          for (const [id, n] of answered) if (n > 1) throw new Error(`${id} answered ${n} times`);
          await checkRoom(store, run);
        }
        await quiet(engines);
        for (const [id, n] of answered) if (n > 1) throw new Error(`${id} answered ${n} times`);
        await checkRoom(store, run);
        // Never held by both engines at once.
        for (const id of contacts) {
          const holders = engines.map((e) => e.contact(id)?.state).filter((s) => s === 'offered' || s === 'assigned' || s === 'wrapping');
          if (holders.length > 1) throw new Error(`${id} held on both nodes`);
        }
      }),
      { numRuns: name === 'SQLite' ? 25 : 15, endOnFailure: true },
    );
    t.pass('no double assignment over the runs');
  });
}

/** Every operator's claims in the store leave room: capacity per channel, a call alone. */
async function checkRoom(store: SqlReservationStore, run: number): Promise<void> {
  const claims = await store.claimsOf(['a', 'b', 'c'].map((o) => `${run}-${o}`));
  const by = new Map<string, typeof claims>();
  for (const c of claims) by.set(c.operatorId, [...(by.get(c.operatorId) ?? []), c]);
  const cap: Record<string, number> = { voice: 1, email: 2, chat: 2 };
  for (const [op, list] of by) {
    if (list.some((c) => c.exclusive) && list.length > 1) throw new Error(`${op} holds a call beside other work: ${JSON.stringify(list)}`);
    for (const ch of Object.keys(cap)) if (list.filter((c) => c.channel === ch).length > cap[ch]!) throw new Error(`${op} over capacity on ${ch}`);
  }
}

/** Waits until no store call is in flight on either engine. */
async function quiet(engines: RoutingEngine[]): Promise<void> {
  const transient = new Set(['reserving', 'accepting', 'releasing', 'closing']);
  // Generous: under a loaded test run a database answer can take a while; this is no timing assertion.
  for (let i = 0; i < 4000; i++) {
    const busy = engines.some((e) => e.operatorIds().some((id) => e.operator(id)!.contacts.some((c) => transient.has(c.state))));
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('store calls did not settle');
}
