/** Operator state machine, capacity per channel, voice exclusivity, wrap-up and missed offers. */
import t from 'tap';
import { fixture } from './test-support/fixture.js';
import type { QueueConfig } from './types.js';

const general: QueueConfig = { id: 'general', siteId: 'city', channels: ['voice', 'chat', 'email', 'callback'], offerTimeoutMs: 10_000 };
const ann = { id: 'ann', siteId: 'city', skills: {} };

t.test('state machine: logged_out -> ready -> busy -> wrap_up -> ready -> paused -> ready -> logged_out', async (t) => {
  const f = fixture({ queues: [general], operators: [ann], policy: { wrapUpMs: 30_000 } });
  const { engine } = f;
  t.equal(engine.operator('ann')?.state, 'logged_out');
  engine.login('ann');
  t.equal(engine.operator('ann')?.state, 'ready');
  engine.enqueue({ id: 'c1', channel: 'voice', queueId: 'general' });
  const offer = f.openOffer('c1');
  t.ok(offer, 'offered to the only ready operator');
  t.equal(engine.operator('ann')?.state, 'ready', 'an open offer does not change the state');
  engine.accept(offer!.offerId);
  t.equal(engine.operator('ann')?.state, 'busy');
  engine.complete('c1');
  t.equal(engine.operator('ann')?.state, 'wrap_up');
  f.after(29_999);
  t.equal(engine.operator('ann')?.state, 'wrap_up', 'wrap-up lasts its time');
  f.after(1);
  t.equal(engine.operator('ann')?.state, 'ready', 'and ends by itself');
  engine.pause('ann', 'lunch');
  t.same([engine.operator('ann')?.state, engine.operator('ann')?.pausedReason], ['paused', 'lunch']);
  engine.resume('ann');
  engine.logout('ann');
  const changes = f.of('operator.state_changed').map((e) => `${e.from}>${e.to}${e.reason ? `(${e.reason})` : ''}`);
  t.same(changes, ['logged_out>ready(login)', 'ready>busy', 'busy>wrap_up', 'wrap_up>ready', 'ready>paused(lunch)', 'paused>ready(resume)', 'ready>logged_out(logout)']);
  const done = f.of('contact.completed')[0];
  t.match(done, { contactId: 'c1', operatorId: 'ann', talkMs: 0, wrapMs: 30_000 });
});

t.test('impossible transitions are refused', async (t) => {
  const { engine } = fixture({ queues: [general], operators: [ann] });
  t.throws(() => engine.pause('ann', 'x'), { code: 'invalid-transition' });
  t.throws(() => engine.resume('ann'), { code: 'invalid-transition' });
  t.throws(() => engine.logout('ann'), { code: 'invalid-transition' });
  engine.login('ann');
  t.throws(() => engine.login('ann'), { code: 'invalid-transition' });
  t.throws(() => engine.resume('ann'), { code: 'invalid-transition' }, 'not paused');
  t.throws(() => engine.login('bob'), { code: 'unknown-operator' });
});

t.test('logout is refused while handling a contact, unless it is requeued (keeping its place)', async (t) => {
  const f = fixture({ queues: [general], operators: [ann, { id: 'bob', siteId: 'city', skills: {} }] });
  const { engine } = f;
  engine.login('ann');
  engine.enqueue({ id: 'c1', channel: 'chat', queueId: 'general', enqueuedAt: f.clock.now() - 5_000 });
  engine.accept(f.openOffer('c1')!.offerId);
  t.throws(() => engine.logout('ann'), { code: 'operator-has-work' });
  engine.logout('ann', { requeue: true });
  t.equal(engine.operator('ann')?.state, 'logged_out');
  t.match(engine.contact('c1'), { state: 'waiting', waitedMs: 5_000 }, 'back in line with its age');
  engine.login('bob');
  t.equal(f.openOffer('c1')?.operatorId, 'bob');
  t.equal(f.of('contact.requeued').length, 1);
});

t.test('capacity per channel: three chats at once, the fourth waits', async (t) => {
  const f = fixture({ queues: [general], operators: [ann] });
  const { engine } = f;
  engine.login('ann');
  for (const id of ['c1', 'c2', 'c3', 'c4']) engine.enqueue({ id, channel: 'chat', queueId: 'general' });
  for (const id of ['c1', 'c2', 'c3']) {
    const offer = f.openOffer(id);
    t.ok(offer, `${id} offered`);
    engine.accept(offer!.offerId);
  }
  t.equal(f.openOffer('c4'), undefined, 'the fourth chat is not offered');
  t.same(engine.operator('ann')?.load.chat, 3);
  engine.complete('c2', { wrapUpMs: 0 });
  t.equal(f.openOffer('c4')?.operatorId, 'ann', 'a freed slot takes the next chat');
});

t.test('one open offer at a time by default: the next chat is offered after the accept', async (t) => {
  const f = fixture({ queues: [general], operators: [ann] });
  f.engine.login('ann');
  f.engine.enqueue({ id: 'c1', channel: 'chat', queueId: 'general' });
  f.engine.enqueue({ id: 'c2', channel: 'chat', queueId: 'general' });
  t.ok(f.openOffer('c1'));
  t.notOk(f.openOffer('c2'));
  f.engine.accept(f.openOffer('c1')!.offerId);
  t.ok(f.openOffer('c2'));
});

