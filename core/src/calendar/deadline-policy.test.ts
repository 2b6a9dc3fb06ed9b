/**
 * DeadlinePolicy pinned on hand-worked examples: the default 59-FZ policy on the Russian production
 * calendar, Moscow time, 09:00-18:00. A day term ends at 23:59:59.999 of its last day. Times in
 * comments are Moscow local times.
 */
import t from 'tap';
import { DeadlinePolicy } from './deadline-policy.js';
import { DeadlineRuleError } from './errors.js';
import { russianBusinessCalendar } from './russia/russian-calendar.js';
import { at, show } from './test-support/local-time.js';

const cal = russianBusinessCalendar();
const policy = new DeadlinePolicy(cal);
const END = '23:59:59.999';

function shown<T extends object>(deadlines: T): Record<string, string> {
  return Object.fromEntries(Object.entries(deadlines).map(([k, v]) => [k, v instanceof Date ? show(v) : String(v)]));
}

t.test('an ordinary appeal registered Monday 2 March 2026', async (t) => {
  const d = policy.computeDeadlines({ receivedAt: at('2026-03-02 10:00'), registeredAt: at('2026-03-02 11:00') });
  t.same(shown(d), {
    registerBy: `2026-03-05 ${END}`, // 2 Mar + 3 = Thu 5 Mar
    redirectBy: `2026-03-10 ${END}`, // 2 Mar + 7 = Mon 9 Mar, a day off moved from 8 Mar -> Tue 10 Mar
    answerBy: `2026-04-01 ${END}`, // 2 Mar + 30 = Wed 1 Apr
    secondLineBy: '2026-03-03 10:00', // 11-18 = 7 h, then Tue 09:00 + 1 h
    courtReturnBy: `2026-03-10 ${END}`, // as redirect
  });
  t.equal(d.answerByExtended, undefined);
  t.equal(d.answerCategory, undefined);
});

t.test('terms ending on weekends and holidays move to the next working day', async (t) => {
  // Registered Fri 5 Jun 2026: + 7 = Fri 12 Jun (День России), 13-14 weekend -> Mon 15 Jun.
  const d = policy.computeDeadlines({ receivedAt: at('2026-06-04 16:00'), registeredAt: at('2026-06-05 09:30') });
  t.equal(show(d.redirectBy), `2026-06-15 ${END}`);
  t.equal(show(d.courtReturnBy), `2026-06-15 ${END}`);
  // Received Thu 4 Jun + 3 = Sun 7 Jun -> Mon 8 Jun.
  t.equal(show(d.registerBy), `2026-06-08 ${END}`);
  // Registered Thu 9 Apr + 30 = Sat 9 May (День Победы), Sun 10, Mon 11 (moved day off) -> Tue 12 May.
  t.equal(show(policy.due('answer', at('2026-04-09 12:00'))), `2026-05-12 ${END}`);
});

t.test('the new-year holidays and the year end', async (t) => {
  // Received Sun 28 Dec 2025 + 3 = Wed 31 Dec (day off), 1-11 Jan off -> Mon 12 Jan 2026.
  // Registered Fri 5 Dec 2025 + 30 = Sun 4 Jan (holiday) -> Mon 12 Jan.
  const d = policy.computeDeadlines({ receivedAt: at('2025-12-28 20:00'), registeredAt: at('2025-12-05 10:00') });
  t.equal(show(d.registerBy), `2026-01-12 ${END}`);
  t.equal(show(d.answerBy), `2026-01-12 ${END}`);
  // Registered Tue 30 Dec 12:00: 6 working hours that day, then 2 on Mon 12 Jan.
  t.equal(show(policy.due('secondLine', at('2025-12-30 12:00'))), '2026-01-12 11:00');
  // Registered Mon 15 Dec 2025 + 30 = Wed 14 Jan 2026, a working day.
  t.equal(show(policy.due('answer', at('2025-12-15 10:00'))), `2026-01-14 ${END}`);
});

