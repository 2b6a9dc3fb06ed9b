/**
 * The consumer on a synthetic day with known answers, through the real journal table, on SQLite and
 * MariaDB: every figure against the hand-computed one; a restart and a replay from zero give the same
 * aggregates; each event counts once when delivered twice or by two consumers at once; a late event
 * after a sequence gap counts once, also after a restart; new definitions rebuild.
 */
import t from 'tap';
import { readJournal, lastJournalSeq, type Database } from '@okno/core';
import { DEFAULTS, type ReportingConfig } from './config.js';
import { ReportingConsumer } from './consumer.js';
import { ReportingQueries } from './queries.js';
import { databaseMatrix, openReportingDb } from './test-support/databases.js';
import { DAY, EXPECTED, NOW, TIME_ZONE, at, writeSyntheticDay } from './test-support/synthetic-day.js';
import { expectFigures, snapshot } from './test-support/figures.js';
import { quoter } from './sql.js';

const config = (over: Partial<ReportingConfig> = {}): ReportingConfig => ({ ...DEFAULTS, gapTimeoutMs: 0, ...over });

function consumerOn(db: Database, over: Partial<ReportingConfig> = {}, clock = () => new Date(NOW)) {
  return new ReportingConsumer({ db, timeZone: TIME_ZONE, config: config(over), clock });
}

const dayStart = at('00:00:00');
const dayEnd = at('00:00:00', '2026-03-03');

