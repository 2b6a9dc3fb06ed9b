// The deferred-work page's logic, run by Node from the TypeScript sources: the form checked field by
// field (each message names its field), the request POST /api/planning/backlog takes, items already
// waiting placed at the interval that ends by their due time, the API's 422 fields put back on the
// form's fields, and the totals and series of an answer computed by the planning math itself.
import t from 'tap';
import {
  apiProblems, backlogRequest, backlogSeries, backlogTotals, deadlineSpan, dueIndex, figure, intervalMinutesOf, intervalText, shortLocal,
} from '../src/logic/backlog.ts';
import { heatmapCells } from '../src/logic/planning.ts';
import { answerOf } from './support/backlog.js';

const TZ = 'Europe/Moscow';
const form = (o = {}) => ({
  channel: 'email', from: '2026-04-21', days: 2, intervalMinutes: 60, deadline: 'register', customMinutes: 480, customClock: 'working',
  handleSeconds: null, waiting: [], utilisationPercent: 85, shrinkagePercent: 30, ...o,
});

t.test('a right form becomes the API\'s request: channel scope, shares from percentages, no handle time when blank', async (t) => {
  const r = backlogRequest(form(), TZ);
  t.ok(r.ok);
  t.same(r.body, { groupBy: 'channel', key: 'email', from: '2026-04-21', days: 2, intervalMinutes: 60, deadline: 'register', utilisation: 0.85, shrinkage: 0.3 });
  const typed = backlogRequest(form({ channel: 'fax', days: '3', handleSeconds: '420', deadline: 'custom', customMinutes: '90', customClock: 'calendar', intervalMinutes: 30 }), TZ);
  t.same(typed.body, {
    groupBy: 'channel', key: 'fax', from: '2026-04-21', days: 3, intervalMinutes: 30, deadline: { minutes: 90, clock: 'calendar' }, handleSeconds: 420, utilisation: 0.85, shrinkage: 0.3,
  }, 'numbers typed as text, a custom deadline on its clock');
  t.same(backlogRequest(form({ utilisationPercent: 100, shrinkagePercent: 0 }), TZ).body.utilisation, 1, '100% is allowed');
});

t.test('items already waiting are due by the end of the last interval that ends by their due time', async (t) => {
  const f = form({ waiting: [{ items: 30, dueDate: '2026-04-21', dueTime: '18:00' }, { items: '5', dueDate: '2026-04-22', dueTime: '09:30' }] });
  t.same(backlogRequest(f, TZ).body.waiting, [{ items: 30, dueByEndOf: 17 }, { items: 5, dueByEndOf: 32 }], '18:00 closes 17:00–18:00; 09:30 next day closes 08:00–09:00 (never later than due)');
  t.equal(dueIndex({ items: 1, dueDate: '2026-04-21', dueTime: '18:00' }, { from: '2026-04-21', intervalMinutes: 15 }, TZ), 71, '72 quarter-hours by 18:00');
  t.equal(intervalText(17, f, TZ), '21.04 17:00–18:00');
  t.equal(intervalText(32, f, TZ), '22.04 08:00–09:00');
  const early = backlogRequest(form({ waiting: [{ items: 3, dueDate: '2026-04-21', dueTime: '00:30' }] }), TZ);
  t.same(early.problems, { 'waiting.0.due': { key: 'waitingDueEarly', values: { n: 1, end: '01:00' } } }, 'due before the first interval ends');
  const missing = backlogRequest(form({ waiting: [{ items: -1, dueDate: '', dueTime: '10:00' }] }), TZ);
  t.same(missing.problems, { 'waiting.0.items': { key: 'waitingItems', values: { n: 1 } }, 'waiting.0.due': { key: 'waitingDue', values: { n: 1 } } });
});

t.test('every wrong field is named, all at once', async (t) => {
  const r = backlogRequest(form({
    channel: 'phone', from: '21.04.2026', days: 15, intervalMinutes: 45, handleSeconds: 0, utilisationPercent: 0, shrinkagePercent: 96,
  }), TZ);
  t.notOk(r.ok);
  t.same(Object.keys(r.problems).sort(), ['channel', 'days', 'from', 'handleSeconds', 'intervalMinutes', 'shrinkagePercent', 'utilisationPercent']);
  t.same(backlogRequest(form({ days: 1.5 }), TZ).problems, { days: { key: 'days' } }, 'days are whole');
  t.same(backlogRequest(form({ days: '' }), TZ).problems, { days: { key: 'days' } }, 'days are required');
  t.same(backlogRequest(form({ utilisationPercent: 101 }), TZ).problems, { utilisationPercent: { key: 'utilisationPercent' } });
  t.same(backlogRequest(form({ deadline: 'custom', customMinutes: 0 }), TZ).problems, { customMinutes: { key: 'customMinutes' } });
  t.same(backlogRequest(form({ deadline: 'later' }), TZ).problems, { deadline: { key: 'deadline' } });
  t.ok(backlogRequest(form({ handleSeconds: '' }), TZ).ok, 'a blank handle time is from history');
});

