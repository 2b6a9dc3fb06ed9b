/**
 * What routing keeps in the database.
 *  - routing_queues: queue settings (edited by administrators over REST);
 *  - routing_rules: the ordered assignment rules (incoming work -> queue), first match wins;
 *  - routing_operators: an operator's routing profile (capacity per channel) and last state, with the
 *    node serving them (see docs/routing.md "Several nodes");
 *  - routing_holdings / routing_claims / routing_store_operators: the SQL ReservationStore — who holds
 *    which contact, what each operator holds, and a version per operator for the room check;
 *  - routing_checkpoints: the contact book as of a journal position (checkpoint.ts), so a start
 *    replays only the journal after it.
 * The line itself is not stored: it is rebuilt from the journal and the checkpoint (runtime.ts).
 */
import { Entity, PrimaryColumn, PrimaryGeneratedColumn, Column, Index, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { BigNumberColumn, JsonColumn, columns, createTable } from '@okno/core';
import type { Channel } from './engine/index.js';
import type { QueueHours, QueueOverflow, RelaxStep, SkillRequirement, RuleMatch } from './queue-config.js';

@Entity('routing_queues')
export class RoutingQueue {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_routing_queues_code', { unique: true }) code!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'integer' }) siteId!: number;
  @JsonColumn() channels!: Channel[];
  @Column({ type: 'integer', default: 0 }) priority!: number;
  @JsonColumn() requirements!: SkillRequirement[];
  @JsonColumn({ nullable: true }) hours!: QueueHours | null;
  @JsonColumn() relax!: RelaxStep[];
  @JsonColumn({ nullable: true }) overflow!: QueueOverflow | null;
  @Column({ type: 'integer' }) stickyWindowSeconds!: number;
  @Column({ type: 'integer' }) offerTimeoutSeconds!: number;
  @Column({ type: 'integer' }) maxOffers!: number;
  @Column({ type: 'integer' }) wrapUpSeconds!: number;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  @BigNumberColumn() updatedAt!: number;
}

@Entity('routing_rules')
export class RoutingRule {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) position!: number;
  @JsonColumn() match!: RuleMatch;
  @Column({ type: 'integer' }) queueId!: number;
  @Column({ type: 'integer', nullable: true }) priority!: number | null;
  @JsonColumn() skills!: SkillRequirement[];
}

@Entity('routing_operators')
export class RoutingOperator {
  @PrimaryColumn({ type: 'integer' }) userId!: number;
  /** Contacts at once per channel; channels not named take the policy's default. */
  @JsonColumn() capacity!: Partial<Record<Channel, number>>;
  @Column({ type: 'varchar', length: 16 }) state!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) reason!: string | null;
  @BigNumberColumn() since!: number;
  /** The node serving the operator (where they last set their state). */
  @Column({ type: 'varchar', length: 128, nullable: true }) nodeId!: string | null;
}

/**
 * One part of a checkpoint of the contact book (checkpoint.ts): the book's state as JSON text, cut
 * into parts of at most CHECKPOINT_PART_CHARS characters (MySQL's MEDIUMTEXT holds 16 MB). Every
 * part repeats the header (format, position, parts, writtenAt, nodeId); part 0 is the row the
 * compare-and-set on `position` is made on.
 */
@Entity('routing_checkpoints')
export class RoutingCheckpoint {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @PrimaryColumn({ type: 'integer' }) part!: number;
  /** The format of `data` (CHECKPOINT_FORMAT); another one is not read. */
  @Column({ type: 'integer' }) format!: number;
  /** The journal sequence number the book covers: every event up to it (see `data.pending`). */
  @BigNumberColumn() position!: number;
  /** How many parts the checkpoint has. */
  @Column({ type: 'integer' }) parts!: number;
  @BigNumberColumn() writtenAt!: number;
  @Column({ type: 'varchar', length: 128, nullable: true }) nodeId!: string | null;
  @Column({ type: 'text' }) data!: string;
}

export const routingEntities = [RoutingQueue, RoutingRule, RoutingOperator, RoutingCheckpoint];

/** The tables of the first migration, in the order they are dropped. */
const INITIAL_TABLES = ['routing_store_operators', 'routing_claims', 'routing_holdings', 'routing_operators', 'routing_rules', 'routing_queues'];

/** Every table routing owns, in the order they are dropped. */
export const ROUTING_TABLES = ['routing_checkpoints', ...INITIAL_TABLES];

export class RoutingInitial1766100000000 implements MigrationInterface {
  name = 'RoutingInitial1766100000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    const key = (col: TableColumnOptions): TableColumnOptions => ({ ...col, isPrimary: true });
    await createTable(qr, 'routing_queues', [
      c.id(), c.str('code', 64), c.str('name', 200), c.int('siteId'), c.json('channels'), c.int('priority', { default: 0 }), c.json('requirements'),
      c.json('hours', { nullable: true }), c.json('relax'), c.json('overflow', { nullable: true }), c.int('stickyWindowSeconds'), c.int('offerTimeoutSeconds'),
      c.int('maxOffers'), c.int('wrapUpSeconds'), c.bool('enabled', { default: true }), c.bigint('updatedAt'),
    ], [{ columns: ['code'], unique: true }]);
    await createTable(qr, 'routing_rules', [c.id(), c.int('position'), c.json('match'), c.int('queueId'), c.int('priority', { nullable: true }), c.json('skills')]);
    await createTable(qr, 'routing_operators', [key(c.int('userId')), c.json('capacity'), c.str('state', 16), c.str('reason', 64, { nullable: true }), c.bigint('since'), c.str('nodeId', 128, { nullable: true })]);
    await createTable(qr, 'routing_holdings', [
      key(c.str('contactId', 64)), c.str('state', 16), c.int('version'), c.str('offerId', 100, { nullable: true }), c.str('operatorId', 64, { nullable: true }),
      c.str('channel', 16, { nullable: true }), c.bool('exclusive', { default: false }), c.bigint('expiresAt', { nullable: true }), c.bigint('createdAt'),
    ]);
    await createTable(qr, 'routing_claims', [key(c.str('offerId', 100)), c.str('operatorId', 64), c.str('contactId', 64), c.str('channel', 16), c.bool('exclusive')], [{ columns: ['operatorId'] }]);
    await createTable(qr, 'routing_store_operators', [key(c.str('operatorId', 64)), c.int('version')]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of INITIAL_TABLES) await qr.dropTable(t, true);
  }
}

export class RoutingCheckpoints1767400000000 implements MigrationInterface {
  name = 'RoutingCheckpoints1767400000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    await createTable(qr, 'routing_checkpoints', [
      { ...c.str('name', 64), isPrimary: true }, { ...c.int('part'), isPrimary: true }, c.int('format'), c.bigint('position'), c.int('parts'), c.bigint('writtenAt'),
      c.str('nodeId', 128, { nullable: true }), c.text('data'),
    ]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('routing_checkpoints', true);
  }
}

export const routingMigrations = [RoutingInitial1766100000000, RoutingCheckpoints1767400000000];
