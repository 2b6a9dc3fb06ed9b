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
    process.stdout.write(`${fmt(raw)}/s; intake (${N}, concurrency ${C})… `);
    const rate = await intakeRate(`sqlite:${join(dir, 'okno.sqlite')}`, dir);
    console.log(`${fmt(rate)}/s`);
    rows.push({ database: 'SQLite', 'raw inserts/s': fmt(raw), 'intake appeals/s': fmt(rate), ratio: fmt(rate / raw, 2) });
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
        process.stdout.write(`${fmt(raw)}/s; intake… `);
        const rate = await intakeRate(b.url, dir);
        console.log(`${fmt(rate)}/s`);
        rows.push({ database: 'MariaDB', 'raw inserts/s': fmt(raw), 'intake appeals/s': fmt(rate), ratio: fmt(rate / raw, 2) });
      } finally {
        await a.drop();
        await b.drop();
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nIntake throughput vs raw insert rate (same driver, same run; target ratio >= 0.5)\n${table(rows)}`);