t.test('the API\'s field errors land on the form\'s fields', async (t) => {
  // As the planning service answered a bad request (fastest-validator's fields, and the math's RangeError as 'input').
  const fields = [
    { field: 'from', message: 'The \'from\' field fails to match the required pattern.', type: 'stringPattern' },
    { field: 'days', message: 'The \'days\' field must be less than or equal to 14.', type: 'numberMax' },
    { field: 'deadline', message: 'The \'deadline\' must be an Object.', type: 'object' },
    { field: 'deadline.minutes', message: 'The \'deadline.minutes\' field must be a positive number.', type: 'numberPositive' },
    { field: 'waiting[0].items', message: 'The \'waiting[0].items\' field must be greater than or equal to 0.', type: 'numberMin' },
    { field: 'waiting[2].dueByEndOf', message: 'The \'waiting[2].dueByEndOf\' field must be an integer.', type: 'numberInteger' },
    { field: 'utilisation', message: 'The \'utilisation\' field must be less than or equal to 1.', type: 'numberMax' },
    { field: 'shrinkage', message: 'The \'shrinkage\' field must be less than or equal to 0.95.', type: 'numberMax' },
    { field: 'key', message: 'The \'key\' field length must be less than or equal to 120 characters long.', type: 'stringMax' },
  ];
  const p = apiProblems(fields, form());
  t.same(Object.keys(p).sort(), ['channel', 'customMinutes', 'days', 'deadline', 'from', 'shrinkagePercent', 'utilisationPercent', 'waiting.0.items', 'waiting.2.due']);
  t.same(p.days, { text: fields[1].message }, 'in the API\'s words');
  t.same(apiProblems([{ field: 'input', message: 'intervalMinutes must be 15, 30 or 60' }], form()), { intervalMinutes: { text: 'intervalMinutes must be 15, 30 or 60' } });
  t.same(apiProblems([{ field: 'input', message: 'handleSeconds must be > 0' }], form({ handleSeconds: null })), { handleSeconds: { key: 'noHistoryHandle' } }, 'left blank: the history had no handle time');
  t.same(apiProblems([{ field: 'input', message: 'handleSeconds must be > 0' }], form({ handleSeconds: 5 })), { handleSeconds: { text: 'handleSeconds must be > 0' } });
  t.same(apiProblems([{ field: 'params.somethingElse', message: 'odd' }], form()), { '': { text: 'odd' } }, 'what belongs to no field is kept for the form');
});

t.test('totals: peak staff, staff-hours from the interval length, arrivals, what is left', async (t) => {
  const arrivals = Array.from({ length: 48 }, (_, i) => (i % 24 >= 9 && i % 24 < 18 ? 12 : 1));
  const a = answerOf(arrivals, { working: (i) => i % 24 >= 9 && i % 24 < 18 });
  const totals = backlogTotals(a);
  t.equal(totals.intervalMinutes, 60);
  t.equal(totals.arrivals, arrivals.reduce((s, x) => s + x, 0));
  t.equal(totals.peakStaff, Math.max(...a.intervals.map((i) => i.staff)));
  t.ok(totals.peakStaff > 0, 'somebody works');
  t.equal(totals.staffHours, a.intervals.reduce((s, i) => s + i.staff, 0), 'hourly intervals: staff-hours are the sum of staff');
  t.equal(totals.agentHours, a.agentHours);
  t.ok(Math.abs(totals.completed + totals.endBacklog - totals.arrivals) < 1e-9, 'everything is done or handed on');
  t.ok(a.intervals.filter((i) => !i.working).every((i) => i.staff === 0), 'nobody is rostered when closed');
  t.equal(totals.cannotMeet, 0);

  const half = answerOf(Array(48).fill(6), { intervalMinutes: 30 });
  t.equal(intervalMinutesOf(half), 30, 'from the heatmap\'s columns');
  t.equal(backlogTotals(half).staffHours, half.intervals.reduce((s, i) => s + i.staff, 0) / 2, 'half-hour intervals count half an hour each');
  t.equal(intervalMinutesOf({ intervals: half.intervals, heatmap: { times: [] } }), 30, 'or from two starts');

  const tight = answerOf([5, 5, 5, 5], { deadlineMinutes: 60 });
  t.equal(backlogTotals(tight).cannotMeet, 20, 'a deadline shorter than two intervals cannot be kept');
});

t.test('series, figures and deadlines as the page shows them', async (t) => {
  const a = answerOf([3, 0, 7, 1.25]);
  const s = backlogSeries(a);
  t.same(s.categories, ['21.04 00:00', '21.04 01:00', '21.04 02:00', '21.04 03:00']);
  t.same(s.arrivals, [3, 0, 7, 1.3]);
  t.equal(s.agents.length, 4);
  t.same(s.backlog, a.intervals.map((i) => Math.round(i.backlog * 10) / 10));
  t.equal(shortLocal('2026-12-31T23:30:00+03:00'), '31.12 23:30');
  t.equal(figure(2), '2');
  t.equal(figure(2.345, 2), '2.35');
  t.equal(figure(1.04), '1');
  t.equal(figure(2.5, 2), '2.5', 'no trailing zeros');
  t.same(deadlineSpan({ minutes: 43200, clock: 'calendar' }), { key: 'calendarDays', n: 30 });
  t.same(deadlineSpan({ minutes: 480, clock: 'working' }), { key: 'workingHours', n: 8 });
  t.same(deadlineSpan({ minutes: 90, clock: 'calendar' }), { key: 'calendarMinutes', n: 90 });
  t.same(deadlineSpan({ minutes: 120, clock: 'calendar' }), { key: 'calendarHours', n: 2 });
  t.same(heatmapCells(a.heatmap, 'agents').cells.find((c) => c[2] !== '-' && c[2] > 0)[2], Math.round(a.intervals.find((i) => i.agents > 0).agents * 10) / 10, 'fractional agents are drawn to one decimal');
});
