/**
 * The shipped Russian production calendar checked against what the decrees announced (days-off
 * periods, short days, yearly totals) and against the Labour Code rules it must agree with.
 */
import t, { type Test } from 'tap';
import { BusinessCalendar } from '../business-calendar.js';
import { addDays, daysBetween } from '../local-date.js';
import { provisionalRussianYear, statutoryHolidays } from './labour-code.js';
import type { ProductionCalendarYear } from './production-year.js';
import { RU_2025 } from './ru-2025.js';
import { RU_2026 } from './ru-2026.js';
import { RU_2027 } from './ru-2027.js';
import { RUSSIAN_PRODUCTION_CALENDAR, russianBusinessCalendar, russianCalendarDays } from './russian-calendar.js';

/** An 8-hour day (09:00-18:00, lunch 13:00-14:00), the basis of the official hour norms at 40 h/week. */
const cal = russianBusinessCalendar({ workingHours: { start: '09:00', end: '18:00', break: { start: '13:00', end: '14:00' } } });

function totals(c: BusinessCalendar, year: number): { workingDays: number; daysOff: number; hours: number; shortDays: string[] } {
  let workingDays = 0;
  let hours = 0;
  const shortDays: string[] = [];
  const first = `${year}-01-01`;
  const days = daysBetween(first, `${year + 1}-01-01`);
  for (let i = 0; i < days; i++) {
    const d = addDays(first, i);
    const info = c.describeDay(d);
    if (!info.working) continue;
    workingDays++;
    if (info.short) shortDays.push(d);
    hours += c.workingHoursBetween(c.startOfLocalDay(d), c.endOfLocalDay(d));
  }
  return { workingDays, daysOff: days - workingDays, hours: Math.round(hours), shortDays };
}

/** In each [from, to] period every date is off, and the days just before and after are worked. */
function assertPeriodsOff(t: Test, ...periods: (readonly [from: string, to: string])[]): void {
  for (const [from, to] of periods) {
    for (let d = from; daysBetween(d, to) >= 0; d = addDays(d, 1)) t.notOk(cal.isWorkingDay(d), `${d} is off`);
    t.ok(cal.isWorkingDay(addDays(from, -1)), `${addDays(from, -1)} before ${from} is worked`);
    t.ok(cal.isWorkingDay(addDays(to, 1)), `${addDays(to, 1)} after ${to} is worked`);
  }
}

function kinds(y: ProductionCalendarYear): Record<string, string> {
  return Object.fromEntries(Object.entries(y.days).map(([d, o]) => [d, o.kind]));
}

/** Dates where a and b disagree, as 'date: a/b' with '-' for no override. */
function differences(a: ProductionCalendarYear, b: ProductionCalendarYear): string[] {
  const [ka, kb] = [kinds(a), kinds(b)];
  return [...new Set([...Object.keys(ka), ...Object.keys(kb)])]
    .sort()
    .filter((d) => ka[d] !== kb[d])
    .map((d) => `${d}: ${ka[d] ?? '-'}/${kb[d] ?? '-'}`);
}

t.test('every year holds its own dates and every statutory holiday (Labour Code art. 112)', async (t) => {
  for (const y of RUSSIAN_PRODUCTION_CALENDAR) {
    t.ok(Object.keys(y.days).every((d) => d.startsWith(`${y.year}-`)), `${y.year}: dates in the year`);
    for (const h of statutoryHolidays(y.year)) t.equal(y.days[h.date]?.kind, 'holiday', `${y.year}: ${h.date} ${h.name}`);
    t.ok(y.notes.length > 0, `${y.year}: has notes for the operator`);
  }
  t.same(RUSSIAN_PRODUCTION_CALENDAR.map((y) => [y.year, y.status]), [[2025, 'decree'], [2026, 'decree'], [2027, 'provisional']]);
  t.match(RU_2025.source, /04\.10\.2024 № 1335/);
  t.match(RU_2026.source, /24\.09\.2025 № 1466/);
});

