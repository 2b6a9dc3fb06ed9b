// Logic of the technician, planner and report pages, run by Node from the TypeScript sources:
// agent status, which journal events concern the fleet, command arguments and outcomes; the instant
// calculator against the planning math (the same module the server runs), line and modem sizing,
// typed volumes and their local times, heatmap cells; report ranges, series and totals; routing
// forms (skills, ids, weekly hours) and operators by state.
import t from 'tap';
import { agentStatus, affectsFleet, commandArgs, commandOutcome, hangupText, shortResult } from '../src/logic/fleet.ts';
import { calculate, sizeLines, sizeModems, parseVolumes, localIso, demandOf, offsetMinutes, usedColumns, heatmapCells, targetOf, queueTrunks } from '../src/logic/planning.ts';
import { intervalQuery, intervalSeries, intervalTotals, keysOf, keyLabel, exportName } from '../src/logic/reports.ts';
import { addDays, todayIn } from '../src/logic/dates.ts';
import { parseSkills, skillsText, parseIds, parseWeek, weekText, operatorsByState, queueBody } from '../src/logic/routing.ts';
import { serviceLevelByChannel } from '../src/logic/live.ts';
import { erlangCAgents } from '@okno/planning/math';

t.test('an agent\'s status: disabled over everything, silent when online but not heard of', async (t) => {
  const a = (o) => ({ enabled: true, online: false, stale: false, lastSeenAt: null, ...o });
  t.equal(agentStatus(a({ online: true })), 'online');
  t.equal(agentStatus(a({ online: true, stale: true })), 'stale');
  t.equal(agentStatus(a({ lastSeenAt: '2026-03-02T08:00:00Z' })), 'offline');
  t.equal(agentStatus(a({})), 'never');
  t.equal(agentStatus(a({ enabled: false, online: true })), 'disabled');
});

t.test('fleet pages follow edge.* journal events, the agent page only its agent\'s', async (t) => {
  t.ok(affectsFleet({ type: 'edge.agent_online', aggregateId: '5' }));
  t.notOk(affectsFleet({ type: 'appeal.registered', aggregateId: 5 }));
  t.ok(affectsFleet({ type: 'edge.event', aggregateId: '5' }, 5), 'ids compare as numbers');
  t.notOk(affectsFleet({ type: 'edge.event', aggregateId: 6 }, 5));
});

t.test('command arguments follow the protocol; a ring needs a headset', async (t) => {
  t.same(commandArgs('fax.test', {}), { mode: 'probe' });
  t.same(commandArgs('fax.test', { modemId: 'ttyUSB0', mode: 'loopback' }), { mode: 'loopback', modemId: 'ttyUSB0' });
  t.same(commandArgs('headset.ring', { headsetId: 'hidraw0', on: false }), { headsetId: 'hidraw0', on: false });
  t.equal(commandArgs('headset.ring', {}), null);
  t.same(commandArgs('modems.probe', {}), {});
  t.same(commandArgs('spool.flush', { modemId: 'x' }), {}, 'no stray arguments');
  t.same(commandOutcome({ status: 'error', error: { code: 'busy', message: 'receiving' }, result: null, late: false }), { outcome: 'error', detail: 'busy: receiving' });
  t.same(commandOutcome({ status: 'timeout', error: null, result: null, late: true }), { outcome: 'timeout', detail: 'late' });
  t.same(commandOutcome({ status: 'ok', error: null, result: { ok: true, checks: [{ name: 'AT', ok: true }] }, late: false }), { outcome: 'ok', detail: 'ok: true, checks: [{"name":"AT","ok":true}]' });
  t.equal(shortResult({ a: 'x'.repeat(300) }, 20).length, 20);
  t.equal(hangupText({ code: '0', fclass: '2.0', meaning: 'normal end of call' }), '0 (Class 2.0) — normal end of call');
  t.equal(hangupText(undefined), '—');
});

const form = (o = {}) => ({
  calls: 100, intervalMinutes: 30, ahtSeconds: 180, serviceLevelPercent: 80, withinSeconds: 20, maxAsaSeconds: null,
  maxOccupancyPercent: null, shrinkagePercent: 0, patienceSeconds: null, ...o,
});

