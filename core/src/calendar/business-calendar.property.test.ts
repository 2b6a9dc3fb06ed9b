/**
 * Invariants of BusinessCalendar arithmetic, checked with fast-check on four calendars: the Russian
 * calendar in Moscow (with and without a lunch break), a Berlin office week with DST, breaks and
 * custom days, and a round-the-clock Berlin calendar whose working time crosses the DST changes.
 */
import fc from 'fast-check';
import t from 'tap';
import { DateTime } from 'luxon';
import { BusinessCalendar } from './business-calendar.js';
import { addDays, daysBetween } from './local-date.js';
import { russianBusinessCalendar } from './russia/russian-calendar.js';
import { hours, instant } from './test-support/arbitraries.js';

const calendars: [string, BusinessCalendar][] = [
  ['Moscow, Russian calendar, 09-18', russianBusinessCalendar()],
  ['Moscow, Russian calendar, 09-18 with lunch 13-14', russianBusinessCalendar({ workingHours: { start: '09:00', end: '18:00', break: { start: '13:00', end: '14:00' } } })],
  [
    'Berlin, Mon-Sat 08:30-17:15, break 12:00-12:45, custom days',
    new BusinessCalendar({
      timeZone: 'Europe/Berlin',
      workWeek: [1, 2, 3, 4, 5, 6],
      workingHours: { start: '08:30', end: '17:15', break: { start: '12:00', end: '12:45' } },
      shortDayMinutes: 30,
      days: {
        '2025-12-24': { kind: 'short' },
        '2025-12-25': { kind: 'holiday' },
        '2025-12-26': { kind: 'holiday' },
        '2026-03-28': { kind: 'short' },
        '2026-03-29': { kind: 'workday', note: 'DST change worked' },
        '2026-10-25': { kind: 'short', note: 'DST change, short and on a Sunday' },
      },
    }),
  ],
  ['Berlin, every day 00:00-24:00', new BusinessCalendar({ timeZone: 'Europe/Berlin', workWeek: [1, 2, 3, 4, 5, 6, 7], workingHours: { start: '00:00', end: '24:00' } })],
];

const MS_PER_HOUR = 3_600_000;
const check = <T extends unknown[]>(t: Tap, name: string, property: fc.IPropertyWithHooks<T>) => {
  fc.assert(property, { numRuns: 200 });
  t.pass(name);
};
type Tap = { pass: (name: string) => void };

for (const [name, cal] of calendars) {
  t.test(name, async (t) => {
    check(t, 'addWorkingHours never goes back in time', fc.property(instant, hours, (a, h) => cal.addWorkingHours(a, h).getTime() >= a.getTime()));

    check(
      t,
      'adding h1 then h2 equals adding h1 + h2',
      fc.property(instant, hours, hours, (a, h1, h2) => cal.addWorkingHours(cal.addWorkingHours(a, h1), h2).getTime() === cal.addWorkingHours(a, h1 + h2).getTime()),
    );

    check(
      t,
      'the working time between a and addWorkingHours(a, h) is exactly h',
      fc.property(instant, hours, (a, h) => {
        const r = cal.addWorkingHours(a, h);
        return cal.workingMillisBetween(a, r) === Math.round(h * MS_PER_HOUR) && cal.workingHoursBetween(a, r) === h;
      }),
    );

    check(
      t,
      'a result of adding working hours lies inside working time (after an opening, at most at a closing)',
      fc.property(instant, hours.filter((h) => h > 0), (a, h) => {
        const r = cal.addWorkingHours(a, h).getTime();
        const candidates = [...cal.workingIntervals(new Date(r)), ...cal.workingIntervals(new Date(r - 1))];
        return candidates.some((i) => i.start.getTime() < r && r <= i.end.getTime());
      }),
    );

    check(
      t,
      'working time is additive and antisymmetric',
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date, Date];
        return (
          cal.workingMillisBetween(a, b) + cal.workingMillisBetween(b, c) === cal.workingMillisBetween(a, c) &&
          cal.workingMillisBetween(c, a) === -cal.workingMillisBetween(a, c)
        );
      }),
    );

    check(
      t,
      'isWorkingTime(t) exactly when the millisecond after t is working time',
      fc.property(instant, (a) => cal.isWorkingTime(a) === (cal.workingMillisBetween(a, new Date(a.getTime() + 1)) === 1)),
    );

    check(
      t,
      'nextWorkingInstant is the first working instant at or after t',
      fc.property(instant, (a) => {
        const n = cal.nextWorkingInstant(a);
        return n.getTime() >= a.getTime() && cal.isWorkingTime(n) && cal.workingMillisBetween(a, n) === 0;
      }),
    );

    check(
      t,
      'addCalendarDays with roll-forward lands on the first working day on or after date + n',
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (a, n) => {
        const r = cal.addCalendarDays(a, n);
        const target = addDays(cal.localDate(a), n);
        const landed = cal.localDate(r);
        if (r.getTime() < a.getTime() || !cal.isWorkingDay(landed) || daysBetween(target, landed) < 0) return false;
        for (let d = target; d !== landed; d = addDays(d, 1)) if (cal.isWorkingDay(d)) return false;
        // Moscow has no DST, so the wall time is kept exactly.
        const wall = (x: Date) => DateTime.fromJSDate(x, { zone: cal.timeZone }).toFormat('HH:mm:ss.SSS');
        return cal.timeZone !== 'Europe/Moscow' || wall(r) === wall(a);
      }),
    );

    check(
      t,
      'addWorkingDays(a, n) is n working days later and on a working day',
      fc.property(instant, fc.integer({ min: 1, max: 40 }), (a, n) => {
        const r = cal.addWorkingDays(a, n);
        return cal.workingDaysBetween(a, r) === n && cal.isWorkingDay(r) && r.getTime() > a.getTime();
      }),
    );

    check(
      t,
      'endOfLocalDay is the last millisecond of the local date',
      fc.property(instant, (a) => {
        const end = cal.endOfLocalDay(a);
        return cal.localDate(end) === cal.localDate(a) && cal.localDate(new Date(end.getTime() + 1)) === addDays(cal.localDate(a), 1);
      }),
    );
  });
}
