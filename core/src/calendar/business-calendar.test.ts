/**
 * BusinessCalendar pinned on hand-worked examples. Unless a test says otherwise the calendar is the
 * Russian production calendar in Moscow time (UTC+3 all year), 09:00-18:00 without a break.
 * Times in comments are Moscow local times.
 */
import t from 'tap';
import { BusinessCalendar } from './business-calendar.js';
import { russianBusinessCalendar } from './russia/russian-calendar.js';
import { at, show } from './test-support/local-time.js';

const cal = russianBusinessCalendar();
const withLunch = russianBusinessCalendar({ workingHours: { start: '09:00', end: '18:00', break: { start: '13:00', end: '14:00' } } });

t.test('days are read in the calendar zone, not in UTC', async (t) => {
  // Fri 13 Mar 2026 23:30 MSK = 20:30Z: the same date in both.
  t.equal(cal.localDate(at('2026-03-13 23:30')), '2026-03-13');
  // 2026-03-13T21:30Z is Saturday 00:30 in Moscow while UTC still says Friday.
  const saturdayInMoscow = new Date('2026-03-13T21:30:00Z');
  t.equal(cal.localDate(saturdayInMoscow), '2026-03-14');
  t.notOk(cal.isWorkingDay(saturdayInMoscow), 'Saturday in Moscow is not worked');
  t.notOk(cal.isWorkingTime(saturdayInMoscow));
  // +3 days: Fri 13 -> Mon 16 (23:30); Sat 14 -> Tue 17 (00:30).
  t.equal(show(cal.addCalendarDays(at('2026-03-13 23:30'), 3)), '2026-03-16 23:30');
  t.equal(show(cal.addCalendarDays(saturdayInMoscow, 3)), '2026-03-17 00:30');
  // The same instant on a Vladivostok calendar (UTC+10) is already 07:30 on Saturday.
  const vlad = new BusinessCalendar({ timeZone: 'Asia/Vladivostok' });
  t.equal(vlad.localDate(new Date('2026-03-13T14:30:00Z')), '2026-03-14');
  t.equal(cal.localDate(new Date('2026-03-13T14:30:00Z')), '2026-03-13');
});

t.test('the days of the Russian calendar', async (t) => {
  t.same(cal.describeDay('2026-03-16'), { date: '2026-03-16', working: true, short: false, kind: 'ordinary' });
  t.same(cal.describeDay('2026-03-14'), { date: '2026-03-14', working: false, short: false, kind: 'weekend' });
  t.match(cal.describeDay('2026-03-09'), { working: false, kind: 'holiday', note: /перенесённый с воскресенья 8 марта/ });
  // Sat 1 Nov 2025 was worked (the day off moved to Mon 3 Nov) and is a short pre-holiday day.
  t.match(cal.describeDay('2025-11-01'), { working: true, short: true, kind: 'short' });
  t.notOk(cal.isWorkingDay('2025-11-03'));
  t.equal(cal.nextWorkingDay('2025-12-30'), '2026-01-12', 'Dec 31 and the new-year holidays skipped');
  t.equal(cal.nextWorkingDay('2026-03-16', { inclusive: true }), '2026-03-16');
  t.equal(cal.nextWorkingDay('2026-03-14', { inclusive: true }), '2026-03-16');
  t.equal(cal.workingDaysBetween('2025-12-29', '2026-01-13'), 3, 'Dec 30, Jan 12, Jan 13');
  t.equal(cal.workingDaysBetween('2026-01-13', '2025-12-29'), -3);
  t.equal(cal.workingDaysBetween('2026-03-16', '2026-03-16'), 0);
  t.throws(() => cal.isWorkingDay('2026-13-01'), RangeError);
});

t.test('working intervals: ordinary, short, with a break, none on holidays', async (t) => {
  const fmt = (d: string, c = cal) => c.workingIntervals(d).map((i) => `${show(i.start).slice(11)}-${show(i.end).slice(11)}`);
  t.same(fmt('2026-03-16'), ['09:00-18:00']);
  t.same(fmt('2026-04-30'), ['09:00-17:00'], 'pre-holiday day ends an hour early');
  t.same(fmt('2026-04-30', withLunch), ['09:00-13:00', '14:00-17:00']);
  t.same(fmt('2026-05-01'), []);
  t.equal(show(cal.closeOfBusiness('2026-04-30') as Date), '2026-04-30 17:00');
  t.equal(cal.closeOfBusiness('2026-05-01'), undefined);
  t.equal(cal.endOfLocalDay(at('2026-03-13 10:00')).toISOString(), '2026-03-13T20:59:59.999Z');
  t.equal(cal.startOfLocalDay('2026-03-13').toISOString(), '2026-03-12T21:00:00.000Z');
});