t.test('the calculator: 100 calls in 30 minutes, AHT 180 s, 80% in 20 s need 14 agents', async (t) => {
  const a = calculate(form());
  t.ok(a.ok);
  t.equal(a.model, 'erlangC');
  t.equal(a.load, 10);
  t.equal(a.result.agents, 14);
  t.ok(a.result.serviceLevel >= 0.8 && a.result.serviceLevel < 0.9);
  t.equal(calculate(form({ shrinkagePercent: 30 })).result.staff, 20, '14 / 0.7 rounded up');
  t.same(calculate(form({ shrinkagePercent: 30 })).result, erlangCAgents(10, 180, { serviceLevel: 0.8, withinSeconds: 20 }, 0.3), 'exactly what the planning math says');
  t.ok(calculate(form({ maxOccupancyPercent: 60 })).result.agents > 14, 'an occupancy cap adds agents');
  t.equal(calculate(form({ maxOccupancyPercent: 60 })).result.limitedBy, 'occupancy');
  const ea = calculate(form({ patienceSeconds: 120 }));
  t.equal(ea.model, 'erlangA');
  t.ok(ea.result.agents <= 14, 'callers who hang up lighten the load');
  t.ok(ea.result.abandonProbability > 0);
  t.same(targetOf(form({ serviceLevelPercent: null, maxAsaSeconds: 15 })), { maxAsaSeconds: 15 });
});

t.test('the calculator names the field that is out of range', async (t) => {
  t.match(calculate(form({ ahtSeconds: 0 })), { ok: false, field: 'ahtSeconds' });
  t.match(calculate(form({ serviceLevelPercent: 100 })), { ok: false, field: 'serviceLevelPercent' });
  t.match(calculate(form({ serviceLevelPercent: null })), { ok: false, message: /a target needs/ }, 'no target at all');
  t.match(calculate(form({ shrinkagePercent: 100 })), { ok: false, field: 'shrinkagePercent' });
});

t.test('lines and fax modems by Erlang B', async (t) => {
  const l = sizeLines({ calls: 100, intervalMinutes: 60, holdSeconds: 180, maxBlockingPercent: 1 });
  t.match(l, { ok: true, lines: 11, load: 5 });
  t.ok(l.blocking <= 0.01);
  const m = sizeModems({ faxes: 30, intervalMinutes: 60, pagesPerFax: 3, secondsPerPage: 40, setupSeconds: 25, maxBlockingPercent: 2 });
  t.match(m, { ok: true, holdSeconds: 145, lines: 5 });
  t.match(sizeModems({ faxes: 30, intervalMinutes: 60, pagesPerFax: 0, secondsPerPage: 40, setupSeconds: 25, maxBlockingPercent: 2 }), { ok: false });
  t.match(sizeLines({ calls: 1, intervalMinutes: 60, holdSeconds: 1, maxBlockingPercent: 0 }), { ok: false });
});

t.test('typed volumes and their local times in the city', async (t) => {
  t.same(parseVolumes('12, 15 20;7\n0'), { ok: true, values: [12, 15, 20, 7, 0] });
  t.same(parseVolumes('12 x 3'), { ok: false, bad: 'x' });
  t.same(parseVolumes('-1'), { ok: false, bad: '-1' });
  t.equal(offsetMinutes('Europe/Moscow', Date.parse('2026-03-02T00:00:00Z')), 180);
  t.equal(localIso('2026-03-02', 570, 'Europe/Moscow'), '2026-03-02T09:30:00+03:00');
  t.equal(localIso('2026-07-02', 570, 'Europe/Berlin'), '2026-07-02T09:30:00+02:00', 'summer time');
  t.equal(localIso('2026-01-02', 570, 'Europe/Berlin'), '2026-01-02T09:30:00+01:00');
  t.same(demandOf([1, 2], { date: '2026-03-02', startMinute: 1410, intervalMinutes: 30, ahtSeconds: 100, timeZone: 'Europe/Moscow' }).map((d) => d.start),
    ['2026-03-02T23:30:00+03:00', '2026-03-03T00:00:00+03:00'], 'volumes run on past midnight');
});

