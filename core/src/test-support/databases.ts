/**
 * The databases the persistence suite runs on: an SQLite file and a throw-away database on the
 * MariaDB test server. Each test file gets fresh ones, so files run in parallel.
 */
import { join } from 'node:path';
import { tempDir, needsMysql, scratchMysqlDatabase } from '@okno/testkit';
import { Database } from '../persistence/database.js';
import { coreEntities } from '../persistence/entities/index.js';
import { coreMigrations } from '../persistence/migrations/index.js';

export interface TestDb {
  kind: 'sqlite' | 'mysql';
  url: string;
  dispose: () => Promise<void>;
}

export async function sqliteTestDb(): Promise<TestDb> {
  const t = tempDir('okno-db-');
  return { kind: 'sqlite', url: `sqlite:${join(t.dir, 'okno.sqlite')}`, dispose: async () => t.cleanup() };
}

export async function mysqlTestDb(): Promise<TestDb> {
  const s = await scratchMysqlDatabase();
  return { kind: 'mysql', url: s.url, dispose: s.drop };
}

/** [name, skip reason or false, factory] for each database the suite covers. */
export async function databaseMatrix(): Promise<{ name: 'sqlite' | 'mysql'; skip: false | string; make: () => Promise<TestDb> }[]> {
  return [
    { name: 'sqlite', skip: false, make: sqliteTestDb },
    { name: 'mysql', skip: await needsMysql(), make: mysqlTestDb },
  ];
}

/** A migrated core database. */
export async function openCoreDb(url: string): Promise<Database> {
  const db = await new Database({ url, entities: coreEntities, migrations: coreMigrations }).open();
  await db.migrate();
  return db;
}