t.test('voice is exclusive: nothing beside a call, no call beside other work', async (t) => {
  const f = fixture({ queues: [general], operators: [ann] });
  const { engine } = f;
  engine.login('ann');
  engine.enqueue({ id: 'call', channel: 'voice', queueId: 'general' });
  engine.accept(f.openOffer('call')!.offerId);
  engine.enqueue({ id: 'chat', channel: 'chat', queueId: 'general' });
  engine.enqueue({ id: 'mail', channel: 'email', queueId: 'general' });
  t.notOk(f.openOffer('chat'), 'no chat during a call');
  t.notOk(f.openOffer('mail'), 'no e-mail during a call');
  engine.complete('call');
  t.notOk(f.openOffer('chat'), 'nor during the call wrap-up');
  engine.endWrapUp('call');
  engine.accept(f.openOffer('chat')!.offerId);
  engine.enqueue({ id: 'call2', channel: 'voice', queueId: 'general' });
  t.notOk(f.openOffer('call2'), 'no call while a chat is open');
  t.ok(f.openOffer('mail'), 'but more non-exclusive work, within capacity');
});

t.test('a call beside e-mail work when configured compatible', async (t) => {
  const f = fixture({ queues: [general], operators: [ann], policy: { compatibleWithExclusive: ['email'] } });
  const { engine } = f;
  engine.login('ann');
  engine.enqueue({ id: 'mail', channel: 'email', queueId: 'general' });
  engine.accept(f.openOffer('mail')!.offerId);
  engine.enqueue({ id: 'call', channel: 'voice', queueId: 'general' });
  engine.accept(f.openOffer('call')!.offerId);
  engine.enqueue({ id: 'mail2', channel: 'email', queueId: 'general' });
  t.notOk(f.openOffer('mail2'), 'but still nothing beside the call');
  t.same(engine.operator('ann')?.load, { voice: 1, chat: 0, email: 1, fax: 0, portal: 0, callback: 0 });
});

t.test('an operator capacity of 0 means never that channel', async (t) => {
  const f = fixture({ queues: [general], operators: [{ id: 'mailer', siteId: 'city', skills: {}, capacity: { voice: 0 } }] });
  f.engine.login('mailer');
  f.engine.enqueue({ id: 'call', channel: 'voice', queueId: 'general' });
  t.notOk(f.openOffer('call'));
  t.equal(f.engine.ineligibility('call', 'mailer'), 'operator has no such channel');
});

t.test('a timed-out offer returns the contact with its age, skips the operator, and N misses pause it', async (t) => {
  const f = fixture({
    queues: [general],
    operators: [ann, { id: 'bob', siteId: 'city', skills: {} }],
    policy: { maxMissedOffers: 2, skipMs: 60_000 },
  });
  const { engine } = f;
  engine.login('ann');
  engine.enqueue({ id: 'c1', channel: 'voice', queueId: 'general' });
  t.equal(f.openOffer('c1')?.operatorId, 'ann');
  f.after(10_000);
  t.equal(f.of('contact.offer_expired').length, 1);
  t.match(engine.contact('c1'), { state: 'waiting', waitedMs: 10_000, offers: 1 });
  t.equal(f.openOffer('c1'), undefined, 'not offered again to the one who missed it');
  t.equal(engine.ineligibility('c1', 'ann'), 'operator skipped for this contact');
  engine.enqueue({ id: 'c2', channel: 'voice', queueId: 'general' });
  t.equal(f.openOffer('c2')?.operatorId, 'ann', 'other contacts still go to her');
  f.after(10_000);
  t.match(engine.operator('ann'), { state: 'paused', pausedReason: 'missed-offers' }, 'second miss in a row pauses');
  engine.login('bob');
  t.equal(f.openOffer('c1')?.operatorId, 'bob', 'the oldest goes to the next operator');
  engine.resume('ann');
  t.equal(f.openOffer('c2'), undefined, 'after resume she is still skipped for the contact she missed');
  t.equal(engine.ineligibility('c2', 'ann'), 'operator skipped for this contact');
  t.equal(engine.operator('ann')?.missedOffers, 0, 'resume clears the missed count');
});

t.test('pausing withdraws an open offer without skipping the operator', async (t) => {
  const f = fixture({ queues: [general], operators: [ann] });
  f.engine.login('ann');
  f.engine.enqueue({ id: 'c1', channel: 'voice', queueId: 'general' });
  f.engine.pause('ann', 'break');
  t.equal(f.of('contact.offer_withdrawn').length, 1);
  t.equal(f.engine.contact('c1')?.state, 'waiting');
  f.engine.resume('ann');
  t.equal(f.openOffer('c1')?.operatorId, 'ann');
});

t.test('a rejected offer is not repeated to the same operator until the skip ends', async (t) => {
  const f = fixture({ queues: [general], operators: [ann], policy: { skipMs: 30_000 } });
  f.engine.login('ann');
  f.engine.enqueue({ id: 'c1', channel: 'voice', queueId: 'general' });
  f.engine.reject(f.openOffer('c1')!.offerId);
  t.equal(f.of('contact.offer_rejected').length, 1);
  t.notOk(f.openOffer('c1'));
  f.after(29_999);
  t.notOk(f.openOffer('c1'));
  f.after(1);
  t.equal(f.openOffer('c1')?.operatorId, 'ann', 'offered again once the skip is over');
  t.equal(f.engine.operator('ann')?.missedOffers, 0, 'a reject is not a miss');
});

t.test('accept after the timeout fails; the contact is already back in line', async (t) => {
  const f = fixture({ queues: [general], operators: [ann] });
  f.engine.login('ann');
  f.engine.enqueue({ id: 'c1', channel: 'voice', queueId: 'general' });
  const offer = f.openOffer('c1')!;
  f.clock.advance(10_000); // no tick: the accept arrives first, but the timer was due
  const events = f.engine.accept(offer.offerId);
  t.match(events.map((e) => e.type), ['contact.offer_expired', 'contact.accept_failed']);
  t.equal(f.engine.contact('c1')?.state, 'waiting');
  t.equal(f.of('contact.answered').length, 0);
});
