/**
 * The databases routing's SQL tests run on: an SQLite file and a throw-away database on the MariaDB
 * test server (skipped with a reason when it is not there).
 */
import { join } from 'node:path';
import { Database } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, tempDir } from '@okno/testkit';
import { routingEntities, routingMigrations } from '../entities.js';

export interface TestDb {
  db: Database;
  dispose: () => Promise<void>;
}

/** Empty databases: `make()` gives a URL and how to throw it away. */
export async function scratchDatabases(): Promise<{ name: string; skip: false | string; make: () => Promise<{ url: string; drop: () => Promise<void> }> }[]> {
  return [
    {
      name: 'SQLite', skip: false,
      make: async () => {
        const d = tempDir('okno-routing-');
        return { url: `sqlite:${join(d.dir, 'okno.sqlite')}`, drop: async () => d.cleanup() };
      },
    },
    { name: 'MariaDB', skip: await needsMysql(), make: () => scratchMysqlDatabase('okno_routing') },
  ];
}

/** Databases with routing's tables (its migrations run). */
export async function storeDatabases(): Promise<{ name: string; skip: false | string; open: () => Promise<TestDb> }[]> {
  return (await scratchDatabases()).map(({ name, skip, make }) => ({
    name, skip,
    open: async () => {
      const s = await make();
      const db = await new Database({ url: s.url, entities: routingEntities, migrations: routingMigrations, poolSize: 20 }).open();
      await db.migrate();
      return { db, dispose: async () => { await db.close(); await s.drop(); } };
    },
  }));
}
