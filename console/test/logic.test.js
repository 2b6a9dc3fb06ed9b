// The console's pure logic, run by Node directly from the TypeScript sources (Node strips the types):
// deadline colours and countdowns, shortcuts, form errors, menus, calendar grids, live-view rows,
// templates, and the re-fetch coalescing the live views rely on.
import t from 'tap';
import { deadlineLevel, LEVEL_COLOR, remaining, formatRemaining, offerTimeLeft } from '../src/logic/countdown.ts';
import { matchShortcut, isTypingTarget, SHORTCUTS } from '../src/logic/shortcuts.ts';
import { fieldMessages, localizeMessage } from '../src/logic/fields.ts';
import { menuFor, homeFor } from '../src/logic/menu.ts';
import { monthGrid, dayClass, workingDays } from '../src/logic/calendar.ts';
import { channelRows, siteDeadlineRows, affectsLiveView, affectsWorkList, formatWait } from '../src/logic/live.ts';
import { TEMPLATES, fillTemplate, templateText } from '../src/logic/templates.ts';
import { coalesce } from '../src/logic/coalesce.ts';
import { previewKind, formatBytes } from '../src/logic/format.ts';
import { buildQuery } from '../src/api/http.ts';
import { mergeLine } from '../src/api/chat.ts';
import { timelineSources } from '../src/logic/timeline.ts';
import { callFacts, formatCallTime } from '../src/logic/call-facts.ts';
// The phone channel's own summary of a call, so the timeline reads exactly what the plugin writes.
import { callSummary } from '@okno/channel-phone';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

t.test('a deadline turns from green to amber, orange and red as it nears and passes', async (t) => {
  const now = Date.parse('2026-03-02T09:00:00Z');
  const at = now + 10 * DAY;
  const levels = [10 * DAY, 3 * DAY, 2 * DAY, DAY, HOUR, 0, -HOUR].map((before) => deadlineLevel(at, at - before, 'answer'));
  t.same(levels, ['ok', 'near', 'near', 'urgent', 'urgent', 'overdue', 'overdue']);
  t.same(levels.map((l) => LEVEL_COLOR[l]), ['positive', 'warning', 'warning', 'deep-orange-9', 'deep-orange-9', 'negative', 'negative']);
  t.equal(deadlineLevel(at, at - 5 * HOUR, 'secondLine'), 'ok', 'second-line work counts in hours');
  t.equal(deadlineLevel(at, at - 3 * HOUR, 'secondLine'), 'near');
  t.equal(deadlineLevel(at, at - 30 * MIN, 'secondLine'), 'urgent');
  t.equal(deadlineLevel(at, at - 20 * DAY, 'answer', true), 'near', 'the server\'s near-due (working days) raises the level');
  t.equal(deadlineLevel(at, at - HOUR, 'answer', false), 'urgent', '...but never lowers it');
  t.equal(deadlineLevel(new Date(at).toISOString(), at + 1, 'register'), 'overdue', 'ISO strings work as well as numbers');
});

t.test('time left is split into units and said in the console\'s language', async (t) => {
  const now = 1_000_000_000_000;
  t.same(remaining(now + 2 * DAY + 3 * HOUR + 5 * MIN + 7_000, now), { overdue: false, days: 2, hours: 3, minutes: 5, seconds: 7 });
  t.same(remaining(now - 90 * MIN, now), { overdue: true, days: 0, hours: 1, minutes: 30, seconds: 0 });
  const ru = formatRemaining(remaining(now + 2 * DAY + 3 * HOUR, now), 'ru');
  const en = formatRemaining(remaining(now + 2 * DAY + 3 * HOUR, now), 'en');
  t.match(ru, /2.*д.*3.*ч/);
  t.match(en, /2.*d.*3.*h/);
  t.equal(formatRemaining(remaining(now + 3 * DAY + 5 * MIN, now), 'en'), '3d', 'the units that matter: minutes do not, three days ahead');
  t.match(formatRemaining(remaining(now + 5 * MIN + 9_000, now), 'en'), /^5\s?m(in)?\s9\s?s$/, 'seconds only in the last minutes');
  t.notMatch(formatRemaining(remaining(now + 25 * MIN + 9_000, now), 'en'), /9/, 'not with half an hour left');
});