t.test('the date of receipt is the Moscow date, not the UTC one', async (t) => {
  // 2026-03-13T21:30Z is Sat 14 Mar 00:30 in Moscow: + 3 = Tue 17 Mar (UTC would say Fri 13 + 3 -> Mon 16).
  t.equal(show(policy.due('register', new Date('2026-03-13T21:30:00Z'))), `2026-03-17 ${END}`);
  // Fri 13 Mar 23:30 Moscow: + 3 = Mon 16 Mar.
  t.equal(show(policy.due('register', at('2026-03-13 23:30'))), `2026-03-16 ${END}`);
});

t.test('second-line work: 8 working hours', async (t) => {
  // Fri 13 Mar 16:00: 2 h Friday, Mon 16 Mar 09:00 + 6 h.
  t.equal(show(policy.due('secondLine', at('2026-03-13 16:00'))), '2026-03-16 15:00');
  // Registered on a holiday (Thu 1 Jan 2026): from Mon 12 Jan 09:00.
  t.equal(show(policy.due('secondLine', at('2026-01-01 10:00'))), '2026-01-12 17:00');
  // Registered on the short day Thu 30 Apr 2026 at 12:00: 12-17 = 5 h, 1-3 May off, Mon 4 May 09:00 + 3 h.
  t.equal(show(policy.due('secondLine', at('2026-04-30 12:00'))), '2026-05-04 12:00');
});

t.test('migration appeals to the regional head: 20 days (59-FZ art. 12 part 1.1)', async (t) => {
  // Registered Tue 21 Apr 2026 + 20 = Mon 11 May (day off moved from 9 May) -> Tue 12 May.
  const d = policy.computeDeadlines({ receivedAt: at('2026-04-20 10:00'), registeredAt: at('2026-04-21 10:00'), category: 'migration' });
  t.equal(show(d.answerBy), `2026-05-12 ${END}`);
  t.equal(d.answerCategory, 'migration');
  const other = policy.computeDeadlines({ receivedAt: at('2026-04-20 10:00'), registeredAt: at('2026-04-21 10:00'), category: 'housing' });
  t.equal(show(other.answerBy), `2026-05-21 ${END}`, 'an unlisted category gets the general 30 days');
  t.equal(other.answerCategory, undefined);
});

t.test('one extension of up to 30 days (59-FZ art. 12 part 2)', async (t) => {
  const answerBy = policy.due('answer', at('2026-03-02 11:00')); // Wed 1 Apr
  // 1 Apr + 30 = Fri 1 May (holiday), 2-3 May weekend -> Mon 4 May.
  const ext = policy.extend({ answerBy }, { days: 30, reason: 'запрос документов в другом органе', at: at('2026-03-20 12:00') });
  t.equal(show(ext.answerBy), `2026-05-04 ${END}`);
  t.equal(ext.previousAnswerBy.getTime(), answerBy.getTime());
  t.equal(ext.extensionsGranted, 1);
  t.equal(ext.reason, 'запрос документов в другом органе');
  t.equal(show(policy.extend({ answerBy }, { days: 10, reason: 'x' }).answerBy), `2026-04-13 ${END}`, '1 Apr + 10 = Sat 11 Apr -> Mon 13 Apr');

  const d = policy.computeDeadlines({ receivedAt: at('2026-03-02 10:00'), registeredAt: at('2026-03-02 11:00'), extension: { days: 30 } });
  t.equal(show(d.answerByExtended as Date), `2026-05-04 ${END}`);
  t.equal(show(d.answerBy), `2026-04-01 ${END}`, 'the original term is kept');

  const refused = (fn: () => unknown, code: string, message: RegExp) => {
    const err = t.throws(fn, DeadlineRuleError, code);
    t.match(err, { code, message });
  };
  refused(() => policy.extend({ answerBy: ext.answerBy, extensionsGranted: 1 }, { days: 5, reason: 'ещё' }), 'EXTENSION_LIMIT_REACHED', /at most 1 time\(s\).*has been extended 1/);
  refused(() => policy.computeDeadlines({ receivedAt: answerBy, registeredAt: answerBy, extension: [{ days: 10 }, { days: 10 }] }), 'EXTENSION_LIMIT_REACHED', /59-FZ art. 12 part 2/);
  refused(() => policy.extend({ answerBy }, { days: 31, reason: 'x' }), 'EXTENSION_TOO_LONG', /at most 30 days.*asked for 31/);
  refused(() => policy.extend({ answerBy }, { days: 0, reason: 'x' }), 'EXTENSION_INVALID_DAYS', /whole number of days >= 1/);
  refused(() => policy.extend({ answerBy }, { days: 1.5, reason: 'x' }), 'EXTENSION_INVALID_DAYS', /got 1.5/);
  refused(() => policy.extend({ answerBy }, { days: 5, reason: '   ' }), 'EXTENSION_REASON_REQUIRED', /needs a reason/);
  refused(() => policy.extend({ answerBy }, { days: 5, reason: 'x', at: at('2026-04-02 00:00') }), 'EXTENSION_AFTER_DUE', /only be extended before it ends/);
  t.doesNotThrow(() => policy.extend({ answerBy }, { days: 5, reason: 'x', at: at(`2026-04-01 ${END}`) }), 'still allowed in the last millisecond');

  const lenient = new DeadlinePolicy(cal, { extension: { maxCount: 2, requireReason: false } });
  const twice = lenient.computeDeadlines({ receivedAt: answerBy, registeredAt: at('2026-03-02 11:00'), extension: [{ days: 30 }, { days: 7 }] });
  t.equal(show(twice.answerByExtended as Date), `2026-05-12 ${END}`, '4 May + 7 = Mon 11 May (day off) -> Tue 12 May');
  t.equal(lenient.extend({ answerBy }, { days: 3, reason: '' }).reason, '');
});

