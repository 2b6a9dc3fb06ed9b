/**
 * The database: a TypeORM DataSource on SQLite (better-sqlite3, the embedded default) or
 * MySQL/MariaDB (OKNO_DB_URL=mysql://...), with the rules every service follows:
 * - writes happen in `transaction()`; on SQLite, which has one connection, transactions and reads are
 *   serialised by a mutex so they never interleave on it;
 * - a commit on SQLite is durable (WAL, synchronous=FULL), so acknowledging after commit is safe;
 * - deadlocks and lock timeouts on MySQL are retried;
 * - `batchTransaction()` is a transaction for plain SQL (see sql.ts) that on MySQL runs on a pool of
 *   its own whose connections take several statements in one text, so writes whose outcome nobody
 *   reads share a round trip with the next statement, and the last ones with the COMMIT;
 * - on MySQL every connection of both pools drops NO_BACKSLASH_ESCAPES from its sql_mode before its
 *   first statement (see SAFE_SQL_MODE), and a server that has it globally is refused at open.
 */
import 'reflect-metadata';
import { DataSource, type EntityManager, type MixedList, type EntitySchema } from 'typeorm';
import { createPool, type Pool, type PoolConnection } from 'mysql2';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Mutex } from './mutex.js';
import { flushSql, sqlFor, MysqlBatchSql, type MysqlConnection, type Sql } from './sql.js';

export type DbKind = 'sqlite' | 'mysql';

/**
 * The driver (mysql2) puts values into SQL text itself and escapes them with backslashes. A session
 * whose sql_mode has NO_BACKSLASH_ESCAPES reads a backslash literally, so a quote in a value would end
 * its string: SQL injection in any statement. Every connection runs this before anything else.
 */
export const SAFE_SQL_MODE = "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')";

/** What is wrong with the server's global sql_mode for this driver, if anything. */
export function sqlModeProblem(globalMode: string): string | null {
  return /(^|,)NO_BACKSLASH_ESCAPES(,|$)/i.test(globalMode)
    ? 'the MySQL server runs with sql_mode NO_BACKSLASH_ESCAPES, which makes the driver\'s escaping of values unsafe; remove it from the server\'s sql_mode'
    : null;
}

interface PooledConnection {
  query(sql: string, cb: (err: Error | null) => void): unknown;
  destroy(): void;
  release(): void;
}

interface ConnectionEvents {
  on(event: 'connection', listener: (conn: PooledConnection) => void): unknown;
  getConnection(cb: (err: Error | null, conn: PooledConnection) => void): void;
}

/** Makes every new connection of a mysql2 pool drop NO_BACKSLASH_ESCAPES first (a connection that cannot is not used). */
function guardEscaping(pool: ConnectionEvents): void {
  // mysql2 runs a connection's commands in order: this goes before any statement a user of the pool sends.
  pool.on('connection', (conn) => conn.query(SAFE_SQL_MODE, (err) => void (err && conn.destroy())));
}

export interface DatabaseOptions {
  /** `sqlite:path/to/file.sqlite`, `sqlite::memory:` or `mysql://user:pass@host:port/db`. */
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type
  migrations: MixedList<Function | string>;
  /** Only for throw-away test databases. */
  synchronize?: boolean;
  logging?: boolean;
  poolSize?: number;
}

export function parseDbUrl(url: string): { kind: DbKind; file?: string; mysql?: { host: string; port: number; user: string; password: string; database: string } } {
  if (url.startsWith('sqlite:')) {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (!file) throw new Error(`database url "${url}" names no file`);
    return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
  }
  if (url.startsWith('mysql:') || url.startsWith('mariadb:')) {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!database) throw new Error(`database url "${redactUrl(url)}" names no database`);
    return {
      kind: 'mysql',
      mysql: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password), database },
    };
  }
  throw new Error(`unsupported database url "${redactUrl(url)}": use sqlite:<file> or mysql://user:pass@host:port/db`);
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

const RETRYABLE_MYSQL = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'SQLITE_BUSY', 'SQLITE_IOERR',
  'SQLITE_FULL', 'SQLITE_CANTOPEN', 'ER_SERVER_SHUTDOWN', 'ENOTFOUND', 'EHOSTUNREACH', 'SQLITE_READONLY',
]);

