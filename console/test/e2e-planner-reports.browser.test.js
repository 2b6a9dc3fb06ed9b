// End to end in real Chromium with the reporting and planning plugins: a planner uses the instant
// calculator (100 calls in 30 minutes, AHT 180 s, 80% in 20 s -> 14 operators, computed in the
// browser), computes a day's staffing plan from typed volumes and sees its heatmap, runs a what-if
// and saves the plan; a supervisor opens the 59-FZ report and downloads it as CSV with the token.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { needsTools } from '@okno/testkit';
import { openBrowser } from './support/browser.js';
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
