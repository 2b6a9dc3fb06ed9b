// Intake throughput: appeals per second through `appeals.intake` (applicant, appeal, interaction,
// notice and journal rows in one transaction) against the raw insert rate of the same driver with
// the same durability, measured in the same run, on SQLite and on MariaDB.
//   node bench/intake.bench.js [--n 2000] [--concurrency 8] [--only sqlite|mysql]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { OknoApp, loadConfig, systemActor } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, freePort } from '@okno/testkit';
import { throughput, table, fmt } from './lib.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('n', 2000));
const C = Number(arg('concurrency', 8));
const only = arg('only', null);

async function rawSqlite(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE raw (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT, body TEXT, at INTEGER)');
  const ins = db.prepare('INSERT INTO raw (channel, body, at) VALUES (?, ?, ?)');
  const rate = await throughput(N, 1, async (i) => void ins.run('email', `body ${i}`, Date.now()));
  db.close();
  return rate;
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
const sameArgs = (i, id) => [[`Заявитель ${i}`, Date.now()], [id, `a${i}@example.ru`, `a${i}@example.ru`], [id, 'email', 'registered', Date.now(), Date.now()], [`26-${i}`, id], [id, 'email', `<b${i}>`, `Текст ${i}`, Date.now()], ['appeal.registered', String(id), '{}', Date.now()], [id, 'received', 'pending', Date.now()], ['notice.recorded', String(id), '{}', Date.now()]];

async function sameWritesSqlite(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  for (const sql of SAME_TABLES('AUTOINCREMENT')) db.exec(sql);
  const stmts = SAME_WRITES.map((sql) => db.prepare(sql));
  const tx = db.transaction((i) => {
    const id = Number(stmts[0].run(...sameArgs(i, 0)[0]).lastInsertRowid);
    sameArgs(i, id).slice(1).forEach((a, k) => stmts[k + 1].run(...a));
  });
  const rate = await throughput(N, 1, async (i) => void tx(i));
  db.close();
  return rate;
}

async function sameWritesMysql(url) {
  const u = new URL(url);
  const pool = mysql.createPool({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: u.password, database: u.pathname.slice(1), connectionLimit: C });
  for (const sql of SAME_TABLES('AUTO_INCREMENT')) await pool.query(`${sql} ENGINE=InnoDB`);
  const rate = await throughput(N, C, async (i) => {
    const conn = await pool.getConnection();
    try {
      // READ COMMITTED and a retry on deadlock, as the core's own transactions do.
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      for (let attempt = 1; ; attempt++) {
        try {
          await conn.beginTransaction();
          const [r] = await conn.execute(SAME_WRITES[0], sameArgs(i, 0)[0]);
          const id = r.insertId;
          for (const [k, a] of sameArgs(i, id).slice(1).entries()) await conn.execute(SAME_WRITES[k + 1], a);
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
  await pool.end();
  return rate;
}

async function rawMysql(url) {
  const u = new URL(url);
  const pool = mysql.createPool({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', password: u.password, database: u.pathname.slice(1), connectionLimit: C });
  await pool.query('CREATE TABLE raw (id INT AUTO_INCREMENT PRIMARY KEY, channel VARCHAR(32), body TEXT, at BIGINT) ENGINE=InnoDB');
  const rate = await throughput(N, C, (i) => pool.execute('INSERT INTO raw (channel, body, at) VALUES (?, ?, ?)', ['email', `body ${i}`, Date.now()]));
  await pool.end();
  return rate;
}

async function intakeRate(dbUrl, dataDir) {
  const config = loadConfig({ env: {}, cwd: dataDir, overrides: { dataDir, db: { url: dbUrl }, http: { port: await freePort() }, log: { level: 'warn' }, console: { enabled: false }, demo: false } });
  const app = await OknoApp.start({ config });
  const { saveSite } = await import('../core/dist/domain/sites.js');
  await saveSite(app.db, systemActor('bench'), { code: 'msk', name: 'Москва', kind: 'city' });
  const call = (i) => app.broker.call('appeals.intake', {
    channel: 'email', messageId: `<bench-${i}@okno>`, applicant: { fullName: `Заявитель ${i}`, contacts: [{ kind: 'email', value: `a${i % 500}@example.ru` }] },
    subject: `Обращение ${i}`, body: `Текст обращения ${i}`, replyTo: { channel: 'email', address: `a${i % 500}@example.ru` },
  });
  for (let i = 0; i < 50; i++) await call(-1 - i); // warm up
  const rate = await throughput(N, C, call);
  await app.stop();
  return rate;
}

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'okno-bench-'));
try {
  if (only !== 'mysql') {
    process.stdout.write(`SQLite: raw inserts (${N}, WAL, synchronous=FULL)… `);
    const raw = await rawSqlite(join(dir, 'raw.sqlite'));
    process.stdout.write(`${fmt(raw)}/s; the same writes in one plain transaction… `);
    const same = await sameWritesSqlite(join(dir, 'same.sqlite'));
    process.stdout.write(`${fmt(same)}/s; intake (${N}, concurrency ${C})… `);
    const rate = await intakeRate(`sqlite:${join(dir, 'okno.sqlite')}`, dir);
    console.log(`${fmt(rate)}/s`);
    rows.push({ database: 'SQLite', 'raw inserts/s': fmt(raw), 'same writes, plain SQL tx/s': fmt(same), 'intake appeals/s': fmt(rate), 'ratio to raw insert': fmt(rate / raw, 2), 'ratio to plain tx': fmt(rate / same, 2) });
  }
  if (only !== 'sqlite') {
    const skip = await needsMysql();
    if (skip) console.log(`MariaDB: skipped (${skip})`);
    else {
      const a = await scratchMysqlDatabase('okno_bench');
      const b = await scratchMysqlDatabase('okno_bench');
      try {
        process.stdout.write(`MariaDB: raw inserts (${N}, concurrency ${C})… `);
        const raw = await rawMysql(a.url);
        process.stdout.write(`${fmt(raw)}/s; the same writes in one plain transaction… `);
        const same = await sameWritesMysql(a.url);
        process.stdout.write(`${fmt(same)}/s; intake… `);
        const rate = await intakeRate(b.url, dir);
        console.log(`${fmt(rate)}/s`);
        rows.push({ database: 'MariaDB', 'raw inserts/s': fmt(raw), 'same writes, plain SQL tx/s': fmt(same), 'intake appeals/s': fmt(rate), 'ratio to raw insert': fmt(rate / raw, 2), 'ratio to plain tx': fmt(rate / same, 2) });
      } finally {
        await a.drop();
        await b.drop();
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nIntake throughput vs the raw insert rate of the same driver, and vs the same writes as plain SQL in one\ntransaction (same run). The target is a ratio of 0.5 to the raw insert rate.\n${table(rows)}`);
