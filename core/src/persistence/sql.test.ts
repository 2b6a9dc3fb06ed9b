import t from 'tap';
import { databaseMatrix } from '../test-support/databases.js';
import { Database, isUniqueViolation } from './database.js';
import { sqlFor, sqlInsertIdsAll, sqlInsertLater, type Sql } from './sql.js';

for (const m of await databaseMatrix()) {
  t.test(`plain SQL: writes held by later() on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await new Database({ url: tdb.url, entities: [], migrations: [] }).open();
    t.teardown(() => db.close());
    const mysql = m.name === 'mysql';
    const auto = mysql ? 'AUTO_INCREMENT' : 'AUTOINCREMENT';
    for (const table of ['la', 'lb']) await db.read((em) => em.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY ${auto}, v VARCHAR(40) NOT NULL UNIQUE)`));
    const values = (table: string) => db.read(async (em) => ((await em.query(`SELECT v FROM ${table} ORDER BY id`)) as { v: string }[]).map((r) => r.v));
    const put = (sql: Sql, table: string, ...vs: string[]) => sqlInsertLater(sql, table, vs.map((v) => ({ v })));

    t.test('are stored with the commit, in order, and the ids read in between are right', async (t) => {
      const ids = await db.batchTransaction(async (sql) => {
        put(sql, 'la', 'a1', 'a2');
        const [la, lb] = await sqlInsertIdsAll(sql, [{ table: 'la', rows: [{ v: 'a3' }, { v: 'a4' }] }, { table: 'lb', rows: [{ v: 'b1' }] }], 1);
        sql.later('UPDATE la SET v = ? WHERE v = ?', ['a2*', 'a2']);
        put(sql, 'lb', 'b2');
        return { la, lb };
      });
      t.same(ids, { la: [3, 4], lb: [1] }, 'each statement of a round trip answers for itself');
      t.same(await values('la'), ['a1', 'a2*', 'a3', 'a4']);
      t.same(await values('lb'), ['b1', 'b2'], 'the last write went with the commit');
    });

    t.test('a failing one fails the transaction: nothing of it is stored, the error is the driver\'s', async (t) => {
      const failed = await db.batchTransaction(async (sql) => {
        put(sql, 'lb', 'b3');
        put(sql, 'la', 'a1'); // already there
        put(sql, 'lb', 'b4');
      }).then(() => null, (err: unknown) => err);
      t.ok(isUniqueViolation(failed), 'a unique violation, as from a statement run at once');
      const failedLater = await db.batchTransaction(async (sql) => {
        put(sql, 'lb', 'b5');
        put(sql, 'la', 'a3'); // already there
        await sql.run('INSERT INTO lb (v) VALUES (?)', ['b6']);
      }).then(() => null, (err: unknown) => err);
      t.ok(isUniqueViolation(failedLater), 'the next statement fails with it');
      t.same(await values('lb'), ['b1', 'b2'], 'nothing of either transaction is stored');
      // The connections that failed were rolled back and serve again.
      for (let i = 0; i < 3; i++) await db.batchTransaction(async (sql) => put(sql, 'lb', `c${i}`));
      t.same(await values('lb'), ['b1', 'b2', 'c0', 'c1', 'c2']);
    });

    t.test('values are stored as given, whatever quotes, backslashes and semicolons they hold', async (t) => {
      const odd = ["it's", 'a\\b', "x'); DELETE FROM lb; --", 'q?"`;', 'ё\\\''];
      await db.batchTransaction(async (sql) => {
        put(sql, 'la', ...odd.slice(0, 2));
        await sql.run('INSERT INTO la (v) VALUES (?)', [odd[2]]);
        put(sql, 'la', ...odd.slice(3));
      });
      t.same((await values('la')).slice(-odd.length), odd);
      t.same(await values('lb'), ['b1', 'b2', 'c0', 'c1', 'c2'], 'nothing else ran');
    });

    t.test('a transaction of TypeORM sends them before its commit', async (t) => {
      await db.transaction(async (em) => {
        put(sqlFor(em), 'lb', 'd1');
      });
      t.same((await values('lb')).at(-1), 'd1');
      const failed = await db.transaction(async (em) => {
        put(sqlFor(em), 'lb', 'd2');
        put(sqlFor(em), 'lb', 'd1');
      }).then(() => null, (err: unknown) => err);
      t.ok(isUniqueViolation(failed));
      t.notOk((await values('lb')).includes('d2'), 'and roll back with it when one fails');
    });

    t.test('batch transactions read committed and see their own writes', { skip: !mysql && 'MySQL only' }, async (t) => {
      const [level, seen] = await db.batchTransaction(async (sql) => {
        put(sql, 'lb', 'e1');
        const rows = await sql.rows<{ level: string; n: unknown }>('SELECT @@tx_isolation AS level, (SELECT COUNT(*) FROM lb WHERE v = ?) AS n', ['e1']);
        return [rows[0]!.level, Number(rows[0]!.n)];
      });
      t.same([level, seen], ['READ-COMMITTED', 1]);
    });
  });
}