t.test('heatmap cells cover the used hours only', async (t) => {
  const h = { dates: ['2026-03-02', '2026-03-03'], times: ['00:00', '08:00', '16:00'], agents: [[null, 3, null], [null, 5, 2]], staff: [[null, 4, null], [null, 7, 3]], serviceLevel: [[null, 0.81, null], [null, 0.9, 0.85]] };
  t.same(usedColumns(h), [1, 2]);
  t.same(heatmapCells(h, 'agents'), { times: ['08:00', '16:00'], cells: [[0, 0, 3], [1, 0, '-'], [0, 1, 5], [1, 1, 2]], max: 5 });
  t.same(heatmapCells(h, 'serviceLevel').cells[0], [0, 0, 81], 'service level in percent');
  t.same(usedColumns({ times: ['00:00'], agents: [[null]] }), []);
});

t.test('report ranges, series and totals', async (t) => {
  t.same(intervalQuery({ from: '2026-03-01', to: '2026-03-02', size: 30, groupBy: 'channel', key: null }), { from: '2026-03-01', to: '2026-03-03', size: 30, groupBy: 'channel', fill: true }, 'inclusive dates become an exclusive end');
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.equal(todayIn('Europe/Moscow', Date.parse('2026-03-02T22:30:00Z')), '2026-03-03', 'the city\'s day, not UTC\'s');
  const row = (key, start, o) => ({ key, start, end: start, offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, overflowed: 0, handled: 0, serviceLevel: null, availability: null, abandonRate: null, asaSeconds: null, ahtSeconds: null, maxWaitSeconds: null, occupancy: null, ...o });
  const rows = [
    row('phone', '2026-03-02T09:00:00+03:00', { offered: 10, answered: 8, abandoned: 2, shortAbandoned: 0, handled: 8, serviceLevel: 0.5, asaSeconds: 30, ahtSeconds: 200, occupancy: 0.5, operatorHours: { ready: 1, busy: 0.8, wrapUp: 0.2, paused: 0.5 } }),
    row('email', '2026-03-02T09:00:00+03:00', { offered: 5 }),
    row('phone', '2026-03-02T10:00:00+03:00', { offered: 10, answered: 10, abandoned: 0, handled: 10, serviceLevel: 1, asaSeconds: 0, ahtSeconds: 100, occupancy: 0.75, operatorHours: { ready: 1, busy: 2.5, wrapUp: 0.5, paused: 0 } }),
  ];
  t.same(keysOf(rows), ['phone', 'email']);
  const s = intervalSeries(rows, 'phone');
  t.same(s.labels, ['03-02 09:00', '03-02 10:00']);
  t.same(s.serviceLevel, [50, 100]);
  t.same(s.occupancy, [50, 75]);
  const tot = intervalTotals(s.rows);
  t.equal(tot.offered, 20);
  t.equal(tot.serviceLevel, (0.5 * 10 + 1 * 10) / 20, 'weighted by answered + abandoned');
  t.equal(tot.asaSeconds, (30 * 8) / 18);
  t.equal(tot.ahtSeconds, (200 * 8 + 100 * 10) / 18);
  t.equal(tot.occupancy, (1 + 3) / (2 + 4), 'busy and wrap-up over logged-in hours, not an average of the intervals\' shares (0.625)');
  t.same(intervalTotals([]), { offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, handled: 0, serviceLevel: null, asaSeconds: null, ahtSeconds: null, occupancy: null });
  t.equal(keyLabel('-', new Map(), 'не указано'), 'не указано');
  t.equal(keyLabel('3', new Map([['3', 'МФЦ']]), '?'), 'МФЦ');
  t.equal(keyLabel('9', new Map(), '?'), '9');
  t.equal(exportName('compliance', '2026-03-01', '2026-03-31', 'csv'), 'okno-compliance-2026-03-01_2026-03-31.csv');
  t.equal(exportName('daily', '2026-03-01', '2026-03-01', 'xlsx'), 'okno-daily-2026-03-01.xlsx');
});

