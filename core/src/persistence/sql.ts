/**
 * Plain SQL for the hot paths (intake, the journal): statements are built once per shape and run
 * without TypeORM's query builder, which costs more CPU than the databases need to execute them.
 * Column names are the entities' property names on both databases; values are converted the way the
 * entities' column transformers store them.
 *
 * - SQLite: the statements run straight on the better-sqlite3 connection, each prepared once per
 *   connection and SQL text (TypeORM's query runner prepares them again in every transaction). The
 *   callers run inside `Database.transaction()` or `read()`, which hold the one connection meanwhile,
 *   so the statements are part of the transaction that TypeORM began on it.
 * - MySQL: through the transaction's own pooled connection, skipping TypeORM's promise wrapper
 *   (which captures a stack trace per query); in `Database.batchTransaction` on a connection that
 *   takes several statements at once, so the writes whose outcome nobody reads (`later()`) travel
 *   with the next statement, the last ones with the COMMIT: one round trip less for each.
 * Errors are TypeORM's `QueryFailedError` with the driver's error, as from `em.query()`.
 */
import { QueryFailedError, type EntityManager } from 'typeorm';

export type Quote = (name: string) => string;

/** A statement's outcome: the id generated for the first row of an INSERT, and the rows changed. */
export interface SqlResult {
  insertId: number;
  changes: number;
}

/** One statement with its `?` parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** Runs plain SQL with `?` placeholders in the transaction (or read) of an entity manager. */
export interface Sql {
  readonly q: Quote;
  readonly isMysql: boolean;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<SqlResult>;
  /** Several writes in this order, each one's outcome (in one round trip where the connection allows). */
  runAll(statements: readonly Statement[]): Promise<SqlResult[]>;
  /**
   * A write in a transaction whose outcome nobody reads: it goes to the database before the next
   * statement of this Sql, or at the latest before the commit (see flushSql), in the same round trip
   * where the connection allows. Its error fails that next statement (or the commit), so the
   * transaction stays all or nothing. TypeORM queries in between do not see it: flush() first.
   * On SQLite it runs at once.
   */
  later(sql: string, params?: unknown[]): void;
  /** Sends what later() holds. */
  flush(): Promise<void>;
}

/** A value as the database stores it: instants as epoch ms, JSON as text, booleans as 0/1. */
function toDb(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return v;
}

const mysqlQuote: Quote = (n) => `\`${n}\``;
const sqliteQuote: Quote = (n) => `"${n}"`;

interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
export interface MysqlConnection {
  query(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): unknown;
}

/** Prepared statements per SQLite connection, by SQL text (bounded: shapes vary with list lengths). */
const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();
const MAX_PREPARED = 500;

function logQuery(em: EntityManager, sql: string, params: unknown[]): void {
  if (em.connection.options.logging) em.connection.logger.logQuery(sql, params);
}

class SqliteSql implements Sql {
  readonly q = sqliteQuote;
  readonly isMysql = false;
  private readonly cache: Map<string, SqliteStatement>;

  constructor(private readonly em: EntityManager, private readonly conn: SqliteConnection) {
    let cache = prepared.get(conn);
    if (!cache) prepared.set(conn, (cache = new Map()));
    this.cache = cache;
  }

  private statement(sql: string): SqliteStatement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.conn.prepare(sql);
      if (this.cache.size >= MAX_PREPARED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const values = params.map(toDb);
    logQuery(this.em, sql, values);
    try {
      const stmt = this.statement(sql);
      return (stmt.reader ? stmt.all(...values) : (stmt.run(...values), [])) as T[];
    } catch (err) {
      throw new QueryFailedError(sql, values, err as Error);
    }
  }

  async run(sql: string, params: unknown[] = []): Promise<SqlResult> {
    return this.runNow(sql, params);
  }

  private runNow(sql: string, params: unknown[]): SqlResult {
    const values = params.map(toDb);
    logQuery(this.em, sql, values);
    try {
      const r = this.statement(sql).run(...values);
      // SQLite reports the last row's id; the rows of one INSERT get consecutive ids (one writer).
      return { insertId: Number(r.lastInsertRowid) - Math.max(0, r.changes - 1), changes: r.changes };
    } catch (err) {
      throw new QueryFailedError(sql, values, err as Error);
    }
  }

