/** The planning migration makes what its entity describes, on SQLite and MariaDB, and its down migration removes it. */
import t from 'tap';
import { join } from 'node:path';
import { Database, coreEntities, coreMigrations } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, tempDir } from '@okno/testkit';
import { planningEntities, planningMigrations } from './entities.js';

const matrix = [
  { name: 'SQLite', skip: false as const, make: async () => { const d = tempDir('okno-planning-'); return { url: `sqlite:${join(d.dir, 'p.sqlite')}`, dispose: async () => d.cleanup() }; } },
  { name: 'MariaDB', skip: await needsMysql(), make: async () => { const s = await scratchMysqlDatabase('okno_plan'); return { url: s.url, dispose: s.drop }; } },
];

for (const m of matrix) {
  t.test(`the planning migration agrees with its entity on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await new Database({ url: tdb.url, entities: [...coreEntities, ...planningEntities], migrations: [...coreMigrations, ...planningMigrations] }).open();
    t.teardown(() => db.close());
    t.equal((await db.migrate()).at(-1), 'PlanningInitial1766100000000');
    const qr = db.dataSource.createQueryRunner();
    const meta = db.dataSource.getMetadata('planning_plans');
    const table = await qr.getTable('planning_plans');
    t.same(meta.columns.map((c) => c.databaseName).sort(), table!.columns.map((c) => c.name).sort(), 'the same columns');
    for (const idx of meta.indices) t.ok(table!.indices.find((i) => i.name === idx.name), `index ${idx.name}`);
    await qr.release();
    await db.dataSource.undoLastMigration();
    const qr2 = db.dataSource.createQueryRunner();
    t.notOk(await qr2.hasTable('planning_plans'), 'removed by the down migration');
    await qr2.release();
  });
}
