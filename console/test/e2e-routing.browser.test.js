// End to end in real Chromium with the routing plugin: the administrator adds a queue through the
// form (the API's per-field error first), puts a rule in front that sends e-mail to it, and sets an
// operator's capacity; the supervisor sees queues with their waiting contacts and longest wait and
// operators by state in the live view and on the routing pages (read-only: no rules tab, no edits).
import t from 'tap';
import { needsTools } from '@okno/testkit';
import { openBrowser } from './support/browser.js';
import { signIn, textOf } from './support/ui.js';
import { checkView } from './support/views.js';

const skip = needsTools('chromium');

t.test('routing administration and supervision end to end', { skip }, async (t) => {
  t.setTimeout(150_000);
  const { startConsoleApp } = await import('./support/app.js');
  const env = await startConsoleApp({ plugins: ['@okno/routing'] });
  t.teardown(() => env.stop());
  const browser = await openBrowser();
  t.teardown(browser.close);
  const { page } = browser;
  const admin = await env.app.token('admin');

  t.test('the administrator adds a queue and a rule', async (t) => {
    await signIn(page, env.url, 'admin', '/admin');
    await page.goto(`${env.url}/#/routing/queues`);
    await page.waitForSelector('[data-testid=queue-add]');
    await page.click('[data-testid=queue-add]');
    const form = page.locator('[data-testid=queue-form]');
    await form.locator('input[data-field=name]').fill('Жилищные вопросы');
    await form.locator('input[data-field=code]').fill('bad code');
    await form.locator('input[data-field=hours]').fill('mon-fri 08:00-20:00');
    await form.locator('[data-field=siteId]').click();
    await page.locator('.q-menu .q-item', { hasText: 'Центральный' }).first().click();
    await form.locator('[data-testid=queue-save]').click();
    await page.waitForSelector('[data-testid=queue-form] label.q-field--error:has(input[data-field=code])');
    t.equal(await form.locator('label.q-field--error').count(), 1, 'the API named the code, and only the code');
    await form.locator('input[data-field=code]').fill('housing');
    await form.locator('[data-testid=queue-save]').click();
    await form.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=routing-queues] tr[data-queue=housing]');
    await row.waitFor();
    t.match(await row.textContent(), /Жилищные вопросы.*mon-fri 08:00-20:00/s);
    const saved = (await env.app.req('GET', '/api/routing/queues', { token: admin })).body.find((q) => q.code === 'housing');
    t.same(saved.hours.week.mon, [['08:00', '20:00']], 'hours saved as the API takes them');
    t.same(saved.hours.week.sat, undefined);
    await checkView(t, page, 'routing-queues');

    await page.click('[data-testid=routing-tab-rules]');
    await page.click('[data-testid=rule-add]');
    const rule = page.locator('[data-testid=routing-rules] [data-rule]').last();
    await rule.locator('[data-field=queueId]').click();
    await page.locator('.q-menu .q-item', { hasText: 'Жилищные вопросы' }).click();
    // First match wins: move it to the top, in front of the catch-all rule.
    const count = await page.locator('[data-testid=routing-rules] [data-rule]').count();
    for (let i = count; i > 1; i--) await page.click(`[data-testid=routing-rules] [data-rule="${i - 1}"] button[aria-label="Поднять правило ${i}"]`);
    const [put] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/routing/rules') && r.request().method() === 'PUT'),
      page.click('[data-testid=rules-save]'),
    ]);
    t.equal(put.status(), 200);
    const rules = (await env.app.req('GET', '/api/routing/rules', { token: admin })).body;
    t.equal(rules.length, count, 'every rule kept');
    t.same(rules[0], { id: rules[0].id, match: {}, queueId: saved.id, priority: null, skills: [] }, 'the new rule is first');
    await checkView(t, page, 'routing-rules');

    // Deleting a queue a rule points at is refused, with the API's reason.
    await page.click('[data-testid=routing-tab-queues]');
    await page.click('[data-testid=queue-delete-housing]');
    await page.click('[data-testid=confirm-yes]');
    await page.waitForSelector('.q-notification:has-text("rule")');
    t.pass('409 shown with its reason');

    await page.click('[data-testid=routing-tab-operators]');
    await page.waitForSelector('[data-testid=operators-by-state]');
    await checkView(t, page, 'routing-operators');
    await page.click('[data-testid=sign-out]');
  });

  t.test('the supervisor sees queues and operators by state, read-only', async (t) => {
    await signIn(page, env.url, 'supervisor', '/live');
    await page.waitForSelector('[data-testid=live-operator-states]');
    t.match(await textOf(page, '[data-testid=live-operator-states]'), /готов.*занят.*перерыв/s);
    await page.waitForSelector('[data-testid=live-routing-queues] tr[data-queue=housing]');
    await checkView(t, page, 'live-routing');
    await page.goto(`${env.url}/#/routing/queues`);
    await page.waitForSelector('[data-testid=routing-queues] tr[data-queue=housing]');
    t.equal(await page.locator('[data-testid=queue-add]').count(), 0, 'no editing for a supervisor');
    t.equal(await page.locator('[data-testid=routing-tab-rules]').count(), 0, 'no rules tab (the API keeps rules to administrators)');
    await page.click('[data-testid=routing-tab-waiting]');
    await page.waitForSelector('[data-testid=routing-waiting] [data-state=empty], [data-testid=routing-waiting] table');
    await checkView(t, page, 'routing-waiting');
    t.same(browser.errors, [], 'no uncaught errors in the page');
  });
});