  async runAll(statements: readonly Statement[]): Promise<SqlResult[]> {
    return statements.map((s) => this.runNow(s.sql, s.params));
  }

  later(sql: string, params: unknown[] = []): void {
    this.runNow(sql, params);
  }

  async flush(): Promise<void> {}
}

/** What mysql2 answers for one statement: rows for a SELECT, a header with insertId for a write. */
type MysqlResult = unknown;

const asSqlResult = (r: MysqlResult): SqlResult => {
  const h = r as { insertId?: number; affectedRows?: number } | undefined;
  return { insertId: Number(h?.insertId ?? 0), changes: Number(h?.affectedRows ?? 0) };
};

/**
 * Plain SQL on MySQL: the statements later() holds go out ahead of the next one, as `send` can (one
 * by one, or all in one round trip on a connection that takes several statements at once).
 */
abstract class MysqlSqlBase implements Sql {
  readonly q = mysqlQuote;
  readonly isMysql = true;
  private pending: Statement[] = [];

  /** Sends the statements in order; each one's result. The first error stops the rest. */
  protected abstract send(statements: Statement[]): Promise<MysqlResult[]>;

  /** Sends what later() holds, then these; their results. */
  protected async exec(statements: readonly Statement[]): Promise<MysqlResult[]> {
    const held = this.pending;
    this.pending = [];
    const all = held.length ? [...held, ...statements] : (statements as Statement[]);
    const results = await this.send(all);
    return held.length ? results.slice(held.length) : results;
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [r] = await this.exec([{ sql, params }]);
    return Array.isArray(r) ? (r as T[]) : [];
  }

  async run(sql: string, params: unknown[] = []): Promise<SqlResult> {
    const [r] = await this.exec([{ sql, params }]);
    return asSqlResult(r);
  }

  async runAll(statements: readonly Statement[]): Promise<SqlResult[]> {
    if (!statements.length && !this.pending.length) return [];
    return (await this.exec(statements)).map(asSqlResult);
  }

  later(sql: string, params: unknown[] = []): void {
    this.pending.push({ sql, params });
  }

  async flush(): Promise<void> {
    if (this.pending.length) await this.exec([]);
  }
}

/** Sends one text (one statement, or several joined by `;` on a connection that allows them). */
function queryOn(conn: MysqlConnection, em: EntityManager | null, sql: string, params: unknown[]): Promise<MysqlResult> {
  const values = params.map(toDb);
  if (em) logQuery(em, sql, values);
  return new Promise((resolve, reject) => {
    conn.query(sql, values, (err, result) => (err ? reject(new QueryFailedError(sql, values, err)) : resolve(result)));
  });
}

/** Plain SQL on the connection of a TypeORM transaction (or, for reads, any pooled one): one statement a round trip. */
class MysqlSql extends MysqlSqlBase {
  constructor(private readonly em: EntityManager) {
    super();
  }

  protected async send(statements: Statement[]): Promise<MysqlResult[]> {
    const qr = this.em.queryRunner;
    const out: MysqlResult[] = [];
    // Outside a transaction (a plain read) TypeORM picks a pooled connection for each statement.
    if (!qr) {
      for (const s of statements) out.push(await this.em.query(s.sql, s.params.map(toDb)));
      return out;
    }
    const conn = (await qr.connect()) as MysqlConnection;
    for (const s of statements) out.push(await queryOn(conn, this.em, s.sql, s.params));
    return out;
  }

  override later(sql: string, params: unknown[] = []): void {
    if (!this.em.queryRunner) throw new Error('later() needs a transaction');
    super.later(sql, params);
  }
}

/**
 * Plain SQL on a connection that takes several statements in one text (mysql2's multipleStatements;
 * see Database.batchTransaction): what later() holds goes in the same round trip as the next
 * statement. Only statements built here, with `?` parameters, ever run on it.
 */
