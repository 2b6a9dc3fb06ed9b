import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { InstantColumn, JsonColumn } from '../columns.js';

/** The notices 59-FZ and the city's practice require the applicant to get. */
export type NoticeKind = 'received' | 'redirected' | 'extended' | 'answered' | 'ready_early' | 'suspended';
export const NOTICE_KINDS: readonly NoticeKind[] = ['received', 'redirected', 'extended', 'answered', 'ready_early', 'suspended'];
export type NoticeStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'not_deliverable';

/** A notice to an applicant, recorded on the appeal; delivered by the notification service. */
@Entity('notices')
@Index('IDX_notices_status_nextAttemptAt', ['status', 'nextAttemptAt'])
export class Notice {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) @Index('IDX_notices_appealId') appealId!: number;
  @Column({ type: 'varchar', length: 16 }) kind!: NoticeKind;
  @Column({ type: 'varchar', length: 32, nullable: true }) channel!: string | null;
  @Column({ type: 'varchar', length: 400, nullable: true }) address!: string | null;
  @Column({ type: 'varchar', length: 8, default: 'ru' }) lang!: string;
  @Column({ type: 'varchar', length: 16 }) status!: NoticeStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @InstantColumn() nextAttemptAt!: Date;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
  @InstantColumn({ nullable: true }) sentAt!: Date | null;
  @Column({ type: 'integer', nullable: true }) interactionId!: number | null;
  /** Values for the template (reason, new deadline, organisation...). No secrets. */
  @JsonColumn({ nullable: true }) data!: Record<string, unknown> | null;
  @InstantColumn() createdAt!: Date;
}
