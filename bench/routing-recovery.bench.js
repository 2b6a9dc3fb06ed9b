// Routing recovery: how long a routing start takes to rebuild its contact book from the journal, and
// how much memory the book holds, against the raw journal read rate of the same database in the same
// run (ratios, no timed assertions). On SQLite and on MariaDB when it is reachable.
//
//   node bench/routing-recovery.bench.js [--n 200000] [--days 120] [--tail 2000] [--runs 3] [--only sqlite|mysql]
//                                        [--book-before contact-book.js]
//
// The journal: N events of a contact centre's mix over `days` days of journal time — e-mail and
// portal appeals (registered, queued, offered, answered, assigned, answered, closed; one in five
// written to again after the answer: a follow-up), faxes (received, queued, registered later), chats
// (registered, opened, offered, answered, joined, closed), calls (queued, offered, answered or
// abandoned, completed; half with a phone appeal registered and closed), operators changing state.
// The journal ends in the middle of the day's work: what is in progress then still waits (and goes on
// in the tail written after the checkpoint).
//
// Measured:
//  - raw reads: readJournal pages of 1000, and the JournalFollower routing reads through (ev/s);
//  - the contact book alone replaying the journal (ev/s), its size at each quarter of the journal
//    (appeals remembered against appeals seen: what it kept before it forgot) and its heap;
//  - a routing start (RoutingRuntime.start: settings, replay, restore) with no checkpoint, then a
//    checkpoint written (ms, size), `tail` more events, and a start from the checkpoint.
// `--book-before`: another build of contact-book.ts (e.g. the one before it forgot appeals) replays
// the same journal too, for its heap beside this one's:
//   mkdir -p /tmp/book-before && git show 925f338:plugins/routing/src/contact-book.ts > /tmp/book-before/contact-book.ts
//   npx tsc /tmp/book-before/contact-book.ts --outDir /tmp/book-before --module nodenext --target es2023 --noCheck
// Build first: npx tsc -p plugins/routing (or npm run build).
import v8 from 'node:v8';
import vm from 'node:vm';
import { ServiceBroker } from 'moleculer';
import { Database, JournalFollower, Site, appendJournal, coreEntities, coreMigrations, lastJournalSeq } from '@okno/core';
import { ContactBook, DEFAULTS, RoutingRuntime, RoutingSettings, routingEntities, routingMigrations } from '@okno/routing';
import { arg, table, fmt, timed, onDatabases, journalReadRates, median } from './lib.js';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc');

const N = Number(arg('n', 200_000));
const DAYS = Number(arg('days', 120));
const TAIL = Number(arg('tail', 2_000));
const RUNS = Number(arg('runs', 3));
const only = arg('only', null);
const bookBefore = arg('book-before', null);
const BookBefore = bookBefore ? (await import(new URL(bookBefore, `file://${process.cwd()}/`).href)).ContactBook : null;
const FOLLOW_UP_DAYS = DEFAULTS.followUpDays;
const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.parse('2026-01-12T06:00:00Z');
const NODE = 'bench-node';

const log = (...xs) => console.log(...xs);
const mb = (bytes) => fmt(bytes / 1048576, 1);

/** Park–Miller: the same journal every run. */
const prng = (seed) => ((x) => () => (x = (x * 16807) % 2147483647) / 2147483647)(seed);