t.test('2025 per decree No 1335: 247 working days, 118 off, 1972 hours, short days 7 Mar, 30 Apr, 11 Jun, 1 Nov', async (t) => {
  t.same(totals(cal, 2025), { workingDays: 247, daysOff: 118, hours: 1972, shortDays: ['2025-03-07', '2025-04-30', '2025-06-11', '2025-11-01'] });
  assertPeriodsOff(t, ['2025-01-01', '2025-01-08'], ['2025-05-01', '2025-05-04'], ['2025-05-08', '2025-05-11'], ['2025-06-12', '2025-06-15'], ['2025-11-02', '2025-11-04']);
  // 23 Feb and 8 Mar fell on weekends and their days off went to 8 May and 13 Jun, not to the Monday after.
  t.ok(cal.isWorkingDay('2025-02-24'));
  t.ok(cal.isWorkingDay('2025-03-10'));
  t.ok(cal.isWorkingDay('2025-11-01'), 'Saturday 1 Nov worked');
  t.notOk(cal.isWorkingDay('2025-12-31'));
});

t.test('2026 per decree No 1466: 247 working days, 118 off, short days 30 Apr, 8 May, 11 Jun, 3 Nov', async (t) => {
  t.same(totals(cal, 2026), { workingDays: 247, daysOff: 118, hours: 1972, shortDays: ['2026-04-30', '2026-05-08', '2026-06-11', '2026-11-03'] });
  assertPeriodsOff(
    t,
    ['2025-12-31', '2026-01-11'],
    ['2026-02-21', '2026-02-23'],
    ['2026-03-07', '2026-03-09'],
    ['2026-05-01', '2026-05-03'],
    ['2026-05-09', '2026-05-11'],
    ['2026-06-12', '2026-06-14'],
    ['2026-11-04', '2026-11-04'],
  );
  t.notOk(cal.isWorkingDay('2026-12-31'));
});

t.test('2027 is provisional: the Labour Code rules only, 249 working days until a decree places 2-3 Jan', async (t) => {
  t.same(totals(cal, 2027), {
    workingDays: 249,
    daysOff: 116,
    hours: 249 * 8 - 5,
    shortDays: ['2027-02-22', '2027-04-30', '2027-06-11', '2027-11-03', '2027-12-31'],
  });
  t.same(differences(RU_2027, provisionalRussianYear(2027)), [], 'the data is exactly what the rules give');
  assertPeriodsOff(t, ['2027-05-01', '2027-05-03'], ['2027-05-08', '2027-05-10'], ['2027-06-12', '2027-06-14']);
});

t.test('what the decrees changed against the Labour Code rules alone', async (t) => {
  // holiday = day off, short = short working day, '-' = ordinary day. data/rules.
  t.same(differences(RU_2026, provisionalRussianYear(2026)), ['2026-01-09: holiday/-', '2026-12-31: holiday/short']);
  t.same(differences(RU_2025, provisionalRussianYear(2025)), [
    '2025-02-24: -/holiday',
    '2025-03-10: -/holiday',
    '2025-05-02: holiday/-',
    '2025-05-08: holiday/short',
    '2025-06-13: holiday/-',
    '2025-11-01: short/-',
    '2025-11-03: holiday/short',
    '2025-12-31: holiday/short',
  ]);
  t.throws(() => provisionalRussianYear(0), RangeError);
});

t.test('operators can add regional holidays and corrections over the shipped data', async (t) => {
  const ufa = russianBusinessCalendar({ days: { '2026-03-20': { kind: 'holiday', note: 'Ураза-байрам (Башкортостан)' }, '2027-12-31': { kind: 'holiday' } } });
  t.notOk(ufa.isWorkingDay('2026-03-20'));
  t.notOk(ufa.isWorkingDay('2027-12-31'));
  t.ok(cal.isWorkingDay('2026-03-20'));
  t.notOk(ufa.isWorkingDay('2026-01-09'), 'shipped data kept');
  t.equal(ufa.timeZone, 'Europe/Moscow');
  const only2026 = russianBusinessCalendar({}, [RU_2026]);
  t.ok(only2026.isWorkingDay('2025-12-31'), 'without the 2025 data, 31 Dec 2025 is an ordinary Wednesday');
  t.equal(Object.keys(russianCalendarDays()).length, Object.keys(RU_2025.days).length + Object.keys(RU_2026.days).length + Object.keys(RU_2027.days).length);
  const with2028 = russianBusinessCalendar({}, [...RUSSIAN_PRODUCTION_CALENDAR, provisionalRussianYear(2028)]);
  t.notOk(with2028.isWorkingDay('2028-01-03'), '2028 from the rules: 3 Jan is a holiday');
});
