import { Entity, PrimaryGeneratedColumn, Column, Index, PrimaryColumn } from 'typeorm';
import { InstantColumn, JsonColumn } from '../columns.js';

export type InteractionDirection = 'in' | 'out' | 'internal';
export type InteractionKind = 'message' | 'call' | 'fax' | 'chat' | 'note' | 'notice' | 'system';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced';

/**
 * Every inbound and outbound message, call, fax, chat transcript and note of an appeal.
 * (channel, externalId) is unique: it is the idempotency key of intake.
 */
@Entity('interactions')
@Index('IDX_interactions_channel_externalId', ['channel', 'externalId'], { unique: true })
@Index('IDX_interactions_deliveryStatus_nextAttemptAt', ['deliveryStatus', 'nextAttemptAt'])
export class Interaction {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) @Index('IDX_interactions_appealId') appealId!: number;
  @Column({ type: 'varchar', length: 8 }) direction!: InteractionDirection;
  @Column({ type: 'varchar', length: 16 }) kind!: InteractionKind;
  @Column({ type: 'varchar', length: 32 }) channel!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) externalId!: string | null;
  @InstantColumn() at!: Date;
  @Column({ type: 'integer', nullable: true }) authorUserId!: number | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) subject!: string | null;
  @Column({ type: 'text' }) body!: string;
  @JsonColumn({ nullable: true }) meta!: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) deliveryStatus!: DeliveryStatus | null;
  @Column({ type: 'text', nullable: true }) deliveryError!: string | null;
  /** Outbound delivery attempts so far, and when the next may start (or a claim expires). */
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @InstantColumn({ nullable: true }) nextAttemptAt!: Date | null;
}

/** Links an attachment (stored once by content hash) to the interaction that carried it. */
@Entity('interaction_attachments')
export class InteractionAttachment {
  @PrimaryColumn({ type: 'integer' }) interactionId!: number;
  @PrimaryColumn({ type: 'integer' }) attachmentId!: number;
  @Column({ type: 'varchar', length: 255 }) filename!: string;
}

/** A file stored by content hash on disk; metadata here. */
@Entity('attachments')
export class Attachment {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_attachments_sha256') sha256!: string;
  @Column({ type: 'integer' }) size!: number;
  @Column({ type: 'varchar', length: 120 }) mime!: string;
  @Column({ type: 'varchar', length: 255 }) filename!: string;
  @InstantColumn() createdAt!: Date;
}
