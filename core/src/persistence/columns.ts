/**
 * Column helpers shared by the entities. Instants are stored as epoch milliseconds (BIGINT) on every
 * database: exact to the millisecond, free of server time-zone settings, and compared as numbers.
 */
import { Column, type ColumnOptions, type ValueTransformer } from 'typeorm';

const msDate: ValueTransformer = {
  to: (d: Date | null | undefined) => (d == null ? d : d.getTime()),
  from: (v: unknown) => (v == null ? v : new Date(Number(v))),
};

const bigNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: unknown) => (v == null ? v : Number(v)),
};

/** An instant (Date) stored as epoch ms. */
export function InstantColumn(opts: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({ type: 'bigint', transformer: msDate, nullable: opts.nullable ?? false, ...(opts.name ? { name: opts.name } : {}) });
}

/** A 64-bit integer returned as a JS number (safe up to 2^53). */
export function BigNumberColumn(opts: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'bigint', transformer: bigNumber, ...opts });
}

/** JSON stored as text (portable between SQLite and MySQL). */
export function JsonColumn(opts: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ type: 'simple-json', nullable: opts.nullable ?? false });
}

export const bigNumberTransformer = bigNumber;
