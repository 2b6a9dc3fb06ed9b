/**
 * The databases reporting's tests run on: an SQLite file and a throw-away database on the MariaDB
 * test server (skipped with a reason when it is not there; a failure under CI).
 */
import { join } from 'node:path';
import { Database, coreEntities, coreMigrations } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, tempDir } from '@okno/testkit';
import { reportingEntities, reportingMigrations } from '../entities.js';

export interface TestDb {
  url: string;
  dispose: () => Promise<void>;
}

export async function databaseMatrix(): Promise<{ name: string; skip: false | string; make: () => Promise<TestDb> }[]> {
  return [
    {
      name: 'SQLite', skip: false,
      make: async () => {
        const d = tempDir('okno-reporting-');
        return { url: `sqlite:${join(d.dir, 'okno.sqlite')}`, dispose: async () => d.cleanup() };
      },
    },
    {
      name: 'MariaDB', skip: await needsMysql(),
      make: async () => {
        const s = await scratchMysqlDatabase('okno_rep');
        return { url: s.url, dispose: s.drop };
      },
    },
  ];
}

/** A migrated database with the core's tables and reporting's. */
export async function openReportingDb(url: string): Promise<Database> {
  const db = await new Database({ url, entities: [...coreEntities, ...reportingEntities], migrations: [...coreMigrations, ...reportingMigrations] }).open();
  await db.migrate();
  return db;
}