t.test('term units and end of day are configurable', async (t) => {
  const p = new DeadlinePolicy(cal, {
    register: { amount: 3, unit: 'workingDays' },
    answer: { rollForward: false },
    secondLine: { amount: 1, unit: 'workingDays' },
    redirect: { amount: 16, unit: 'workingHours' },
  });
  // Received Fri 13 Mar: Mon 16, Tue 17, Wed 18.
  t.equal(show(p.due('register', at('2026-03-13 10:00'))), `2026-03-18 ${END}`);
  // Without roll-forward, 6 Feb + 30 ends on Sun 8 Mar.
  t.equal(show(p.due('answer', at('2026-02-06 10:00'))), `2026-03-08 ${END}`);
  t.equal(show(p.due('secondLine', at('2026-03-13 16:00'))), `2026-03-16 ${END}`);
  // Fri 13 Mar 10:00 + 16 working hours: 8 h Friday, 8 h Monday -> Mon 17:00.
  t.equal(show(p.due('redirect', at('2026-03-13 10:00'))), '2026-03-16 17:00');

  const cob = new DeadlinePolicy(cal, { dayTermEnds: 'closeOfBusiness', register: { amount: 0 }, answer: { rollForward: false } });
  t.equal(show(cob.due('redirect', at('2026-03-02 11:00'))), '2026-03-10 18:00', 'closing time of the last day');
  t.equal(show(cob.due('courtReturn', at('2026-04-23 11:00'))), '2026-04-30 17:00', 'a short day closes at 17:00');
  t.equal(show(cob.due('answer', at('2026-02-06 10:00'))), `2026-03-08 ${END}`, 'a non-working last day falls back to end of day');
  t.equal(show(cob.due('register', at('2026-03-02 20:00'))), `2026-03-02 ${END}`, 'a 0-day term never ends before it starts');
  t.equal(show(cob.due('register', at('2026-03-02 10:00'))), '2026-03-02 18:00');
});