function errCode(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } } | undefined;
  return e?.driverError?.code ?? e?.code;
}

/** A unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const code = errCode(err);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The database cannot be reached or written right now: a temporary condition worth retrying. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = errCode(err);
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const msg = String((err as Error)?.message ?? '');
  return /connection (is )?(closed|lost)|not connected|Pool is closed|Can't add new command when connection is in closed state|database connection is not open/i.test(msg);
}

export class Database {
  readonly kind: DbKind;
  readonly dataSource: DataSource;
  private readonly mutex = new Mutex();
  /** Pooled MySQL connections whose session is READ COMMITTED already. */
  private readonly readCommitted = new WeakSet<object>();
  private idStep: Promise<number | null> | undefined;
  /** MySQL: the pool of batchTransaction(), made on first use. */
  private batchPool: Pool | undefined;

  constructor(private readonly opts: DatabaseOptions) {
    const parsed = parseDbUrl(opts.url);
    this.kind = parsed.kind;
    if (parsed.kind === 'sqlite') {
      if (parsed.file !== ':memory:') mkdirSync(dirname(parsed.file!), { recursive: true });
      this.dataSource = new DataSource({
        type: 'better-sqlite3',
        database: parsed.file!,
        entities: opts.entities,
        migrations: opts.migrations,
        synchronize: opts.synchronize ?? false,
        logging: opts.logging ?? false,
        timeout: 10_000,
        prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = FULL');
          db.pragma('busy_timeout = 10000');
        },
      });
    } else {
      const m = parsed.mysql!;
      this.dataSource = new DataSource({
        type: 'mysql',
        host: m.host,
        port: m.port,
        username: m.user,
        password: m.password,
        database: m.database,
        charset: 'utf8mb4_unicode_ci',
        timezone: 'Z',
        entities: opts.entities,
        migrations: opts.migrations,
        synchronize: opts.synchronize ?? false,
        logging: opts.logging ?? false,
        poolSize: opts.poolSize ?? 10,
        connectTimeout: 5_000,
        extra: { enableKeepAlive: true },
      });
    }
  }

  get url(): string {
    return redactUrl(this.opts.url);
  }

  get isMysql(): boolean {
    return this.kind === 'mysql';
  }

  async open(): Promise<this> {
    if (this.dataSource.isInitialized) return this;
    await this.dataSource.initialize();
    if (this.kind === 'mysql') {
      const pool = (this.dataSource.driver as unknown as { pool: ConnectionEvents }).pool;
      guardEscaping(pool);
      // TypeORM's pool made one connection before the hook (its check at connect, then released):
      // that one, the pool's only connection yet, drops the flag here.
      await new Promise<void>((done, fail) =>
        pool.getConnection((err, conn) => (err ? fail(err) : conn.query(SAFE_SQL_MODE, (e) => (e ? (conn.destroy(), fail(e)) : (conn.release(), done()))))));
      const [row] = (await this.dataSource.query('SELECT @@GLOBAL.sql_mode AS mode')) as { mode: string }[];
      const problem = sqlModeProblem(String(row?.mode ?? ''));
      if (problem) {
        await this.dataSource.destroy();
        throw new Error(problem);
      }
    }
    return this;
  }

  /** Applies pending migrations; returns the names applied. */
  async migrate(): Promise<string[]> {
    const done = await this.mutex.run(() => this.dataSource.runMigrations({ transaction: 'each' }));
    return done.map((m) => m.name);
  }

  async close(): Promise<void> {
    const pool = this.batchPool;
    this.batchPool = undefined;
    if (pool) await new Promise<void>((done) => pool.end(() => done()));
    if (this.dataSource.isInitialized) await this.mutex.run(() => this.dataSource.destroy());
  }

  /** Runs `work` in one transaction; retried on MySQL deadlocks. */
  async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === 'sqlite') return this.mutex.run(() => this.dataSource.transaction(work));
    return this.retried(() => this.mysqlTransaction(work));
  }

  /**
   * Runs `work` in one transaction of plain SQL (sql.ts), as transaction() does: READ COMMITTED,
   * retried on MySQL deadlocks. On MySQL its connections come from a pool of their own that takes
   * several statements in one text: START TRANSACTION goes with the first statement, what `later()`
   * holds with the next one, and the last writes with the COMMIT. Only plain SQL with `?`
   * parameters runs there.
   */
  async batchTransaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.kind === 'sqlite') return this.transaction((em) => work(sqlFor(em)));
    return this.retried(() => this.mysqlBatchTransaction(work));
  }

  private async retried<T>(once: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        const code = errCode(err);
        if (attempt < 4 && code && RETRYABLE_MYSQL.has(code)) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * One READ COMMITTED transaction on a pooled connection. The isolation level is set once per
   * connection for its session instead of before every transaction: one round trip less each time.
   */
  private async mysqlTransaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    try {
      const conn = (await qr.connect()) as object;
      if (!this.readCommitted.has(conn)) {
        await qr.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        this.readCommitted.add(conn);
      }
      await qr.startTransaction();
      try {
        const result = await work(qr.manager);
        await flushSql(qr.manager);
        await qr.commitTransaction();
        return result;
      } catch (err) {
        // The error that stopped the work counts, not one from rolling back after it.
        await qr.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await qr.release();
    }
  }

  /** The pool of batchTransaction(): the data source's settings, and several statements in one text. */
  private batchConnections(): Pool {
    if (this.batchPool) return this.batchPool;
    if (!this.dataSource.isInitialized) throw new Error('the database connection is not open');
    const m = parseDbUrl(this.opts.url).mysql!;
    this.batchPool = createPool({
      host: m.host, port: m.port, user: m.user, password: m.password, database: m.database,
      // As TypeORM sets up its own pool (see the constructor and TypeORM's MysqlDriver).
      charset: 'utf8mb4_unicode_ci', timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true, stringifyObjects: true,
      connectTimeout: 5_000, enableKeepAlive: true, connectionLimit: this.opts.poolSize ?? 10,
      multipleStatements: true,
    });
    guardEscaping(this.batchPool as unknown as ConnectionEvents);
    return this.batchPool;
  }

  private async mysqlBatchTransaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const pool = this.batchConnections();
    const conn = await new Promise<PoolConnection>((ok, fail) => pool.getConnection((err, c) => (err ? fail(err) : ok(c))));
    const sql = new MysqlBatchSql(conn as unknown as MysqlConnection, this.dataSource.manager);
    let healthy = true;
    try {
      const isolated = this.readCommitted.has(conn);
      if (!isolated) {
        sql.later('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      }
      sql.later('START TRANSACTION');
      try {
        const result = await work(sql);
        sql.later('COMMIT');
        await sql.flush();
        if (!isolated) this.readCommitted.add(conn);
        return result;
      } catch (err) {
        // The error that stopped the work counts, not one from rolling back after it; a connection
        // that cannot roll back is not given back to the pool.
        healthy = await new Promise<boolean>((done) => conn.query('ROLLBACK', (e) => done(!e)));
        throw err;
      }
    } finally {
      if (healthy) conn.release();
      else conn.destroy();
    }
  }

  /** Runs reads outside a transaction (serialised with transactions on SQLite). */
  async read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === 'sqlite') return this.mutex.run(() => work(this.dataSource.manager));
    return work(this.dataSource.manager);
  }

  /**
   * How the ids one multi-row INSERT generates follow each other: the first id plus this step per
   * row, or null when the database does not promise consecutive ids (MySQL's interleaved
   * innodb_autoinc_lock_mode = 2). SQLite, having one writer, always gives the next ones.
   */
  consecutiveIdStep(): Promise<number | null> {
    this.idStep ??= this.kind === 'sqlite'
      ? Promise.resolve(1)
      : this.read(async (em) => {
        const [row] = (await em.query('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step')) as { mode: unknown; step: unknown }[];
        return Number(row?.mode) <= 1 ? Math.max(1, Number(row?.step) || 1) : null;
      }).catch((err: unknown) => {
        this.idStep = undefined;
        throw err;
      });
    return this.idStep;
  }

  /** Quotes an identifier for the current database. */
  q(name: string): string {
    return this.kind === 'mysql' ? `\`${name}\`` : `"${name}"`;
  }
}
