import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { InstantColumn, JsonColumn } from '../columns.js';

export type AuditAction = 'read' | 'create' | 'update' | 'export' | 'destroy' | 'login' | 'login_failed';

/** 152-FZ: a record of every read and change of an applicant's personal data (and of logins). */
@Entity('audit_log')
@Index('IDX_audit_log_applicantId_at', ['applicantId', 'at'])
export class AuditEntry {
  @PrimaryGeneratedColumn() id!: number;
  @InstantColumn() @Index('IDX_audit_log_at') at!: Date;
  @Column({ type: 'integer', nullable: true }) userId!: number | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) login!: string | null;
  @Column({ type: 'varchar', length: 16 }) action!: AuditAction;
  @Column({ type: 'varchar', length: 32 }) entityType!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) entityId!: string | null;
  @Column({ type: 'integer', nullable: true }) applicantId!: number | null;
  /** What was read or changed (field names, the purpose), never the personal data itself. */
  @JsonColumn({ nullable: true }) detail!: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip!: string | null;
}

/** A destruction act (152-FZ art. 21, Roskomnadzor order 179): what was destroyed, when, by whom, why. */
@Entity('destruction_acts')
export class DestructionAct {
  @PrimaryGeneratedColumn() id!: number;
  @InstantColumn() at!: Date;
  @Column({ type: 'integer', nullable: true }) userId!: number | null;
  @Column({ type: 'varchar', length: 400 }) reason!: string;
  @JsonColumn() applicantIds!: number[];
  /** The extract of the event log that documents the destruction. */
  @JsonColumn() logExtract!: Record<string, unknown>[];
}
