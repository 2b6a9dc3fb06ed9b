/**
 * Reporting over REST in a whole core: the synthetic day's history, compliance and daily summary;
 * live figures over REST and pushed to supervisors' consoles; CSV and XLSX exports read back; access
 * by role; a rebuild over REST gives the same figures.
 */
import t from 'tap';
import ExcelJS from 'exceljs';
import { appendJournal } from '@okno/core';
import { waitFor } from '@okno/testkit';
import { caughtUp, consoleStream, startReportingApp } from './test-support/app.js';
import { DAY, EXPECTED, at, writeSyntheticDay } from './test-support/synthetic-day.js';
import { expectFigures } from './test-support/figures.js';
import { CSV_TYPE, XLSX_TYPE } from './exports.js';

const app = await startReportingApp();
t.teardown(() => app.stop());
await writeSyntheticDay(app.app.db);
await caughtUp(app);
const supervisor = await app.token('supervisor');
const planner = await app.token('planner');
const operator = await app.token('operator');
const admin = await app.token('admin');

t.test('interval history over REST', async (t) => {
  const r = await app.req('GET', `/api/reporting/intervals?from=${DAY}&to=2026-03-03&size=30`, { token: planner });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  t.equal(r.body.timeZone, 'Europe/Moscow');
  const nine = r.body.rows.find((x: { start: string }) => Date.parse(x.start) === at('09:00:00'));
  expectFigures(t, nine, EXPECTED.contacts.intervals30['09:00'], '30-minute 09:00');
  const byChannel = await app.req('GET', `/api/reporting/intervals?from=${DAY}T09:00:00%2B03:00&to=${DAY}T10:00:00%2B03:00&size=60&groupBy=channel`, { token: supervisor });
  t.same(byChannel.body.rows.map((x: { key: string; offered: number }) => [x.key, x.offered]), [['chat', 1], ['phone', 6]], 'per channel, 09:00–10:00');
  const bad = await app.req('GET', '/api/reporting/intervals?size=20', { token: planner });
  t.equal(bad.status, 422, 'a size other than 15, 30 or 60 is refused');
  const backwards = await app.req('GET', `/api/reporting/intervals?from=${DAY}&to=2026-03-01`, { token: planner });
  t.equal(backwards.status, 422, 'to before from is refused');
});

t.test('compliance and the daily summary over REST', async (t) => {
  const c = await app.req('GET', `/api/reporting/compliance?from=${DAY}&to=${DAY}&groupBy=service`, { token: supervisor });
  t.equal(c.status, 200);
  const { overdueNow: _o, registrationOverdueNow: _r, ...counts } = EXPECTED.appeals.all;
  expectFigures(t, c.body.total, counts, 'appeals on the day');
  expectFigures(t, c.body.rows.find((x: { key: string }) => x.key === '10'), EXPECTED.appeals.byService['10'], 'service 10');
  const d = await app.req('GET', `/api/reporting/daily?date=${DAY}`, { token: supervisor });
  t.equal(d.status, 200);
  t.equal(d.body.contacts.total.offered, 8);
  t.equal(d.body.contacts.total.serviceLevel, 0.5);
  t.equal(d.body.appeals.total.registered, 4);
  // (The demo data adds groups with appeals overdue now but nothing on the day.)
  t.same(d.body.appeals.byTopic.filter((x: { received: number; registered: number }) => x.received + x.registered > 0).map((x: { key: string }) => x.key).sort(), ['-', 'ЖКХ', 'Транспорт'].sort());
});

t.test('live figures over REST and pushed to supervisors', async (t) => {
  const sup = await consoleStream(app, 'supervisor');
  const op = await consoleStream(app, 'operator');
  t.teardown(() => {
    sup.close();
    op.close();
  });
  const now = new Date();
  await app.app.db.transaction((em) => appendJournal(em, {
    type: 'contact.queued', aggregateType: 'contact', aggregateId: 'live-1', siteId: 1, at: now,
    data: { contactId: 'live-1', channel: 'phone', queue: 'live-queue', siteId: '1', priority: 0, enqueuedAt: now.toISOString(), skills: {} },
  }));
  app.app.core.journalCommitted();
  const frame = (await waitFor('a live frame with the waiting call', () => sup.frames.find((f) => f.type === 'reporting.live' && f.groups.queue.some((g: { key: string; waitingNow: number }) => g.key === 'live-queue' && g.waitingNow === 1)))) as Record<string, any>;
  t.equal(frame.groups.all[0].today.offered, 1, 'today so far');
  t.ok(frame.groups.all[0].longestWaitSeconds >= 0, 'longest wait');
  t.notOk(op.frames.some((f) => f.type === 'reporting.live'), 'operators get no reporting frames');
  const r = await app.req('GET', '/api/reporting/live', { token: supervisor });
  t.equal(r.status, 200);
  const q = r.body.groups.queue.find((g: { key: string }) => g.key === 'live-queue');
  t.equal(q.waitingNow, 1, 'waiting now over REST');
  t.equal(r.body.groups.site.find((g: { key: string }) => g.key === '1').label.length > 1, true, 'sites are labelled with their names');
});

