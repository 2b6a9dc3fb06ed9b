/**
 * Routing's migrations make what its entities describe, on SQLite and MariaDB, after the core's;
 * each down migration removes what its up made (the checkpoints' first, then the rest).
 */
import t from 'tap';
import { Database, coreEntities, coreMigrations } from '@okno/core';
import { ROUTING_TABLES, routingEntities, routingMigrations } from './entities.js';
import { scratchDatabases } from './test-support/databases.js';

/** The SQL reservation store's tables (plain SQL in sql-store.ts, no entities). */
const STORE_TABLES = ['routing_holdings', 'routing_claims', 'routing_store_operators'];

for (const m of await scratchDatabases()) {
  t.test(`routing's migrations agree with its entities on ${m.name}`, { skip: m.skip }, async (t) => {
    const s = await m.make();
    t.teardown(s.drop);
    const db = await new Database({ url: s.url, entities: [...coreEntities, ...routingEntities], migrations: [...coreMigrations, ...routingMigrations] }).open();
    t.teardown(() => db.close());
    const applied = await db.migrate();
    t.same(applied.slice(-routingMigrations.length), routingMigrations.map((M) => new M().name), 'routing\'s migrations applied after the core\'s, in order');
    t.same(await db.migrate(), [], 'a second run applies nothing');
    const qr = db.dataSource.createQueryRunner();
    for (const name of ROUTING_TABLES) t.ok(await qr.hasTable(name), `table ${name}`);
    for (const entity of routingEntities) {
      const meta = db.dataSource.getMetadata(entity);
      const table = await qr.getTable(meta.tableName);
      t.ok(table, `table ${meta.tableName}`);
      t.same(meta.columns.map((c) => c.databaseName).sort(), table!.columns.map((c) => c.name).sort(), `${meta.tableName}: the same columns`);
      t.same(meta.primaryColumns.map((c) => c.databaseName).sort(), table!.primaryColumns.map((c) => c.name).sort(), `${meta.tableName}: the same key`);
      for (const idx of meta.indices) t.ok(table!.indices.find((i) => i.name === idx.name && Boolean(i.isUnique) === Boolean(idx.isUnique)), `${meta.tableName}: index ${idx.name}`);
    }
    for (const name of STORE_TABLES) t.ok(ROUTING_TABLES.includes(name), `${name} is dropped with the rest`);
    await qr.release();

    await db.dataSource.undoLastMigration();
    const qr1 = db.dataSource.createQueryRunner();
    t.notOk(await qr1.hasTable('routing_checkpoints'), 'the last down migration removes the checkpoints');
    t.ok(await qr1.hasTable('routing_queues'), 'and leaves the first migration\'s tables');
    await qr1.release();
    await db.dataSource.undoLastMigration();
    const qr2 = db.dataSource.createQueryRunner();
    for (const name of ROUTING_TABLES) t.notOk(await qr2.hasTable(name), `${name} removed`);
    t.ok(await qr2.hasTable('journal'), 'the core\'s tables stay');
    await qr2.release();
  });
}
