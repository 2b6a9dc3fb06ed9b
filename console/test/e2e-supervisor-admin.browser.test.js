// End to end in real Chromium, as a supervisor and as an administrator: the live view's counts
// change by themselves when an e-mail appeal arrives; an administrator edits a service and first
// sees the API's per-field validation error at the field; publishes a new knowledge-base version;
// marks a day in the business calendar; the language switch is remembered. Screenshots of every
// main view go to artifacts/screenshots.
import t from 'tap';
import { needsTools } from '@okno/testkit';
import { openBrowser, screenshot } from './support/browser.js';
import { signIn, textOf } from './support/ui.js';
import { checkView } from './support/views.js';

const skip = needsTools('chromium');

t.test('supervisor and administrator end to end', { skip }, async (t) => {
  t.setTimeout(170_000);
  const { startConsoleApp } = await import('./support/app.js');
  const env = await startConsoleApp();
  t.teardown(() => env.stop());
  const browser = await openBrowser();
  t.teardown(browser.close);
  const { page } = browser;
  const adminToken = await env.app.token('admin');

  t.test('the supervisor sees the counts change live', async (t) => {
    await signIn(page, env.url, 'supervisor', '/live');
    await page.waitForSelector('[data-testid=waiting-email]');
    const waitingBefore = Number(await textOf(page, '[data-testid=waiting-email]'));
    const totalBefore = Number(await textOf(page, '[data-testid=total-waiting]'));
    t.ok(waitingBefore >= 1, `${waitingBefore} e-mail appeals waiting in the demo data`);
    await checkView(t, page, 'live');

    await env.mail({ from: 'Ирина Белова <irina.belova@example.ru>', subject: 'Субсидия на ЖКУ', text: 'Какие документы нужны для субсидии?' });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=waiting-email]').textContent) === n + 1, waitingBefore, { timeout: 15_000 });
    t.equal(Number(await textOf(page, '[data-testid=total-waiting]')), totalBefore + 1, 'the total follows, without a reload');

    // An appeal taken into work moves from "waiting" to "in work".
    const inWorkBefore = Number(await textOf(page, '[data-testid=inwork-email]'));
    const supervisorToken = await env.app.token('supervisor');
    const newest = (await env.app.req('GET', '/api/appeals?channel=email&status=registered&limit=1', { token: supervisorToken })).body.rows[0];
    await env.app.req('POST', `/api/appeals/${newest.id}/assign`, { token: supervisorToken, body: {} });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=inwork-email]').textContent) === n + 1, inWorkBefore, { timeout: 15_000 });
    t.equal(Number(await textOf(page, '[data-testid=waiting-email]')), waitingBefore, 'and back to the count before the e-mail');
    t.ok(await page.locator('[data-testid=live-queues] svg').count(), 'the chart is drawn');
    t.match(await textOf(page, '[data-testid=live-deadlines]'), /Беговой район/, 'deadlines per site with names');
    t.match(await textOf(page, '[data-testid=live-operators]'), /плагин маршрутизации; он не установлен/);
    await checkView(t, page, 'live-after');

    await page.click('[data-testid=nav-desk]').catch(async () => {
      await page.click('button[aria-controls=okno-nav]');
      await page.click('[data-testid=nav-desk]');
    });
    await page.waitForURL(/#\/desk/);
    t.pass('the supervisor also has the desk');
    await page.click('[data-testid=sign-out]');
    await page.waitForURL(/#\/login/);
  });

  t.test('the administrator edits a service and sees the validation error at the field first', async (t) => {
    await signIn(page, env.url, 'admin', '/admin/sites');
    await page.waitForSelector('[data-testid=admin-sites] [data-site=msk]');
    await checkView(t, page, 'admin-sites');
    await page.click('[data-testid=admin-tab-registry]');
    const row = page.locator('[data-testid=admin-registry] tr[data-service=bti-techpassport]');
    await row.waitFor();
    await row.locator('[data-testid=edit-service]').click();
    const form = page.locator('[data-testid=service-form]');
    await form.waitFor();
    const place = form.locator('textarea[data-field=place]');
    const oldPlace = await place.inputValue();
    t.ok(oldPlace.length > 0);
    await place.fill('');
    await form.locator('[data-testid=service-save]').click();
    const placeField = form.locator('label:has([data-field=place])');
    await page.waitForSelector('[data-testid=service-form] label.q-field--error:has([data-field=place])', { timeout: 10_000 });
    await placeField.locator('[role=alert]').waitFor({ state: 'visible' });
    t.match(await placeField.locator('[role=alert]').textContent(), /обязательное поле/, 'the API\'s message shows under "place", in Russian');
    t.equal(await form.locator('label.q-field--error').count(), 1, 'only that field is marked');
    t.ok(await form.isVisible(), 'the form stays open with what was typed');
    await page.waitForTimeout(400);
    await screenshot(page, 'admin-registry-error');

    await place.fill('Центры госуслуг «Мои документы» и офисы МосгорБТИ');
    await form.locator('[data-testid=service-save]').click();
    await form.waitFor({ state: 'detached', timeout: 10_000 });
    const svc = (await env.app.req('GET', '/api/services?q=bti-techpassport', { token: adminToken })).body.find((s) => s.code === 'bti-techpassport');
    t.equal(svc.place, 'Центры госуслуг «Мои документы» и офисы МосгорБТИ', 'saved');
    await checkView(t, page, 'admin-registry');
  });

  t.test('editing a knowledge-base article publishes a new version and keeps the old one readable', async (t) => {
    await page.click('[data-testid=admin-tab-kb]');
    const article = page.locator('[data-testid=admin-kb] .q-item', { hasText: 'Как получить технический паспорт квартиры' });
    await article.click();
    await page.waitForSelector('[data-testid=kb-versions] [data-version="1"]');
    await page.click('[data-testid=kb-edit]');
    await page.fill('textarea[data-testid=kb-form-body]', 'Технический паспорт выдаёт МосгорБТИ за 10 рабочих дней. Обновлено.');
    await page.click('[data-testid=kb-save]');
    await page.waitForSelector('[data-testid=kb-versions] [data-version="2"]', { timeout: 10_000 });
    t.match(await textOf(page, '[data-testid=kb-body]'), /Обновлено/);
    t.match(await textOf(page, '[data-testid=kb-shown-version]'), /версия 2/);
    await page.click('[data-testid=kb-versions] [data-version="1"]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=kb-body]').textContent.includes('Обновлено'));
    t.match(await textOf(page, '[data-testid=kb-shown-version]'), /версия 1 \(текущая — 2\)/);
    await checkView(t, page, 'admin-kb');
  });

  t.test('a day of the business calendar is marked as a holiday', async (t) => {
    await page.click('[data-testid=admin-tab-calendar]');
    const year = new Date().getFullYear();
    const date = `${year}-06-17`;
    await page.waitForSelector(`[data-date="${date}"]`);
    const kindBefore = await page.getAttribute(`[data-date="${date}"]`, 'data-kind');
    await page.click(`[data-date="${date}"]`);
    await page.waitForSelector('[data-testid=calendar-day]');
    await page.click('[data-testid=calendar-day] [role=radio]:has-text("Нерабочий")');
    await page.fill('input[data-testid=calendar-note]', 'Проверка');
    await page.click('[data-testid=calendar-save]');
    await page.waitForSelector(`[data-date="${date}"][data-kind=holiday].edited`, { timeout: 10_000 });
    t.not(kindBefore, 'holiday');
    const day = (await env.app.req('GET', `/api/calendar/${year}`, { token: adminToken })).body.days.find((d) => d.date === date);
    t.same({ working: day.working, kind: day.kind, note: day.note, edited: day.edited }, { working: false, kind: 'holiday', note: 'Проверка', edited: true });
    await checkView(t, page, 'admin-calendar');
  });

  t.test('users, plugins and channels with their health', async (t) => {
    await page.click('[data-testid=admin-tab-users]');
    await page.waitForSelector('[data-testid=admin-users] tr[data-login=operator2]');
    t.match(await textOf(page, '[data-testid=admin-users] tr[data-login=operator2]'), /Игорь Петров.*Оператор.*bti 5/s);
    await checkView(t, page, 'admin-users');
    await page.click('[data-testid=admin-tab-plugins]');
    await page.waitForSelector('[data-testid=admin-plugins] [data-plugin="channel-email"]');
    t.ok(await page.locator('[data-testid=admin-plugins] [data-plugin="channel-web"]').count(), 'both plugins are listed');
    t.ok(await page.locator('[data-testid=admin-plugins] tr[data-channel=email]').count(), 'the e-mail channel with its health');
    await checkView(t, page, 'admin-plugins');
  });

  t.test('the language switch changes the console and is remembered', async (t) => {
    await page.click('[data-testid=language] button[lang=en]');
    await page.waitForSelector('[data-testid=admin-tab-plugins] >> text=Plugins and channels');
    await page.reload();
    await page.waitForSelector('[data-testid=admin-tab-users] >> text=Users');
    t.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.goto(`${env.url}/#/admin/calendar`);
    await page.waitForSelector('[data-testid=admin-calendar] figcaption');
    t.match(await textOf(page, '[data-testid=admin-calendar] figcaption'), /january/i);
    await checkView(t, page, 'admin-calendar-en');
    await page.click('[data-testid=language] button[lang=ru]');
  });

  t.test('a page the role does not open leads home', async (t) => {
    await page.click('[data-testid=sign-out]');
    await signIn(page, env.url, 'operator', '/desk');
    await page.goto(`${env.url}/#/admin/users`);
    await page.waitForURL(/#\/desk/);
    t.equal(await page.locator('[data-testid=nav-admin]').count(), 0, 'an operator has no administration menu');
  });

  t.same(browser.errors, [], 'no uncaught errors in the page');
});
