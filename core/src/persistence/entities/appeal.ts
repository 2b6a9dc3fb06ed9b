import { Entity, PrimaryGeneratedColumn, Column, Index, VersionColumn } from 'typeorm';
import { InstantColumn, JsonColumn } from '../columns.js';

/**
 * received    - taken in, not yet registered (e.g. a fax that an operator must key in)
 * registered  - registered with a number, waiting for work
 * in_progress - an operator works on it
 * deferred    - second-line work (8 working hours)
 * suspended   - work suspended (the applicant is told)
 * redirected  - sent to the competent organisation (closed here)
 * answered    - the answer went out
 * closed      - closed without an answer on substance (59-FZ art. 11) or after the answer
 */
export type AppealStatus = 'received' | 'registered' | 'in_progress' | 'deferred' | 'suspended' | 'redirected' | 'answered' | 'closed';
export const APPEAL_STATUSES: readonly AppealStatus[] = ['received', 'registered', 'in_progress', 'deferred', 'suspended', 'redirected', 'answered', 'closed'];
export const OPEN_STATUSES: readonly AppealStatus[] = ['received', 'registered', 'in_progress', 'deferred', 'suspended'];

/**
 * 547-FZ: only appeals from identified channels (portal with authentication, ЕПГУ) are
 * "electronic documents"; plain e-mail is electronic but of a separate type.
 */
export type AppealType = 'electronic_document' | 'electronic' | 'written' | 'oral';
export const APPEAL_TYPES: readonly AppealType[] = ['electronic_document', 'electronic', 'written', 'oral'];

/** An appeal (обращение) with its deadlines under 59-FZ. */
@Entity('appeals')
export class Appeal {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 32, nullable: true }) @Index('IDX_appeals_regNumber', { unique: true }) regNumber!: string | null;
  /** Extensible channel list: phone, fax, email, portal, chat, ... (no schema change for a new one). */
  @Column({ type: 'varchar', length: 32 }) channel!: string;
  @Column({ type: 'varchar', length: 24 }) type!: AppealType;
  @Column({ type: 'varchar', length: 16 }) @Index('IDX_appeals_status') status!: AppealStatus;
  @Column({ type: 'integer' }) @Index('IDX_appeals_applicantId') applicantId!: number;
  @Column({ type: 'integer' }) @Index('IDX_appeals_siteId') siteId!: number;
  @Column({ type: 'integer', nullable: true }) serviceId!: number | null;
  /** The organisation competent for the appeal (from the service, or set by the operator). */
  @Column({ type: 'integer', nullable: true }) organisationId!: number | null;
  @Column({ type: 'varchar', length: 120, nullable: true }) topic!: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) subject!: string | null;
  /** Special term categories, e.g. 'migration' (20 days, 59-FZ art. 12 part 1.1). */
  @Column({ type: 'varchar', length: 32, nullable: true }) category!: string | null;
  @Column({ type: 'integer', default: 0 }) priority!: number;

  @InstantColumn() @Index('IDX_appeals_receivedAt') receivedAt!: Date;
  @InstantColumn({ nullable: true }) registeredAt!: Date | null;
  @InstantColumn() registerBy!: Date;
  @InstantColumn({ nullable: true }) redirectBy!: Date | null;
  @InstantColumn({ nullable: true }) @Index('IDX_appeals_answerBy') answerBy!: Date | null;
  @InstantColumn({ nullable: true }) secondLineBy!: Date | null;

  @Column({ type: 'integer', nullable: true }) extensionDays!: number | null;
  @Column({ type: 'text', nullable: true }) extensionReason!: string | null;
  @InstantColumn({ nullable: true }) extendedAt!: Date | null;

  @Column({ type: 'integer', nullable: true }) redirectedToOrgId!: number | null;
  @Column({ type: 'text', nullable: true }) redirectReason!: string | null;
  @InstantColumn({ nullable: true }) redirectedAt!: Date | null;

  @InstantColumn({ nullable: true }) answeredAt!: Date | null;
  @InstantColumn({ nullable: true }) closedAt!: Date | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) outcome!: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) wrapUpCode!: string | null;
  @Column({ type: 'text', nullable: true }) suspendReason!: string | null;

  @Column({ type: 'integer', nullable: true }) @Index('IDX_appeals_assignedUserId') assignedUserId!: number | null;
  /** Where the answer and notices go: the channel and the address within it. */
  @Column({ type: 'varchar', length: 32, nullable: true }) replyChannel!: string | null;
  @Column({ type: 'varchar', length: 400, nullable: true }) replyAddress!: string | null;
  /** scrypt hash of the secret the applicant got for status checks. */
  @Column({ type: 'varchar', length: 200, nullable: true }) statusSecretHash!: string | null;
  /** Knowledge-base article versions used for the answer: [{articleId, version}]. */
  @JsonColumn({ nullable: true }) kbVersionsUsed!: { articleId: number; version: number }[] | null;

  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
  @VersionColumn() version!: number;
}
