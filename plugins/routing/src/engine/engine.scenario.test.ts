/**
 * A simulated day of mixed traffic (voice, chat, e-mail, fax, portal, callbacks) over three sites
 * on a simulated clock, with every step checked (see test-support/day-simulation.ts).
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { compareContacts, indexOfBest, priorityThenWait, type RoutingStrategy } from './strategy.js';
import { simulateDay } from './test-support/day-simulation.js';

t.test('a simulated day keeps every routing rule at every step', async (t) => {
  const { summary, violations, log } = simulateDay(20250303);
  t.comment(JSON.stringify({ ...summary, byChannel: undefined }));
  t.comment(JSON.stringify(summary.byChannel));
  t.same(violations, [], 'no invariant broken: single holder, capacity, voice exclusive, skills with relaxation, overflow timing, hours, priorities');
  t.same(summary.lost, [], 'nothing lost: every contact completed, abandoned or still waiting');
  t.ok(summary.decisionsChecked > 1_000, `the day made many decisions (${summary.decisionsChecked}), each checked`);
  for (const ch of ['voice', 'chat', 'email', 'fax', 'portal', 'callback']) t.ok(summary.byChannel[ch]!.answered > 0, `${ch} contacts were answered`);
  t.ok(summary.answered / summary.queued > 0.8, `most contacts answered (${summary.answered} of ${summary.queued})`);
  t.ok(summary.overflowed > 0, `overflow happened (${summary.overflowed})`);
  t.ok(summary.relaxedOffers > 0, `relaxed requirements were used (${summary.relaxedOffers})`);
  t.ok(summary.stickyOffers > 0, `follow-ups went to their preferred operator (${summary.stickyOffers})`);
  t.ok(summary.callbacksAnswered > 0, `callbacks were answered (${summary.callbacksAnswered} of ${summary.callbacksQueued})`);
  t.ok(summary.rejected > 0 && summary.expired > 0, `offers were rejected (${summary.rejected}) and missed (${summary.expired})`);
  t.ok(summary.missedPauses > 0, `operators were paused for missed offers (${summary.missedPauses})`);
  t.ok(summary.escalated > 0, `contacts offered too often were escalated (${summary.escalated})`);
  t.equal(summary.completed + (summary.answered - summary.completed), summary.answered);
  t.ok(log.length > 0);
});

t.test('the same seed gives the same day, event for event', async (t) => {
  const a = simulateDay(7, { checkPriorities: false });
  const b = simulateDay(7, { checkPriorities: false });
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  t.equal(hash(a.log), hash(b.log));
  t.same(a.violations, []);
  t.not(hash(a.log), hash(simulateDay(8, { checkPriorities: false }).log), 'and another seed another day');
});

t.test('the checks catch a strategy that breaks the priority rule', async (t) => {
  const youngestFirst: RoutingStrategy = {
    ...priorityThenWait,
    name: 'youngest-first (wrong on purpose)',
    chooseContact: (_o, candidates) => indexOfBest(candidates, (a, b) => compareContacts(a, b) > 0),
  };
  const { violations } = simulateDay(20250303, { strategy: youngestFirst });
  t.ok(violations.some((v) => / given .* before /.test(v)), 'priority violations are reported');
});
