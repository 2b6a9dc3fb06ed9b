/**
 * Demo history: the same history every time, shaped like a contact centre's (busier Mondays, quiet
 * weekends and holidays, abandons on the phone, none on e-mail), and on a first demo start the core
 * calls the plugin's demo hook so reports show it once counted.
 */
import t from 'tap';
import { BusinessCalendar, SeededRandom, russianCalendarDays, type JournalInput } from '@okno/core';
import { demoDay, type DemoHistoryOptions } from './demo-history.js';
import { caughtUp, startReportingApp } from './test-support/app.js';

const calendar = new BusinessCalendar({ timeZone: 'Europe/Moscow', days: russianCalendarDays() });
const options: DemoHistoryOptions = {
  days: 0, now: new Date('2026-11-29T12:00:00Z'), calendar, citySiteId: 1, okrugSites: [{ id: 2, code: 'cao' }, { id: 3, code: 'sao' }],
};
const day = (date: string, seed = 7) => demoDay(date, options, new SeededRandom(seed));
const count = (events: JournalInput[], type: string, channel?: string) =>
  events.filter((e) => e.type === type && (channel === undefined || e.data?.channel === channel)).length;

t.test('the same seed gives the same day', async (t) => {
  t.same(day('2026-11-23'), day('2026-11-23'));
});

t.test('a Monday is busier than a Sunday and a public holiday is as quiet as a Sunday', async (t) => {
  const monday = count(day('2026-11-23'), 'contact.queued');
  const sunday = count(day('2026-11-22'), 'contact.queued');
  const holiday = count(day('2026-11-04'), 'contact.queued'); // National Unity Day, a Wednesday
  t.ok(monday > 2 * sunday, `Monday ${monday} vs Sunday ${sunday}`);
  t.ok(holiday < monday / 2, `holiday ${holiday} vs Monday ${monday}`);
});

t.test('every contact ends once, after it was queued; phones are abandoned sometimes, e-mail never', async (t) => {
  const events = day('2026-11-24').filter((e) => e.aggregateType === 'contact');
  const byContact = new Map<string, JournalInput[]>();
  for (const e of events) byContact.set(String(e.aggregateId), [...(byContact.get(String(e.aggregateId)) ?? []), e]);
  for (const [id, evs] of byContact) {
    const types = evs.map((e) => e.type).join(',');
    if (types !== 'contact.queued,contact.abandoned' && types !== 'contact.queued,contact.answered,contact.completed') t.fail(`${id}: ${types}`);
    const times = evs.map((e) => e.at!.getTime());
    if (times.some((x, i) => i > 0 && x < times[i - 1]!)) t.fail(`${id}: events out of order`);
  }
  const abandonedPhones = count(events, 'contact.abandoned', 'phone') / count(events, 'contact.queued', 'phone');
  t.ok(abandonedPhones > 0.03 && abandonedPhones < 0.35, `phone abandon rate ${abandonedPhones.toFixed(3)}`);
  t.equal(count(events, 'contact.abandoned', 'email'), 0, 'e-mail waits, it does not hang up');
  const queues = new Set(events.map((e) => e.data?.queue));
  t.same([...queues].sort(), ['city', 'okrug-cao', 'okrug-sao'], 'the routing plugin\'s default queue codes');
});

t.test('operators: one contact at a time, states in order, a break, logged out after their last contact', async (t) => {
  const events = day('2026-11-24');
  const times = events.map((e) => e.at!.getTime());
  t.ok(times.every((x, i) => i === 0 || x >= times[i - 1]!), 'the day is in time order');
  const states = new Map<string, { to: string; at: number }[]>();
  for (const e of events.filter((x) => x.type === 'operator.state_changed')) {
    const list = states.get(String(e.aggregateId)) ?? [];
    const prev = list.at(-1)?.to ?? 'logged_out';
    if (e.data?.from !== prev) t.fail(`${e.aggregateId}: from ${String(e.data?.from)} after ${prev}`);
    list.push({ to: String(e.data?.to), at: e.at!.getTime() });
    states.set(String(e.aggregateId), list);
  }
  t.ok(states.size >= 8, `${states.size} operators worked`);
  /** The operator's state just before `at`. */
  const stateAt = (op: string, at: number) => [...(states.get(op) ?? [])].reverse().find((s) => s.at < at)?.to ?? 'logged_out';
  let checked = 0;
  for (const e of events.filter((x) => x.type === 'contact.answered')) {
    const op = String(e.data?.operatorId);
    const before = stateAt(op, e.at!.getTime());
    // Ready, or just done with the one before (its 'ready' and this 'busy' at the same instant).
    if (before !== 'ready' && !(states.get(op) ?? []).some((s) => s.at === e.at!.getTime() && s.to === 'ready')) t.fail(`${op} was ${before} when given ${e.aggregateId}`);
    checked++;
  }
  t.ok(checked > 300, `${checked} answers checked: each went to a ready operator`);
  for (const [op, list] of states) {
    if (list.filter((s) => s.to === 'paused').length !== (op.endsWith('-next-morning') ? 0 : 1)) t.fail(`${op}: one break in a shift`);
    if (list.at(-1)?.to !== 'logged_out') t.fail(`${op}: ends logged out`);
  }
  const phone = events.filter((e) => e.type === 'contact.answered' && e.data?.channel === 'phone').map((e) => Number(e.data?.waitedMs));
  const asa = phone.reduce((a, b) => a + b, 0) / phone.length / 1000;
  t.ok(asa > 5 && asa < 120, `phone ASA ${asa.toFixed(1)} s: staffed, not idle and not drowning`);
});

t.test('on a first demo start the history is written and counted into the interval reports', async (t) => {
  const app = await startReportingApp({ demoHistoryDays: 7 });
  t.teardown(() => app.stop());
  await caughtUp(app);
  const token = await app.token('supervisor');
  const today = new Date(app.app.core.clock().getTime());
  const from = new Date(today.getTime() - 8 * 86_400_000).toISOString().slice(0, 10);
  const r = await app.req('GET', `/api/reporting/intervals?from=${from}&size=60&groupBy=channel`, { token });
  t.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  const offered = (channel: string) => (r.body.rows as { key: string; offered: number }[]).filter((x) => x.key === channel).reduce((s, x) => s + x.offered, 0);
  t.ok(offered('phone') > 7 * 100, `a week of phone calls: ${offered('phone')}`);
  t.ok(offered('email') > 7 * 20, `and e-mail: ${offered('email')}`);
  const all = await app.req('GET', `/api/reporting/intervals?from=${from}&size=60`, { token });
  const busy = (all.body.rows as { occupancy: number | null; start: string }[]).filter((x) => x.occupancy !== null);
  t.ok(busy.length > 7 * 10, `occupancy in ${busy.length} hours of the week`);
  const outside = busy.filter((x) => x.occupancy! < 0 || x.occupancy! > 1);
  t.same(outside, [], 'between 0 and 1');
});