/** One case's events: [msAfterStart, type, aggregateType, aggregateId, data]. */
function caseEvents(k, rand, sites) {
  const ev = [];
  const add = (dt, type, aggregateType, aggregateId, data) => ev.push([dt, type, aggregateType, String(aggregateId), data]);
  const op = String(1 + Math.floor(rand() * 200));
  const site = sites[k % sites.length];
  const appealId = 1 + k;
  const contact = (id, extra = {}) => ({ contactId: id, nodeId: NODE, ...extra });
  const r = rand();
  if (r < 0.35) {
    const channel = rand() < 0.7 ? 'email' : 'portal';
    const c = `appeal-${appealId}`;
    add(0, 'appeal.registered', 'appeal', appealId, { appealId, channel, serviceId: 1 + (k % 40), organisationId: 1 + (k % 12), priority: 0 });
    add(200, 'contact.queued', 'contact', c, contact(c, { appealId, channel, queueId: '1', origin: 'journal', enqueuedAt: new Date(0).toISOString() }));
    const wait = (5 + rand() * 240) * MIN;
    add(wait - 20_000, 'contact.offered', 'contact', c, contact(c, { operatorId: op, offerId: `o${k}` }));
    add(wait, 'contact.answered', 'contact', c, contact(c, { operatorId: op, offerId: `o${k}`, appealId }));
    add(wait + 500, 'appeal.assigned', 'appeal', appealId, { appealId, userId: Number(op) });
    const answerAt = wait + (0.2 + rand() * 5) * DAY;
    add(answerAt - DAY / 8, 'appeal.note_added', 'appeal', appealId, { appealId });
    add(answerAt, 'appeal.answered', 'appeal', appealId, { appealId, onTime: true });
    add(answerAt + 1000, 'contact.completed', 'contact', c, contact(c, { operatorId: op }));
    let closeAt = answerAt + (1 + rand() * 10) * DAY;
    if (rand() < 0.2) {
      const at = answerAt + (1 + rand() * 20) * DAY;
      add(at, 'appeal.message_received', 'appeal', appealId, { appealId, channel, kind: 'message' });
      closeAt = Math.max(closeAt, at + DAY);
    }
    add(closeAt, 'appeal.closed', 'appeal', appealId, { appealId, outcome: 'answered' });
  } else if (r < 0.45) {
    const c = `appeal-${appealId}`;
    add(0, 'appeal.received', 'appeal', appealId, { appealId, channel: 'fax', priority: 0 });
    add(200, 'contact.queued', 'contact', c, contact(c, { appealId, channel: 'fax', queueId: '1', origin: 'journal' }));
    const wait = (10 + rand() * 600) * MIN;
    add(wait, 'contact.answered', 'contact', c, contact(c, { operatorId: op, appealId }));
    add(wait + 60_000, 'appeal.registered', 'appeal', appealId, { appealId, channel: 'fax', serviceId: 1 + (k % 40), organisationId: 1 + (k % 12) });
    add(wait + 70_000, 'appeal.assigned', 'appeal', appealId, { appealId, userId: Number(op) });
    const answerAt = wait + (1 + rand() * 10) * DAY;
    add(answerAt, 'appeal.answered', 'appeal', appealId, { appealId });
    add(answerAt + 1000, 'contact.completed', 'contact', c, contact(c, { operatorId: op }));
    add(answerAt + 3 * DAY, 'appeal.closed', 'appeal', appealId, { appealId });
  } else if (r < 0.6) {
    const chatId = `chat-k${k}`;
    const c = `chat-${chatId}`;
    add(0, 'appeal.registered', 'appeal', appealId, { appealId, channel: 'chat', serviceId: 1 + (k % 40) });
    add(100, 'chat.opened', 'chat', chatId, { appealId, chatId, siteId: site });
    add(300, 'contact.queued', 'contact', c, contact(c, { appealId, channel: 'chat', queueId: '1', origin: 'journal' }));
    const wait = (10 + rand() * 300) * 1000;
    if (rand() < 0.1) {
      add(wait, 'chat.closed', 'chat', chatId, { appealId, chatId, by: 'citizen' });
      add(wait + 200, 'contact.abandoned', 'contact', c, contact(c));
      add(wait + DAY, 'appeal.closed', 'appeal', appealId, { appealId });
      return ev;
    }
    add(wait - 5000, 'contact.offered', 'contact', c, contact(c, { operatorId: op }));
    add(wait, 'contact.answered', 'contact', c, contact(c, { operatorId: op, appealId }));
    add(wait + 300, 'chat.joined', 'chat', chatId, { appealId, chatId, operatorId: Number(op) });
    add(wait + 300, 'appeal.assigned', 'appeal', appealId, { appealId, userId: Number(op) });
    const end = wait + (2 + rand() * 20) * MIN;
    add(end, 'chat.closed', 'chat', chatId, { appealId, chatId, by: 'operator' });
    add(end + 200, 'contact.completed', 'contact', c, contact(c, { operatorId: op }));
    add(end + 600_000, 'appeal.closed', 'appeal', appealId, { appealId });
  } else {
    const c = `call-${k}`;
    const withAppeal = rand() < 0.5;
    add(0, 'contact.queued', 'contact', c, contact(c, { channel: 'voice', queueId: '1', origin: 'enqueue', enqueuedAt: 0, priority: 0, ...(withAppeal ? { appealId } : {}) }));
    const wait = (5 + rand() * 200) * 1000;
    add(wait - 15_000, 'contact.offered', 'contact', c, contact(c, { operatorId: op }));
    if (rand() < 0.1) {
      add(wait, 'contact.abandoned', 'contact', c, contact(c));
      return ev;
    }
    add(wait, 'contact.answered', 'contact', c, contact(c, { operatorId: op, ...(withAppeal ? { appealId } : {}) }));
    add(wait + 1000, 'operator.state_changed', 'operator', op, { operatorId: op, from: 'ready', to: 'busy', nodeId: NODE });
    const end = wait + (1 + rand() * 8) * MIN;
    if (withAppeal) {
      add(wait + 30_000, 'appeal.registered', 'appeal', appealId, { appealId, channel: 'phone', serviceId: 1 + (k % 40) });
      add(end, 'appeal.closed', 'appeal', appealId, { appealId, outcome: 'consulted' });
    }
    add(end + 100, 'contact.completed', 'contact', c, contact(c, { operatorId: op }));
    add(end + 30_000, 'operator.state_changed', 'operator', op, { operatorId: op, from: 'wrap_up', to: 'ready', nodeId: NODE });
  }
  return ev;
}

