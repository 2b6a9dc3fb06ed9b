/**
 * The few SQL statements reporting needs that TypeORM does not build portably: multi-row upserts
 * that add to counters (INSERT … ON CONFLICT DO UPDATE on SQLite, ON DUPLICATE KEY UPDATE on
 * MySQL/MariaDB), chunked so no statement exceeds either database's limit on parameters.
 */
import type { EntityManager } from 'typeorm';

export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(em: EntityManager): Dialect {
  const t = em.connection.options.type;
  return t === 'mysql' || t === 'mariadb' ? 'mysql' : 'sqlite';
}

export function quoter(dialect: Dialect): (name: string) => string {
  return dialect === 'mysql' ? (n) => `\`${n}\`` : (n) => `"${n}"`;
}

/** How an upsert treats a column of a row that exists: replace it, add to it, or keep the larger. */
export type Merge = 'set' | 'add' | 'max';

const PARAMS_PER_STATEMENT = 30_000;

/**
 * Inserts rows, or merges them into the rows with the same key. `merge` says how each non-key
 * column merges (default 'set').
 */
export async function upsert(
  em: EntityManager, table: string, keys: readonly string[], cols: readonly string[], rows: unknown[][], merge: (col: string) => Merge = () => 'set',
): Promise<void> {
  if (!rows.length) return;
  const dialect = dialectOf(em);
  const q = quoter(dialect);
  const all = [...keys, ...cols];
  const assignments = cols.map((c) => {
    const m = merge(c);
    if (dialect === 'mysql') {
      if (m === 'add') return `${q(c)} = ${q(c)} + VALUES(${q(c)})`;
      if (m === 'max') return `${q(c)} = GREATEST(${q(c)}, VALUES(${q(c)}))`;
      return `${q(c)} = VALUES(${q(c)})`;
    }
    if (m === 'add') return `${q(c)} = ${q(table)}.${q(c)} + excluded.${q(c)}`;
    if (m === 'max') return `${q(c)} = MAX(${q(table)}.${q(c)}, excluded.${q(c)})`;
    return `${q(c)} = excluded.${q(c)}`;
  });
  const tail = dialect === 'mysql'
    ? ` ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`
    : ` ON CONFLICT (${keys.map(q).join(', ')}) DO UPDATE SET ${assignments.join(', ')}`;
  const head = `INSERT INTO ${q(table)} (${all.map(q).join(', ')}) VALUES `;
  const tuple = `(${all.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(PARAMS_PER_STATEMENT / all.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await em.query(head + chunk.map(() => tuple).join(', ') + tail, chunk.flat());
  }
}

/** Rows whose `column` is one of `values`, in chunks. */
export async function selectIn<T>(em: EntityManager, table: string, column: string, values: readonly unknown[]): Promise<T[]> {
  const q = quoter(dialectOf(em));
  const out: T[] = [];
  for (let i = 0; i < values.length; i += 1000) {
    const chunk = values.slice(i, i + 1000);
    out.push(...((await em.query(`SELECT * FROM ${q(table)} WHERE ${q(column)} IN (${chunk.map(() => '?').join(', ')})`, chunk)) as T[]));
  }
  return out;
}

/** Deletes the rows whose `column` is one of `values`, in chunks. */
export async function deleteIn(em: EntityManager, table: string, column: string, values: readonly unknown[]): Promise<void> {
  const q = quoter(dialectOf(em));
  for (let i = 0; i < values.length; i += 1000) {
    const chunk = values.slice(i, i + 1000);
    await em.query(`DELETE FROM ${q(table)} WHERE ${q(column)} IN (${chunk.map(() => '?').join(', ')})`, chunk);
  }
}
