/**
 * Invariants of DeadlinePolicy, checked with fast-check on the default 59-FZ policy over the Russian
 * calendar in Moscow.
 */
import fc from 'fast-check';
import t from 'tap';
import { DeadlinePolicy } from './deadline-policy.js';
import { addDays, daysBetween } from './local-date.js';
import { russianBusinessCalendar } from './russia/russian-calendar.js';
import { instant, instantAndNear } from './test-support/arbitraries.js';

const cal = russianBusinessCalendar();
const policy = new DeadlinePolicy(cal);
const RUNS = { numRuns: 300 };

const appeal = fc.record({
  receivedAt: instant,
  lagMs: fc.integer({ min: 0, max: 5 * 86_400_000 }),
  category: fc.constantFrom(undefined, 'migration', 'housing'),
  extensionDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
});

/** A day-term due is the last millisecond of a working local date. */
const endsAWorkingDay = (due: Date) => cal.endOfLocalDay(due).getTime() === due.getTime() && cal.isWorkingDay(due);

/** The due date is the first working day on or after `from`'s date + n. */
const firstWorkingDayFrom = (from: Date, n: number, due: Date) => {
  const target = addDays(cal.localDate(from), n);
  const d = cal.localDate(due);
  if (daysBetween(target, d) < 0) return false;
  for (let x = target; x !== d; x = addDays(x, 1)) if (cal.isWorkingDay(x)) return false;
  return true;
};

t.test('computed deadlines', async (t) => {
  fc.assert(
    fc.property(appeal, ({ receivedAt, lagMs, category, extensionDays }) => {
      const registeredAt = new Date(receivedAt.getTime() + lagMs);
      const d = policy.computeDeadlines({ receivedAt, registeredAt, category, ...(extensionDays ? { extension: { days: extensionDays } } : {}) });
      const answerDays = category === 'migration' ? 20 : 30;
      const general = policy.due('answer', registeredAt);
      return (
        d.registerBy >= receivedAt &&
        [d.redirectBy, d.answerBy, d.secondLineBy, d.courtReturnBy].every((due) => due >= registeredAt) &&
        [d.registerBy, d.redirectBy, d.answerBy, d.courtReturnBy].every(endsAWorkingDay) &&
        firstWorkingDayFrom(receivedAt, 3, d.registerBy) &&
        firstWorkingDayFrom(registeredAt, 7, d.redirectBy) &&
        firstWorkingDayFrom(registeredAt, answerDays, d.answerBy) &&
        d.answerBy >= d.redirectBy &&
        d.answerBy <= general &&
        cal.workingHoursBetween(registeredAt, d.secondLineBy) === 8 &&
        (extensionDays === undefined
          ? d.answerByExtended === undefined
          : d.answerByExtended !== undefined && endsAWorkingDay(d.answerByExtended) && firstWorkingDayFrom(d.answerBy, extensionDays, d.answerByExtended))
      );
    }),
    RUNS,
  );
  t.pass('register, redirect, answer, court return, second line and extension hold their rules');
});

t.test('near due means exactly "at most the warning left"', async (t) => {
  fc.assert(
    fc.property(instantAndNear, fc.integer({ min: 0, max: 16 }), ([now, due], quarters) => {
      const h = quarters / 4;
      const near = policy.isNearDue(due, now, { warnWithin: { amount: h, unit: 'workingHours' } });
      return near === (now <= due && cal.workingMillisBetween(now, due) <= h * 3_600_000);
    }),
    RUNS,
  );
  t.pass('working hours');
  fc.assert(
    fc.property(instantAndNear, fc.integer({ min: 0, max: 10 }), ([now, due], n) => {
      const near = policy.isNearDue(due, now, { warnWithin: { amount: n, unit: 'calendarDays' } });
      return near === (now <= due && daysBetween(cal.localDate(now), cal.localDate(due)) <= n);
    }),
    RUNS,
  );
  t.pass('calendar days');
  fc.assert(
    fc.property(instantAndNear, fc.integer({ min: 0, max: 10 }), ([now, due], n) => {
      const near = policy.isNearDue(due, now, { warnWithin: { amount: n, unit: 'workingDays' } });
      return near === (now <= due && cal.workingDaysBetween(now, due) <= n);
    }),
    RUNS,
  );
  t.pass('working days');
});

t.test('remaining agrees with isOverdue', async (t) => {
  fc.assert(
    fc.property(instantAndNear, ([now, due]) => {
      const r = policy.remaining(due, now);
      return (
        r.overdue === policy.isOverdue(due, now) &&
        r.overdue === r.ms < 0 &&
        (r.overdue ? r.workingHours <= 0 && r.calendarDays <= 0 && r.workingDays <= 0 : r.workingHours >= 0 && r.calendarDays >= 0 && r.workingDays >= 0)
      );
    }),
    RUNS,
  );
  t.pass('signs and overdue flag agree');
});