/**
 * The journal up to `days` after T0 — about `n` rows — and the `tail` rows that follow it (cases go on
 * past the cut: what is in progress then continues in the tail), sorted by time.
 */
function journalRows(n, days, tail, sites) {
  const rand = prng(7);
  const sample = prng(1);
  let sampled = 0;
  for (let i = 0; i < 2000; i++) sampled += caseEvents(i, sample, sites).length;
  const perDay = n / (sampled / 2000) / days;
  const cut = T0 + days * DAY;
  const span = days + Math.max(1, (tail / n) * days * 1.5);
  const cases = Math.round(perDay * span);
  const rows = [];
  for (let i = 0; i < cases; i++) {
    const start = T0 + (i / perDay) * DAY;
    for (const [dt, type, aggregateType, aggregateId, data] of caseEvents(i, rand, sites)) {
      if (type === 'contact.queued' && data.enqueuedAt !== undefined) data.enqueuedAt = new Date(start).toISOString();
      rows.push({ at: new Date(start + dt), type, aggregateType, aggregateId, siteId: sites[i % sites.length], actorId: null, data });
    }
  }
  rows.sort((a, b) => a.at - b.at);
  const before = rows.filter((r) => r.at.getTime() <= cut);
  return { rows: before.slice(0, n), tail: rows.slice(before.length, before.length + tail), cases: Math.round(perDay * days) };
}

async function fill(db, rows, label) {
  const step = Math.max(1, Math.floor(rows.length / 10));
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    await db.transaction(async (em) => {
      for (const e of batch) await appendJournal(em, e);
    });
    const done = Math.min(rows.length, i + 1000);
    if (Math.floor(done / step) !== Math.floor(i / step) || done === rows.length) log(`  ${label}: ${done.toLocaleString('en')} of ${rows.length.toLocaleString('en')} rows (${fmt((performance.now() - t0) / 1000, 0)} s)`);
  }
}

const silent = { info() {}, debug() {}, trace() {}, warn: (o, m) => console.warn('  warn:', m ?? o, typeof o === 'object' ? JSON.stringify(o) : ''), error: (o, m) => console.error('  error:', m ?? o), fatal() {} };

function runtimeOn(db, broker) {
  const core = { db, broker, clock: () => new Date(), deadlines: {}, journalCommitted() {}, logger: silent, config: {}, attachments: null };
  return new RoutingRuntime(core, { ...DEFAULTS, checkpointSeconds: 0 }, silent);
}

async function setUp(db) {
  await db.migrate();
  const sites = await db.transaction(async (em) => {
    const city = await em.save(Site, Object.assign(new Site(), { code: 'msk', name: 'Москва', kind: 'city', parentId: null, active: true }));
    const out = [city.id];
    for (const code of ['cao', 'sao', 'zao']) out.push((await em.save(Site, Object.assign(new Site(), { code, name: code, kind: 'okrug', parentId: city.id, active: true }))).id);
    return out;
  });
  const settings = await new RoutingSettings(db).load();
  await settings.seedDefaults(Date.now());
  return sites;
}

