/**
 * The driver escapes values with backslashes; a session with NO_BACKSLASH_ESCAPES would read them
 * literally and let a quote in a value end its string (SQL injection). Every MySQL connection of both
 * pools drops the flag before its first statement, and a server with it globally is refused.
 *
 * To get sessions that start with the flag without touching other tests, the test makes a MySQL user
 * without SUPER and sets `init_connect` (which the server runs at the start of every session of such
 * users only; the tests connect as root, which has SUPER, so theirs are untouched), and restores it.
 */
import t from 'tap';
import mysql from 'mysql2/promise';
import { needsMysql, scratchMysqlDatabase } from '@okno/testkit';
import { Database, sqlModeProblem } from './database.js';
import { sqlInsertLater } from './sql.js';

t.test('the global sql_mode check', async (t) => {
  t.equal(sqlModeProblem('STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO'), null);
  t.match(sqlModeProblem('STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'), /NO_BACKSLASH_ESCAPES/);
  t.match(sqlModeProblem('NO_BACKSLASH_ESCAPES'), /unsafe/);
  t.equal(sqlModeProblem('NO_BACKSLASH_ESCAPES_X'), null, 'a whole name only');
});

t.test('sessions that start with NO_BACKSLASH_ESCAPES drop it on both pools: values stay values', { skip: await needsMysql() }, async (t) => {
  const scratch = await scratchMysqlDatabase('okno_esc');
  t.teardown(scratch.drop);
  const base = new URL(scratch.url);
  const root = await mysql.createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username || 'root'), password: decodeURIComponent(base.password || '') });
  t.teardown(() => root.end());
  const user = `okno_esc_${process.pid}`;
  const database = base.pathname.slice(1);
  await root.query(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY 'esc-test'`);
  await root.query(`CREATE USER IF NOT EXISTS '${user}'@'localhost' IDENTIFIED BY 'esc-test'`);
  for (const host of ['%', 'localhost']) await root.query(`GRANT ALL ON \`${database}\`.* TO '${user}'@'${host}'`);
  const [[before]] = (await root.query('SELECT @@GLOBAL.init_connect AS v')) as unknown as [{ v: string }[]];
  await root.query("SET GLOBAL init_connect = 'SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, '',NO_BACKSLASH_ESCAPES'')'");
  t.teardown(async () => {
    await root.query('SET GLOBAL init_connect = ?', [before!.v]);
    for (const host of ['%', 'localhost']) await root.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
  });

  // The premise: such a session does start with the flag.
  const plain = await mysql.createConnection({ host: base.hostname, port: Number(base.port || 3306), user, password: 'esc-test', database });
  const [[mode]] = (await plain.query('SELECT @@SESSION.sql_mode AS m')) as unknown as [{ m: string }[]];
  await plain.end();
  t.match(mode!.m, /NO_BACKSLASH_ESCAPES/, 'a plain connection of that user has the flag');

  const url = `mysql://${user}:esc-test@${base.host}/${database}`;
  const db = await new Database({ url, entities: [], migrations: [] }).open();
  t.teardown(() => db.close());
  await db.read((em) => em.query('CREATE TABLE odd (id INTEGER PRIMARY KEY AUTO_INCREMENT, v VARCHAR(80) NOT NULL)'));
  const hostile = ["x'), ('injected", "a\\'b", 'c\\'];
  // TypeORM's pool, several connections at once so new ones are made; and the intake pool.
  await Promise.all(hostile.map((v) => db.transaction((em) => em.query('INSERT INTO odd (v) VALUES (?)', [v]))));
  await db.batchTransaction(async (sql) => sqlInsertLater(sql, 'odd', hostile.map((v) => ({ v }))));
  const rows = await db.read((em) => em.query('SELECT v FROM odd ORDER BY id')) as { v: string }[];
  t.same(rows.map((r) => r.v).sort(), [...hostile, ...hostile].sort(), 'six rows, each exactly as given: no quote ended a string');
  const modes = await Promise.all([0, 1, 2].map(() => db.transaction(async (em) => ((await em.query('SELECT @@SESSION.sql_mode AS m')) as { m: string }[])[0]!.m)));
  t.ok(modes.every((m) => !m.includes('NO_BACKSLASH_ESCAPES')), 'no connection kept the flag');
});