t.test('an offer counts down in whole seconds and never below zero', async (t) => {
  const offeredAt = 1_000_000;
  const expiresAt = new Date(offeredAt + 20_000).toISOString();
  t.same(offerTimeLeft(expiresAt, offeredAt, offeredAt), { seconds: 20, fraction: 1 });
  t.same(offerTimeLeft(expiresAt, offeredAt + 5_500, offeredAt), { seconds: 15, fraction: 0.725 });
  t.same(offerTimeLeft(expiresAt, offeredAt + 60_000, offeredAt), { seconds: 0, fraction: 0 });
  t.equal(deadlineLevel(expiresAt, offeredAt + 16_000, 'offer'), 'urgent', 'the last seconds are urgent');
});

t.test('shortcuts match the key position, so they work on a Russian layout too', async (t) => {
  const key = (code, key, mods = {}) => ({ code, key, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...mods });
  t.equal(matchShortcut(key('KeyA', 'ф', { altKey: true }), false), 'accept');
  t.equal(matchShortcut(key('KeyA', 'a', { altKey: true }), true), 'accept', 'Alt shortcuts work while typing');
  t.equal(matchShortcut(key('Enter', 'Enter', { altKey: true }), true), 'send');
  t.equal(matchShortcut(key('KeyK', 'л', { altKey: true }), false), 'kb');
  t.equal(matchShortcut(key('KeyA', 'a'), false), null, 'a plain key is text');
  t.equal(matchShortcut(key('KeyA', 'a', { altKey: true, ctrlKey: true }), false), null, 'Ctrl+Alt belongs to the system (AltGr)');
  t.equal(matchShortcut(key('Slash', '?', { shiftKey: true }), false), 'help');
  t.equal(matchShortcut(key('Digit7', '?', { shiftKey: true }), false), 'help', '"?" wherever the layout puts it');
  t.equal(matchShortcut(key('Slash', '?', { shiftKey: true }), true), null, '"?" types a question mark in a field');
  t.equal(new Set(SHORTCUTS.map((s) => s.label)).size, SHORTCUTS.length, 'no two shortcuts share a key');
  t.ok(isTypingTarget({ tagName: 'TEXTAREA' }));
  t.ok(isTypingTarget({ tagName: 'INPUT', type: 'search' }));
  t.notOk(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' }));
  t.notOk(isTypingTarget({ tagName: 'BUTTON' }));
  t.notOk(isTypingTarget(null));
});

t.test('API field errors land on the form field and on its list', async (t) => {
  const m = fieldMessages([
    { field: 'place', message: 'is required' },
    { field: 'requiredDocuments[1]', message: 'is empty' },
    { field: 'body.applicant.fullName', message: 'too long' },
  ]);
  t.equal(m.place, 'is required');
  t.equal(m['requiredDocuments[1]'], 'is empty');
  t.equal(m.requiredDocuments, 'is empty');
  t.equal(m['applicant.fullName'], 'too long');
  t.equal(m.applicant, 'too long');
  const say = (key, v) => `${key}(${v.n})`;
  t.equal(localizeMessage('is required', say), 'validation.required()');
  t.equal(localizeMessage("The 'place' field is required.", say), 'validation.required()');
  t.equal(localizeMessage('is longer than 400 characters', say), 'validation.tooLong(400)');
  t.equal(localizeMessage('"bti" is taken', say), 'validation.taken(bti)');
  t.equal(localizeMessage('something new', say), 'something new', 'an unknown message is shown as the API said it');
  t.equal(fieldMessages([{ field: 'place', message: 'is required' }], say).place, 'validation.required()');
});

t.test('menus follow roles', async (t) => {
  t.same(menuFor(['operator']).map((m) => m.key), ['desk']);
  t.same(menuFor(['supervisor']).map((m) => m.key), ['live', 'desk', 'fleet', 'planning', 'reports', 'routing']);
  t.same(menuFor(['admin']).map((m) => m.key), ['admin', 'fleet', 'planning', 'reports', 'routing']);
  t.same(menuFor(['technician']).map((m) => m.key), ['fleet']);
  t.same(menuFor(['planner']).map((m) => m.key), ['planning']);
  t.equal(homeFor(['operator']), '/desk');
  t.equal(homeFor(['supervisor', 'operator']), '/live');
  t.equal(homeFor(['planner']), '/planning');
  t.equal(homeFor(['technician']), '/fleet');
  t.equal(homeFor(['admin']), '/admin');
  t.equal(homeFor([]), null, 'no roles, no page');
});

t.test('a month of the calendar is a grid of weeks starting on Monday', async (t) => {
  const days = [];
  for (let d = 1; d <= 31; d++) {
    const date = `2026-03-${String(d).padStart(2, '0')}`;
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    days.push({ date, working: dow !== 0 && dow !== 6, short: false, kind: dow === 0 || dow === 6 ? 'weekend' : 'ordinary', note: null, edited: false });
  }
  days[8] = { ...days[8], working: false, kind: 'holiday', note: 'перенос с 8 марта' };
  const weeks = monthGrid(2026, 3, days);
  t.equal(weeks[0].filter(Boolean).length, 1, 'March 2026 starts on a Sunday: one day in the first row');
  t.equal(weeks[0][6].date, '2026-03-01');
  t.ok(weeks.every((w) => w.length === 7));
  t.equal(weeks.flat().filter(Boolean).length, 31);
  t.equal(dayClass(days[8]), 'holiday');
  t.equal(dayClass(days[0]), 'weekend');
  t.equal(dayClass(days[1]), 'work');
  t.equal(dayClass({ ...days[0], working: true, kind: 'workday' }), 'workday-transfer');
  t.equal(dayClass({ ...days[1], short: true, kind: 'short' }), 'short');
  t.equal(workingDays(days), 21);
});

t.test('the live view counts waiting and in-work appeals per channel and orders sites by overdue', async (t) => {
  const now = Date.parse('2026-03-02T12:00:00Z');
  const appeal = (channel, status, receivedMinutesAgo) => ({ channel, status, receivedAt: new Date(now - receivedMinutesAgo * MIN).toISOString() });
  const rows = channelRows([appeal('email', 'registered', 30), appeal('email', 'received', 90), appeal('email', 'in_progress', 5), appeal('fax', 'deferred', 1), appeal('phone', 'registered', 2)], now);
  t.same(rows, [
    { channel: 'email', waiting: 2, inWork: 1, longestWaitSeconds: 5400 },
    { channel: 'phone', waiting: 1, inWork: 0, longestWaitSeconds: 120 },
    { channel: 'fax', waiting: 0, inWork: 1, longestWaitSeconds: null },
  ]);
  const sites = [{ id: 1, code: 'msk', name: 'Москва' }, { id: 2, code: 'cao', name: 'ЦАО' }];
  t.same(siteDeadlineRows([{ siteId: 1, overdue: 0, nearDue: 4 }, { siteId: 2, overdue: 2, nearDue: 0 }, { siteId: 9, overdue: 0, nearDue: 1 }], sites).map((r) => r.code), ['cao', 'msk', '9']);
  t.ok(affectsLiveView('appeal.registered'));
  t.ok(affectsLiveView('interaction.failed'));
  t.ok(affectsLiveView('contact.answered'));
  t.notOk(affectsLiveView('kb.article.published'));
  t.ok(affectsWorkList('appeal.assigned'));
  t.notOk(affectsWorkList('notice.sent'));
  t.equal(formatWait(65, 'en'), '1:05');
  t.match(formatWait(2 * 86_400 + 3 * 3600, 'ru'), /2.*д.*3.*ч/);
  t.equal(formatWait(null, 'en'), '—');
});

t.test('templates fill in the appeal and exist in both languages', async (t) => {
  for (const tpl of TEMPLATES) {
    t.ok(tpl.ru.title && tpl.ru.text && tpl.en.title && tpl.en.text, `${tpl.id} has ru and en`);
    const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    t.same(placeholders(tpl.en.text), placeholders(tpl.ru.text), `${tpl.id}: the same placeholders in both`);
  }
  const greeting = TEMPLATES.find((x) => x.id === 'greeting');
  const text = fillTemplate(templateText(greeting, 'ru').text, { name: 'Ольга Иванова', regNumber: '26-000001-3', operator: 'Анна Смирнова' });
  t.match(text, /Ольга Иванова/);
  t.match(text, /26-000001-3/);
  t.notMatch(text, /[{}]/, 'no placeholder left');
  t.equal(fillTemplate('{unknown}x', {}), 'x');
  t.equal(templateText(greeting, 'en-GB'), greeting.en);
});

t.test('a burst of calls runs the work once at once and once more at the end', async (t) => {
  let runs = 0;
  let release;
  const gate = new Promise((r) => (release = r));
  const run = coalesce(async () => {
    runs++;
    if (runs === 1) await gate;
  }, 5);
  run();
  for (let i = 0; i < 10; i++) run();
  t.equal(runs, 1, 'the first call runs at once; the others wait');
  release();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(runs, 2, 'ten calls during the run cost one more run');
  run.cancel();
  run();
  await new Promise((r) => setTimeout(r, 20));
  t.equal(runs, 2, 'nothing runs after cancel');
});

t.test('small helpers', async (t) => {
  t.equal(buildQuery({ a: 1, b: '', c: null, d: undefined, e: 'x y', f: false }), '?a=1&e=x%20y&f=false');
  t.equal(buildQuery({}), '');
  t.equal(previewKind('image/png'), 'image');
  t.equal(previewKind('application/pdf'), 'pdf');
  t.equal(previewKind('text/plain'), 'text');
  t.equal(previewKind('application/zip'), null);
  t.equal(previewKind('image/svg+xml'), null, 'SVG is not previewed (it could carry script)');
  t.match(formatBytes(1536, 'en'), /1\.5 KB/);
  t.match(formatBytes(10, 'ru'), /10 Б/);
  const a = { seq: 2, from: 'citizen', text: 'b', at: '', clientMsgId: null };
  const b = { seq: 1, from: 'operator', text: 'a', at: '', clientMsgId: null };
  t.same(mergeLine(mergeLine([a], b), a).map((l) => l.seq), [1, 2], 'chat lines in order, each once');
});

t.test('a sent notice and its outbound interaction are one timeline entry', async (t) => {
  const i = (id, kind, meta = null) => ({ id, direction: 'out', kind, channel: 'email', at: '2026-03-02T08:30:00Z', authorUserId: null, subject: null, body: 'x', deliveryStatus: 'sent', deliveryError: null, meta, attachments: [] });
  const n = (id, status) => ({ id, kind: 'received', channel: 'email', status, attempts: 1, lastError: null, sentAt: null, createdAt: '2026-03-02T08:00:00Z' });
  const s = timelineSources([i(1, 'message'), i(2, 'notice', { noticeId: 7 }), i(3, 'notice', { noticeId: 99 })], [n(7, 'sent'), n(8, 'pending')]);
  t.same(s.notices.map((x) => x.id), [8], 'only the notice without an interaction stands alone');
  t.same(s.interactions.map((x) => x.notice?.id ?? null), [null, 7, null], 'the interaction carries its notice; an unknown notice id is left as a plain interaction');
  t.same(timelineSources([i(4, 'message', { noticeId: 8 })], [n(8, 'sent')]).notices.map((x) => x.id), [8], 'only kind "notice" interactions stand for a notice');
});

t.test('a call on the timeline: the facts the phone channel records, read in any language', async (t) => {
  const at = (s) => new Date(Date.parse('2026-03-02T09:00:00Z') + s * 1000);
  const summary = callSummary({
    direction: 'in', callId: '1709370000.42', appealId: 7, number: '+74950000000', startedAt: at(0), queuedAt: at(20), answeredAt: at(95), endedAt: at(95 + 3725),
    hungUpBy: 'caller', outcome: 'answered', operatorId: '12', choice: 'Жилищные субсидии', digit: '2', missed: [{ operatorId: '9', cause: 'no answer' }],
  });
  t.same(callFacts({ call: summary }), {
    direction: 'in', outcome: 'answered', hungUpBy: 'caller', waitSeconds: 75, talkSeconds: 3725, durationSeconds: 3820, operatorUserId: 12, choice: 'Жилищные субсидии', missed: 1,
  });
  t.equal(formatCallTime(75), '1:15');
  t.equal(formatCallTime(3725), '1:02:05');
  t.equal(callFacts({ call: { ...summary, outcome: 'exploded' } }), null, 'an outcome the console does not know: the stored text is shown instead');
  t.equal(callFacts({ call: { ...summary, waitSeconds: -1 } }), null);
  t.equal(callFacts({ noticeId: 3 }), null);
  t.equal(callFacts(null), null);
  const abandoned = callFacts({ call: { ...summary, outcome: 'abandoned', operatorUserId: null, choice: '', missedBy: undefined } });
  t.match(abandoned, { outcome: 'abandoned', operatorUserId: null, choice: null, missed: 0 });
});
