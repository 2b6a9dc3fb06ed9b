// Reporting throughput: journal events aggregated per second by the reporting consumer (state rows,
// 15-minute and daily counters, position and gaps, one transaction per batch) against the raw journal
// read rate of the same database in the same run (readJournal pages, and the JournalFollower the
// consumer reads through), on SQLite and on MariaDB when it is reachable.
//   node bench/reporting.bench.js [--n 50000] [--batch 500] [--runs 3] [--only sqlite|mysql]
// Build first: npx tsc -b plugins/reporting (or npm run build).
import { Database, appendJournal, coreEntities, coreMigrations, readJournal } from '@okno/core';
import { DEFAULTS, ReportingConsumer, reportingEntities, reportingMigrations } from '@okno/reporting';
import { table, fmt, timed, onDatabases, journalReadRates, median } from './lib.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('n', 50_000));
const BATCH = Number(arg('batch', 500));
const RUNS = Number(arg('runs', 3));
const only = arg('only', null);

/** A realistic mix: contacts queued/answered/completed (one in eight abandoned), operators changing state, appeals registered and answered. */
function* events(n) {
  const start = Date.parse('2026-03-02T06:00:00Z');
  const queues = ['general', 'housing', 'transport', 'social'];
  const channels = ['phone', 'phone', 'phone', 'chat', 'email'];
  let made = 0;
  let t = start;
  for (let c = 0; made < n; c++) {
    t += 2_000;
    const id = `c${c}`;
    const at = (dt) => new Date(t + dt);
    const dims = { contactId: id, queue: queues[c % 4], channel: channels[c % 5], siteId: String(1 + (c % 3)) };
    if (c % 10 === 0) {
      yield { type: 'appeal.registered', aggregateType: 'appeal', aggregateId: c, siteId: 1 + (c % 3), at: at(0), data: { appealId: c, channel: dims.channel, serviceId: 10 + (c % 7), organisationId: 100 + (c % 4), topic: `topic-${c % 9}`, registeredAt: at(0).toISOString(), answerBy: at(30 * 86_400_000).toISOString() } };
      made++;
    }
    yield { type: 'contact.queued', aggregateType: 'contact', aggregateId: id, siteId: 1, at: at(0), data: { ...dims, appealId: c - (c % 10), enqueuedAt: at(0).toISOString(), priority: 0, skills: {} } };
    const waited = (c * 7919) % 60_000;
    if (c % 8 === 7) {
      yield { type: 'contact.abandoned', aggregateType: 'contact', aggregateId: id, siteId: 1, at: at(waited), data: { ...dims, waitedMs: waited } };
      made += 2;
      continue;
    }
    yield { type: 'contact.answered', aggregateType: 'contact', aggregateId: id, siteId: 1, at: at(waited), data: { ...dims, offerId: `o${c}`, operatorId: `op${c % 40}`, waitedMs: waited } };
    yield { type: 'contact.completed', aggregateType: 'contact', aggregateId: id, siteId: 1, at: at(waited + 240_000), data: { ...dims, operatorId: `op${c % 40}`, talkMs: 200_000, holdMs: 10_000, wrapMs: 30_000 } };
    made += 3;
    if (c % 5 === 0) {
      yield { type: 'operator.state_changed', aggregateType: 'operator', aggregateId: `op${c % 40}`, siteId: 1, at: at(waited), data: { operatorId: `op${c % 40}`, siteId: String(1 + (c % 3)), from: 'ready', to: c % 15 === 0 ? 'paused' : 'busy', at: at(waited).toISOString() } };
      made++;
    }
    if (c % 10 === 5) {
      yield { type: 'appeal.answered', aggregateType: 'appeal', aggregateId: c - 5, siteId: 1, at: at(300_000), data: { appealId: c - 5, channel: dims.channel, onTime: true } };
      made++;
    }
  }
}

async function fill(db) {
  let pending = [];
  const flush = async () => {
    const list = pending;
    pending = [];
    await db.transaction(async (em) => {
      for (const e of list) await appendJournal(em, e);
    });
  };
  for (const e of events(N)) {
    pending.push(e);
    if (pending.length >= 1000) await flush();
  }
  if (pending.length) await flush();
}


async function measure(name, url) {
  const db = await new Database({ url, entities: [...coreEntities, ...reportingEntities], migrations: [...coreMigrations, ...reportingMigrations] }).open();
  try {
    await db.migrate();
    await fill(db);
    const total = (await readJournal(db, 0, 1_000_000)).length;
    const rawRates = [];
    const followerRates = [];
    const consumerRates = [];
    for (let r = 0; r < RUNS; r++) {
      const reads = await journalReadRates(db, BATCH);
      rawRates.push(reads.raw);
      followerRates.push(reads.follower);
      const consumer = new ReportingConsumer({ db, timeZone: 'Europe/Moscow', config: { ...DEFAULTS, batch: BATCH, gapTimeoutMs: 0 }, clock: () => new Date('2026-03-03T12:00:00Z') });
      await consumer.init();
      await consumer.rebuild();
      const counted = await timed(() => consumer.catchUp());
      if (consumer.counted < total) throw new Error(`the consumer stopped at ${consumer.counted} of ${total}`);
      consumerRates.push((total / counted.ms) * 1000);
    }
    const raw = median(rawRates);
    const follower = median(followerRates);
    const consumer = median(consumerRates);
    return {
      database: name, events: total, batch: BATCH,
      'read (ev/s)': fmt(raw, 0), 'follower (ev/s)': fmt(follower, 0), 'aggregated (ev/s)': fmt(consumer, 0),
      'aggregated / read': fmt(consumer / raw, 3), 'aggregated / follower': fmt(consumer / follower, 3),
    };
  } finally {
    await db.close();
  }
}

const rows = await onDatabases(only, 'rep', measure);
console.log(`Reporting consumer vs raw journal reads (median of ${RUNS} runs; the same events, the same database, the same run)`);
console.log(table(rows));
