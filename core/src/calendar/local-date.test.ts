import t from 'tap';
import { addDays, assertLocalDate, daysBetween, fromEpochDay, isLocalDate, isoWeekday, toEpochDay } from './local-date.js';

t.test('isLocalDate accepts real dates only', async (t) => {
  t.ok(isLocalDate('2026-02-28'));
  t.ok(isLocalDate('2028-02-29'), 'leap day');
  t.notOk(isLocalDate('2026-02-29'), 'not a leap year');
  t.notOk(isLocalDate('2026-13-01'));
  t.notOk(isLocalDate('2026-1-01'));
  t.notOk(isLocalDate('2026-01-01T00:00'));
  t.notOk(isLocalDate(20260101));
  t.throws(() => assertLocalDate('2026-04-31', 'due date'), /due date must be a real date/);
});

t.test('epoch days, adding days and weekdays', async (t) => {
  t.equal(toEpochDay('1970-01-01'), 0);
  t.equal(fromEpochDay(-1), '1969-12-31');
  t.equal(addDays('2025-12-31', 1), '2026-01-01', 'across the year end');
  t.equal(addDays('2028-02-28', 1), '2028-02-29');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
  t.equal(daysBetween('2026-03-02', '2026-04-01'), 30);
  t.equal(isoWeekday('2026-03-16'), 1, 'Monday');
  t.equal(isoWeekday('2026-03-15'), 7, 'Sunday');
  t.equal(isoWeekday('1969-12-31'), 3, 'Wednesday before the epoch');
});
