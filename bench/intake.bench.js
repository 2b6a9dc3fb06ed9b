// Intake throughput: appeals per second through `appeals.intake` (applicant, appeal, interaction,
// notice and journal rows in one transaction) against the raw insert rate of the same driver with
// the same durability, measured in the same run, on SQLite and on MariaDB.
//   node bench/intake.bench.js [--n 1500] [--concurrency 8] [--rounds 3] [--only sqlite|mysql]
// The three measurements (raw inserts, the same writes as plain SQL, intake) take turns for --rounds
// rounds on the same databases and the table shows the medians, the ratios being medians of each
// round's own ratio: on a shared machine the time a sync to disk takes drifts several-fold within a
// minute, and measuring the rates far apart in time made a single run's ratio mostly noise.
// Each round sends new messages from 500 new applicants, so every round has the same mix (a third of
// the appeals from new applicants, the rest from applicants known by their address).
// The plain transaction sets READ COMMITTED once per connection, as the core does, and sets the number
// on its own appeal row (it used to update the row whose id equalled the applicant's, under
// concurrency another transaction's, which made the MariaDB baseline wait on locks and deadlock).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { OknoApp, loadConfig, systemActor } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, freePort } from '@okno/testkit';
import { throughput, table, fmt, percentile } from './lib.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('n', 1500));
const ROUNDS = Number(arg('rounds', 3));
const C = Number(arg('concurrency', 8));
const only = arg('only', null);

async function rawSqlite(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE raw (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT, body TEXT, at INTEGER)');
  const ins = db.prepare('INSERT INTO raw (channel, body, at) VALUES (?, ?, ?)');
  return { rate: () => throughput(N, 1, async (i) => void ins.run('email', `body ${i}`, Date.now())), close: async () => db.close() };
}

// The same writes intake makes for a new appeal (applicant, contact, appeal + its number, interaction,
// notice, two journal rows) as plain SQL in one transaction: what the driver does with no framework.
const SAME_WRITES = [
  'INSERT INTO a (name, at) VALUES (?, ?)', 'INSERT INTO c (aid, v, n) VALUES (?, ?, ?)', 'INSERT INTO p (aid, ch, st, at, due) VALUES (?, ?, ?, ?, ?)',
  'UPDATE p SET reg = ? WHERE id = ?', 'INSERT INTO i (pid, ch, ext, body, at) VALUES (?, ?, ?, ?, ?)', 'INSERT INTO j (t, agg, data, at) VALUES (?, ?, ?, ?)',
  'INSERT INTO n (pid, k, st, at) VALUES (?, ?, ?, ?)', 'INSERT INTO j (t, agg, data, at) VALUES (?, ?, ?, ?)',
];
const SAME_TABLES = (auto) => [
  `CREATE TABLE a (id INTEGER PRIMARY KEY ${auto}, name VARCHAR(300), at BIGINT)`, `CREATE TABLE c (id INTEGER PRIMARY KEY ${auto}, aid INT, v VARCHAR(400), n VARCHAR(400))`,
  `CREATE TABLE p (id INTEGER PRIMARY KEY ${auto}, aid INT, ch VARCHAR(32), st VARCHAR(16), at BIGINT, due BIGINT, reg VARCHAR(32))`,
  `CREATE TABLE i (id INTEGER PRIMARY KEY ${auto}, pid INT, ch VARCHAR(32), ext VARCHAR(255), body TEXT, at BIGINT)`,
  `CREATE TABLE j (seq INTEGER PRIMARY KEY ${auto}, t VARCHAR(64), agg VARCHAR(64), data TEXT, at BIGINT)`, `CREATE TABLE n (id INTEGER PRIMARY KEY ${auto}, pid INT, k VARCHAR(16), st VARCHAR(16), at BIGINT)`,
];
// Arguments of SAME_WRITES for message i: the contact and the appeal name the applicant (aid), the
// rest the appeal (pid), as intake's rows do.
const sameArgs = (i, aid, pid) => [[`Заявитель ${i}`, Date.now()], [aid, `a${i}@example.ru`, `a${i}@example.ru`], [aid, 'email', 'registered', Date.now(), Date.now()], [`26-${i}`, pid], [pid, 'email', `<b${i}>`, `Текст ${i}`, Date.now()], ['appeal.registered', String(pid), '{}', Date.now()], [pid, 'received', 'pending', Date.now()], ['notice.recorded', String(pid), '{}', Date.now()]];

async function sameWritesSqlite(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  for (const sql of SAME_TABLES('AUTOINCREMENT')) db.exec(sql);
  const stmts = SAME_WRITES.map((sql) => db.prepare(sql));
  const tx = db.transaction((i) => {
    const aid = Number(stmts[0].run(...sameArgs(i, 0, 0)[0]).lastInsertRowid);
    stmts[1].run(...sameArgs(i, aid, 0)[1]);
    const pid = Number(stmts[2].run(...sameArgs(i, aid, 0)[2]).lastInsertRowid);
    sameArgs(i, aid, pid).slice(3).forEach((a, k) => stmts[k + 3].run(...a));
  });
  return { rate: () => throughput(N, 1, async (i) => void tx(i)), close: async () => db.close() };
}

function mysqlPool(url) {
  const u = new URL(url);
  return mysql.createPool({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: u.password, database: u.pathname.slice(1), connectionLimit: C });
}

