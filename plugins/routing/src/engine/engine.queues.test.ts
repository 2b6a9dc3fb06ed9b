/** Queues: priorities, relaxation, overflow, business hours, sticky operators, callbacks, escalation, recovery. */
import t from 'tap';
import { WeeklyHours } from './business-hours.js';
import { fixture, MONDAY_9AM_MSK } from './test-support/fixture.js';
import type { OperatorProfile, QueueConfig } from './types.js';

const op = (id: string, siteId: string, skills: Record<string, number> = {}): OperatorProfile => ({ id, siteId, skills });

t.test('priority first, then the earliest enqueue time', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice'] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city')] });
  const now = f.clock.now();
  f.engine.enqueue({ id: 'old-low', channel: 'voice', queueId: 'q', enqueuedAt: now - 60_000 });
  f.engine.enqueue({ id: 'new-high', channel: 'voice', queueId: 'q', priority: 5 });
  f.engine.enqueue({ id: 'older-high', channel: 'voice', queueId: 'q', priority: 5, enqueuedAt: now - 1_000 });
  t.same([f.engine.position('older-high'), f.engine.position('new-high'), f.engine.position('old-low')], [1, 2, 3]);
  const order: string[] = [];
  f.engine.login('ann');
  for (let i = 0; i < 3; i++) {
    const offer = f.of('contact.offered').at(-1)!;
    order.push(offer.contactId);
    f.engine.accept(offer.offerId);
    f.engine.complete(offer.contactId, { wrapUpMs: 0 });
  }
  t.same(order, ['older-high', 'new-high', 'old-low']);
});

t.test('relaxation: proficiency 4 wanted; after 60 s 2 will do; after 120 s any level', async (t) => {
  const q: QueueConfig = {
    id: 'tax',
    siteId: 'city',
    channels: ['voice'],
    skills: { tax: 4 },
    relax: [
      { afterMs: 60_000, maxLevel: 2 },
      { afterMs: 120_000, maxLevel: 1 },
    ],
  };
  const f = fixture({ queues: [q], operators: [op('mid', 'city', { tax: 2 }), op('low', 'city', { tax: 1 }), op('none', 'city', { housing: 5 })], policy: { skipMs: 600_000 } });
  for (const id of ['mid', 'low', 'none']) f.engine.login(id);
  f.engine.enqueue({ id: 'c', channel: 'voice', queueId: 'tax' });
  t.equal(f.engine.ineligibility('c', 'mid'), 'skills below the (relaxed) minimum');
  f.at(59_999);
  t.notOk(f.openOffer('c'), 'nothing before 60 s');
  t.equal(f.engine.contact('c')?.levelCap, 5);
  f.at(60_000);
  t.equal(f.openOffer('c')?.operatorId, 'mid', 'at 60 s the proficiency-2 operator gets it');
  f.engine.reject(f.openOffer('c')!.offerId);
  f.at(119_999);
  t.notOk(f.openOffer('c'), 'proficiency 1 still too low');
  f.at(120_000);
  t.equal(f.openOffer('c')?.operatorId, 'low', 'at 120 s any level');
  t.equal(f.engine.ineligibility('c', 'none'), 'skills below the (relaxed) minimum', 'a missing skill is never relaxed');
  t.notOk(f.of('contact.offered').some((e) => e.operatorId === 'none'));
});

t.test('a freed operator takes the oldest contact its proficiency allows now, looking past younger ones', async (t) => {
  const q: QueueConfig = { id: 'tax', siteId: 'city', channels: ['voice'], skills: { tax: 3 }, relax: [{ afterMs: 60_000, maxLevel: 1 }] };
  const f = fixture({ queues: [q], operators: [op('junior', 'city', { tax: 1 })] });
  const now = f.clock.now();
  f.engine.enqueue({ id: 'young', channel: 'voice', queueId: 'tax', enqueuedAt: now - 10_000 });
  f.engine.enqueue({ id: 'aged', channel: 'voice', queueId: 'tax', enqueuedAt: now - 70_000 });
  f.engine.login('junior');
  t.equal(f.openOffer('aged')?.operatorId, 'junior');
  t.notOk(f.openOffer('young'));
});

