// Console components mounted one by one in real Chromium (a Vite build of test/harness with the
// console's own Quasar, i18n and Pinia setup): what they show, what they announce to assistive
// technology, what they emit, and how countdowns change colour by themselves as time passes.
import t from 'tap';
import { needsTools, tempDir } from '@okno/testkit';
import { openBrowser } from './support/browser.js';
import { answerOf } from './support/backlog.js';

const skip = needsTools('chromium');

t.test('console components in Chromium', { skip }, async (t) => {
  const { buildHarness } = await import('./support/harness-build.js');
  const { serveDir } = await import('./support/static-server.js');
  const out = tempDir('okno-harness-');
  t.teardown(out.cleanup);
  await buildHarness(out.dir);
  const server = await serveDir(out.dir);
  t.teardown(server.close);
  const browser = await openBrowser();
  t.teardown(browser.close);
  const { page } = browser;
  await page.goto(`${server.url}/index.html`);
  await page.waitForSelector('body[data-ready=true]');
  const mount = (name, props, slot) => page.evaluate(([n, p, s]) => window.harness.mount(n, p, s), [name, props, slot]);
  const events = () => page.evaluate(() => window.harness.events);

  t.test('a deadline countdown changes colour as the deadline nears, by itself', async (t) => {
    // Second-line work: near within 4 h, urgent within 1 h. Start 1 h 3 s before the deadline.
    await mount('DeadlineCountdown', { at: new Date(Date.now() + 3_600_000 + 3_000).toISOString(), kind: 'secondLine', showKind: true });
    const chip = page.locator('.deadline-countdown');
    t.equal(await chip.getAttribute('data-level'), 'near');
    t.match(await chip.getAttribute('class'), /bg-warning/);
    t.match(await chip.textContent(), /Вторая линия:\s*осталось 1\s*ч/);
    t.match(await chip.getAttribute('aria-label'), /^Вторая линия: .+, осталось/, 'the label says which deadline, when, and how long');
    await page.waitForSelector('.deadline-countdown[data-level=urgent]', { timeout: 10_000 });
    t.match(await chip.getAttribute('class'), /bg-deep-orange-9/, 'an hour before: orange, without a reload');

    await mount('DeadlineCountdown', { at: new Date(Date.now() - 2 * 3_600_000).toISOString(), kind: 'answer' });
    t.equal(await chip.getAttribute('data-level'), 'overdue');
    t.match(await chip.getAttribute('class'), /bg-negative/);
    t.match(await chip.textContent(), /просрочено на 2\s*ч/);
    await mount('DeadlineCountdown', { at: new Date(Date.now() + 20 * 86_400_000).toISOString(), kind: 'answer', serverNear: true });
    t.equal(await chip.getAttribute('data-level'), 'near', 'the server\'s near-due (working days) shows amber');
  });

  t.test('the offer pop-up counts down, accepts, rejects and says when time is up', async (t) => {
    const offer = (seconds) => ({ id: 'o-1', appealId: 7, regNumber: '26-000007-4', channel: 'email', queue: 'Жилищные вопросы', subject: 'Протечка крыши', waitedSeconds: 75, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() });
    await mount('OfferDialog', { offer: offer(30), offeredAt: Date.now() });
    const dialog = page.locator('[data-testid=offer]');
    await dialog.waitFor();
    t.equal(await dialog.getAttribute('role'), 'alertdialog');
    const text = await dialog.textContent();
    t.match(text, /Новое обращение/);
    t.match(text, /26-000007-4/);
    t.match(text, /Протечка крыши/);
    t.match(text, /Жилищные вопросы/);
    t.match(text, /Ожидает 1:15/);
    const first = Number(await page.getAttribute('[data-testid=offer-countdown]', 'data-seconds'));
    t.ok(first >= 29 && first <= 30, `starts at ${first} s`);
    await page.waitForFunction((s) => Number(document.querySelector('[data-testid=offer-countdown]').dataset.seconds) < s, first, { timeout: 5_000 });
    t.equal(await page.getAttribute('[data-testid=offer-accept]', 'aria-keyshortcuts'), 'Alt+A');
    await page.click('[data-testid=offer-accept]');
    await page.click('[data-testid=offer-reject]');
    t.same((await events()).map((e) => e.name), ['accept', 'reject']);

    await mount('OfferDialog', { offer: offer(2), offeredAt: Date.now() });
    await page.waitForFunction(() => window.harness.events.some((e) => e.name === 'expired'), null, { timeout: 6_000 });
    t.pass('an offer left unanswered reports that its time is up');
    await page.evaluate(() => window.harness.setProps({ offer: null }));
    await page.waitForSelector('[data-testid=offer]', { state: 'detached' });
    t.pass('a withdrawn offer closes the pop-up');
  });

  t.test('the desk\'s headset control: choose a headset, then its state as it changes, spoken politely', async (t) => {
    await mount('HeadsetControl', { headset: null, loaded: true, choices: null });
    t.match(await page.textContent('[data-testid=headset-control]'), /Гарнитура не выбрана/);
    t.equal(await page.getAttribute('[data-testid=headset-control]', 'aria-label'), 'Гарнитура');
    await page.click('[data-testid=headset-bind]');
    await page.waitForSelector('[data-testid=headset-picker]');
    t.same((await events()).map((e) => e.name), ['pick'], 'opening the picker asks for the choices');
    t.ok(await page.isDisabled('[data-testid=headset-bind-confirm]'), 'nothing chosen yet');
    const choice = (agentRowId, headsetId, name, boundTo = null) => ({ agentRowId, site: 'msk', agent: `pc-${agentRowId}`, agentLabel: `Рабочее место ${agentRowId}`, headsetId, headsetName: name, boundTo });
    await page.evaluate((c) => window.harness.setProps({ choices: c }), [choice(3, 'hidraw0', 'Jabra EVOLVE 30'), choice(4, 'hidraw1', 'Poly Blackwire 3220', { userId: 9, name: 'Игорь Петров' })]);
    const radios = page.locator('[data-testid=headset-choices] [role=radio]');
    await radios.first().waitFor();
    t.equal(await radios.count(), 2);
    t.match(await page.textContent('[data-testid=headset-choices]'), /Занята: Игорь Петров/, 'a headset in use says whose');
    t.equal(await radios.nth(1).getAttribute('aria-disabled'), 'true', 'and cannot be chosen');
    await radios.first().click();
    await page.click('[data-testid=headset-bind-confirm]');
    t.same((await events()).at(-1), { name: 'bind', args: [3, 'hidraw0'] });

    const bound = { userId: 5, userName: 'Анна Смирнова', agentRowId: 3, site: 'msk', agent: 'pc-3', agentLabel: 'Рабочее место 3', headsetId: 'hidraw0', headsetName: 'Jabra EVOLVE 30', agentOnline: true, present: true, online: true, state: { offHook: false, muted: false, ringing: false }, problem: null, boundAt: new Date().toISOString() };
    await page.evaluate((h) => window.harness.setProps({ headset: h }), bound);
    const status = page.locator('[data-testid=headset-status]');
    await status.waitFor();
    t.equal(await page.textContent('[data-testid=headset-name]'), 'Jabra EVOLVE 30');
    t.equal(await status.getAttribute('data-status'), 'idle');
    t.equal(await page.locator('[data-testid=headset-live]').getAttribute('aria-live'), 'polite', 'state changes are announced without interrupting');
    const expect = async (state, extra, text) => {
      await page.evaluate(([h, s, x]) => window.harness.setProps({ headset: { ...h, ...x, state: s } }), [bound, state, extra]);
      await page.waitForFunction((tx) => document.querySelector('[data-testid=headset-status]')?.textContent.trim() === tx, text);
      t.equal((await page.textContent('[data-testid=headset-status]')).trim(), text, `shows ${text}`);
    };
    await expect({ offHook: false, muted: false, ringing: true }, {}, 'Звонит');
    t.match(await page.textContent('[data-testid=headset-live]'), /Снимите трубку, чтобы принять/, 'ringing says how to answer');
    await expect({ offHook: true, muted: false, ringing: false }, {}, 'Трубка снята');
    await expect({ offHook: true, muted: true, ringing: false }, {}, 'Микрофон выключен');
    await expect(null, { agentOnline: false, online: false, problem: { code: 'offline', message: 'edge agent msk.pc-3 is offline', at: new Date().toISOString() } }, 'Не на связи');
    t.match(await page.textContent('[data-testid=headset-problem]'), /Гарнитура не ответила: edge agent msk\.pc-3 is offline/);
    await page.evaluate(() => window.harness.setLocale('en'));
    await page.waitForFunction(() => document.querySelector('[data-testid=headset-status]')?.textContent.trim() === 'Offline');
    await expect({ offHook: false, muted: false, ringing: true }, { agentOnline: true, online: true, problem: null }, 'Ringing');
    await page.evaluate(() => window.harness.setLocale('ru'));
    await page.click('[data-testid=headset-unbind]');
    t.same((await events()).at(-1), { name: 'unbind', args: [] });
  });

  t.test('every view state: loading, error with retry, empty, content', async (t) => {
    await mount('AsyncState', { loading: true }, 'содержимое');
    t.equal(await page.getAttribute('[data-state=loading]', 'role'), 'status');
    t.equal(await page.getAttribute('[data-state=loading]', 'aria-busy'), 'true');
    await page.evaluate(() => window.harness.setProps({ loading: false, error: Object.assign(new Error('x'), { name: 'ApiError' }) }));
    await page.waitForSelector('[data-state=error][role=alert]');
    await page.click('[data-state=error] button');
    t.same((await events()).map((e) => e.name), ['retry']);
    await page.evaluate(() => window.harness.setProps({ error: null, empty: true, emptyText: 'Нет обращений' }));
    t.equal((await page.textContent('[data-state=empty]')).trim(), 'Нет обращений');
    await page.evaluate(() => window.harness.setProps({ empty: false }));
    t.equal(await page.textContent('#slot'), 'содержимое');
  });

  t.test('the shortcut help lists every shortcut', async (t) => {
    await mount('ShortcutsHelp', { modelValue: true });
    const keys = await page.locator('[data-testid=shortcuts-help] kbd').allTextContents();
    t.same(keys, ['Alt+A', 'Alt+D', 'Alt+R', 'Alt+K', 'Alt+Enter', 'Alt+N', 'Alt+W', 'Alt+L', 'Alt+P', '?']);
    t.match(await page.textContent('[data-testid=shortcuts-help]'), /Принять предложенное обращение/);
  });

  t.test('a calendar month shows kinds of days and reports the day picked', async (t) => {
    const days = [];
    for (let d = 1; d <= 31; d++) {
      const date = `2026-05-${String(d).padStart(2, '0')}`;
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
      days.push({ date, working: dow !== 0 && dow !== 6, short: false, kind: dow === 0 || dow === 6 ? 'weekend' : 'ordinary', note: null, edited: false });
    }
    days[0] = { ...days[0], working: false, kind: 'holiday', note: 'Праздник Весны и Труда' };
    days[7] = { ...days[7], short: true, kind: 'short', edited: true };
    await page.evaluate((d) => window.harness.mount('CalendarMonth', { year: 2026, month: 5, days: d, locale: 'ru', kindLabel: (x) => x.kind }), days);
    t.match(await page.textContent('figcaption'), /май/i);
    t.match(await page.getAttribute('[data-date="2026-05-01"]', 'class'), /holiday/);
    t.match(await page.getAttribute('[data-date="2026-05-02"]', 'class'), /weekend/);
    t.match(await page.getAttribute('[data-date="2026-05-08"]', 'class'), /short.*edited|edited.*short/);
    t.match(await page.getAttribute('[data-date="2026-05-01"]', 'aria-label'), /Праздник Весны и Труда/);
    const firstRow = await page.locator('tbody tr').first().locator('button').count();
    t.equal(firstRow, 3, 'May 2026 starts on a Friday: three days in the first week');
    await page.click('[data-date="2026-05-12"]');
    t.equal((await events())[0].args[0].date, '2026-05-12');
  });

  const card = {
    id: 5, regNumber: '26-000005-4', channel: 'email', type: 'electronic', status: 'in_progress', siteId: 1, serviceId: 1, organisationId: 1, topic: null,
    subject: 'Технический паспорт', priority: 0, assignedUserId: 2, receivedAt: '2026-03-02T08:00:00Z', registeredAt: '2026-03-02T08:00:00Z',
    registerBy: '2026-03-05T20:59:59Z', redirectBy: null, answerBy: '2026-04-01T20:59:59Z', secondLineBy: null, extensionDays: null, due: null,
    applicant: { id: 3, kind: 'citizen', fullName: 'Ольга Иванова', organisationName: null, contacts: [{ kind: 'email', value: 'olga@example.ru' }], destroyed: false },
    earlierAppeals: [], site: null, service: null, organisation: { id: 1, name: 'МосгорБТИ' }, redirectedTo: null, replyChannel: 'email', replyAddress: 'olga@example.ru',
    extensionReason: null, outcome: null, wrapUpCode: null, suspendReason: null, kbVersionsUsed: [],
    interactions: [
      { id: 11, direction: 'in', kind: 'message', channel: 'email', at: '2026-03-02T08:00:00Z', authorUserId: null, subject: 'Технический паспорт', body: 'Как получить <b>паспорт</b>?', deliveryStatus: null, deliveryError: null, meta: null, attachments: [{ id: 4, filename: 'план.pdf', mime: 'application/pdf', size: 2048 }] },
      { id: 12, direction: 'out', kind: 'message', channel: 'email', at: '2026-03-02T09:00:00Z', authorUserId: 2, subject: 'Re: Технический паспорт', body: 'Ответ', deliveryStatus: 'failed', deliveryError: '550 no such mailbox', meta: null, attachments: [] },
    ],
    notices: [{ id: 1, kind: 'received', channel: 'email', status: 'sent', attempts: 1, lastError: null, sentAt: '2026-03-02T08:30:00Z', createdAt: '2026-03-02T08:00:00Z' }],
  };

  t.test('the timeline puts messages and notices in time order and shows text as text', async (t) => {
    await mount('AppealTimeline', { card });
    const entries = await page.locator('[data-testid=timeline] > li').evaluateAll((els) => els.map((e) => e.dataset.entry));
    t.same(entries, ['i11', 'n1', 'i12']);
    t.match(await page.textContent('[data-entry=i11]'), /Как получить <b>паспорт<\/b>\?/, 'markup in a message is shown, not run');
    t.equal(await page.locator('[data-entry=i11] b').count(), 0);
    t.match(await page.textContent('[data-entry=i12]'), /не доставлено.*550 no such mailbox/s);
    t.match(await page.textContent('[data-entry=n1]'), /Уведомление: о регистрации/);
    t.match(await page.getAttribute('[data-testid=attachment]', 'aria-label'), /план\.pdf/);
  });

  t.test('a sent notice shows once: its outbound interaction carries the notice title and status', async (t) => {
    const sent = {
      ...card,
      interactions: [...card.interactions, { id: 13, direction: 'out', kind: 'notice', channel: 'email', at: '2026-03-02T08:30:00Z', authorUserId: null, subject: 'Обращение зарегистрировано', body: 'Ваше обращение № 26-000005-4 зарегистрировано', deliveryStatus: 'sent', deliveryError: null, meta: { noticeId: 1, noticeKind: 'received' }, attachments: [] }],
      notices: [...card.notices, { id: 2, kind: 'answered', channel: 'email', status: 'failed', attempts: 3, lastError: 'timeout', sentAt: null, createdAt: '2026-03-02T09:10:00Z' }],
    };
    await mount('AppealTimeline', { card: sent });
    const entries = await page.locator('[data-testid=timeline] > li').evaluateAll((els) => els.map((e) => e.dataset.entry));
    t.same(entries, ['i11', 'i13', 'i12', 'n2'], 'notice 1 is drawn once (as its interaction); unsent notice 2 stands alone');
    t.match(await page.textContent('[data-entry=i13]'), /Уведомление: о регистрации.*отправлено.*зарегистрировано/s);
    t.match(await page.textContent('[data-entry=n2]'), /об ответе.*не отправлено \(3\)/s);
  });

  t.test('a call shows what happened in the console\'s language, not the stored Russian text', async (t) => {
    const call = {
      ...card, channel: 'phone', notices: [],
      interactions: [{
        id: 21, direction: 'in', kind: 'call', channel: 'phone', at: '2026-03-02T08:00:00Z', authorUserId: null, subject: null, body: 'Входящий звонок (+74950000000), меню: субсидии. Итог: разговор с оператором.', deliveryStatus: null, deliveryError: null, attachments: [],
        meta: { call: { asteriskChannelId: '1709.42', direction: 'in', startedAt: '2026-03-02T08:00:00Z', queuedAt: '2026-03-02T08:00:20Z', answeredAt: '2026-03-02T08:01:35Z', endedAt: '2026-03-02T08:05:00Z', hungUpBy: 'operator', outcome: 'answered', operatorUserId: 2, durationSeconds: 300, waitSeconds: 75, talkSeconds: 205, choice: 'субсидии', digit: '2', missedBy: [] } },
      }],
    };
    await mount('AppealTimeline', { card: call });
    await page.evaluate(() => window.harness.setLocale('en'));
    await page.waitForFunction(() => document.querySelector('[data-entry=i21]')?.textContent.includes('talked with an operator'));
    const facts = await page.locator('[data-entry=i21] [data-testid=call-facts] .q-chip').allTextContents();
    t.same(facts.map((x) => x.trim()), ['talked with an operator', 'the operator hung up', 'waited 1:15', 'talked 3:25', 'call 5:00', 'menu: субсидии']);
    t.notMatch(await page.textContent('[data-entry=i21]'), /Входящий звонок/, 'the stored text stands in only when there are no facts');
    t.match(await page.textContent('[data-entry=i21]'), /Call · inbound/);
    await page.evaluate(() => window.harness.setLocale('ru'));
    await page.waitForFunction(() => document.querySelector('[data-entry=i21]')?.textContent.includes('разговор с оператором'));
  });

  t.test('the reply composer fills templates, inserts knowledge-base text and asks for a text before sending', async (t) => {
    await mount('ReplyComposer', { card });
    t.equal(await page.inputValue('input[data-testid=reply-subject]'), 'Re: Технический паспорт');
    await page.click('[data-testid=reply-templates]');
    await page.click('[data-template=greeting]');
    const body = () => page.inputValue('textarea[data-testid=reply-body]');
    t.match(await body(), /^Здравствуйте, Ольга Иванова!/);
    t.match(await body(), /обращение № 26-000005-4/);
    await page.evaluate(() => window.harness.call('insertKb', 'Технический паспорт выдаёт МосгорБТИ.', { articleId: 1, version: 3, title: 'Техпаспорт' }));
    t.match(await body(), /Технический паспорт выдаёт МосгорБТИ\./);
    t.match(await page.textContent('[data-testid=kb-used]'), /Техпаспорт · версия 3/);
    await page.fill('textarea[data-testid=reply-body]', '   ');
    await page.click('[data-testid=reply-send]');
    await page.waitForSelector('[data-testid=reply-composer] .q-field--error');
    t.match(await page.textContent('[data-testid=reply-composer] .q-field--error'), /Заполните это поле/);
  });

  t.test('a deferred-work plan: totals, the warning when deadlines cannot be kept, chart, heatmap and table', async (t) => {
    const working = (i) => i % 24 >= 9 && i % 24 < 18;
    const answer = answerOf(Array.from({ length: 48 }, (_, i) => (working(i) ? 12 : 2)), { working });
    await mount('BacklogResult', { answer });
    const figure = (name) => page.textContent(`[data-testid=backlog-totals] [data-figure=${name}]`).then((x) => x.trim());
    t.equal(await figure('peakStaff'), String(Math.max(...answer.intervals.map((i) => i.staff))));
    t.equal(await figure('staffHours'), String(answer.intervals.reduce((s, i) => s + i.staff, 0)), 'hourly intervals: the sum of staff');
    t.equal(await figure('arrivals'), String(9 * 12 * 2 + 15 * 2 * 2));
    t.equal(await page.locator('[data-testid=backlog-cannot-meet]').count(), 0, 'no warning when every deadline can be kept');
    t.equal(await page.locator('[data-testid=backlog-table] tbody tr').count(), 48, 'a row per interval');
    const first = await page.locator('[data-testid=backlog-table] tbody tr[data-start="2026-04-21T09:00:00+03:00"] > *').allTextContents();
    const nine = answer.intervals[9];
    t.same(first.slice(1).map((c) => c.trim()), [String(nine.arrivals), String(Math.round(nine.completed * 10) / 10), String(Math.round(nine.backlog * 10) / 10), String(Math.round(nine.agents * 100) / 100), String(nine.staff)]);
    t.match(first[0], /21\.04\.2026, 09:00/, 'the start in local time');
    t.match(await page.textContent('[data-testid=backlog-table] tbody tr:first-child th'), /нерабочее время/, 'closed hours are marked');
    await page.waitForSelector('[data-testid=backlog-chart] svg');
    await page.waitForSelector('[data-testid=backlog-heatmap] svg');
    t.match(await page.getAttribute('[data-testid=backlog-heatmap]', 'aria-label'), /: В графике$/, 'the heatmap shows staff first');
    t.match(await page.textContent('[data-testid=backlog-used]'), /Срок: 3 календ\. дн\.; время обработки одного: 360 с/);

    await page.evaluate((a) => window.harness.setProps({ answer: a }), answerOf([5, 5, 5, 5], { deadlineMinutes: 60 }));
    await page.waitForSelector('[data-testid=backlog-cannot-meet]');
    t.equal(await page.getAttribute('[data-testid=backlog-cannot-meet]', 'role'), 'alert');
    t.match(await page.textContent('[data-testid=backlog-cannot-meet]'), /Не успеть в срок: 20 обращ\..*при шаге 60 мин/s, 'says how many and why');
  });

  t.test('the deferred-work form names each wrong field, puts the API\'s field errors at their fields, and shows the answer', async (t) => {
    // A session the API client can use (the requests are answered by the test, not a server).
    await page.evaluate(() => localStorage.setItem('okno.session', JSON.stringify({ accessToken: 'a', accessExpiresAt: '2999-01-01T00:00:00Z', refreshToken: 'r', user: { id: 1, login: 'planner', fullName: 'P', roles: ['planner'] } })));
    const sent = [];
    let reply = { status: 500, body: {} };
    await page.route('**/api/planning/backlog', (route) => {
      sent.push(route.request().postDataJSON());
      return route.fulfill({ status: reply.status, contentType: 'application/json', body: JSON.stringify(reply.body) });
    });
    t.teardown(() => page.unroute('**/api/planning/backlog'));
    await mount('BacklogView', {});
    const field = (name) => page.locator(`[data-testid=planning-backlog] input[data-field=${name}]`);
    const errorAt = (name) => page.locator(`[data-testid=planning-backlog] label.q-field--error:has(input[data-field=${name}]) .q-field__messages`);
    await field('days').fill('20');
    await field('utilisationPercent').fill('0');
    await page.click('[data-testid=backlog-add-waiting]');
    await field('waiting-0-items').fill('-3');
    await page.click('[data-testid=backlog-compute]');
    await page.waitForSelector('[data-testid=backlog-problems]');
    t.match(await errorAt('days').textContent(), /Дней: целое число от 1 до 14/, 'the message names the field');
    t.match(await errorAt('utilisationPercent').textContent(), /Полезная занятость/);
    t.match(await errorAt('waiting-0-items').textContent(), /строка 1/);
    t.match(await page.textContent('[data-testid=backlog-problems]'), /Проверьте поля:.*Дней.*Полезная занятость.*Ожидающие, строка 1/s);
    t.same(sent, [], 'nothing is sent while a field is wrong');

    await field('days').fill('2');
    await field('utilisationPercent').fill('80');
    await field('waiting-0-items').fill('12');
    await field('waiting-0-date').fill('2026-04-21');
    await field('waiting-0-time').fill('12:00');
    await field('from').fill('2026-04-21');
    t.match(await page.textContent('[data-testid=backlog-waiting]'), /к концу интервала 21\.04 11:00–12:00/, 'says which interval the due time closes');
    reply = { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: 'invalid input', fields: [
      { field: 'shrinkage', message: 'The \'shrinkage\' field must be less than or equal to 0.95.' }, { field: 'input', message: 'handleSeconds must be > 0' },
    ] } } };
    await page.click('[data-testid=backlog-compute]');
    await errorAt('shrinkagePercent').waitFor();
    t.match(await errorAt('shrinkagePercent').textContent(), /must be less than or equal to 0\.95/, 'the API\'s field error at its field');
    t.match(await errorAt('handleSeconds').textContent(), /в истории канала его нет/, 'no handle time in history: asks for one');
    t.match(await page.textContent('[data-testid=planning-backlog] [data-state=error]'), /проверьте отмеченные поля/);
    t.same(sent[0], { groupBy: 'channel', key: 'email', from: '2026-04-21', days: 2, intervalMinutes: 60, deadline: 'register', waiting: [{ items: 12, dueByEndOf: 11 }], utilisation: 0.8, shrinkage: 0.3 });

    reply = { status: 409, body: { error: { code: 'CONFLICT', message: 'not enough history to forecast channel "fax": 3 day(s) with contacts', data: { reason: 'NOT_ENOUGH_HISTORY' } } } };
    await page.click('[data-testid=planning-backlog] [data-field=channel]');
    await page.click('.q-menu .q-item:has-text("Факс")');
    await page.click('[data-testid=backlog-compute]');
    await page.waitForFunction(() => /not enough history/.test(document.querySelector('[data-testid=planning-backlog] [data-state=error]')?.textContent ?? ''));
    t.equal(sent[1].key, 'fax');
    t.equal(await page.locator('[data-testid=planning-backlog] .q-field--error').count(), 0, 'a conflict is no field\'s fault');

    await page.click('[data-testid=planning-backlog] [data-field=deadline]');
    await page.click('.q-menu .q-item:has-text("Свой срок")');
    await field('customMinutes').fill('30');
    await page.click('[data-testid=planning-backlog] [aria-label="Как идёт срок"] .q-radio:has-text("календарное")');
    reply = { status: 200, body: answerOf([4, 4, 4, 4], { deadlineMinutes: 30 }) };
    await page.click('[data-testid=backlog-compute]');
    await page.waitForSelector('[data-testid=planning-backlog] [data-testid=backlog-cannot-meet]');
    t.same(sent[2].deadline, { minutes: 30, clock: 'calendar' });
    t.equal(await page.locator('[data-testid=planning-backlog] [data-testid=backlog-table] tbody tr').count(), 4);
    t.equal(await page.locator('[data-testid=planning-backlog] input[data-field=plan-name]').count(), 1, 'the plan can be saved');
  });

  t.test('the language switch changes every text and is remembered', async (t) => {
    await mount('StatusChip', { status: 'in_progress' });
    t.equal((await page.textContent('[data-status]')).trim(), 'В работе');
    await page.evaluate(() => window.harness.setLocale('en'));
    await page.waitForFunction(() => document.querySelector('[data-status]').textContent.trim() === 'In progress');
    t.equal(await page.evaluate(() => localStorage.getItem('okno.locale')), 'en');
    t.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.evaluate(() => window.harness.setLocale('ru'));
    await page.waitForFunction(() => document.querySelector('[data-status]').textContent.trim() === 'В работе');
  });

  t.same(browser.errors, [], 'no uncaught errors in the page');
});
