// End to end in real Chromium, as an operator: an applicant's e-mail arrives over SMTP and shows in
// the work list without a reload; the operator opens it, finds a knowledge-base article by another
// form of the words, inserts it, sends the answer with the keyboard, sees it delivered, and the
// reply arrives at a real SMTP server. Then a citizen opens a portal chat and the operator answers
// it live. Screenshots of the views go to artifacts/screenshots.
import t from 'tap';
import { randomUUID, randomBytes } from 'node:crypto';
import { needsTools, waitFor } from '@okno/testkit';
import { openBrowser } from './support/browser.js';
import { signIn } from './support/ui.js';
import { checkView } from './support/views.js';
import { png, pdf } from './support/files.js';

const skip = needsTools('chromium');

t.test('operator desk end to end', { skip }, async (t) => {
  t.setTimeout(170_000);
  const { startConsoleApp } = await import('./support/app.js');
  const env = await startConsoleApp();
  t.teardown(() => env.stop());
  const browser = await openBrowser();
  t.teardown(browser.close);
  const { page } = browser;
  const operatorToken = await env.app.token('operator');

  await page.goto(env.url);
  await page.waitForSelector('input[data-testid=login]');
  await checkView(t, page, 'login');
  await signIn(page, env.url, 'operator', '/desk');
  t.equal((await page.textContent('[data-testid=current-user]')).trim(), 'Анна Смирнова');
  t.match(await page.textContent('[data-testid=routing-missing]'), /Маршрутизация не установлена/, 'without the routing plugin the desk says how work is taken');
  t.equal(await page.locator('[data-testid=state-ready]').count(), 0, 'and offers no state control that could not work');

  t.test('an e-mail appeal is answered from the knowledge base and the answer reaches the applicant', async (t) => {
    const subject = 'Технический паспорт квартиры';
    await env.mail({
      from: 'Пётр Сидоров <petr.sidorov@example.ru>', subject, text: 'Здравствуйте! Как мне получить технический паспорт на квартиру?',
      attachments: [{ filename: 'план.png', content: png(), contentType: 'image/png' }, { filename: 'справка.pdf', content: pdf(), contentType: 'application/pdf' }],
    });
    const item = page.locator('[data-testid=work-list] .q-item', { hasText: subject });
    await item.waitFor({ timeout: 15_000 });
    t.pass('the new appeal appeared in the work list by itself (journal over the WebSocket)');
    await item.click();
    await page.waitForSelector('[data-testid=card-regnumber]');
    const regNumber = (await page.textContent('[data-testid=card-regnumber]')).trim();
    t.match(regNumber, /^\d{2}-\d{6}-\d$/);
    t.match(await page.textContent('[data-testid=card-applicant]'), /Пётр Сидоров.*petr\.sidorov@example\.ru/s);
    t.match(await page.textContent('[data-testid=timeline]'), /Как мне получить технический паспорт/);
    t.match(await page.getAttribute('[data-testid=card-due]', 'data-level'), /^(ok|near)$/, 'the answer deadline is a month ahead');
    const appealId = Number(await page.getAttribute('[data-testid=appeal-card]', 'data-appeal-id'));

    // Attachments open in a preview, fetched with the session's token.
    await page.click('[data-testid=attachment]:has-text("план.png")');
    await page.waitForFunction(() => document.querySelector('img[data-testid=preview-image]')?.naturalWidth === 24);
    t.pass('the image attachment shows in the preview');
    await page.keyboard.press('Escape');
    await page.click('[data-testid=attachment]:has-text("справка.pdf")');
    t.match(await page.getAttribute('iframe[data-testid=preview-pdf]', 'src'), /^blob:/, 'the PDF shows in a frame from the fetched file (right after closing the image)');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=attachment-preview]', { state: 'detached' });

    await page.keyboard.press('Alt+KeyK');
    t.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'kb-search', 'Alt+K puts the cursor in the knowledge-base search');
    await page.keyboard.type('паспорта квартир');
    const hit = page.locator('[data-testid=kb-results] .q-item', { hasText: 'Как получить технический паспорт квартиры' });
    await hit.waitFor({ timeout: 10_000 });
    t.pass('the article is found by other forms of its words');
    const articleId = Number(await hit.getAttribute('data-article-id'));
    await hit.locator('[data-testid=kb-insert]').click();
    await page.waitForFunction(() => document.querySelector('textarea[data-testid=reply-body]')?.value.includes('МосгорБТИ'));
    t.match(await page.textContent('[data-testid=kb-used]'), /Как получить технический паспорт квартиры · версия 1/);

    await page.click('[data-testid=reply-final]');
    await page.keyboard.press('Alt+KeyR');
    t.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'reply-body', 'Alt+R goes to the reply');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nС уважением, Анна Смирнова');
    await checkView(t, page, 'desk-reply');
    await page.keyboard.press('Alt+Enter');
    await page.waitForSelector('.q-notification', { timeout: 10_000 });
    t.match(await page.textContent('.q-notification'), /Ответ по существу отправлен/);

    const mail = await waitFor('the reply at the SMTP sink', () => env.sink.mails.find((m) => m.to.includes('petr.sidorov@example.ru') && m.subject.startsWith(`Re: ${subject}`)), 20_000);
    t.match(mail.text, /Технический паспорт жилого помещения выдаёт МосгорБТИ/, 'the knowledge-base text is in the mail');
    t.match(mail.text, /С уважением, Анна Смирнова/);

    await page.waitForSelector('[data-testid=timeline] [data-testid=delivery-status]:has-text("доставлено")', { timeout: 15_000 });
    t.pass('the card shows the reply delivered, updated live');
    await page.waitForSelector('[data-testid=appeal-card] [data-status=answered]', { timeout: 10_000 });
    const card = await env.app.req('GET', `/api/appeals/${appealId}`, { token: operatorToken });
    t.equal(card.body.status, 'answered');
    t.same(card.body.kbVersionsUsed, [{ articleId, version: 1 }], 'the article version used is recorded on the appeal');
    await checkView(t, page, 'desk-answered');
  });

  t.test('a portal chat is taken from the desk and answered live', async (t) => {
    const ws = new WebSocket(`${env.url.replace(/^http/, 'ws')}/api/portal/chat`);
    const frames = [];
    ws.onmessage = (m) => frames.push(JSON.parse(String(m.data)));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    t.teardown(() => ws.close());
    ws.send(JSON.stringify({ type: 'open', chatId: randomUUID(), resumeToken: randomBytes(24).toString('base64url'), name: 'Мария Орлова', text: 'Добрый день, не работает лифт в подъезде', lang: 'ru' }));
    const opened = await waitFor('the chat is opened', () => frames.find((f) => f.type === 'opened'), 10_000);

    const waiting = page.locator('[data-testid=chat-list] .q-item', { hasText: opened.regNumber });
    await waiting.waitFor({ timeout: 10_000 });
    t.pass('the waiting chat appeared on the desk by itself');
    await waiting.locator('button').click();
    await page.waitForSelector('[data-testid=chat-panel][data-status=active]');
    t.match(await page.textContent('[data-testid=chat-lines]'), /не работает лифт/);

    await page.fill('textarea[data-testid=chat-input]', 'Здравствуйте! Передаю заявку в «Жилищник».');
    await page.keyboard.press('Enter');
    const reply = await waitFor('the operator\'s line at the citizen', () => frames.find((f) => f.type === 'message' && f.from === 'operator'), 10_000);
    t.match(reply.text, /Передаю заявку/);
    t.ok(frames.some((f) => f.type === 'joined'), 'the citizen was told an operator joined');

    ws.send(JSON.stringify({ type: 'message', text: 'Спасибо, жду', clientMsgId: 'c1' }));
    await page.waitForSelector('[data-testid=chat-lines] >> text=Спасибо, жду', { timeout: 10_000 });
    t.pass('the citizen\'s line showed on the desk live');
    await checkView(t, page, 'desk-chat');
  });

  t.test('the shortcut help opens with "?"', async (t) => {
    await page.click('[data-testid=appeal-card] [data-testid=card-regnumber]');
    await page.keyboard.press('Shift+Slash');
    await page.waitForSelector('[data-testid=shortcuts-help]');
    t.match(await page.textContent('[data-testid=shortcuts-help]'), /Alt\+Enter/);
    await page.keyboard.press('Escape');
  });

  t.test('the desk fits a wide screen too', async (t) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    const widths = await page.evaluate(() => ['.desk-left', '.desk-center', '.desk-right'].map((s) => document.querySelector(s).getBoundingClientRect().width));
    t.ok(widths[0] >= 300 && widths[2] >= 320 && widths[1] > 800, `three columns side by side: ${widths.map(Math.round).join(' / ')}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    t.notOk(overflow, 'no horizontal scrolling');
    await checkView(t, page, 'desk-wide');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  t.same(browser.errors, [], 'no uncaught errors in the page');
});