t.test('overflow to another site after the configured wait, never before', async (t) => {
  const q: QueueConfig = { id: 'd7', siteId: 'district-7', channels: ['voice'], skills: { housing: 1 }, overflow: { afterMs: 90_000, toSites: ['okrug'] } };
  const f = fixture({ queues: [q], operators: [op('local', 'district-7', { housing: 3 }), op('helper', 'okrug', { housing: 3 }), op('far', 'city', { housing: 5 })] });
  for (const id of ['local', 'helper', 'far']) f.engine.login(id);
  f.engine.enqueue({ id: 'busy-maker', channel: 'voice', queueId: 'd7' });
  f.engine.accept(f.openOffer('busy-maker')!.offerId);
  f.engine.enqueue({ id: 'c', channel: 'voice', queueId: 'd7' });
  t.equal(f.engine.ineligibility('c', 'helper'), 'other site, overflow not yet');
  t.equal(f.engine.ineligibility('c', 'far'), 'other site, no overflow there');
  f.at(89_999);
  t.notOk(f.openOffer('c'));
  f.at(90_000);
  const offer = f.openOffer('c');
  t.equal(offer?.operatorId, 'helper');
  t.match(f.of('contact.overflowed'), [{ contactId: 'c', fromSiteId: 'district-7', toSiteId: 'okrug', waitedMs: 90_000 }]);
});

t.test('overflow at once when nobody logged in at the site could ever take the contact', async (t) => {
  const q: QueueConfig = { id: 'd7', siteId: 'district-7', channels: ['voice'], skills: { transport: 2 }, overflow: { afterMs: 300_000, toSites: '*' } };
  const f = fixture({ queues: [q], operators: [op('local', 'district-7', { housing: 5 }), op('helper', 'city', { transport: 2 }), op('skilled-local', 'district-7', { transport: 4 })] });
  f.engine.login('local');
  f.engine.login('helper');
  f.engine.enqueue({ id: 'c1', channel: 'voice', queueId: 'd7' });
  t.equal(f.openOffer('c1')?.operatorId, 'helper', 'no local operator has the skill: overflow now');
  f.engine.accept(f.openOffer('c1')!.offerId);
  f.engine.login('skilled-local');
  f.engine.pause('skilled-local', 'training');
  f.engine.complete('c1', { wrapUpMs: 0 });
  f.engine.enqueue({ id: 'c2', channel: 'voice', queueId: 'd7' });
  t.notOk(f.openOffer('c2'), 'a paused but logged-in local operator could take it: no overflow yet');
  t.equal(f.engine.ineligibility('c2', 'helper'), 'other site, overflow not yet');
  f.engine.logout('skilled-local');
  t.equal(f.openOffer('c2')?.operatorId, 'helper', 'the last capable local logs out: overflow at once');
});