t.test('routing forms: skills, ids and weekly hours as text, and back', async (t) => {
  t.same(parseSkills('жкх:2, law;  tax=5'), { ok: true, value: [{ skill: 'жкх', min: 2 }, { skill: 'law', min: 1 }, { skill: 'tax', min: 5 }] });
  t.same(parseSkills('law:9'), { ok: false, bad: 'law:9' });
  t.same(parseSkills(''), { ok: true, value: [] });
  t.equal(skillsText([{ skill: 'law', min: 1 }, { skill: 'tax', min: 3 }]), 'law, tax:3');
  t.same(parseIds('1, 4 7'), { ok: true, value: [1, 4, 7] });
  t.same(parseIds('1 x'), { ok: false, bad: 'x' });
  t.same(parseIds('0'), { ok: false, bad: '0' });
  const week = parseWeek('mon-fri 08:00-20:00; sat 10:00-14:00, 15:00-18:00');
  t.same(week.value.mon, [['08:00', '20:00']]);
  t.same(week.value.fri, [['08:00', '20:00']]);
  t.same(week.value.sat, [['10:00', '14:00'], ['15:00', '18:00']]);
  t.equal(week.value.sun, undefined);
  t.equal(weekText(week.value), 'mon-fri 08:00-20:00; sat 10:00-14:00, 15:00-18:00', 'round trip');
  t.same(parseWeek(''), { ok: true, value: null }, 'empty: always open');
  t.same(parseWeek('fri-mon 08:00-20:00'), { ok: false, bad: 'fri-mon 08:00-20:00' });
  t.same(parseWeek('mon 20:00-08:00'), { ok: false, bad: '20:00-08:00' });
  t.same(parseWeek('xyz 08:00-09:00'), { ok: false, bad: 'xyz 08:00-09:00' });
  t.equal(weekText({ mon: [['08:00', '20:00']], wed: [['08:00', '20:00']] }), 'mon 08:00-20:00; wed 08:00-20:00', 'a gap is not joined');
  t.same(operatorsByState([{ state: 'ready' }, { state: 'ready' }, { state: 'paused' }]), { ready: 2, busy: 0, wrap_up: 0, paused: 1, logged_out: 0 });
  t.same(queueBody({ code: ' q ', name: ' Q ', siteId: null, channels: ['email'], priority: 0, requirements: [], hours: null, offerTimeoutSeconds: 30, wrapUpSeconds: 10, enabled: true }),
    { code: 'q', name: 'Q', channels: ['email'], priority: 0, requirements: [], hours: null, offerTimeoutSeconds: 30, wrapUpSeconds: 10, enabled: true }, 'no site: the API names it');
});

t.test('the live view\'s service level per channel from reporting: calls and call-backs are phone', async (t) => {
  const g = (key, answered, abandoned, shortAbandoned, serviceLevel) => ({ key, today: { answered, abandoned, shortAbandoned, serviceLevel } });
  const sl = serviceLevelByChannel([g('voice', 8, 2, 0, 0.5), g('callback', 10, 0, 0, 1), g('email', 0, 0, 0, null), g('chat', 3, 1, 1, 2 / 3)]);
  t.equal(sl.get('phone'), (0.5 * 10 + 1 * 10) / 20, 'weighted by answered + abandoned − short');
  t.equal(sl.has('email'), false, 'no contacts, no figure');
  t.equal(sl.get('chat'), 2 / 3);
});

t.test('trunks for the calculator\'s queue: talking plus waiting callers, Erlang B', async (t) => {
  const a = calculate(form());
  const tr = queueTrunks(a);
  t.equal(tr.ruleOfThumb, 17, '14 agents + 20%');
  t.ok(tr.trunkLoad > a.load, 'waiting callers hold lines too');
  t.ok(tr.lines >= 14);
  t.equal(queueTrunks(calculate(form({ ahtSeconds: 0 }))), null);
});