t.test('exports read back', async (t) => {
  const csv = await fetch(`${app.url}/api/reporting/export/intervals?from=${DAY}&to=2026-03-03&size=60&format=csv`, { headers: { authorization: `Bearer ${planner}` } });
  t.equal(csv.status, 200);
  t.equal(csv.headers.get('content-type'), CSV_TYPE);
  t.match(csv.headers.get('content-disposition'), /^attachment; filename="okno-intervals-60min-2026-03-02-2026-03-02\.csv"/);
  const bytes = Buffer.from(await csv.arrayBuffer());
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const lines = bytes.toString('utf8').slice(1).trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  t.same(header.slice(0, 4), ['Начало', 'Конец', 'Поступило', 'Отвечено'], 'Russian headers');
  const nine = lines.find((l) => l.startsWith('2026-03-02 09:00,'))!.split(',');
  t.equal(nine[header.indexOf('Поступило')], '7', 'offered 09:00–10:00');
  t.equal(nine[header.indexOf('Уровень обслуживания (20 с)')], '0.5', 'SL 09:00–10:00');
  t.equal(lines.length, 1 + 3, 'the header and the hours with figures: 08 (op1 ready), 09, 17');

  const xlsx = await fetch(`${app.url}/api/reporting/export/daily?date=${DAY}&format=xlsx`, { headers: { authorization: `Bearer ${supervisor}` } });
  t.equal(xlsx.status, 200);
  t.equal(xlsx.headers.get('content-type'), XLSX_TYPE);
  t.match(xlsx.headers.get('content-disposition'), /filename="okno-daily-2026-03-02\.xlsx"/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ExcelJS.Buffer);
  const summary = wb.getWorksheet('Сводка')!;
  const value = (name: string) => (summary.getSheetValues().find((row) => Array.isArray(row) && row[1] === name) as ExcelJS.CellValue[] | undefined)?.[2];
  t.equal(value('Обращений зарегистрировано'), 4);
  t.equal(value('Контактов поступило'), 8);
  t.equal(value('Уровень обслуживания (20 с)'), 0.5);
  const topics = wb.getWorksheet('По темам')!;
  t.equal(topics.getRow(1).getCell(1).value, 'Тема');
  const names = topics.getColumn(1).values.slice(2);
  for (const name of ['—', 'ЖКХ', 'Транспорт']) t.ok(names.includes(name), `topic ${name} (the unknown one as a dash)`);
  t.ok(wb.getWorksheet('Контакты по каналам'), 'contacts per channel sheet');

  const compliance = await fetch(`${app.url}/api/reporting/export/compliance?from=${DAY}&to=${DAY}&groupBy=topic&format=csv`, { headers: { authorization: `Bearer ${supervisor}` } });
  const text = (await compliance.text()).replace(/^\uFEFF/, '');
  t.match(text, /^Сроки 59-ФЗ\r?\nТема,Поступило,/, 'a report of several tables: each under its title');
  t.match(text, /\r?\n\r?\nПеренаправления\r?\nИз организации,В организацию/, 'redirections after an empty line');
});

t.test('access by role', async (t) => {
  t.equal((await app.req('GET', '/api/reporting/live')).status, 401, 'signed-in users only');
  t.equal((await app.req('GET', '/api/reporting/live', { token: operator })).status, 403, 'not operators');
  t.equal((await app.req('GET', `/api/reporting/compliance?from=${DAY}`, { token: planner })).status, 403, 'compliance is for supervisors');
  t.equal((await app.req('POST', '/api/reporting/rebuild', { token: supervisor })).status, 403, 'a rebuild is for administrators');
});

t.test('a rebuild over REST gives the same figures', async (t) => {
  const before = await app.req('GET', `/api/reporting/daily?date=${DAY}`, { token: supervisor });
  const intervals = await app.req('GET', `/api/reporting/intervals?from=${DAY}&to=2026-03-03&size=15&groupBy=site`, { token: supervisor });
  const r = await app.req('POST', '/api/reporting/rebuild', { token: admin });
  t.equal(r.status, 200);
  await caughtUp(app);
  const after = await app.req('GET', `/api/reporting/daily?date=${DAY}`, { token: supervisor });
  t.same({ ...after.body, at: null }, { ...before.body, at: null }, 'the daily summary');
  t.same((await app.req('GET', `/api/reporting/intervals?from=${DAY}&to=2026-03-03&size=15&groupBy=site`, { token: supervisor })).body, intervals.body, 'the intervals');
});
