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
  const events = day('2026-11-24');
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
});