export class MysqlBatchSql extends MysqlSqlBase {
  /** `em`: whose data source logs the statements (each on its own) when its logging is on. */
  constructor(private readonly conn: MysqlConnection, private readonly em: EntityManager) {
    super();
  }

  protected async send(statements: Statement[]): Promise<MysqlResult[]> {
    if (!statements.length) return [];
    if (statements.length === 1) return [await queryOn(this.conn, this.em, statements[0]!.sql, statements[0]!.params)];
    for (const s of statements) logQuery(this.em, s.sql, s.params.map(toDb));
    const r = await queryOn(this.conn, null, statements.map((s) => s.sql).join(';\n'), statements.flatMap((s) => s.params));
    return r as MysqlResult[];
  }
}

/** The MySQL runners of the transactions' entity managers, so what later() holds is sent before the commit. */
const mysqlSqls = new WeakMap<EntityManager, MysqlSql>();

/** The plain-SQL runner for an entity manager (a transaction's, or the data source's for reads). */
export function sqlFor(em: EntityManager): Sql {
  const t = em.connection.options.type;
  if (t === 'mysql' || t === 'mariadb') {
    if (!em.queryRunner) return new MysqlSql(em);
    let sql = mysqlSqls.get(em);
    if (!sql) mysqlSqls.set(em, (sql = new MysqlSql(em)));
    return sql;
  }
  if (t === 'better-sqlite3') {
    const conn = (em.connection.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
    if (conn) return new SqliteSql(em, conn);
  }
  throw new Error(`plain SQL is not set up for the ${t} driver`);
}

/** Sends what later() holds for a transaction's entity manager (Database.transaction does, before its commit). */
export async function flushSql(em: EntityManager): Promise<void> {
  await mysqlSqls.get(em)?.flush();
}

const insertSql = new Map<string, string>();

/** `INSERT INTO table (cols) VALUES (?, ...), ...` for `rows` rows, built once per shape. */
function insertStatement(q: Quote, table: string, cols: readonly string[], rows = 1): string {
  const key = `${q('')}${table}|${cols.join(',')}|${rows}`;
  let sql = insertSql.get(key);
  if (!sql) {
    const one = `(${cols.map(() => '?').join(', ')})`;
    insertSql.set(key, (sql = `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`));
  }
  return sql;
}

/** The one statement that inserts rows sharing their columns (null for no rows). */
export function insertMany(q: Quote, table: string, rows: readonly Record<string, unknown>[]): Statement | null {
  if (!rows.length) return null;
  const cols = Object.keys(rows[0]!);
  const params: unknown[] = [];
  for (const row of rows) for (const c of cols) params.push(row[c]);
  return { sql: insertStatement(q, table, cols, rows.length), params };
}

/** Inserts rows that share their columns in one statement (nothing when there are none). */
export async function sqlInsertMany(sql: Sql, table: string, rows: readonly Record<string, unknown>[]): Promise<SqlResult> {
  const s = insertMany(sql.q, table, rows);
  return s ? sql.run(s.sql, s.params) : { insertId: 0, changes: 0 };
}

/** Inserts rows that share their columns with later() (nothing when there are none). */
export function sqlInsertLater(sql: Sql, table: string, rows: readonly Record<string, unknown>[]): void {
  const s = insertMany(sql.q, table, rows);
  if (s) sql.later(s.sql, s.params);
}

/** The ids of the rows one INSERT made, from the first one's (see sqlInsertIds). */
function idsOf(table: string, rows: readonly unknown[], r: SqlResult, step: number): number[] {
  if (!(r.insertId > 0) || r.changes !== rows.length) throw new Error(`inserting ${rows.length} row(s) into ${table} gave ${r.changes} row(s) from id ${r.insertId}`);
  return rows.map((_, i) => r.insertId + i * step);
}

/**
 * Inserts rows in one statement and returns their generated ids: the first one's plus `step` for each
 * further row, which holds where the database hands one statement consecutive ids (SQLite; MySQL
 * unless innodb_autoinc_lock_mode is 2; see Database.consecutiveIdStep). With one row, any step.
 */
export async function sqlInsertIds(sql: Sql, table: string, rows: readonly Record<string, unknown>[], step: number): Promise<number[]> {
  if (!rows.length) return [];
  return idsOf(table, rows, await sqlInsertMany(sql, table, rows), step);
}

/** sqlInsertIds for several tables, one statement each, sent together (see Sql.runAll): the ids per table. */
export async function sqlInsertIdsAll(sql: Sql, inserts: readonly { table: string; rows: readonly Record<string, unknown>[] }[], step: number): Promise<number[][]> {
  const statements = inserts.flatMap((i) => insertMany(sql.q, i.table, i.rows) ?? []);
  const results = statements.length ? await sql.runAll(statements) : [];
  let k = 0;
  return inserts.map((i) => (i.rows.length ? idsOf(i.table, i.rows, results[k++]!, step) : []));
}

/** Inserts one row and returns its generated id. */
export async function sqlInsert(sql: Sql, table: string, row: Record<string, unknown>): Promise<number> {
  return (await sqlInsertIds(sql, table, [row], 1))[0]!;
}

/**
 * Several small lookups in one round trip: each lookup is a SELECT of the same eight columns
 * (k: its tag, n1-n4: numbers, s1-s4: texts), and they are joined with UNION ALL.
 */
export interface LookupRow {
  k: string;
  n1: unknown;
  n2: unknown;
  n3: unknown;
  n4: unknown;
  s1: string | null;
  s2: string | null;
  s3: string | null;
  s4: string | null;
}

export interface Lookup {
  /** Names the SQL text (see lookup()). */
  key: string;
  sql: string;
  params: unknown[];
}

const LOOKUP_COLUMNS = ['n1', 'n2', 'n3', 'n4', 's1', 's2', 's3', 's4'] as const;
const lookupSql = new Map<string, string>();

/**
 * One lookup: `tag` (a constant) as k, then up to four number and four text expressions (missing
 * ones are NULL), then the rest of the statement (FROM ... WHERE ...). `params` in the order their
 * `?` appear, those of the expressions first. `key` names the SQL text: the
 * tag plus whatever else changes it (the length of an IN list, which column is matched); `build`
 * gives the expressions and runs only the first time a key is seen.
 */
export function lookup(q: Quote, tag: string, key: string, params: unknown[], build: () => { numbers: string[]; texts: string[]; rest: string }): Lookup {
  const fullKey = `${q('')}${tag}|${key}`;
  let sql = lookupSql.get(fullKey);
  if (!sql) {
    if (lookupSql.size > 2000) lookupSql.clear();
    const { numbers, texts, rest } = build();
    const exprs = [...numbers, ...Array(4 - numbers.length).fill('NULL'), ...texts, ...Array(4 - texts.length).fill('NULL')];
    lookupSql.set(fullKey, (sql = `SELECT '${tag}' AS ${q('k')}, ${exprs.map((e, i) => `${e} AS ${q(LOOKUP_COLUMNS[i]!)}`).join(', ')} ${rest}`));
  }
  return { key: fullKey, sql, params };
}

/** Runs the lookups as one query (its text is kept per combination of lookups). */
export async function runLookups(sql: Sql, lookups: Lookup[]): Promise<LookupRow[]> {
  if (!lookups.length) return [];
  const key = lookups.map((l) => l.key).join('\n');
  let text = lookupSql.get(key);
  if (!text) {
    if (lookupSql.size > 2000) lookupSql.clear();
    lookupSql.set(key, (text = lookups.map((l) => l.sql).join(' UNION ALL ')));
  }
  return sql.rows<LookupRow>(text, lookups.flatMap((l) => l.params));
}

/**
 * `CASE WHEN <condition 0> THEN 0 WHEN <condition 1> THEN 1 ... END`: which of several items a row
 * matched, decided by the database's own comparison (on MySQL case- and accent-insensitive), so rows
 * are matched to what was asked for exactly as the WHERE clause found them.
 */
export function whichOf(conditions: readonly string[]): string {
  return `CASE ${conditions.map((c, i) => `WHEN ${c} THEN ${i}`).join(' ')} END`;
}

/** A number column of a lookup row (MySQL returns BIGINT as text). */
export function num(v: unknown): number | null {
  return v == null ? null : Number(v);
}
