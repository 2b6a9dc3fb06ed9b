/** Test helpers: compare figures with expected values, and take a snapshot of every aggregate. */
import type { Database } from '@okno/core';
import { REPORTING_TABLES } from '../entities.js';
import { quoter } from '../sql.js';

interface Asserts {
  equal: (found: unknown, wanted: unknown, msg: string) => unknown;
  ok: (value: unknown, msg: string) => unknown;
}

/** Checks each expected field of `actual` (numbers to 1e-9). */
export function expectFigures(t: Asserts, actual: Record<string, unknown> | undefined, expected: Record<string, unknown>, what: string): void {
  t.ok(actual, `${what}: present`);
  for (const [k, v] of Object.entries(expected)) {
    const a = actual?.[k];
    if (typeof v === 'number' && typeof a === 'number') t.ok(Math.abs(a - v) < 1e-9, `${what}.${k}: ${a} = ${v}`);
    else t.equal(a, v, `${what}.${k}`);
  }
}

/** Every row of every reporting table, in key order, as plain values. */
export async function snapshot(db: Database): Promise<Record<string, Record<string, unknown>[]>> {
  const q = quoter(db.kind);
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const table of REPORTING_TABLES) {
    if (table === 'reporting_state') continue;
    const rows = (await db.read((em) => em.query(`SELECT * FROM ${q(table)}`))) as Record<string, unknown>[];
    out[table] = rows
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'dimKey' && k !== 'day' ? Number(v) : typeof v === 'bigint' ? Number(v) : v])))
      .sort((a, b) => JSON.stringify(Object.values(a)).localeCompare(JSON.stringify(Object.values(b))));
  }
  return out;
}
