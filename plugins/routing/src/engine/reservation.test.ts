/** The in-memory ReservationStore's compare-and-set rules, and two engines sharing one store. */
import t from 'tap';
import { ManualClock } from './clock.js';
import { RoutingEngine } from './engine.js';
import { InMemoryReservationStore, type ReserveRequest } from './reservation.js';
import type { QueueConfig, RoutingEvent } from './types.js';

const req = (over: Partial<ReserveRequest> = {}): ReserveRequest => ({
  contactId: 'c1',
  operatorId: 'ann',
  offerId: 'n1-1',
  channel: 'chat',
  exclusive: false,
  capacity: 3,
  compatibleWithExclusive: [],
  now: 1_000,
  expiresAt: 21_000,
  ...over,
});

t.test('a contact is reserved once; confirm, release and finish need the offer that holds it', async (t) => {
  const s = new InMemoryReservationStore();
  t.same(s.holding('c1'), { contactId: 'c1', state: 'free', version: 0 });
  t.same(s.reserveContact(req()), { ok: true, version: 1 });
  t.match(s.reserveContact(req({ offerId: 'n2-1', operatorId: 'bob' })), { ok: false, reason: 'contact-held', holder: { offerId: 'n1-1', operatorId: 'ann' } });
  t.match(s.confirm('c1', 'n2-1', 2_000), { ok: false }, 'another offer cannot confirm it');
  t.same(s.confirm('c1', 'n1-1', 2_000), { ok: true, version: 2 });
  t.match(s.confirm('c1', 'n1-1', 2_000), { ok: false }, 'confirm is not repeated');
  t.match(s.reserveContact(req({ offerId: 'n2-2', operatorId: 'bob', now: 99_000 })), { ok: false, reason: 'contact-held' }, 'an assignment never expires');
  t.same(s.release('c1', 'n1-1', 3_000), { ok: true, version: 3 }, 'requeue');
  t.same(s.reserveContact(req({ offerId: 'n2-3', operatorId: 'bob' })), { ok: true, version: 4 });
  t.same(s.claimsOf('ann'), []);
  t.same(s.finish('c1', 'n2-3', 4_000), { ok: true, version: 5 });
  t.match(s.reserveContact(req({ offerId: 'n1-9' })), { ok: false, reason: 'contact-done' });
  t.same(s.claimsOf('bob'), []);
});

t.test('an expired reservation may be taken over (a node that died holding an offer)', async (t) => {
  const s = new InMemoryReservationStore();
  s.reserveContact(req());
  t.match(s.reserveContact(req({ offerId: 'n2-1', operatorId: 'bob', now: 21_000 })), { ok: false }, 'not at the expiry itself');
  t.same(s.reserveContact(req({ offerId: 'n2-1', operatorId: 'bob', now: 21_001 })), { ok: true, version: 2 });
  t.same(s.claimsOf('ann'), [], 'the dead offer’s claim is gone');
  t.match(s.confirm('c1', 'n1-1', 21_002), { ok: false }, 'and the old offer can no longer be accepted');
});

t.test('operator room: capacity per channel, exclusive alone, exclusive only beside compatible work', async (t) => {
  const s = new InMemoryReservationStore();
  t.match(s.reserveContact(req({ contactId: 'a', offerId: 'o1', capacity: 2 })), { ok: true });
  t.match(s.reserveContact(req({ contactId: 'b', offerId: 'o2', capacity: 2 })), { ok: true });
  t.match(s.reserveContact(req({ contactId: 'c', offerId: 'o3', capacity: 2 })), { ok: false, reason: 'operator-full' });
  t.match(s.reserveContact(req({ contactId: 'v', offerId: 'o4', channel: 'voice', exclusive: true, capacity: 1 })), { ok: false, reason: 'operator-full' }, 'no call beside chats');
  t.same(s.holding('c'), { contactId: 'c', state: 'free', version: 0 }, 'a refused reservation changes nothing');
  const m = new InMemoryReservationStore();
  m.reserveContact(req({ contactId: 'mail', offerId: 'o1', channel: 'email', capacity: 5 }));
  t.match(m.reserveContact(req({ contactId: 'v', offerId: 'o2', channel: 'voice', exclusive: true, capacity: 1, compatibleWithExclusive: ['email'] })), { ok: true });
  t.match(m.reserveContact(req({ contactId: 'mail2', offerId: 'o3', channel: 'email', capacity: 5 })), { ok: false, reason: 'operator-full' }, 'nothing beside a call');
  t.match(m.reserveContact(req({ contactId: 'v2', offerId: 'o4', channel: 'voice', exclusive: true, capacity: 2 })), { ok: false, reason: 'operator-full' }, 'never two calls');
});

t.test('retire ends a free or reserved contact, never an assignment', async (t) => {
  const s = new InMemoryReservationStore();
  s.reserveContact(req());
  t.same(s.retire('c1', 2_000), { ok: true, version: 2 });
  t.same(s.claimsOf('ann'), []);
  t.match(s.release('c1', 'n1-1', 2_000), { ok: false, holder: { state: 'done' } });
  s.reserveContact(req({ contactId: 'c2', offerId: 'o2' }));
  s.confirm('c2', 'o2', 2_000);
  t.match(s.retire('c2', 3_000), { ok: false, holder: { state: 'assigned', offerId: 'o2' } });
  t.equal(s.claimsOf('ann').length, 1);
});