t.test('calendar days roll forward over weekends and holidays (Civil Code art. 193)', async (t) => {
  // Thu 12 Mar + 3 = Sun 15 Mar -> Mon 16 Mar, same wall time.
  t.equal(show(cal.addCalendarDays(at('2026-03-12 10:00'), 3)), '2026-03-16 10:00');
  t.equal(show(cal.addCalendarDays(at('2026-03-12 10:00'), 3, { rollForward: false })), '2026-03-15 10:00');
  // Fri 6 Feb + 30 = Sun 8 Mar (holiday) -> Mon 9 Mar (day off moved from 8 Mar) -> Tue 10 Mar.
  t.equal(show(cal.addCalendarDays(at('2026-02-06 10:00'), 30)), '2026-03-10 10:00');
  // Thu 9 Apr + 30 = Sat 9 May (holiday) -> Sun 10 -> Mon 11 (moved day off) -> Tue 12 May.
  t.equal(show(cal.addCalendarDays(at('2026-04-09 10:00'), 30)), '2026-05-12 10:00');
  t.equal(show(cal.addCalendarDays(at('2026-03-16 10:00'), 0)), '2026-03-16 10:00');
  t.throws(() => cal.addCalendarDays(at('2026-03-16 10:00'), 1.5), RangeError);
  t.throws(() => cal.addCalendarDays(new Date('nonsense'), 1), TypeError);
});

t.test('year ends: December into January', async (t) => {
  // Mon 15 Dec 2025 + 30 = Wed 14 Jan 2026, a working day.
  t.equal(show(cal.addCalendarDays(at('2025-12-15 10:00'), 30)), '2026-01-14 10:00');
  // Mon 29 Dec 2025 + 3 = Thu 1 Jan (holiday); off until Sun 11 Jan -> Mon 12 Jan.
  t.equal(show(cal.addCalendarDays(at('2025-12-29 12:00'), 3)), '2026-01-12 12:00');
  // Wed 31 Dec 2025 is a day off (moved from Sun 5 Jan), so Tue 30 Dec + 1 working day = Mon 12 Jan.
  t.equal(show(cal.addWorkingDays(at('2025-12-30 12:00'), 1)), '2026-01-12 12:00');
  // Tue 30 Dec 12:00 + 8 h: 12-18 on Dec 30 (6 h), then Jan 12 09-11 (2 h).
  t.equal(show(cal.addWorkingHours(at('2025-12-30 12:00'), 8)), '2026-01-12 11:00');
  t.equal(cal.workingHoursBetween(at('2025-12-30 12:00'), at('2026-01-12 11:00')), 8);
  // 2026 into 2027: Thu 31 Dec 2026 is a day off, Fri 1 Jan 2027 to Fri 8 Jan holidays -> Mon 11 Jan 2027.
  t.equal(cal.nextWorkingDay('2026-12-30'), '2027-01-11');
});

t.test('working days', async (t) => {
  // Fri 13 Mar + 1 working day = Mon 16 Mar; + 0 is the same instant.
  t.equal(show(cal.addWorkingDays(at('2026-03-13 10:00'), 1)), '2026-03-16 10:00');
  t.equal(show(cal.addWorkingDays(at('2026-03-14 10:00'), 0)), '2026-03-14 10:00');
  // Fri 31 Oct 2025 + 1 = Sat 1 Nov 2025, a transferred working Saturday.
  t.equal(show(cal.addWorkingDays(at('2025-10-31 10:00'), 1)), '2025-11-01 10:00');
  // Fri 31 Oct 2025 + 2 = Wed 5 Nov (2, 3, 4 Nov off).
  t.equal(show(cal.addWorkingDays(at('2025-10-31 10:00'), 2)), '2025-11-05 10:00');
});

t.test('8 working hours from Friday 16:00', async (t) => {
  // Fri 13 Mar 16-18 = 2 h; weekend; Mon 16 Mar 09:00 + 6 h = 15:00.
  t.equal(show(cal.addWorkingHours(at('2026-03-13 16:00'), 8)), '2026-03-16 15:00');
  // With lunch 13-14: Fri 2 h; Mon 09-13 = 4 h, 14-16 = 2 h -> 16:00.
  t.equal(show(withLunch.addWorkingHours(at('2026-03-13 16:00'), 8)), '2026-03-16 16:00');
  t.equal(cal.workingHoursBetween(at('2026-03-13 16:00'), at('2026-03-16 15:00')), 8);
  t.equal(cal.workingHoursBetween(at('2026-03-16 15:00'), at('2026-03-13 16:00')), -8, 'signed');
});

t.test('working hours starting outside working time', async (t) => {
  // Thu 1 Jan 2026 is a holiday; off until Mon 12 Jan: 09:00 + 8 h = 17:00.
  t.equal(show(cal.addWorkingHours(at('2026-01-01 10:00'), 8)), '2026-01-12 17:00');
  // 03:00 at night starts at 09:00.
  t.equal(show(cal.addWorkingHours(at('2026-03-16 03:00'), 1)), '2026-03-16 10:00');
  // Exactly at closing time starts at the next opening.
  t.equal(show(cal.addWorkingHours(at('2026-03-13 18:00'), 1)), '2026-03-16 10:00');
  // During lunch starts at 14:00.
  t.equal(show(withLunch.addWorkingHours(at('2026-03-16 13:20'), 0.5)), '2026-03-16 14:30');
  // A day used up exactly ends at its closing time, not at the next opening.
  t.equal(show(cal.addWorkingHours(at('2026-03-16 09:00'), 9)), '2026-03-16 18:00');
  t.equal(show(cal.addWorkingHours(at('2026-03-15 12:00'), 0)), '2026-03-15 12:00', 'zero hours: unchanged');
  t.equal(show(cal.nextWorkingInstant(at('2026-03-14 12:00'))), '2026-03-16 09:00');
  t.equal(show(cal.nextWorkingInstant(at('2026-03-16 12:00'))), '2026-03-16 12:00');
  t.throws(() => cal.addWorkingHours(at('2026-03-16 12:00'), -1), RangeError);
  t.throws(() => cal.addWorkingHours(at('2026-03-16 12:00'), Number.NaN), RangeError);
});

