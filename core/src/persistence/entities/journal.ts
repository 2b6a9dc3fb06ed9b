import { Entity, PrimaryGeneratedColumn, Column, PrimaryColumn, Index } from 'typeorm';
import type { PrimaryGeneratedColumnNumericOptions } from 'typeorm/decorator/options/PrimaryGeneratedColumnNumericOptions.js';
import { InstantColumn, JsonColumn, bigNumberTransformer, BigNumberColumn } from '../columns.js';

/**
 * The journal: an append-only, sequenced log of domain events, written in the same transaction as
 * the state change (outbox). It carries ids and facts, never personal data, so it can be kept and
 * replayed after an applicant's data is destroyed.
 */
@Entity('journal')
@Index('IDX_journal_aggregateType_aggregateId', ['aggregateType', 'aggregateId'])
export class JournalEntry {
  // bigint comes back from MySQL as a string; the transformer makes it a number again.
  @PrimaryGeneratedColumn({ type: 'bigint', transformer: bigNumberTransformer } as PrimaryGeneratedColumnNumericOptions) seq!: number;
  @InstantColumn() at!: Date;
  @Column({ type: 'varchar', length: 64 }) type!: string;
  @Column({ type: 'varchar', length: 32 }) aggregateType!: string;
  @Column({ type: 'varchar', length: 64 }) aggregateId!: string;
  @Column({ type: 'integer', nullable: true }) siteId!: number | null;
  @Column({ type: 'integer', nullable: true }) actorId!: number | null;
  @JsonColumn() data!: Record<string, unknown>;
}

/** Where a consumer of the journal got to (by sequence number). */
@Entity('journal_cursors')
export class JournalCursor {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @BigNumberColumn() seq!: number;
  @InstantColumn() updatedAt!: Date;
}

/** A lease so that one core node at a time runs a singleton job (the journal relay). */
@Entity('leases')
export class Lease {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 128 }) holder!: string;
  @InstantColumn() expiresAt!: Date;
}