const queue: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice', 'chat'], offerTimeoutMs: 10_000 };

function twoNodes() {
  const clock = new ManualClock(1_000_000);
  const store = new InMemoryReservationStore();
  const events: Record<'A' | 'B', RoutingEvent[]> = { A: [], B: [] };
  const node = (name: 'A' | 'B', op: string) =>
    new RoutingEngine({ clock, store, nodeId: name, queues: [queue], operators: [{ id: op, siteId: 'city', skills: {} }], onEvent: (e) => events[name].push(e), policy: { reservationGraceMs: 1_000 } });
  const A = node('A', 'ann');
  const B = node('B', 'bob');
  A.login('ann');
  B.login('bob');
  return { clock, store, A, B, events };
}

t.test('two nodes race for one contact: one offer wins, the other node leaves it alone until it is free', async (t) => {
  const { store, A, B, events } = twoNodes();
  A.enqueue({ id: 'c', channel: 'voice', queueId: 'q' });
  B.enqueue({ id: 'c', channel: 'voice', queueId: 'q' });
  t.match(events.A.filter((e) => e.type === 'contact.offered'), [{ contactId: 'c', operatorId: 'ann' }]);
  t.same(events.B.filter((e) => e.type === 'contact.offered'), [], 'B lost the race');
  t.match(events.B.filter((e) => e.type === 'contact.taken_elsewhere'), [{ contactId: 'c', holder: { state: 'reserved', operatorId: 'ann' } }]);
  t.equal(B.contact('c')?.state, 'elsewhere');
  t.equal(B.operator('bob')?.openOffers, 0, 'and its operator is free again');
  const offer = events.A.find((e) => e.type === 'contact.offered');
  A.reject((offer as { offerId: string }).offerId);
  t.equal(store.holding('c').state, 'free');
  B.refresh('c');
  t.match(events.B.filter((e) => e.type === 'contact.offered'), [{ contactId: 'c', operatorId: 'bob' }], 'once A let go, B offers it');
});

t.test('a node that stops (no tick, no release) loses its reservation after the expiry; the other takes over', async (t) => {
  const { clock, A, B, events } = twoNodes();
  A.enqueue({ id: 'c', channel: 'voice', queueId: 'q' });
  B.enqueue({ id: 'c', channel: 'voice', queueId: 'q' });
  t.equal(B.contact('c')?.state, 'elsewhere');
  t.equal(B.nextWakeAt(), 1_000_000 + 10_000 + 1_000 + 1, 'B will look again just after the reservation expires');
  clock.set(1_000_000 + 11_001);
  B.tick(); // A is "dead": it does not tick
  t.match(events.B.filter((e) => e.type === 'contact.offered'), [{ contactId: 'c', operatorId: 'bob' }]);
  const late = A.accept((events.A.find((e) => e.type === 'contact.offered') as { offerId: string }).offerId);
  t.match(late.map((e) => e.type), ['contact.offer_expired', 'contact.taken_elsewhere', 'contact.accept_failed'], 'A wakes up: its offer is gone');
  t.equal(events.A.filter((e) => e.type === 'contact.answered').length, 0);
});

t.test('one operator known to two nodes never holds more than its room', async (t) => {
  const clock = new ManualClock(0);
  const store = new InMemoryReservationStore();
  const mk = (nodeId: string) => new RoutingEngine({ clock, store, nodeId, queues: [queue], operators: [{ id: 'x', siteId: 'city', skills: {} }] });
  const A = mk('A');
  const B = mk('B');
  A.login('x');
  B.login('x');
  A.enqueue({ id: 'call', channel: 'voice', queueId: 'q' });
  const events = B.enqueue({ id: 'chat', channel: 'chat', queueId: 'q' });
  t.same(events.filter((e) => e.type === 'contact.offered'), [], 'B may not offer a chat to an operator on a call');
  t.same(store.claimsOf('x').map((c) => c.contactId), ['call']);
  t.same(B.operator('x')?.availableFor, [], 'B backs off the operator for a while');
});

t.test('offer ids stay unique when a node restarts with the same name', async (t) => {
  const clock = new ManualClock(5_000_000);
  const store = new InMemoryReservationStore();
  const start = () => new RoutingEngine({ clock, store, nodeId: 'core-1', queues: [queue], operators: [{ id: 'ann', siteId: 'city', skills: {} }] });
  const before = start();
  before.login('ann');
  const first = before.enqueue({ id: 'c1', channel: 'chat', queueId: 'q' }).find((e) => e.type === 'contact.offered');
  clock.advance(1_000); // the node dies with its offer open and comes back
  const after = start();
  after.login('ann');
  after.restore([{ id: 'c2', channel: 'chat', queueId: 'q', enqueuedAt: clock.now() }]);
  const second = after.contact('c2');
  t.ok(first && second?.offerId);
  t.not(second?.offerId, (first as { offerId: string }).offerId);
  t.same(store.claimsOf('ann').map((c) => c.contactId).sort(), ['c1', 'c2'], 'the old claim is not confused with the new one');
});
