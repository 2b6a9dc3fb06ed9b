/**
 * Planning over REST in a whole core with reporting, on SQLite and MariaDB: the calculator against
 * the published references, forecasts and their accuracy from reporting's history (a weekly pattern
 * known exactly), 409 without enough history, staffing plans with heatmaps, what-if, backlog staffing,
 * saved plans, and access by role.
 */
import t from 'tap';
import { join } from 'node:path';
import { needsMysql, scratchMysqlDatabase, tempDir } from '@okno/testkit';
import { erlangCAgents, trafficLoad } from './math/index.js';
import { EMAILS_PER_HOUR, phoneAht, phoneVolume, reportingCaughtUp, startPlanningApp, writeHistory } from './test-support/app.js';

const matrix = [
  { name: 'SQLite', skip: false as const, make: async () => { const d = tempDir('okno-planning-'); return { url: `sqlite:${join(d.dir, 'okno.sqlite')}`, dispose: async () => d.cleanup() }; } },
  { name: 'MariaDB', skip: await needsMysql(), make: async () => { const s = await scratchMysqlDatabase('okno_plan'); return { url: s.url, dispose: s.drop }; } },
];
const close = (a: number, b: number, eps = 1e-6) => Math.abs(a - b) <= eps;

for (const m of matrix) {
  t.test(`planning on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const app = await startPlanningApp({ dbUrl: tdb.url });
    t.teardown(() => app.stop());
    const planner = await app.token('planner');
    const supervisor = await app.token('supervisor');
    const post = (path: string, body: unknown, token = planner) => app.req('POST', `/api/planning${path}`, { token, body });
    const get = (path: string, token = planner) => app.req('GET', `/api/planning${path}`, { token });

    await t.test('the calculator against the published references', async (t) => {
      const c = await post('/erlang-c', { calls: 100, intervalMinutes: 30, ahtSeconds: 180, target: { serviceLevel: 0.8, withinSeconds: 20 } });
      t.equal(c.status, 200, JSON.stringify(c.body).slice(0, 300));
      t.equal(c.body.load, 10, '100 calls × 180 s / 1800 s = 10 Erlangs');
      t.equal(c.body.staffing.agents, 14, '14 agents');
      t.equal(Math.round(c.body.staffing.serviceLevel * 1000) / 1000, 0.888, 'SL 0.888');
      t.equal(Math.round(c.body.staffing.asaSeconds * 100) / 100, 7.84, 'ASA 7.84 s');
      t.equal(c.body.staffing.staff, 20, '20 staff at 30% shrinkage');
      t.same(c.body.table.map((r: { agents: number }) => r.agents), [11, 12, 13, 14, 15, 16, 17], 'the table around the answer');
      const b = await post('/erlang-b', { load: 10, maxBlocking: 0.02 });
      t.equal(b.body.lines, 17, 'Erlang B: 10 E at 2% → 17 lines');
      const b2 = await post('/erlang-b', { calls: 200, intervalMinutes: 60, holdSeconds: 180, maxBlocking: 0.02, lines: 15 });
      t.equal(b2.body.lines, 17, 'the same load as calls per hour');
      t.ok(b2.body.evaluated.blocking > 0.02, '15 lines block more than 2%');
      const a = await post('/erlang-a', { calls: 100, intervalMinutes: 30, ahtSeconds: 180, patienceSeconds: 120, target: { serviceLevel: 0.8, withinSeconds: 20 } });
      t.equal(a.status, 200);
      t.ok(a.body.staffing.agents <= 14 && a.body.staffing.agents >= 12, `impatient callers need no more agents (${a.body.staffing.agents})`);
      t.ok(a.body.staffing.abandonProbability > 0, 'and some abandon');
      const trunks = await post('/trunks', { calls: 100, intervalMinutes: 30, ahtSeconds: 180, target: { serviceLevel: 0.8 }, maxBlocking: 0.01 });
      t.equal(trunks.body.staffing.agents, 14);
      t.ok(trunks.body.trunks.lines >= 14 && trunks.body.trunks.ruleOfThumb === 17, `trunks ${trunks.body.trunks.lines}, rule of thumb 17`);
      const modems = await post('/modems', { faxes: 60, intervalMinutes: 60, pagesPerFax: 3, secondsPerPage: 40, setupSeconds: 20, maxBlocking: 0.01 });
      t.equal(modems.body.holdSeconds, 140);
      t.ok(close(modems.body.load, (60 * 140) / 3600), 'modem load in Erlangs');
      t.equal((await post('/erlang-c', { calls: 100, ahtSeconds: -1 })).status, 422, 'a negative handle time is refused');
      t.equal((await post('/erlang-c', { ahtSeconds: 180 })).status, 422, 'no calls and no load is refused with the reason');
      t.equal((await post('/erlang-c', { calls: 100, ahtSeconds: 180 }, supervisor)).status, 403, 'supervisors do not compute');
      t.equal((await app.req('POST', '/api/planning/erlang-c', { body: { calls: 1, ahtSeconds: 1 } })).status, 401);
    });

    await t.test('a forecast needs history', async (t) => {
      const r = await get('/forecast?groupBy=channel&key=phone');
      t.equal(r.status, 409);
      t.match(r.body.error.message, /not enough history .*0 day\(s\) with contacts.*at least 14 needed/);
    });

    await writeHistory(app.app.db);
    await reportingCaughtUp(app);

    await t.test('forecast from the history, against actual', async (t) => {
      const r = await get('/forecast?groupBy=channel&key=phone&intervalMinutes=60&days=7&historyWeeks=4', supervisor);
      t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 400));
      t.equal(r.body.from, '2026-04-21', 'from tomorrow');
      t.equal(r.body.intervals.length, 7 * 24);
      t.equal(r.body.history.daysWithContacts, 28);
      let worst = 0;
      let worstAht = 0;
      for (const i of r.body.intervals) {
        const local = new Date(Date.parse(i.start) + 3 * 3600_000);
        const wd = (local.getUTCDay() + 6) % 7;
        worst = Math.max(worst, Math.abs(i.volume - phoneVolume(wd, local.getUTCHours())));
        if (phoneVolume(wd, local.getUTCHours()) > 0) worstAht = Math.max(worstAht, Math.abs(i.aht - phoneAht(wd)));
      }
      t.ok(worst < 1e-6, `every interval's volume is the weekly pattern (worst error ${worst})`);
      t.ok(worstAht < 1e-6, `and its handle time, by weekday (worst error ${worstAht} s)`);
      t.equal(r.body.intervals[0].actualVolume, null, 'the future has no actuals');
      const past = await get('/forecast?groupBy=channel&key=phone&intervalMinutes=60&from=2026-04-13&days=7&historyWeeks=2', supervisor);
      t.equal(past.status, 200, JSON.stringify(past.body).slice(0, 300));
      const tue10 = past.body.intervals.find((i: { start: string }) => i.start === '2026-04-14T10:00:00+03:00');
      t.equal(tue10.actualVolume, 6, 'a past week shows the actual volume');
      t.ok(close(tue10.volume, 6), 'and its forecast (fitted on the two weeks before)');
    });

    await t.test('accuracy on a held-out week', async (t) => {
      const r = await get('/accuracy?groupBy=channel&key=phone&intervalMinutes=60&holdoutWeeks=1&historyWeeks=4', supervisor);
      t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      t.ok(r.body.intervals.wape < 1e-9, `WAPE ${r.body.intervals.wape} on a pattern that repeats exactly`);
      t.equal(r.body.weeks.length, 1);
      t.equal(r.body.weeks[0].from, '2026-04-13');
      const tooMany = await get('/accuracy?groupBy=channel&key=phone&holdoutWeeks=3&historyWeeks=4');
      t.equal(tooMany.status, 409, 'three held-out weeks leave too little to fit on');
    });

    await t.test('a staffing plan from the forecast, with a heatmap', async (t) => {
      const r = await post('/plan', { groupBy: 'channel', key: 'phone', days: 7, intervalMinutes: 60, historyWeeks: 4, target: { serviceLevel: 0.8, withinSeconds: 20 } });
      t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      t.equal(r.body.source, 'forecast');
      t.equal(r.body.plan.heatmap.dates.length, 7);
      t.equal(r.body.plan.heatmap.times.length, 24);
      t.equal(r.body.plan.heatmap.times[10], '10:00');
      const tue10 = r.body.plan.intervals.find((i: { start: string }) => i.start === '2026-04-21T10:00:00+03:00');
      const expected = erlangCAgents(trafficLoad(6, phoneAht(1), 3600), phoneAht(1), { serviceLevel: 0.8, withinSeconds: 20, maxOccupancy: 0.9 }, 0.3);
      t.equal(tue10.agents, expected.agents, `Tuesday 10:00: ${expected.agents} agents as the math says`);
      t.equal(r.body.plan.heatmap.staff[0][10], expected.staff, 'the heatmap cell');
      t.equal(r.body.plan.heatmap.staff[0][3], 0, 'nobody at night');
      t.equal(r.body.plan.days.length, 7);

      const given = await post('/plan', { demand: [{ start: '2026-04-21T09:00:00+03:00', volume: 100, aht: 180 }], intervalMinutes: 30, target: { serviceLevel: 0.8, withinSeconds: 20, maxOccupancy: 1 } });
      t.equal(given.body.source, 'given');
      t.equal(given.body.plan.intervals[0].agents, 14, '100 calls in 30 min at 180 s → 14 agents');
      t.equal(given.body.plan.intervals[0].staff, 20);
    });

    await t.test('what-if', async (t) => {
      const r = await post('/what-if', { groupBy: 'channel', key: 'phone', days: 1, intervalMinutes: 60, historyWeeks: 4, change: { volumePercent: 50, target: { serviceLevel: 0.9 } } });
      t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      t.ok(close(r.body.after.total.volume, 1.5 * r.body.before.total.volume), '50% more calls');
      t.ok(r.body.delta.total.agentHours > 0, 'need more agent-hours');
      t.ok(r.body.delta.intervals.every((d: { agents: number }) => d.agents >= 0), 'no interval needs fewer');
      t.equal(r.body.delta.heatmap.agents[0].length, 24);
    });

    await t.test('backlog staffing from a deadline', async (t) => {
      const given = await post('/backlog', { arrivals: Array(24).fill(10), handleSeconds: 360, days: 1, intervalMinutes: 60, deadline: { minutes: 30 * 1440, clock: 'calendar' }, working: 'always', shrinkage: 0 });
      t.equal(given.status, 200, JSON.stringify(given.body).slice(0, 300));
      t.equal(given.body.intervals[0].agents, 0, 'nothing to do before the first items are in');
      t.ok(given.body.intervals.slice(1).every((i: { agents: number }) => close(i.agents, 1)), 'then a steady 10 items an hour: one agent');
      t.ok(close(given.body.endBacklog, 10), 'the last hour\'s items are left for the next day');
      const r = await post('/backlog', { groupBy: 'channel', key: 'email', days: 7, intervalMinutes: 60, historyWeeks: 4, deadline: 'secondLine' });
      t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      t.same(r.body.deadline, { minutes: 480, clock: 'working' }, 'second line: 8 working hours');
      t.equal(r.body.source, 'forecast');
      t.ok(close(r.body.handleSeconds, 600), 'the handle time from history');
      const arrived = r.body.intervals.reduce((s: number, i: { arrivals: number }) => s + i.arrivals, 0);
      t.ok(close(arrived, 5 * 9 * EMAILS_PER_HOUR, 1e-6), 'the forecast e-mails of a week');
      t.ok(close(r.body.completed + r.body.endBacklog, arrived, 1e-6), 'everything done or handed on');
      t.ok(r.body.intervals.filter((i: { working: boolean; agents: number }) => !i.working).every((i: { agents: number }) => i.agents === 0), 'nobody works off hours');
      t.equal(r.body.cannotMeet, 0);
      t.equal((await post('/backlog', { arrivals: [1, 2], handleSeconds: 60, days: 1 })).status, 422, 'arrivals must cover the days');
    });

    await t.test('saved plans', async (t) => {
      const input = { demand: [{ start: '2026-04-21T09:00:00+03:00', volume: 100, aht: 180 }], intervalMinutes: 30 };
      const saved = await post('/plans', { name: 'Вторник, утро', kind: 'staffing', input });
      t.equal(saved.status, 201, JSON.stringify(saved.body).slice(0, 300));
      t.equal(saved.body.result.plan.intervals[0].volume, 100);
      const list = await get('/plans', supervisor);
      t.same(list.body.map((p: { name: string }) => p.name), ['Вторник, утро'], 'supervisors read saved plans');
      const one = await get(`/plans/${saved.body.id}`, supervisor);
      t.same(one.body.input, input);
      t.equal(one.body.result.plan.total.volume, 100);
      t.equal((await post('/plans', { name: 'bad', kind: 'staffing', input: { demand: [{ start: 'x', volume: -1, aht: 1 }] } })).status, 422, 'the input is checked');
      t.equal((await app.req('DELETE', `/api/planning/plans/${saved.body.id}`, { token: supervisor })).status, 403, 'supervisors do not delete');
      t.equal((await app.req('DELETE', `/api/planning/plans/${saved.body.id}`, { token: planner })).status, 200);
      t.equal((await get(`/plans/${saved.body.id}`)).status, 404);
    });
  });
}

t.test('without the reporting plugin a forecast says so', async (t) => {
  const app = await startPlanningApp({ reporting: false });
  t.teardown(() => app.stop());
  const r = await app.req('GET', '/api/planning/forecast', { token: await app.token('planner') });
  t.equal(r.status, 409);
  t.match(r.body.error.message, /reporting plugin/);
});
