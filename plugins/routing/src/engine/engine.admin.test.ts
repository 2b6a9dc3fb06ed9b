/** Queue edits at run time (replaceQueue, removeQueue) and adopting an assignment after a restart. */
import t from 'tap';
import { InMemoryReservationStore } from './reservation.js';
import { fixture } from './test-support/fixture.js';
import type { OperatorProfile, QueueConfig } from './types.js';

const op = (id: string, siteId: string, skills: Record<string, number> = {}): OperatorProfile => ({ id, siteId, skills });

t.test('replaceQueue: waiting contacts keep their places and take the new rules; offers go on', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['email', 'chat'], skills: { tax: 4 } };
  const f = fixture({ queues: [q], operators: [op('ann', 'city', { tax: 2 }), op('bob', 'city', { tax: 5 })] });
  const now = f.clock.now();
  f.engine.enqueue({ id: 'e1', channel: 'email', queueId: 'q', enqueuedAt: now - 5_000 });
  f.engine.enqueue({ id: 'e2', channel: 'email', queueId: 'q', enqueuedAt: now - 1_000 });
  f.engine.login('bob');
  const offer = f.openOffer('e1')!;
  t.equal(offer.operatorId, 'bob');
  f.engine.login('ann');
  t.equal(f.openOffer('e2'), undefined, 'ann lacks the proficiency');
  // The requirement is lowered: e2 goes to ann at once, e1's offer to bob stays open.
  f.engine.replaceQueue({ ...q, skills: { tax: 2 }, defaultPriority: 3 });
  t.equal(f.openOffer('e2')?.operatorId, 'ann', 'the new rules apply to the waiting contact');
  t.equal(f.openOffer('e1')?.offerId, offer.offerId, 'the open offer goes on');
  f.engine.accept(offer.offerId);
  t.equal(f.engine.contact('e1')?.state, 'assigned');
  t.equal(f.engine.contact('e2')?.enqueuedAt, now - 1_000, 'its age is kept');
  t.throws(() => f.engine.replaceQueue({ ...q, channels: ['chat'] }), /email/, 'a channel in use cannot be dropped');
  t.throws(() => f.engine.replaceQueue({ ...q, id: 'nope' }), /no queue/);
});

t.test('removeQueue: only an empty queue goes', async (t) => {
  const f = fixture({ queues: [{ id: 'a', siteId: 'city', channels: ['email'] }, { id: 'b', siteId: 'city', channels: ['email'] }], operators: [op('ann', 'city')] });
  f.engine.enqueue({ id: 'c1', channel: 'email', queueId: 'a' });
  t.throws(() => f.engine.removeQueue('a'), /has contacts/);
  f.engine.removeQueue('b');
  t.same(f.engine.queueStats('a').waiting, 1);
  t.throws(() => f.engine.queueStats('b'), /no queue/);
  t.throws(() => f.engine.enqueue({ id: 'c2', channel: 'email', queueId: 'b' }), /no queue/);
  f.engine.addQueue({ id: 'b', siteId: 'city', channels: ['email'] });
  f.engine.enqueue({ id: 'c2', channel: 'email', queueId: 'b' });
  f.engine.login('ann');
  t.ok(f.openOffer('c1') ?? f.openOffer('c2'), 'a re-added queue routes again');
});

t.test('adoptAssignment: the store\'s assignment is the operator\'s again', async (t) => {
  const store = new InMemoryReservationStore();
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice', 'email'], wrapUpMs: 0 };
  // Before the restart: ann takes a call.
  const before = fixture({ queues: [q], operators: [op('ann', 'city')], store, nodeId: 'n1' });
  before.engine.enqueue({ id: 'call', channel: 'voice', queueId: 'q' });
  before.engine.login('ann');
  const offer = before.openOffer('call')!;
  before.engine.accept(offer.offerId);
  // After: a new engine on the same store; the call is adopted before ann logs in.
  const after = fixture({ queues: [q], operators: [op('ann', 'city')], store, nodeId: 'n1', start: before.clock.now() + 60_000 });
  after.engine.adoptAssignment({ id: 'call', channel: 'voice', queueId: 'q', enqueuedAt: before.clock.now() }, 'ann', offer.offerId, after.clock.now());
  after.engine.enqueue({ id: 'mail', channel: 'email', queueId: 'q' });
  after.engine.login('ann');
  t.equal(after.engine.operator('ann')?.state, 'busy');
  t.equal(after.openOffer('mail'), undefined, 'nothing beside the call');
  after.engine.complete('call');
  t.equal(store.holding('call').state, 'done', 'completing it finishes the store\'s holding (the offer id fences it)');
  t.equal(after.openOffer('mail')?.operatorId, 'ann', 'then the operator has room');
  t.same(after.engine.adoptAssignment({ id: 'mail', channel: 'email', queueId: 'q', enqueuedAt: 0 }, 'ann', 'x', 0), [], 'a known contact is left alone');
});

t.test('adoptAssignment takes over a contact another node held', async (t) => {
  const store = new InMemoryReservationStore();
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['email'], wrapUpMs: 0 };
  const one = fixture({ queues: [q], operators: [op('ann', 'city')], store, nodeId: 'n1' });
  const two = fixture({ queues: [q], operators: [op('ann', 'city'), op('bob', 'city')], store, nodeId: 'n2' });
  for (const f of [one, two]) f.engine.enqueue({ id: 'm', channel: 'email', queueId: 'q', enqueuedAt: one.clock.now() });
  one.engine.login('ann');
  const offer = one.openOffer('m')!;
  one.engine.accept(offer.offerId);
  two.engine.refresh('m');
  t.equal(two.engine.contact('m')?.state, 'elsewhere', 'node 2 sees it held elsewhere');
  // Node 1 is gone; ann comes to node 2, which adopts her assignment.
  two.engine.adoptAssignment({ id: 'm', channel: 'email', queueId: 'q', enqueuedAt: 0 }, 'ann', offer.offerId, two.clock.now());
  two.engine.login('ann');
  t.equal(two.engine.operator('ann')?.state, 'busy');
  t.equal(two.engine.contact('m')?.operatorId, 'ann');
  two.engine.complete('m');
  t.equal(store.holding('m').state, 'done');
  t.equal(two.of('contact.completed').length, 1);
});