async function measure(name, url) {
  const db = await new Database({ url, entities: [...coreEntities, ...routingEntities], migrations: [...coreMigrations, ...routingMigrations] }).open();
  const broker = new ServiceBroker({ nodeID: 'bench-routing', logger: false });
  try {
    const sites = await setUp(db);
    const { rows, tail, cases } = journalRows(N, DAYS, TAIL, sites);
    log(`${name}: ${rows.length.toLocaleString('en')} events, ${cases.toLocaleString('en')} cases over ${DAYS} days of journal time`);
    await fill(db, rows, 'writing the journal');
    const total = (await lastJournalSeq(db));

    // Raw reads and the follower.
    const reads = [];
    for (let r = 0; r < RUNS; r++) reads.push(await journalReadRates(db, 1000));
    const rawRate = median(reads.map((x) => x.raw));
    const followerRate = median(reads.map((x) => x.follower));
    log(`  raw reads ${fmt(rawRate, 0)} ev/s, follower ${fmt(followerRate, 0)} ev/s`);

    // The book alone: its growth over the journal, its heap.
    const settings = await new RoutingSettings(db).load();
    const heapNow = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    /** Replays the journal into a new book (kept in `holder`); the heap with it. */
    const replay = async (Book, label, holder) => {
      const book = new Book({ nodeId: 'bench-routing', route: (f) => settings.route(f), siteChain: (s) => settings.siteChain(s), followUpMs: FOLLOW_UP_DAYS * DAY });
      const seen = new Set();
      const growth = [];
      const run = await timed(async () => {
        const f = new JournalFollower(db, { afterSeq: 0, batch: 1000 });
        let n = 0;
        for (let page = await f.next(); page.length; page = await f.next()) {
          for (const e of page) {
            book.apply(e);
            if (e.aggregateType === 'appeal' && (e.type === 'appeal.registered' || e.type === 'appeal.received')) seen.add(e.aggregateId);
            n++;
            if (n % Math.ceil(total / 4) === 0 || n === total) {
              const size = book.size?.();
              growth.push({ book: label, quarter: `${growth.length + 1}/4`, events: n, 'journal day': fmt((Date.parse(e.at) - T0) / DAY, 0), 'appeals seen': seen.size, 'appeals remembered': size?.appeals ?? '(all)', 'open contacts': size?.entries ?? '' });
            }
          }
        }
        return n;
      });
      seen.clear();
      holder.book = book;
      return { withBook: heapNow(), rate: (run.result / run.ms) * 1000, size: book.size ? JSON.stringify(book.size()) : '', growth };
    };
    /**
     * What a book retains: the heap with it less the heap once it is dropped — measured out here,
     * where no frame still holds the book (a dead register would keep it alive through gc()).
     */
    const measureBook = async (Book, label) => {
      const holder = { book: null };
      // A first replay, not measured: the first book of a class stays reachable from V8's caches for a while.
      await replay(Book, label, holder);
      holder.book = null;
      const r = await replay(Book, label, holder);
      holder.book = null;
      await new Promise((resolve) => setImmediate(resolve));
      const heap = r.withBook - heapNow();
      log(`  the book (${label}) alone: ${fmt(r.rate, 0)} ev/s, heap ${mb(heap)} MB${r.size ? `, ${r.size}` : ''}`);
      log(table(r.growth));
      return { heap, rate: r.rate };
    };
    const { heap: bookHeap, rate: bookRate } = await measureBook(ContactBook, 'this build');
    const before = BookBefore ? await measureBook(BookBefore, bookBefore) : null;

    // A routing start from the whole journal, a checkpoint, more events, a start from the checkpoint.
    log('  routing start, no checkpoint…');
    const full = runtimeOn(db, broker);
    await full.start();
    const fullRec = full.recovery;
    const saved = await timed(() => full.saveCheckpoint());
    const cpChars = (await db.read((em) => em.query('SELECT SUM(LENGTH(data)) AS n, COUNT(*) AS parts FROM routing_checkpoints')))[0];
    await full.stop();
    log(`  checkpoint written in ${fmt(saved.ms, 0)} ms (${saved.result ? 'written' : 'NOT written'}), ${mb(Number(cpChars.n))} MB of text in ${cpChars.parts} part(s)`);
    await fill(db, tail, `${tail.length} more events after the checkpoint`);
    log('  routing start from the checkpoint…');
    const fromCp = runtimeOn(db, broker);
    await fromCp.start();
    const cpRec = fromCp.recovery;
    await fromCp.stop();
    if (cpRec.from !== 'checkpoint') throw new Error(`the second start did not use the checkpoint: ${JSON.stringify(cpRec)}`);
    const fullRate = (fullRec.replayed / fullRec.ms) * 1000;
    return {
      summary: {
        database: name, events: total.toLocaleString('en'), 'read ev/s': fmt(rawRate, 0), 'follower ev/s': fmt(followerRate, 0), 'book ev/s': fmt(bookRate, 0),
        'full start ms': fullRec.ms, 'start ev/s': fmt(fullRate, 0), 'start / read': fmt(fullRate / rawRate, 2), 'start / follower': fmt(fullRate / followerRate, 2),
        'checkpoint ms': fmt(saved.ms, 0), 'cp start ms': cpRec.ms, 'cp replayed': cpRec.replayed, 'cp / full': fmt(cpRec.ms / fullRec.ms, 3),
        'book MB': mb(bookHeap), ...(before ? { 'before MB': mb(before.heap) } : {}), 'waiting': fullRec.restored,
      },
    };
  } finally {
    await db.close();
  }
}

const rows = (await onDatabases(only, 'rrec', measure)).map((r) => r.summary);
log(`\nRouting recovery against raw journal reads (the same events, the same database, the same run; reads: median of ${RUNS})`);
log(table(rows));
