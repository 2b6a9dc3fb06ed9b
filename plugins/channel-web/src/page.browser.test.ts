/**
 * The page in a real browser (headless Chromium): the form with a file, field errors, the language
 * switch, the status check, the chat with an operator, and the embed script on another site. Any
 * CSP violation or script error fails the test.
 */
import t from 'tap';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, needsTools, which } from '@okno/testkit';
import { Appeal, Interaction, InteractionAttachment } from '@okno/core';
import { startPortal } from './test-support/portal-app.js';

const skip = needsTools('chromium');

// What the functions run in the page see (this package is compiled without the DOM library).
declare const document: { querySelector(s: string): { textContent: string | null; style: { height: string } } | null };

t.test('the portal page in Chromium', { skip }, async (t) => {
  const hostPort = await freePort();
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  const app = await startPortal({ replyByEmail: false, page: { frameAncestors: ["'self'", hostOrigin] } });
  const browser: Browser = await chromium.launch({ executablePath: which('chromium'), args: ['--headless', '--no-sandbox'] });
  let host: Server | null = null;
  t.teardown(async () => {
    await browser.close();
    host?.close();
    await app.stop();
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => {
      // The browser logs the 4xx answers the test asks for (field errors, a wrong secret): not problems.
      const expected = /status of 4\d\d/.test(m.text()) && m.location().url.includes('/api/portal/');
      if (m.type() === 'error' && !expected) problems.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    return page;
  };
  const db = app.app.db;

  await t.test('the form: field errors next to the fields, then a registered appeal with a file', async (t) => {
    const page = watch(await browser.newPage());
    await page.goto(`${app.url}/portal/`);
    await page.fill('#f-fullName', 'Зайцева Нина');
    await page.fill('#f-text', 'Во дворе <b>яма</b>.');
    await page.click('#submit');
    await page.waitForSelector('#err-email:not(:empty)');
    t.match(await page.textContent('#err-email'), /Укажите адрес электронной почты/);
    t.equal(await page.getAttribute('#f-email', 'aria-invalid'), 'true', 'the field is marked invalid for screen readers');
    await page.fill('#f-email', 'nina@example.ru');
    await page.setInputFiles('#f-files', { name: 'фото.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a', 'hex') });
    await page.click('#submit');
    await page.waitForSelector('#form-done:not([hidden])');
    const number = (await page.textContent('#done-number'))!;
    const secret = (await page.textContent('#done-secret'))!;
    t.match(number, /^\d{2}-\d{6}-\d$/);
    t.match(secret, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    const appeal = await db.read((em) => em.findOneByOrFail(Appeal, { regNumber: number }));
    const inter = await db.read((em) => em.findOneByOrFail(Interaction, { appealId: appeal.id, direction: 'in' }));
    t.equal(inter.body, 'Во дворе <b>яма</b>.');
    t.equal(await db.read((em) => em.countBy(InteractionAttachment, { interactionId: inter.id })), 1, 'the file came with it');

    await page.click('button[data-lang="en"]');
    t.equal(await page.textContent('#tab-status'), 'Check the status', 'the page speaks English on request');
    t.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.click('#tab-status');
    await page.fill('#s-regNumber', number);
    await page.fill('#s-secret', secret);
    await page.click('#status-form button[type=submit]');
    await page.waitForSelector('#status-result dl');
    t.match(await page.textContent('#status-result'), /Registered/);
    t.match(await page.textContent('#status-result'), /Your appeal is registered|registered/i);
    await page.fill('#s-secret', 'AAAAA-AAAAA');
    await page.click('#status-form button[type=submit]');
    await page.waitForSelector('#status-error:not(:empty)');
    t.match(await page.textContent('#status-error'), /No appeal with this number/);
    await page.close();
  });

  await t.test('the chat: the citizen and an operator talk live', async (t) => {
    const page = watch(await browser.newPage());
    await page.goto(`${app.url}/portal/?view=chat`);
    await page.fill('#c-name', 'Олег');
    await page.fill('#c-text', 'Здравствуйте, вопрос про субсидию.');
    await page.click('#chat-start button[type=submit]');
    await page.waitForSelector('#chat-room:not([hidden])');
    await page.waitForFunction(() => /Ожидайте/.test(document.querySelector('#chat-state')?.textContent ?? ''));
    const token = await app.token('operator');
    const api = (method: string, path: string, body?: unknown) => app.req(method, `/api/portal${path}`, { token, ...(body ? { body } : {}) });
    const chats = await api('GET', '/chats');
    const chat = chats.body.find((c: { status: string }) => c.status === 'waiting');
    t.ok(chat, 'the chat waits for an operator');
    await api('POST', `/chats/${chat.chatId}/join`);
    await page.waitForFunction(() => /Оператор Анна/.test(document.querySelector('#chat-state')?.textContent ?? ''));
    await api('POST', `/chats/${chat.chatId}/messages`, { text: 'Добрый день! <i>Слушаю</i> вас.' });
    await page.waitForFunction(() => /Слушаю/.test(document.querySelector('#chat-log')?.textContent ?? ''));
    t.equal(await page.locator('#chat-log i').count(), 0, 'markup from the chat is shown as text');
    await page.fill('#c-message', 'Какие документы нужны?');
    await page.click('#chat-send button[type=submit]');
    let lines: { text: string }[] = [];
    for (let i = 0; i < 100 && !lines.some((l) => l.text === 'Какие документы нужны?'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = (await api('GET', `/chats/${chat.chatId}`)).body.lines;
    }
    t.ok(lines.some((l) => l.text === 'Какие документы нужны?'), 'the operator has the citizen\'s message');
    await page.reload();
    await page.waitForFunction(() => /Какие документы/.test(document.querySelector('#chat-log')?.textContent ?? ''));
    t.pass('after a reload the page resumes the chat with its transcript');
    await api('POST', `/chats/${chat.chatId}/close`);
    await page.waitForFunction(() => /Чат завершён/.test(document.querySelector('#chat-state')?.textContent ?? ''));
    await page.close();
  });

  await t.test('the embed script puts the page in a frame on another site', async (t) => {
    host = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><body><h1>Сайт района</h1><script src="${app.url}/portal/embed.js" data-view="status" data-lang="en"></script></body></html>`);
    }).listen(hostPort, '127.0.0.1');
    const page = watch(await browser.newPage());
    await page.goto(`${hostOrigin}/`);
    const frame = page.frameLocator('iframe');
    await frame.locator('#tab-status[aria-selected="true"]').waitFor();
    t.equal(await frame.locator('#tab-status').textContent(), 'Check the status');
    const height = await page.waitForFunction(() => parseInt(document.querySelector('iframe')!.style.height || '0', 10) > 0);
    t.ok(await height.jsonValue(), 'the frame is sized to its content');
    await page.close();
  });

  t.same(problems, [], 'no script errors and no CSP violations');
});
