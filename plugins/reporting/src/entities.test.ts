/** Reporting's migration makes what its entities describe, on SQLite and MariaDB, and its down migration removes it. */
import t from 'tap';
import { REPORTING_TABLES } from './entities.js';
import { databaseMatrix, openReportingDb } from './test-support/databases.js';

for (const m of await databaseMatrix()) {
  t.test(`reporting's migration agrees with its entities on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openReportingDb(tdb.url);
    t.teardown(() => db.close());
    const qr = db.dataSource.createQueryRunner();
    for (const name of REPORTING_TABLES) {
      const meta = db.dataSource.getMetadata(name);
      const table = await qr.getTable(name);
      t.ok(table, `table ${name}`);
      t.same(meta.columns.map((c) => c.databaseName).sort(), table!.columns.map((c) => c.name).sort(), `${name}: the same columns`);
      t.same(meta.primaryColumns.map((c) => c.databaseName).sort(), table!.primaryColumns.map((c) => c.name).sort(), `${name}: the same key`);
      for (const idx of meta.indices) t.ok(table!.indices.find((i) => i.name === idx.name), `${name}: index ${idx.name}`);
    }
    await qr.release();
    await db.dataSource.undoLastMigration();
    const qr2 = db.dataSource.createQueryRunner();
    for (const name of REPORTING_TABLES) t.notOk(await qr2.hasTable(name), `${name} removed by the down migration`);
    t.ok(await qr2.hasTable('journal'), 'the core\'s tables stay');
    await qr2.release();
  });
}
