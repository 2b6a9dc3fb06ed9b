/**
 * A small vocabulary for writing migrations once for SQLite and MySQL/MariaDB. TypeORM's Table API
 * is already driver-neutral; this adds the few places where the physical type must differ
 * (long text, 64-bit keys, booleans) and keeps column definitions short.
 */
import { Table, TableIndex, type QueryRunner, type TableColumnOptions } from 'typeorm';

export function isMysql(qr: QueryRunner): boolean {
  const t = qr.connection.options.type;
  return t === 'mysql' || t === 'mariadb';
}

type Opt = { nullable?: boolean; unique?: boolean; default?: unknown };
const withOpt = (c: TableColumnOptions, o: Opt = {}): TableColumnOptions => ({
  ...c,
  isNullable: o.nullable ?? false,
  ...(o.unique ? { isUnique: true } : {}),
  ...(o.default !== undefined ? { default: o.default } : {}),
});

export function columns(qr: QueryRunner) {
  const mysql = isMysql(qr);
  return {
    id: (name = 'id'): TableColumnOptions => ({ name, type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
    /** 64-bit auto-increment key (SQLite's INTEGER PRIMARY KEY is already 64-bit). */
    seq: (name = 'seq'): TableColumnOptions => ({ name, type: mysql ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
    str: (name: string, length: number, o?: Opt) => withOpt({ name, type: 'varchar', length: String(length) }, o),
    int: (name: string, o?: Opt) => withOpt({ name, type: 'integer' }, o),
    bigint: (name: string, o?: Opt) => withOpt({ name, type: 'bigint' }, o),
    /** An instant as epoch milliseconds. */
    instant: (name: string, o?: Opt) => withOpt({ name, type: 'bigint' }, o),
    bool: (name: string, o?: Opt) => withOpt({ name, type: mysql ? 'tinyint' : 'boolean' }, { ...o, default: o?.default === undefined ? undefined : o.default ? 1 : 0 }),
    /** Text up to 16 MB on MySQL (MEDIUMTEXT); unlimited on SQLite. */
    text: (name: string, o?: Opt) => withOpt({ name, type: mysql ? 'mediumtext' : 'text' }, o),
    json: (name: string, o?: Opt) => withOpt({ name, type: mysql ? 'mediumtext' : 'text' }, o),
  };
}

export async function createTable(
  qr: QueryRunner,
  name: string,
  cols: TableColumnOptions[],
  indices: { columns: string[]; unique?: boolean }[] = [],
): Promise<void> {
  await qr.createTable(
    new Table({
      name,
      columns: cols,
      indices: indices.map((i) => new TableIndex({ name: `IDX_${name}_${i.columns.join('_')}`, columnNames: i.columns, isUnique: i.unique ?? false })),
      ...(isMysql(qr) ? { engine: 'InnoDB' } : {}),
    }),
    true,
  );
}
