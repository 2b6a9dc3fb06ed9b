import t from 'tap';
import { databaseMatrix } from '../test-support/databases.js';
import { Database } from './database.js';
import { coreEntities } from './entities/index.js';
import { coreMigrations } from './migrations/index.js';

const TABLES = ['sites', 'organisations', 'services', 'kb_articles', 'kb_article_versions', 'kb_search', 'applicants', 'contact_points', 'appeals', 'interactions',
  'interaction_attachments', 'attachments', 'notices', 'users', 'skills', 'user_skills', 'refresh_tokens', 'audit_log', 'destruction_acts', 'journal',
  'journal_cursors', 'leases', 'calendar_days', 'edge_agents', 'edge_events', 'edge_commands', 'edge_files'];

for (const m of await databaseMatrix()) {
  t.test(`migrations from empty on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await new Database({ url: tdb.url, entities: coreEntities, migrations: coreMigrations }).open();
    t.teardown(() => db.close());
    const applied = await db.migrate();
    t.same(applied, coreMigrations.map((M) => new M().name), 'every migration applied in order');
    const qr = db.dataSource.createQueryRunner();
    for (const table of TABLES) t.ok(await qr.hasTable(table), `table ${table} exists`);
    await qr.release();
    t.same(await db.migrate(), [], 'a second run applies nothing');
    // The entities and the tables the migrations made have the same columns and named indices.
    // (Physical types differ on purpose: MEDIUMTEXT on MySQL, INTEGER keys on SQLite.)
    const qr1 = db.dataSource.createQueryRunner();
    for (const meta of db.dataSource.entityMetadatas) {
      const table = await qr1.getTable(meta.tableName);
      t.ok(table, `table ${meta.tableName}`);
      t.same(meta.columns.map((c) => c.databaseName).sort(), table!.columns.map((c) => c.name).sort(), `${meta.tableName}: the same columns`);
      const tableIndices = new Set(table!.indices.map((i) => i.name));
      for (const idx of meta.indices) t.ok(tableIndices.has(idx.name), `${meta.tableName}: index ${idx.name} exists`);
      for (const idx of meta.indices) {
        const found = table!.indices.find((i) => i.name === idx.name);
        t.equal(Boolean(found?.isUnique), Boolean(idx.isUnique), `${meta.tableName}: index ${idx.name} uniqueness`);
      }
    }
    await qr1.release();
    for (let i = 0; i < coreMigrations.length; i++) await db.dataSource.undoLastMigration();
    const qr2 = db.dataSource.createQueryRunner();
    t.notOk(await qr2.hasTable('appeals'), 'down migrations remove the schema');
    await qr2.release();
  });
}