t.test('overdue and near due', async (t) => {
  const due = at(`2026-04-01 ${END}`); // an answer term ending Wed 1 Apr
  t.notOk(policy.isOverdue(due, due));
  t.ok(policy.isOverdue(due, new Date(due.getTime() + 1)));
  // Day terms warn 3 calendar days ahead, counted by dates.
  t.notOk(policy.isNearDue(due, at('2026-03-28 23:00')), 'Sat 28 Mar: 4 days left');
  t.ok(policy.isNearDue(due, at('2026-03-29 00:00')), 'Sun 29 Mar: 3 days left');
  t.ok(policy.isNearDue(due, at('2026-04-01 23:00')), 'the last day');
  t.notOk(policy.isNearDue(due, at('2026-04-02 00:00')), 'overdue is not near due');
  t.equal(show(policy.nearDueHorizon(at('2026-03-29 10:00'), { term: 'answer' })), `2026-04-01 ${END}`);

  // Hour terms warn 2 working hours ahead. Due Tue 3 Mar 10:00.
  const hourDue = at('2026-03-03 10:00');
  t.ok(policy.isNearDue(hourDue, at('2026-03-02 17:00'), { term: 'secondLine' }), '17-18 + 9-10 = 2 h left');
  t.notOk(policy.isNearDue(hourDue, at('2026-03-02 15:59'), { term: 'secondLine' }), '3 h 1 min left');
  t.ok(policy.isNearDue(hourDue, at('2026-03-02 15:59')), 'without a term, the day-term warning applies');
  // Fri 13 Mar 16:00 + 2 working hours = 18:00, so anything due before Monday's opening is near.
  t.equal(show(policy.nearDueHorizon(at('2026-03-13 16:00'), { term: 'secondLine' })), '2026-03-16 09:00');
  t.ok(policy.isNearDue(at('2026-03-14 12:00'), at('2026-03-13 16:00'), { term: 'secondLine' }));
  t.equal(show(policy.nearDueHorizon(at('2026-03-13 17:00'), { term: 'secondLine' })), '2026-03-16 10:00');
  // Working-day warnings: 1 working day after Fri 13 Mar is Mon 16; Tue 17 is beyond.
  const oneWorkingDay = { warnWithin: { amount: 1, unit: 'workingDays' as const } };
  t.equal(show(policy.nearDueHorizon(at('2026-03-13 10:00'), oneWorkingDay)), `2026-03-16 ${END}`);
  t.ok(policy.isNearDue(at(`2026-03-16 ${END}`), at('2026-03-13 10:00'), oneWorkingDay));
  t.notOk(policy.isNearDue(at('2026-03-17 09:00'), at('2026-03-13 10:00'), oneWorkingDay));
  // A migration answer inherits the answer term's warning.
  t.same(policy.termFor('answer', 'migration').warnWithin, { amount: 3, unit: 'calendarDays' });
});

t.test('remaining time for countdowns', async (t) => {
  const due = at(`2026-04-01 ${END}`);
  // Mon 30 Mar 10:00: dates 30 Mar -> 1 Apr; working days 31 Mar, 1 Apr; hours 8 + 9 + 9.
  const r = policy.remaining(due, at('2026-03-30 10:00'));
  t.same({ ...r, ms: undefined }, { overdue: false, ms: undefined, calendarDays: 2, workingDays: 2, workingHours: 26 });
  t.equal(r.ms, due.getTime() - at('2026-03-30 10:00').getTime());
  // Thu 2 Apr 10:00: one day late, one working hour (09-10) past.
  t.same(policy.remaining(due, at('2026-04-02 10:00')), {
    overdue: true,
    ms: -(10 * 3_600_000 + 1), // 1 ms to midnight, then 10 h
    calendarDays: -1,
    workingDays: -1,
    workingHours: -1,
  });
});

t.test('inputs are checked', async (t) => {
  t.throws(() => policy.computeDeadlines({ receivedAt: new Date('x'), registeredAt: new Date() }), /receivedAt must be a valid Date/);
  t.throws(() => policy.computeDeadlines({ receivedAt: new Date(), registeredAt: undefined as unknown as Date }), /registeredAt must be a valid Date/);
  t.throws(() => policy.isOverdue(new Date(), new Date('x')), TypeError);
  t.throws(() => new DeadlinePolicy(cal, { answer: { amount: -1 } }), { name: 'ConfigError' });
});