async function sameWritesMysql(url) {
  const pool = mysqlPool(url);
  for (const sql of SAME_TABLES('AUTO_INCREMENT')) await pool.query(`${sql} ENGINE=InnoDB`);
  const readCommitted = new WeakSet();
  const rate = () => throughput(N, C, async (i) => {
    const conn = await pool.getConnection();
    try {
      // READ COMMITTED (set once per connection) and a retry on deadlock, as the core's own transactions do.
      if (!readCommitted.has(conn.connection)) {
        await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        readCommitted.add(conn.connection);
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await conn.beginTransaction();
          const aid = (await conn.execute(SAME_WRITES[0], sameArgs(i, 0, 0)[0]))[0].insertId;
          await conn.execute(SAME_WRITES[1], sameArgs(i, aid, 0)[1]);
          const pid = (await conn.execute(SAME_WRITES[2], sameArgs(i, aid, 0)[2]))[0].insertId;
          for (const [k, a] of sameArgs(i, aid, pid).slice(3).entries()) await conn.execute(SAME_WRITES[k + 3], a);
          await conn.commit();
          return;
        } catch (err) {
          await conn.rollback();
          if (err.code !== 'ER_LOCK_DEADLOCK' || attempt > 3) throw err;
        }
      }
    } finally {
      conn.release();
    }
  });
  return { rate, close: () => pool.end() };
}

async function rawMysql(url) {
  const pool = mysqlPool(url);
  await pool.query('CREATE TABLE raw (id INT AUTO_INCREMENT PRIMARY KEY, channel VARCHAR(32), body TEXT, at BIGINT) ENGINE=InnoDB');
  return { rate: () => throughput(N, C, (i) => pool.execute('INSERT INTO raw (channel, body, at) VALUES (?, ?, ?)', ['email', `body ${i}`, Date.now()])), close: () => pool.end() };
}

async function intakeApp(dbUrl, dataDir) {
  const config = loadConfig({ env: {}, cwd: dataDir, overrides: { dataDir, db: { url: dbUrl }, http: { port: await freePort() }, log: { level: 'warn' }, console: { enabled: false }, demo: false } });
  const app = await OknoApp.start({ config });
  const { saveSite } = await import('../core/dist/domain/sites.js');
  await saveSite(app.db, systemActor('bench'), { code: 'msk', name: 'Москва', kind: 'city' });
  const call = (round, i) => app.broker.call('appeals.intake', {
    channel: 'email', messageId: `<bench-${round}-${i}@okno>`,
    applicant: { fullName: `Заявитель ${i}`, contacts: [{ kind: 'email', value: `a${round}-${i % 500}@example.ru` }] },
    subject: `Обращение ${i}`, body: `Текст обращения ${i}`, replyTo: { channel: 'email', address: `a${round}-${i % 500}@example.ru` },
  });
  for (let i = 0; i < 50; i++) await call('warm', i);
  let round = 0;
  return { rate: () => { const r = round++; return throughput(N, C, (i) => call(r, i)); }, close: () => app.stop() };
}

const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);

/** Rounds of raw, same writes and intake in turn; medians of the rates and of each round's ratios. */
async function measure(name, setups) {
  const [raw, same, intake] = setups;
  const runs = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      process.stdout.write(`${name} round ${r + 1}/${ROUNDS}: raw inserts… `);
      const x = { raw: await raw.rate() };
      process.stdout.write(`${fmt(x.raw)}/s; the same writes in one plain transaction… `);
      x.same = await same.rate();
      process.stdout.write(`${fmt(x.same)}/s; intake (${N}, concurrency ${C})… `);
      x.intake = await intake.rate();
      console.log(`${fmt(x.intake)}/s`);
      runs.push(x);
    }
  } finally {
    for (const s of setups) await s.close();
  }
  const m = (f) => median(runs.map(f));
  return {
    database: name, 'raw inserts/s': fmt(m((x) => x.raw)), 'same writes, plain SQL tx/s': fmt(m((x) => x.same)), 'intake appeals/s': fmt(m((x) => x.intake)),
    'ratio to raw insert': fmt(m((x) => x.intake / x.raw), 2), 'ratio to plain tx': fmt(m((x) => x.intake / x.same), 2),
  };
}

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'okno-bench-'));
try {
  if (only !== 'mysql') {
    console.log(`SQLite (WAL, synchronous=FULL): raw inserts one at a time, intake with concurrency ${C}`);
    rows.push(await measure('SQLite', [await rawSqlite(join(dir, 'raw.sqlite')), await sameWritesSqlite(join(dir, 'same.sqlite')), await intakeApp(`sqlite:${join(dir, 'okno.sqlite')}`, dir)]));
  }
  if (only !== 'sqlite') {
    const skip = await needsMysql();
    if (skip) console.log(`MariaDB: skipped (${skip})`);
    else {
      const a = await scratchMysqlDatabase('okno_bench');
      const b = await scratchMysqlDatabase('okno_bench');
      try {
        console.log(`MariaDB: raw inserts, the same writes and intake with concurrency ${C}`);
        rows.push(await measure('MariaDB', [await rawMysql(a.url), await sameWritesMysql(a.url), await intakeApp(b.url, dir)]));
      } finally {
        await a.drop();
        await b.drop();
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nIntake throughput vs the raw insert rate of the same driver, and vs the same writes as plain SQL in one\ntransaction (medians of ${ROUNDS} rounds in the same run). The target is a ratio of 0.5 to the raw insert rate.\n${table(rows)}`);