t.test('business hours: a closed queue holds its contacts; waits for relaxation count from the opening', async (t) => {
  const hours = new WeeklyHours({ timeZone: 'Europe/Moscow', week: { mon: [['10:00', '18:00']] } });
  const q: QueueConfig = { id: 'mail', siteId: 'city', channels: ['email'], skills: { law: 4 }, hours, relax: [{ afterMs: 60_000, maxLevel: 1 }] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city', { law: 1 })] }); // 09:00 Moscow, closed
  f.engine.login('ann');
  f.engine.enqueue({ id: 'm', channel: 'email', queueId: 'mail' });
  t.equal(f.engine.ineligibility('m', 'ann'), 'queue closed');
  t.equal(f.engine.nextWakeAt(), MONDAY_9AM_MSK + 3_600_000, 'the engine asks to be woken at the opening');
  f.at(3_600_000);
  t.equal(f.engine.queueStats('mail').open, true);
  t.notOk(f.openOffer('m'), 'open, but the hour waited while closed does not relax the requirement');
  t.equal(f.engine.contact('m')?.routingWaitMs, 0);
  f.at(3_600_000 + 60_000);
  t.equal(f.openOffer('m')?.operatorId, 'ann', '60 s after the opening it relaxes');
  t.equal(f.openOffer('m')?.waitedMs, 3_660_000, 'the reported age is the whole wait');
});

t.test('sticky operator: a follow-up waits for its preferred operator within the window', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['chat'], skills: { housing: 3 }, stickyWindowMs: 120_000 };
  const f = fixture({ queues: [q], operators: [op('pref', 'city', { housing: 1 }), op('other', 'city', { housing: 5 })] });
  f.engine.login('pref');
  f.engine.login('other');
  f.engine.pause('pref', 'meeting');
  f.engine.enqueue({ id: 'follow', channel: 'chat', queueId: 'q', preferredOperator: { operatorId: 'pref', until: f.clock.now() + 86_400_000 } });
  t.notOk(f.openOffer('follow'), 'not offered to others during the hold');
  t.equal(f.engine.ineligibility('follow', 'other'), 'held for its preferred operator');
  t.equal(f.engine.contact('follow')?.heldForOperatorId, 'pref');
  f.at(60_000);
  f.engine.resume('pref');
  t.equal(f.openOffer('follow')?.operatorId, 'pref', 'the preferred operator gets it, proficiency waived');
});

t.test('sticky operator: the window ends and anyone may take it; a reject ends the hold too', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['chat'], stickyWindowMs: 120_000 };
  const f = fixture({ queues: [q], operators: [op('pref', 'city'), op('other', 'city')] });
  f.engine.login('pref');
  f.engine.login('other');
  f.engine.pause('pref', 'meeting');
  const until = f.clock.now() + 86_400_000;
  f.engine.enqueue({ id: 'a', channel: 'chat', queueId: 'q', preferredOperator: { operatorId: 'pref', until } });
  f.at(119_999);
  t.notOk(f.openOffer('a'));
  f.at(120_000);
  t.equal(f.openOffer('a')?.operatorId, 'other', 'after the window anyone');

  const g = fixture({ queues: [q], operators: [op('pref', 'city'), op('other', 'city')] });
  g.engine.login('pref');
  g.engine.login('other');
  g.engine.pause('other', 'x');
  g.engine.enqueue({ id: 'b', channel: 'chat', queueId: 'q', preferredOperator: { operatorId: 'pref', until } });
  t.equal(g.openOffer('b')?.operatorId, 'pref');
  g.engine.reject(g.openOffer('b')!.offerId);
  t.equal(g.engine.contact('b')?.heldForOperatorId, undefined, 'the preferred operator said no: no hold');
  g.engine.resume('other');
  t.equal(g.openOffer('b')?.operatorId, 'other', 'anyone else may take it at once');
});

t.test('sticky: an expired preference, or a preferred operator logged out, holds nothing; the preference still ranks', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['chat'], stickyWindowMs: 120_000 };
  const f = fixture({ queues: [q], operators: [op('pref', 'city'), op('other', 'city')] });
  f.engine.login('other');
  f.engine.enqueue({ id: 'a', channel: 'chat', queueId: 'q', preferredOperator: { operatorId: 'pref', until: f.clock.now() + 86_400_000 } });
  t.equal(f.openOffer('a')?.operatorId, 'other', 'preferred operator logged out: no hold');
  f.engine.login('pref');
  f.at(1_000); // pref idle since later than other, but preferred
  f.engine.enqueue({ id: 'b', channel: 'chat', queueId: 'q', preferredOperator: { operatorId: 'pref', until: f.clock.now() - 1 } });
  t.equal(f.openOffer('b')?.operatorId, 'pref', 'expired preference: no hold; pref is the only one without an open offer');
  const g = fixture({ queues: [{ ...q, stickyWindowMs: 0 }], operators: [op('pref', 'city'), op('other', 'city')] });
  g.engine.login('other');
  g.at(1_000);
  g.engine.login('pref');
  g.engine.enqueue({ id: 'c', channel: 'chat', queueId: 'q', preferredOperator: { operatorId: 'pref', until: g.clock.now() + 1_000 } });
  t.equal(g.openOffer('c')?.operatorId, 'pref', 'no window: the preference ranks the preferred operator first among the idle');
});

