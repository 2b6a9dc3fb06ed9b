/**
 * What reporting keeps. Everything here is derived from the journal and can be dropped and rebuilt
 * from it (see consumer.ts); like the journal it holds ids and facts, never personal data.
 *  - reporting_state: the consumer's position (highest sequence number counted) and the definitions
 *    the aggregates were built with;
 *  - reporting_gaps: sequence numbers skipped over (MySQL gaps) that are still counted if they appear;
 *  - reporting_contacts / reporting_operators / reporting_appeals: the state of live work items,
 *    operators and appeals that later events need (where a contact was first queued, an operator's
 *    state since when, an appeal's service and deadlines);
 *  - reporting_intervals: contact and operator counters per 15-minute bucket and dimension;
 *  - reporting_appeal_days: appeal counters (59-FZ) per local day and dimension.
 */
import { Entity, PrimaryColumn, Column, Index, type MigrationInterface, type QueryRunner, type TableColumnOptions, type ValueTransformer } from 'typeorm';
import { BigNumberColumn, columns, createTable } from '@okno/core';
import { APPEAL_COUNTERS, CONTACT_COUNTERS } from './counters.js';

/** bigint comes back from MySQL as a string: read it as a number. */
const bigNumberColumn: ValueTransformer = { to: (v: unknown) => v, from: (v: unknown) => (v == null ? v : Number(v)) };

@Entity('reporting_state')
export class ReportingState {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @BigNumberColumn() position!: number;
  @Column({ type: 'varchar', length: 500 }) definitions!: string;
  @BigNumberColumn() updatedAt!: number;
}

@Entity('reporting_gaps')
export class ReportingGap {
  @PrimaryColumn({ type: 'bigint', transformer: bigNumberColumn }) seq!: number;
  @BigNumberColumn() expiresAt!: number;
}

@Entity('reporting_contacts')
@Index('IDX_reporting_contacts_status_updatedAt', ['status', 'updatedAt'])
export class ReportingContact {
  @PrimaryColumn({ type: 'varchar', length: 64 }) contactId!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) appealId!: string | null;
  @Column({ type: 'varchar', length: 100 }) queue!: string;
  @Column({ type: 'varchar', length: 32 }) siteId!: string;
  @Column({ type: 'varchar', length: 32 }) channel!: string;
  @Column({ type: 'varchar', length: 32 }) serviceId!: string;
  /** waiting | answered | done */
  @Column({ type: 'varchar', length: 16 }) status!: string;
  @BigNumberColumn() queuedAt!: number;
  @BigNumberColumn({ nullable: true }) answeredAt!: number | null;
  @Column({ type: 'boolean' }) offeredCounted!: boolean;
  /** Time of the last event about the contact (done contacts are purged a day after it). */
  @BigNumberColumn() updatedAt!: number;
}

@Entity('reporting_operators')
export class ReportingOperator {
  @PrimaryColumn({ type: 'varchar', length: 64 }) operatorId!: string;
  @Column({ type: 'varchar', length: 32 }) siteId!: string;
  /** logged_out | ready | busy | wrap_up | paused */
  @Column({ type: 'varchar', length: 16 }) state!: string;
  @BigNumberColumn() since!: number;
}

@Entity('reporting_appeals')
@Index('IDX_reporting_appeals_status', ['status'])
export class ReportingAppeal {
  @PrimaryColumn({ type: 'varchar', length: 64 }) appealId!: string;
  @Column({ type: 'varchar', length: 32 }) siteId!: string;
  @Column({ type: 'varchar', length: 32 }) channel!: string;
  @Column({ type: 'varchar', length: 32 }) serviceId!: string;
  @Column({ type: 'varchar', length: 32 }) organisationId!: string;
  @Column({ type: 'varchar', length: 120 }) topic!: string;
  /** received | open | answered | redirected | closed */
  @Column({ type: 'varchar', length: 16 }) status!: string;
  @BigNumberColumn({ nullable: true }) registerBy!: number | null;
  @BigNumberColumn({ nullable: true }) answerBy!: number | null;
  @Column({ type: 'boolean' }) answered!: boolean;
}