for (const m of await databaseMatrix()) {
  t.test(`the synthetic day's figures on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openReportingDb(tdb.url);
    t.teardown(() => db.close());
    await writeSyntheticDay(db);
    const consumer = consumerOn(db);
    await consumer.catchUp();
    t.equal(consumer.counted, await lastJournalSeq(db), 'the whole journal is counted');
    const q = new ReportingQueries(db, consumer.time, 20);

    const [all] = await q.contactTotals(dayStart, dayEnd, 'all');
    expectFigures(t, all?.figures as unknown as Record<string, unknown>, EXPECTED.contacts.all, 'contacts');
    for (const [dim, expected] of [['channel', EXPECTED.contacts.byChannel], ['queue', EXPECTED.contacts.byQueue], ['site', EXPECTED.contacts.bySite], ['service', EXPECTED.contacts.byService]] as const) {
      const rows = await q.contactTotals(dayStart, dayEnd, dim);
      t.same(rows.map((r) => r.key).sort(), Object.keys(expected).sort(), `${dim}: the groups`);
      for (const [key, figures] of Object.entries(expected)) expectFigures(t, rows.find((r) => r.key === key)?.figures as unknown as Record<string, unknown>, figures, `${dim} ${key}`);
    }

    for (const [size, expected] of [[15, EXPECTED.contacts.intervals15], [30, EXPECTED.contacts.intervals30], [60, EXPECTED.contacts.intervals60]] as const) {
      const rows = await q.intervals({ from: dayStart, to: dayEnd, size, groupBy: 'all' });
      for (const [hm, figures] of Object.entries(expected)) {
        const row = rows.find((r) => Date.parse(r.start) === at(`${hm}:00`));
        expectFigures(t, row as unknown as Record<string, unknown>, figures, `${size}-minute interval ${hm}`);
      }
    }
    const filled = await q.intervals({ from: dayStart, to: dayEnd, size: 60, groupBy: 'queue', key: 'chat', fill: true });
    t.equal(filled.length, 24, 'a filled day of hours for one queue');
    t.equal(filled.reduce((s, r) => s + r.offered, 0), 1, 'with the one chat');
    t.equal(filled[0]?.start, '2026-03-02T00:00:00+03:00', 'local hours, with the offset');

    const live = await q.live(NOW);
    const liveAll = live.groups.all[0]!;
    t.equal(liveAll.waitingNow, EXPECTED.live.waitingNow, 'waiting now');
    t.equal(liveAll.longestWaitSeconds, EXPECTED.live.longestWaitSeconds, 'longest wait now');
    t.same(liveAll.operators, EXPECTED.live.operators, 'operators by state now');
    t.ok(Math.abs((liveAll.today.occupancy ?? NaN) - EXPECTED.live.occupancyToday) < 1e-12, 'occupancy today includes the time in the current state');
    expectFigures(t, liveAll.today as unknown as Record<string, unknown>, { offered: 8, answered: 5, serviceLevel: 0.5 }, 'live today');
    expectFigures(t, liveAll.interval as unknown as Record<string, unknown>, { offered: 0, occupancy: null }, 'live quarter hour at 18:00:00 (nothing yet)');
    const later = (await q.live(NOW + 300_000)).groups.all[0]!;
    expectFigures(t, later.interval as unknown as Record<string, unknown>, { offered: 0, occupancy: 0 }, 'live quarter hour at 18:05 (op2 ready 5 min)');
    t.equal(later.longestWaitSeconds, 900, 'the longest wait grows with the clock');
    t.equal(live.groups.queue.find((g) => g.key === 'general')?.waitingNow, 1, 'waiting per queue');
    t.same(live.groups.site.find((g) => g.key === '2')?.operators, { ready: 1, busy: 0, wrap_up: 0, paused: 0 }, 'operators per site');

    const c = await q.compliance({ fromDate: DAY, toDate: DAY, groupBy: 'topic', nowMs: NOW });
    expectFigures(t, c.total as unknown as Record<string, unknown>, EXPECTED.appeals.all, 'appeals');
    for (const [key, figures] of Object.entries(EXPECTED.appeals.byTopic)) expectFigures(t, c.rows.find((r) => r.key === key) as unknown as Record<string, unknown>, figures, `topic ${key}`);
    t.same(c.redirections.map(({ redirectedOnTimeShare: _, ...r }) => r), EXPECTED.appeals.redirections, 'redirections between organisations');
    for (const [groupBy, expected] of [['service', EXPECTED.appeals.byService], ['channel', EXPECTED.appeals.byChannel]] as const) {
      const rows = (await q.compliance({ fromDate: DAY, toDate: DAY, groupBy, nowMs: NOW })).rows;
      for (const [key, figures] of Object.entries(expected)) expectFigures(t, rows.find((r) => r.key === key) as unknown as Record<string, unknown>, figures, `${groupBy} ${key}`);
    }
    for (const [date, figures] of Object.entries(EXPECTED.appeals.before)) {
      const [row] = await q.appealTotals(date, date, 'all');
      expectFigures(t, row?.figures as unknown as Record<string, unknown>, figures, `appeals on ${date}`);
    }
    const summary = await q.dailySummary(DAY, NOW);
    t.equal(summary.appeals.total.answeredOnTimeShare, 1, 'summary: answered on time');
    t.equal(summary.contacts.total.serviceLevel, 0.5, 'summary: service level');
    t.same(summary.appeals.byTopic.map((r) => r.key), ['-', 'Транспорт', 'ЖКХ'].sort((a, b) => a.localeCompare(b)), 'summary: topics');
  });

  t.test(`a restart and a replay from zero give identical figures on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openReportingDb(tdb.url);
    t.teardown(() => db.close());
    await writeSyntheticDay(db);
    const first = consumerOn(db, { batch: 7 });
    await first.step();
    await first.step();
    await first.step();
    t.equal(first.counted, 21, 'stopped part-way');
    const restarted = consumerOn(db, { batch: 7 });
    await restarted.catchUp();
    const afterRestart = await snapshot(db);
    t.ok(afterRestart.reporting_intervals!.length > 20, 'there are figures');

    await restarted.rebuild();
    t.same((await snapshot(db)).reporting_intervals, [], 'a rebuild empties the aggregates');
    await restarted.catchUp();
    t.same(await snapshot(db), afterRestart, 'replayed from zero: identical');

    const bigBatches = consumerOn(db, { batch: 1000 });
    await bigBatches.rebuild();
    await bigBatches.catchUp();
    t.same(await snapshot(db), afterRestart, 'whatever the batch size: identical');
  });

  t.test(`each event counts once on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openReportingDb(tdb.url);
    t.teardown(() => db.close());
    await writeSyntheticDay(db);
    const consumer = consumerOn(db);
    await consumer.catchUp();
    const once = await snapshot(db);
    const everything = await readJournal(db, 0, 1000);
    t.equal(await consumer.apply(everything), 0, 'delivered again: nothing counts');
    t.equal(await consumer.apply(everything.slice(10, 20)), 0, 'part of it again: nothing counts');
    t.same(await snapshot(db), once, 'the aggregates did not change');

    // Two consumers at once (as if two nodes both thought they held the lease).
    await consumer.rebuild();
    const a = consumerOn(db, { batch: 5 });
    const b = consumerOn(db, { batch: 5 });
    const run = async (c: ReportingConsumer) => {
      for (let i = 0; i < 200 && c.counted < everything.length; i++) await c.step().catch(() => undefined);
    };
    await Promise.all([run(a), run(b)]);
    await a.catchUp();
    t.same(await snapshot(db), once, 'two consumers racing count each event once');
  });

  t.test(`a late event after a sequence gap counts once, also after a restart, on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openReportingDb(tdb.url);
    t.teardown(() => db.close());
    await writeSyntheticDay(db);
    let now = NOW;
    const clock = () => new Date(now);
    const consumer = consumerOn(db, { lateWindowMs: 60_000 }, clock);
    await consumer.catchUp();
    const head = await lastJournalSeq(db);
    const q = quoter(db.kind);
    const insertAt = (seq: number, id: string, hms: string) => db.transaction((em) => em.query(
      `INSERT INTO ${q('journal')} (${['seq', 'at', 'type', 'aggregateType', 'aggregateId', 'siteId', 'actorId', 'data'].map(q).join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [seq, at(hms), 'contact.queued', 'contact', id, 1, null, JSON.stringify({ contactId: id, channel: 'phone', queue: 'general', siteId: '1', enqueuedAt: new Date(at(hms)).toISOString() })],
    ));
    // seq head+2 commits first; head+1 (taken by a transaction still open) commits later.
    await insertAt(head + 2, 'C10', '09:50:00');
    await consumer.catchUp();
    t.equal(consumer.counted, head + 2, 'counted past the gap');
    const offered = async () => (await new ReportingQueries(db, consumer.time, 20).contactTotals(dayStart, dayEnd, 'all'))[0]!.figures.offered;
    t.equal(await offered(), 9, 'the event after the gap counts');

    await insertAt(head + 1, 'C9', '09:49:00');
    const restarted = consumerOn(db, { lateWindowMs: 60_000 }, clock);
    await restarted.step();
    t.equal(await offered(), 10, 'the late event counts, after a restart too');
    await restarted.step();
    t.equal(await restarted.apply(await readJournal(db, head, 10)), 0, 'delivered again: not counted');
    t.equal(await offered(), 10, 'counted once');

    // A gap that stays empty past the late window is forgotten.
    await insertAt(head + 4, 'C12', '09:52:00');
    await restarted.catchUp();
    now += 61_000;
    await restarted.step();
    await insertAt(head + 3, 'C11', '09:51:00');
    await restarted.step();
    t.equal(await offered(), 11, 'an event later than the late window does not count (documented)');
  });

  t.test(`new definitions rebuild the aggregates on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openReportingDb(tdb.url);
    t.teardown(() => db.close());
    await writeSyntheticDay(db);
    await consumerOn(db).catchUp();
    const slower = consumerOn(db, { serviceLevelSeconds: 45 });
    await slower.catchUp();
    const [all] = await new ReportingQueries(db, slower.time, 45).contactTotals(dayStart, dayEnd, 'all');
    t.equal(all?.figures.serviceLevel, 4 / 6, 'SL(45) = C1, C8, C2, C6 of 6');
    t.equal(all?.figures.offered, 8, 'and nothing counted twice');
  });
}