t.test('a callback keeps the caller’s place: its original enqueue time puts it ahead of later calls', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice', 'callback'] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city')] });
  const start = f.clock.now();
  f.engine.enqueue({ id: 'call-1', channel: 'voice', queueId: 'q' });
  f.at(30_000);
  f.engine.abandon('call-1'); // the caller asked for a callback instead of waiting
  f.at(40_000);
  f.engine.enqueue({ id: 'call-2', channel: 'voice', queueId: 'q' });
  f.at(50_000);
  f.engine.enqueue({ id: 'cb-1', channel: 'callback', queueId: 'q', enqueuedAt: start, appealId: 'A-1' });
  t.same([f.engine.position('cb-1'), f.engine.position('call-2')], [1, 2]);
  f.engine.login('ann');
  t.equal(f.openOffer('cb-1')?.operatorId, 'ann');
  t.equal(f.openOffer('cb-1')?.waitedMs, 50_000, 'its age counts from the original call');
});

t.test('a callback scheduled for later is parked until then, keeping its place', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice', 'callback'] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city')] });
  const start = f.clock.now();
  f.engine.login('ann');
  f.engine.pause('ann', 'x');
  f.engine.enqueue({ id: 'cb', channel: 'callback', queueId: 'q', enqueuedAt: start - 600_000, availableAt: start + 60_000 });
  f.engine.enqueue({ id: 'call', channel: 'voice', queueId: 'q' });
  t.equal(f.engine.contact('cb')?.state, 'parked');
  f.engine.resume('ann');
  t.equal(f.openOffer('call')?.operatorId, 'ann');
  f.engine.reject(f.openOffer('call')!.offerId);
  f.at(60_000);
  t.equal(f.openOffer('cb')?.operatorId, 'ann');
});

t.test('escalation after maxOffers unaccepted offers: priority boost, or another queue keeping the place', async (t) => {
  const boosted: QueueConfig = { id: 'b', siteId: 'city', channels: ['voice'], maxOffers: 2 };
  const f = fixture({ queues: [boosted], operators: [op('ann', 'city'), op('bob', 'city')] });
  f.engine.login('ann');
  f.engine.login('bob');
  f.engine.enqueue({ id: 'c', channel: 'voice', queueId: 'b', priority: 1 });
  f.engine.reject(f.openOffer('c')!.offerId);
  f.engine.reject(f.openOffer('c')!.offerId);
  t.match(f.of('contact.escalated'), [{ contactId: 'c', fromQueueId: 'b', queueId: 'b', priority: 2, offers: 2 }]);
  t.equal(f.engine.contact('c')?.priority, 2);

  const sup: QueueConfig = { id: 'supervisors', siteId: 'city', channels: ['voice'], skills: { senior: 1 } };
  const g = fixture({ queues: [{ ...boosted, escalation: { toQueueId: 'supervisors' } }, sup], operators: [op('ann', 'city'), op('boss', 'city', { senior: 5 })] });
  g.engine.login('ann');
  g.engine.enqueue({ id: 'c', channel: 'voice', queueId: 'b', enqueuedAt: g.clock.now() - 5_000 });
  g.engine.reject(g.openOffer('c')!.offerId);
  g.after(60_000);
  g.engine.reject(g.openOffer('c')!.offerId);
  t.match(g.engine.contact('c'), { queueId: 'supervisors', waitedMs: 65_000 });
  g.engine.login('boss');
  t.equal(g.openOffer('c')?.operatorId, 'boss');
});