t.test('short pre-holiday days and transferred working Saturdays count their own hours', async (t) => {
  // Thu 30 Apr 2026 ends at 17:00: 12-17 = 5 h; 1-3 May off; Mon 4 May 09:00 + 3 h = 12:00.
  t.equal(show(cal.addWorkingHours(at('2026-04-30 12:00'), 8)), '2026-05-04 12:00');
  // Fri 31 Oct 2025 15-18 = 3 h; Sat 1 Nov (worked, short 09-17) 09:00 + 5 h = 14:00.
  t.equal(show(cal.addWorkingHours(at('2025-10-31 15:00'), 8)), '2025-11-01 14:00');
  // 12 h: Fri 3 h + Sat 1 Nov 09-17 8 h = 11 h; then Nov 2-4 off; Wed 5 Nov 09:00 + 1 h = 10:00.
  t.equal(show(cal.addWorkingHours(at('2025-10-31 15:00'), 12)), '2025-11-05 10:00');
  t.equal(cal.workingHoursBetween(at('2025-11-01 00:00'), at('2025-11-02 00:00')), 8);
});

t.test('Moscow has no DST; a DST zone (Berlin) has 23- and 25-hour days', async (t) => {
  // Berlin moves to summer time on Sun 29 Mar 2026 and back on Sun 25 Oct 2026; Moscow does not move.
  const oneDay = (c: BusinessCalendar, local: string, zone: string) => (c.addCalendarDays(at(local, zone), 1).getTime() - at(local, zone).getTime()) / 3_600_000;
  const berlin = new BusinessCalendar({ timeZone: 'Europe/Berlin', workWeek: [1, 2, 3, 4, 5, 6, 7], workingHours: { start: '00:00', end: '24:00' } });
  t.equal(oneDay(cal, '2026-03-27 10:00', 'Europe/Moscow'), 72, 'Fri + 1 day rolls over the weekend: 3 x 24 h');
  t.equal(oneDay(berlin, '2026-03-28 10:00', 'Europe/Berlin'), 23, 'same wall time next day, 23 h later');
  t.equal(oneDay(berlin, '2026-10-24 10:00', 'Europe/Berlin'), 25);
  t.equal(berlin.workingHoursBetween(berlin.startOfLocalDay('2026-03-29'), berlin.startOfLocalDay('2026-03-30')), 23);
  t.equal(berlin.workingHoursBetween(berlin.startOfLocalDay('2026-10-25'), berlin.startOfLocalDay('2026-10-26')), 25);
  const moscow24 = new BusinessCalendar({ workWeek: [1, 2, 3, 4, 5, 6, 7], workingHours: { start: '00:00', end: '24:00' } });
  t.equal(moscow24.workingHoursBetween(moscow24.startOfLocalDay('2026-03-29'), moscow24.startOfLocalDay('2026-03-30')), 24);
  // A Berlin office open Saturdays and Sundays 09-18: Sat 28 Mar 17:00 CET + 8 h = 1 h Saturday, then
  // Sun 29 Mar 09:00 CEST + 7 h = 16:00 CEST = 14:00Z.
  const berlinOffice = new BusinessCalendar({ timeZone: 'Europe/Berlin', workWeek: [1, 2, 3, 4, 5, 6, 7] });
  const due = berlinOffice.addWorkingHours(at('2026-03-28 17:00', 'Europe/Berlin'), 8);
  t.equal(due.toISOString(), '2026-03-29T14:00:00.000Z');
  t.equal(show(due, 'Europe/Berlin'), '2026-03-29 16:00');
  t.equal(berlinOffice.workingHoursBetween(at('2026-03-28 17:00', 'Europe/Berlin'), due), 8);
});

t.test('a calendar with no working time ahead fails instead of looping', async (t) => {
  const mondays: Record<string, { kind: 'holiday' }> = {};
  for (let d = at('2026-03-16 12:00'); d.getUTCFullYear() < 2038; d = new Date(d.getTime() + 7 * 86_400_000)) {
    mondays[d.toISOString().slice(0, 10)] = { kind: 'holiday' };
  }
  const never = new BusinessCalendar({ workWeek: [1], days: mondays });
  t.throws(() => never.addWorkingHours(at('2026-03-16 10:00'), 1), /no working time within 3660 days/);
  t.throws(() => never.nextWorkingDay('2026-03-16'), /no working day within 3660 days/);
});
