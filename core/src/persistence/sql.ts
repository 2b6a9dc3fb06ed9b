/**
 * Plain SQL for the hot paths (intake, the journal): statements are built once per shape and run
 * through the transaction's own query runner, skipping TypeORM's query builder, which costs more CPU
 * than SQLite needs to execute them. Column names are the entities' property names on both
 * databases; values are converted the way the entities' column transformers store them.
 */
import type { EntityManager } from 'typeorm';

export type Quote = (name: string) => string;

const insertSql = new Map<string, string>();

/** A value as the database stores it: instants as epoch ms, JSON as text, booleans as 0/1. */
export function toDb(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return v;
}

/** Inserts one row and returns its generated id. */
export async function sqlInsert(em: EntityManager, q: Quote, table: string, row: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(row);
  const key = `${q('')}${table}|${cols.join(',')}`;
  let sql = insertSql.get(key);
  if (!sql) insertSql.set(key, (sql = `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`));
  const raw = (await em.query(sql, cols.map((c) => toDb(row[c])))) as number | bigint | { insertId?: number } | undefined;
  const id = typeof raw === 'number' || typeof raw === 'bigint' ? Number(raw) : Number(raw?.insertId);
  if (!Number.isFinite(id) || id <= 0) throw new Error(`the database returned no id for the row inserted into ${table}`);
  return id;
}

/** Rows of a query, as plain objects. */
export async function sqlRows<T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.query(sql, params.map(toDb))) as T[];
}

const mysqlQuote: Quote = (n) => `\`${n}\``;
const sqliteQuote: Quote = (n) => `"${n}"`;

/** The identifier quoting of the database behind an entity manager. */
export function quoteFor(em: EntityManager): Quote {
  const t = em.connection.options.type;
  return t === 'mysql' || t === 'mariadb' ? mysqlQuote : sqliteQuote;
}
