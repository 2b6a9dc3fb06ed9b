import t from 'tap';
import { WeeklyHours } from './business-hours.js';

const msk = (iso: string) => Date.parse(`${iso}+03:00`);
const weekdays = { mon: [['08:00', '20:00']], tue: [['08:00', '20:00']], wed: [['08:00', '20:00']], thu: [['08:00', '20:00']], fri: [['08:00', '18:45']] } as const;

t.test('open and closed by the weekly schedule in Moscow time', async (t) => {
  const hours = new WeeklyHours({ timeZone: 'Europe/Moscow', week: weekdays });
  t.same(hours.stateAt(msk('2025-03-03T09:00:00')), { open: true, since: msk('2025-03-03T08:00:00'), until: msk('2025-03-03T20:00:00') });
  t.same(hours.stateAt(msk('2025-03-03T07:59:59')), { open: false, since: msk('2025-02-28T18:45:00'), until: msk('2025-03-03T08:00:00') });
  t.same(hours.stateAt(msk('2025-03-07T18:45:00')), { open: false, since: msk('2025-03-07T18:45:00'), until: msk('2025-03-10T08:00:00') }, 'end is exclusive, weekend closed');
  t.equal(hours.stateAt(msk('2025-03-08T12:00:00')).open, false, 'Saturday closed');
});

t.test('closed days come from the injected calendar predicate', async (t) => {
  const holidays = new Set(['2025-03-10']);
  const hours = new WeeklyHours({ timeZone: 'Europe/Moscow', week: weekdays, closedOn: (d) => holidays.has(d) });
  t.same(hours.stateAt(msk('2025-03-10T10:00:00')), { open: false, since: msk('2025-03-07T18:45:00'), until: msk('2025-03-11T08:00:00') });
});

t.test('a night shift joined across midnight is one opening', async (t) => {
  const hours = new WeeklyHours({ timeZone: 'Europe/Moscow', week: { mon: [['20:00', '24:00']], tue: [['00:00', '06:00'], ['09:00', '10:00']] } });
  t.same(hours.stateAt(msk('2025-03-04T03:00:00')), { open: true, since: msk('2025-03-03T20:00:00'), until: msk('2025-03-04T06:00:00') });
  t.same(hours.stateAt(msk('2025-03-03T21:00:00')), { open: true, since: msk('2025-03-03T20:00:00'), until: msk('2025-03-04T06:00:00') });
  t.same(hours.stateAt(msk('2025-03-04T07:00:00')), { open: false, since: msk('2025-03-04T06:00:00'), until: msk('2025-03-04T09:00:00') });
});

t.test('a zone with daylight saving time keeps wall-clock hours', async (t) => {
  const hours = new WeeklyHours({ timeZone: 'Europe/Berlin', week: { sun: [['09:00', '17:00']] } });
  // 2025-03-30 is the spring change in Berlin: 09:00 CEST = 07:00 UTC.
  t.same(hours.stateAt(Date.UTC(2025, 2, 30, 8)), { open: true, since: Date.UTC(2025, 2, 30, 7), until: Date.UTC(2025, 2, 30, 15) });
  t.same(hours.stateAt(Date.UTC(2025, 2, 23, 8)), { open: true, since: Date.UTC(2025, 2, 23, 8), until: Date.UTC(2025, 2, 23, 16) }, 'a week earlier, CET');
});

t.test('bad schedules are refused with the reason', async (t) => {
  t.throws(() => new WeeklyHours({ timeZone: 'Europe/Moscow', week: { mon: [['10:00', '09:00']] } }), /empty or reversed/);
  t.throws(() => new WeeklyHours({ timeZone: 'Europe/Moscow', week: { mon: [['9:00', '10:00']] } }), /not a time/);
  t.throws(() => new WeeklyHours({ timeZone: 'Europe/Moscow', week: { monday: [['09:00', '10:00']] } as never }), /unknown weekday/);
  t.throws(() => new WeeklyHours({ timeZone: 'Mars/Base', week: {} }), RangeError);
});

t.test('a schedule that never opens says so', async (t) => {
  const hours = new WeeklyHours({ timeZone: 'Europe/Moscow', week: {} });
  t.same(hours.stateAt(msk('2025-03-03T09:00:00')), { open: false, since: -Infinity, until: Infinity });
});