/** Counter columns as entity columns (bigint sums, read back as numbers). */
function counterColumns(target: object, names: readonly string[], type: 'bigint' | 'integer'): void {
  for (const n of names) Column({ type, default: 0, transformer: bigNumberColumn })(target, n);
}

@Entity('reporting_intervals')
@Index('IDX_reporting_intervals_dim_start', ['dim', 'start'])
export class ReportingInterval {
  @PrimaryColumn({ type: 'bigint', transformer: bigNumberColumn }) start!: number;
  @PrimaryColumn({ type: 'varchar', length: 16 }) dim!: string;
  @PrimaryColumn({ type: 'varchar', length: 120 }) dimKey!: string;
}
counterColumns(ReportingInterval.prototype, CONTACT_COUNTERS, 'bigint');

@Entity('reporting_appeal_days')
@Index('IDX_reporting_appeal_days_dim_day', ['dim', 'day'])
export class ReportingAppealDay {
  @PrimaryColumn({ type: 'varchar', length: 10 }) day!: string;
  @PrimaryColumn({ type: 'varchar', length: 16 }) dim!: string;
  @PrimaryColumn({ type: 'varchar', length: 120 }) dimKey!: string;
}
counterColumns(ReportingAppealDay.prototype, APPEAL_COUNTERS, 'integer');

export const reportingEntities = [ReportingState, ReportingGap, ReportingContact, ReportingOperator, ReportingAppeal, ReportingInterval, ReportingAppealDay];

/** Every table reporting owns, in the order they are dropped. */
export const REPORTING_TABLES = ['reporting_appeal_days', 'reporting_intervals', 'reporting_appeals', 'reporting_operators', 'reporting_contacts', 'reporting_gaps', 'reporting_state'];

/** The tables a rebuild empties (everything but the state row, which it resets). */
export const AGGREGATE_TABLES = REPORTING_TABLES.filter((t) => t !== 'reporting_state');

export class ReportingInitial1766000000000 implements MigrationInterface {
  name = 'ReportingInitial1766000000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    const key = (col: TableColumnOptions): TableColumnOptions => ({ ...col, isPrimary: true });
    const counters = (names: readonly string[], make: (n: string, o: { default: number }) => TableColumnOptions) => names.map((n) => make(n, { default: 0 }));
    await createTable(qr, 'reporting_state', [key(c.str('name', 64)), c.bigint('position'), c.str('definitions', 500), c.bigint('updatedAt')]);
    await createTable(qr, 'reporting_gaps', [key(c.bigint('seq')), c.bigint('expiresAt')]);
    await createTable(qr, 'reporting_contacts', [
      key(c.str('contactId', 64)), c.str('appealId', 64, { nullable: true }), c.str('queue', 100), c.str('siteId', 32), c.str('channel', 32),
      c.str('serviceId', 32), c.str('status', 16), c.bigint('queuedAt'), c.bigint('answeredAt', { nullable: true }), c.bool('offeredCounted'), c.bigint('updatedAt'),
    ], [{ columns: ['status', 'updatedAt'] }]);
    await createTable(qr, 'reporting_operators', [key(c.str('operatorId', 64)), c.str('siteId', 32), c.str('state', 16), c.bigint('since')]);
    await createTable(qr, 'reporting_appeals', [
      key(c.str('appealId', 64)), c.str('siteId', 32), c.str('channel', 32), c.str('serviceId', 32), c.str('organisationId', 32), c.str('topic', 120),
      c.str('status', 16), c.bigint('registerBy', { nullable: true }), c.bigint('answerBy', { nullable: true }), c.bool('answered'),
    ], [{ columns: ['status'] }]);
    await createTable(qr, 'reporting_intervals', [key(c.bigint('start')), key(c.str('dim', 16)), key(c.str('dimKey', 120)), ...counters(CONTACT_COUNTERS, c.bigint)],
      [{ columns: ['dim', 'start'] }]);
    await createTable(qr, 'reporting_appeal_days', [key(c.str('day', 10)), key(c.str('dim', 16)), key(c.str('dimKey', 120)), ...counters(APPEAL_COUNTERS, c.int)],
      [{ columns: ['dim', 'day'] }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of REPORTING_TABLES) await qr.dropTable(t, true);
  }
}

export const reportingMigrations = [ReportingInitial1766000000000];
