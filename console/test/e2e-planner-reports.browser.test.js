// End to end in real Chromium with the reporting and planning plugins: a planner uses the instant
// calculator (100 calls in 30 minutes, AHT 180 s, 80% in 20 s -> 14 operators, computed in the
// browser), computes a day's staffing plan from typed volumes and sees its heatmap, runs a what-if
// and saves the plan; with four weeks of e-mail history in the journal, computes the deferred work
// of a week of e-mail to the second line's deadline (with items already waiting), checks every
// figure against the REST answer, sees the warning when a deadline is too short for the interval,
// and saves the plan and opens it again; a supervisor opens the 59-FZ report and downloads it as
// CSV with the token.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { needsTools, waitFor } from '@okno/testkit';
import { appendJournal, lastJournalSeq } from '@okno/core';
import { addDays, todayIn } from '../src/logic/dates.ts';
import { backlogTotals, figure } from '../src/logic/backlog.ts';
import { openBrowser, screenshot } from './support/browser.js';
import { signIn, textOf } from './support/ui.js';
import { checkView } from './support/views.js';

const skip = needsTools('chromium');

t.test('planner and supervisor reports end to end', { skip }, async (t) => {
  t.setTimeout(150_000);
  const { startConsoleApp } = await import('./support/app.js');
  const env = await startConsoleApp({ plugins: ['@okno/reporting', '@okno/planning'] });
  t.teardown(() => env.stop());
  const browser = await openBrowser();
  t.teardown(browser.close);
  const { page } = browser;

  t.test('the planner\'s calculator answers as they type', async (t) => {
    await signIn(page, env.url, 'planner', '/planning/calculator');
    const field = (name) => page.locator(`[data-testid=planning-calculator] input[data-field=${name}]`);
    await field('calls').fill('100');
    await field('intervalMinutes').fill('30');
    await field('ahtSeconds').fill('180');
    await field('serviceLevelPercent').fill('80');
    await field('withinSeconds').fill('20');
    await field('shrinkagePercent').fill('0');
    await page.waitForFunction(() => document.querySelector('[data-testid=calc-agents]')?.textContent.trim() === '14');
    t.equal(await textOf(page, '[data-testid=calc-agents]'), '14', '14 operators for 80/20');
    t.match(await textOf(page, '[data-testid=calc-sl]'), /^88[.,]8%$/, 'with the service level they reach');
    t.match(await textOf(page, '[data-testid=calc-occupancy]'), /^71[.,]4%$/);
    await field('shrinkagePercent').fill('30');
    await page.waitForFunction(() => document.querySelector('[data-testid=calc-staff]')?.textContent.trim() === '20');
    t.pass('30% shrinkage: 20 to roster');
    await field('ahtSeconds').fill('0');
    await page.waitForSelector('[data-testid=planning-calculator] label.q-field--error:has(input[data-field=ahtSeconds])');
    t.pass('an impossible number is marked at its field');
    await field('ahtSeconds').fill('180');
    await checkView(t, page, 'planning-calculator');
    // The page texts load with the page; switching language loads the English ones too.
    await page.click('[data-testid=language] button[lang=en]');
    await page.waitForSelector('[data-testid=calc-result] :text("Agents on the line")');
    t.match(await textOf(page, 'h1'), /^Planning$/);
    await page.click('[data-testid=language] button[lang=ru]');
    await page.waitForSelector('[data-testid=calc-result] :text("Операторов на линии")');
  });

  t.test('a day\'s staffing plan from typed volumes, as a table and a heatmap', async (t) => {
    await page.click('[data-testid=planning-tab-plan]');
    await page.fill('[data-testid=planning-plan] input[data-field=start]', '08:00');
    await page.fill('[data-testid=planning-plan] textarea[data-field=volumes]', '40 60 80 100 120 100 80 100 120 110 90 70 50 40');
    await page.click('[data-testid=plan-compute]');
    await page.waitForSelector('[data-testid=plan-heatmap] svg', { timeout: 15_000 });
    t.ok(await page.locator('[data-testid=plan-heatmap] svg path, [data-testid=plan-heatmap] svg rect').count() > 14, 'the heatmap is drawn');
    t.equal(await page.locator('[data-testid=plan-table] tbody tr').count(), 14, 'one row per interval');
    const cells = await page.locator('[data-testid=plan-table] tbody tr:nth-child(4) > *').allTextContents();
    t.same(cells.slice(0, 5).map((c) => c.trim()), ['09:30', '100', '180', '14', '20'], '100 calls at 09:30 need 14 agents (20 to roster), as the calculator says');
    t.equal(await textOf(page, '[data-testid=plan-peak-agents]'), '16');
    await checkView(t, page, 'planning-plan');

    await page.click('[data-testid=whatif-run]');
    await page.waitForSelector('[data-testid=whatif-result]');
    t.match(await textOf(page, '[data-testid=whatif-result]'), /→/);
    await page.fill('input[data-field=plan-name]', 'Понедельник, типовой');
    await page.click('[data-testid=plan-save]');
    await page.click('[data-testid=planning-tab-plans]');
    await page.click('[data-testid=planning-plans] [data-plan="Понедельник, типовой"]');
    await page.waitForSelector('[data-testid=saved-plan] [data-testid=plan-heatmap] svg');
    t.pass('the saved plan opens with its heatmap');
    await checkView(t, page, 'planning-plans');
  });

  t.test('the forecast says when there is too little history', async (t) => {
    await page.click('[data-testid=planning-tab-forecast]');
    await page.waitForSelector('[data-testid=planning-forecast] [data-state=error]');
    t.match(await textOf(page, '[data-testid=planning-forecast] [data-state=error]'), /not enough history/, 'the 409 names what is missing');
    await page.click('[data-testid=sign-out]');
  });

  t.test('deferred work: a week of e-mail staffed to the second line\'s deadline, as the REST API answers it', async (t) => {
    // Four weeks of e-mail in the journal: two an hour on weekdays 09:00–18:00, each handled in 600 s.
    const today = todayIn('Europe/Moscow');
    const weekday = (date) => (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
    let n = 0;
    for (let d = 28; d >= 1; d--) {
      const date = addDays(today, -d);
      if (weekday(date) >= 5) continue;
      await env.app.app.db.transaction(async (em) => {
        for (let h = 9; h < 18; h++) {
          for (let i = 0; i < 2; i++) {
            const id = `e2e-mail-${++n}`;
            const queued = Date.parse(`${date}T${String(h).padStart(2, '0')}:0${5 + 3 * i}:00+03:00`);
            const data = { contactId: id, channel: 'email', queue: 'email', siteId: '1' };
            const event = (type, at, extra) => appendJournal(em, { type, aggregateType: 'contact', aggregateId: id, siteId: 1, at: new Date(at), data: { ...data, ...extra } });
            await event('contact.queued', queued, { priority: 0, enqueuedAt: new Date(queued).toISOString(), skills: {} });
            await event('contact.answered', queued + 60_000, { offerId: `o-${id}`, operatorId: 'op', waitedMs: 60_000 });
            await event('contact.completed', queued + 660_000, { operatorId: 'op', talkMs: 570_000, holdMs: 0, wrapMs: 30_000 });
          }
        }
      });
    }
    const head = await lastJournalSeq(env.app.app.db);
    const supervisor = await env.app.token('supervisor');
    await waitFor('reporting to count the history', async () => (await env.app.req('GET', '/api/reporting/status', { token: supervisor })).body?.position >= head, 30_000);

    await signIn(page, env.url, 'planner', '/planning/calculator');
    await page.click('[data-testid=planning-tab-backlog]');
    const form = '[data-testid=planning-backlog]';
    await page.waitForSelector(form);
    const monday = addDays(today, 7 - weekday(today));
    await page.fill(`${form} input[data-field=from]`, monday);
    await page.fill(`${form} input[data-field=days]`, '5');
    await page.click(`${form} [data-field=deadline]`);
    await page.click('.q-menu .q-item:has-text("Вторая линия")');
    t.match(await textOf(page, `${form} label:has([data-field=deadline]) .q-field__messages`), /8 рабочих часов/, 'the term\'s meaning is shown');
    await page.click('[data-testid=backlog-add-waiting]');
    await page.fill(`${form} input[data-field=waiting-0-items]`, '20');
    await page.fill(`${form} input[data-field=waiting-0-date]`, monday);
    await page.fill(`${form} input[data-field=waiting-0-time]`, '12:00');
    await page.click('[data-testid=backlog-compute]');
    await page.waitForSelector(`${form} [data-testid=backlog-table]`, { timeout: 20_000 });

    // The same request over REST: the page must show exactly its figures.
    const body = {
      groupBy: 'channel', key: 'email', from: monday, days: 5, intervalMinutes: 60, deadline: 'secondLine',
      waiting: [{ items: 20, dueByEndOf: 11 }], utilisation: 0.85, shrinkage: 0.3,
    };
    const rest = await env.app.req('POST', '/api/planning/backlog', { token: await env.app.token('planner'), body });
    t.equal(rest.status, 200, JSON.stringify(rest.body).slice(0, 300));
    const a = rest.body;
    t.same(a.deadline, { minutes: 480, clock: 'working' }, 'second line: 8 working hours');
    t.equal(a.source, 'forecast');
    t.ok(Math.abs(a.handleSeconds - 600) < 1e-6, 'the handle time from history');
    const totals = backlogTotals(a);
    const shown = async (name) => textOf(page, `${form} [data-testid=backlog-totals] [data-figure=${name}]`);
    t.equal(await shown('peakStaff'), String(totals.peakStaff), `peak staff ${totals.peakStaff}`);
    t.equal(await shown('staffHours'), figure(totals.staffHours));
    t.equal(await shown('arrivals'), figure(totals.arrivals));
    t.equal(await shown('completed'), figure(a.completed));
    t.equal(await shown('endBacklog'), figure(a.endBacklog));
    t.equal(await shown('peakAgents'), figure(a.peakAgents, 2));
    t.equal(await shown('agentHours'), figure(a.agentHours));
    t.match(await textOf(page, `${form} [data-testid=backlog-used]`), /8 рабочих ч; время обработки одного: 600 с/);
    const rows = await page.locator(`${form} [data-testid=backlog-table] tbody tr`).evaluateAll((trs) => trs.map((tr) => [tr.dataset.start, ...[...tr.querySelectorAll('td')].map((td) => td.textContent.trim())]));
    t.same(rows, a.intervals.map((i) => [i.start, figure(i.arrivals), figure(i.completed), figure(i.backlog), figure(i.agents, 2), String(i.staff)]), `all ${a.intervals.length} intervals as the API has them`);
    t.ok(Math.abs(a.completed + a.endBacklog - totals.arrivals - 20) < 1e-6, 'everything that arrived or waited is done or handed on');
    t.ok(a.intervals.filter((i) => !i.working).every((i) => i.staff === 0), 'nobody rostered off hours');
    if (a.intervals.some((i) => i.working)) t.ok(totals.peakStaff > 0, 'somebody works in working hours');
    t.equal(await page.locator(`${form} [data-testid=backlog-cannot-meet]`).count(), a.cannotMeet > 0 ? 1 : 0);
    await page.waitForSelector(`${form} [data-testid=backlog-chart] svg`);
    await page.waitForSelector(`${form} [data-testid=backlog-heatmap] svg`);
    await checkView(t, page, 'planning-backlog');

    await page.fill(`${form} input[data-field=plan-name]`, 'Почта, неделя');
    await page.click(`${form} [data-testid=plan-save]`);
    await page.waitForSelector('.q-notification:has-text("План сохранён")');

    // A deadline shorter than two intervals cannot be kept at this grain: the page says so.
    await page.click(`${form} [data-field=deadline]`);
    await page.click('.q-menu .q-item:has-text("Свой срок")');
    await page.fill(`${form} input[data-field=customMinutes]`, '30');
    await page.click(`${form} [aria-label="Как идёт срок"] .q-radio:has-text("календарное")`);
    await page.click('[data-testid=backlog-compute]');
    await page.waitForSelector(`${form} [data-testid=backlog-cannot-meet]`);
    const tight = await env.app.req('POST', '/api/planning/backlog', { token: await env.app.token('planner'), body: { ...body, deadline: { minutes: 30, clock: 'calendar' } } });
    t.ok(tight.body.cannotMeet > 0, `${tight.body.cannotMeet} items cannot be done in time`);
    t.match(await textOf(page, `${form} [data-testid=backlog-cannot-meet]`), new RegExp(`Не успеть в срок: ${figure(tight.body.cannotMeet).replace('.', '\\.')} обращ\\.`));
    await screenshot(page, 'planning-backlog-cannot-meet');

    await page.click('[data-testid=language] button[lang=en]');
    await page.waitForSelector(`${form} :text("Deferred work: e-mail, fax, portal")`);
    t.match(await textOf(page, `${form} [data-testid=backlog-cannot-meet]`), /Cannot be done in time/);
    await page.click('[data-testid=language] button[lang=ru]');
    await page.waitForSelector(`${form} :text("Отложенная работа: электронная почта, факс, портал")`);

    await page.click('[data-testid=planning-tab-plans]');
    await page.click('[data-testid=planning-plans] [data-plan="Почта, неделя"]');
    await page.waitForSelector('[data-testid=saved-plan] [data-testid=backlog-heatmap] svg');
    t.equal(await textOf(page, '[data-testid=saved-plan] [data-figure=peakStaff]'), String(totals.peakStaff), 'the saved plan opens with the same figures');
    t.equal(await page.locator('[data-testid=saved-plan] [data-testid=backlog-table] tbody tr').count(), a.intervals.length);
    await page.click('[data-testid=sign-out]');
  });

  t.test('a supervisor opens the 59-FZ report and downloads it as CSV', async (t) => {
    await signIn(page, env.url, 'supervisor', '/live');
    await page.goto(`${env.url}/#/reports/compliance`);
    await page.waitForSelector('[data-testid=report-compliance] [data-testid=compliance-total]');
    const receivedShown = Number(await textOf(page, '[data-testid=compliance-total] [data-col=received]'));
    await checkView(t, page, 'reports-compliance');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    t.match(download.suggestedFilename(), /\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    t.ok(csv.charCodeAt(0) === 0xfeff, 'UTF-8 with a byte-order mark');
    t.match(csv, /Поступило/, "Russian headers");
    t.ok(receivedShown >= 0, `the page showed ${receivedShown} received`);

    await page.click('[data-testid=reports-tab-intervals]');
    await page.waitForSelector('[data-testid=report-intervals] [data-state], [data-testid=report-intervals] [data-testid=intervals-chart]');
    await checkView(t, page, 'reports-intervals');
    await page.click('[data-testid=reports-tab-daily]');
    await page.waitForSelector('[data-testid=report-daily] [data-testid=daily-appeals]');
    await checkView(t, page, 'reports-daily');
    t.same(browser.errors, [], 'no uncaught errors in the page');
  });
});
