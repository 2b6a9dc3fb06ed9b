/**
 * The databases the SQL store tests run on: an SQLite file and a throw-away database on the MariaDB
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

export async function storeDatabases(): Promise<{ name: string; skip: false | string; open: () => Promise<TestDb> }[]> {
  const migrated = async (url: string) => {
    const db = await new Database({ url, entities: routingEntities, migrations: routingMigrations, poolSize: 20 }).open();
    await db.migrate();
    return db;
  };
  return [
    {
      name: 'SQLite', skip: false,
      open: async () => {
        const d = tempDir('okno-routing-');
        const db = await migrated(`sqlite:${join(d.dir, 'okno.sqlite')}`);
        return { db, dispose: async () => { await db.close(); d.cleanup(); } };
      },
    },
    {
      name: 'MariaDB', skip: await needsMysql(),
      open: async () => {
        const s = await scratchMysqlDatabase('okno_routing');
        const db = await migrated(s.url);
        return { db, dispose: async () => { await db.close(); await s.drop(); } };
      },
    },
  ];
}