t.test('recovery: restore rebuilds the line with the original ages and order', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice', 'email'], skills: { law: 3 }, relax: [{ afterMs: 60_000, maxLevel: 1 }] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city', { law: 1 })] });
  const now = f.clock.now();
  const events = f.engine.restore([
    { id: 'e', channel: 'email', queueId: 'q', enqueuedAt: now - 30_000 },
    { id: 'v', channel: 'voice', queueId: 'q', enqueuedAt: now - 120_000, priority: 0 },
  ]);
  t.same(events, [], 'nothing queued again, nobody to offer to');
  t.same(f.engine.waiting().map((c) => [c.id, c.waitedMs]), [['e', 30_000], ['v', 120_000]]);
  t.throws(() => f.engine.restore([{ id: 'x', channel: 'voice', queueId: 'q' }]), { code: 'invalid-contact' }, 'the original time is required');
  f.engine.restore([{ id: 'v', channel: 'voice', queueId: 'q', enqueuedAt: now }]);
  t.equal(f.engine.contact('v')?.waitedMs, 120_000, 'a contact already known is left alone');
  f.engine.login('ann');
  t.equal(f.openOffer('v')?.operatorId, 'ann', 'the oldest, already relaxed, goes first');
  t.notOk(f.openOffer('e'));
  f.at(30_000);
  t.equal(f.engine.contact('e')?.levelCap, 1, 'and its relaxation continues on its original clock');
});

t.test('abandon: waiting or offered, the contact leaves; handling contacts must be completed', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice'] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city')] });
  f.engine.enqueue({ id: 'w', channel: 'voice', queueId: 'q' });
  f.at(4_000);
  f.engine.abandon('w');
  t.match(f.of('contact.abandoned'), [{ contactId: 'w', waitedMs: 4_000 }]);
  t.equal(f.engine.contact('w'), undefined);
  f.engine.login('ann');
  f.engine.enqueue({ id: 'o', channel: 'voice', queueId: 'q' });
  f.engine.abandon('o');
  t.equal(f.of('contact.offer_withdrawn').length, 1);
  t.equal(f.engine.operator('ann')?.openOffers, 0);
  f.engine.enqueue({ id: 'h', channel: 'voice', queueId: 'q' });
  f.engine.accept(f.openOffer('h')!.offerId);
  t.throws(() => f.engine.abandon('h'), { code: 'contact-assigned' });
});

t.test('bad input is refused before anything changes', async (t) => {
  const q: QueueConfig = { id: 'q', siteId: 'city', channels: ['voice'] };
  const f = fixture({ queues: [q], operators: [op('ann', 'city')] });
  t.throws(() => f.engine.enqueue({ id: 'a', channel: 'chat', queueId: 'q' }), { code: 'invalid-contact' });
  t.throws(() => f.engine.enqueue({ id: 'a', channel: 'voice', queueId: 'nope' }), { code: 'unknown-queue' });
  t.throws(() => f.engine.enqueue({ id: 'a', channel: 'voice', queueId: 'q', skills: { x: 9 } }), { code: 'invalid-skill' });
  f.engine.enqueue({ id: 'a', channel: 'voice', queueId: 'q' });
  t.throws(() => f.engine.enqueue({ id: 'a', channel: 'voice', queueId: 'q' }), { code: 'duplicate-contact' });
  t.throws(() => f.engine.addQueue({ id: 'r', siteId: 'city', channels: ['voice'], relax: [{ afterMs: 1, maxLevel: 0 }] }), { code: 'invalid-skill' });
  t.throws(() => f.engine.addOperator({ id: 'x', siteId: 'city', skills: {}, capacity: { chat: -1 } }), { code: 'invalid-operator' });
  t.equal(f.engine.waiting().length, 1);
});
