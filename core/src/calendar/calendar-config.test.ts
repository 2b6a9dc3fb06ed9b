import t from 'tap';
import { checkCalendarConfig } from './calendar-config.js';
import { ConfigError } from './errors.js';

function issuesOf(config: unknown): readonly string[] {
  try {
    checkCalendarConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('config was accepted');
}

t.test('defaults: Moscow, Monday to Friday, 09:00-18:00, short days one hour shorter', async (t) => {
  const c = checkCalendarConfig({});
  t.equal(c.timeZone, 'Europe/Moscow');
  t.same(c.workWeek, [1, 2, 3, 4, 5]);
  t.same(c.open, { start: 540, end: 1080 });
  t.equal(c.break, undefined);
  t.equal(c.shortDayMinutes, 60);
  t.equal(c.days.size, 0);
});

t.test('a full config is read, with a break, 24:00 closing and day overrides', async (t) => {
  const c = checkCalendarConfig({
    timeZone: 'Europe/Berlin',
    workWeek: [6, 1, 2],
    workingHours: { start: '08:30', end: '24:00', break: { start: '12:00', end: '12:45' } },
    shortDayMinutes: 90,
    days: { '2026-12-24': { kind: 'short', note: 'Heiligabend' }, '2026-12-25': { kind: 'holiday' } },
  });
  t.same(c.workWeek, [1, 2, 6], 'sorted');
  t.same(c.open, { start: 510, end: 1440 });
  t.same(c.break, { start: 720, end: 765 });
  t.same(c.days.get('2026-12-24'), { kind: 'short', note: 'Heiligabend' });
});

t.test('every problem is reported with the path of its field', async (t) => {
  const issues = issuesOf({
    timeZone: 'Moscow',
    workWeek: [0, 1],
    workingHours: { start: '9:00', end: '25:00' },
    workweek: [1],
    days: { '2026-02-30': { kind: 'holiday' }, '2026-03-01': { kind: 'vacation' }, '2026-03-02': { kind: 'workday', colour: 'red' } },
  });
  const text = issues.join('\n');
  t.match(text, /timeZone: must be an IANA time zone/);
  t.match(text, /workWeek: must be a non-empty list/);
  t.match(text, /workingHours.start: must be a time "HH:mm"/);
  t.match(text, /workingHours.end: must be a time "HH:mm"/);
  t.match(text, /workweek: unknown setting/);
  t.match(text, /days.2026-02-30: key must be a real date/);
  t.match(text, /days.2026-03-01.kind: must be one of holiday, workday, short/);
  t.match(text, /days.2026-03-02.colour: unknown setting/);
  t.throws(() => checkCalendarConfig({ timeZone: 'Mars/Base' }), { name: 'ConfigError', message: /invalid BusinessCalendar config: timeZone/ });
});

t.test('working hours, breaks and short days must make sense', async (t) => {
  t.match(issuesOf({ workingHours: { start: '18:00', end: '09:00' } }).join(), /end 09:00 must be after start 18:00/);
  t.match(issuesOf({ workingHours: { start: '09:00', end: '18:00', break: { start: '08:00', end: '09:30' } } }).join(), /break: must lie strictly inside/);
  t.match(issuesOf({ workingHours: { start: '24:00', end: '24:00' } }).join(), /workingHours.start/);
  t.match(issuesOf({ workWeek: [] }).join(), /workWeek/);
  t.match(issuesOf({ workWeek: [1, 1] }).join(), /distinct/);
  t.match(issuesOf({ shortDayMinutes: -5 }).join(), /shortDayMinutes: must be a whole number/);
  t.match(
    issuesOf({ workingHours: { start: '09:00', end: '18:00', break: { start: '13:00', end: '17:00' } }, shortDayMinutes: 60 }).join(),
    /would leave no working time after the break/,
  );
  t.match(issuesOf('Europe/Moscow').join(), /\(root\): must be an object/);
});

t.test('wrongly shaped parts are named', async (t) => {
  t.match(issuesOf({ workingHours: 'nine to six' }).join(), /workingHours: must be an object/);
  t.match(issuesOf({ workingHours: { start: '09:00', end: '18:00', break: 'lunch' } }).join(), /workingHours.break: must be an object/);
  t.match(issuesOf({ days: [] }).join(), /days: must be an object keyed by date/);
  t.match(issuesOf({ days: { '2026-01-01': 'holiday' } }).join(), /days.2026-01-01: must be an object \{ kind, note\? \}/);
  t.match(issuesOf({ days: { '2026-01-01': { kind: 'holiday', note: 7 } } }).join(), /days.2026-01-01.note: must be a string/);
});
