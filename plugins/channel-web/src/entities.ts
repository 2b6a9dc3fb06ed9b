/**
 * What the portal keeps besides the core's appeals:
 *  - portal_submissions: for a repeated submit of the same form, the status secret of the first one,
 *    sealed with a key derived from the submission id (the database alone cannot open it);
 *  - portal_messages: the portal message box — what `channel.portal.send` delivered (notices,
 *    answers), read by the citizen on the status page;
 *  - portal_chats: live chats (the conversation itself is on the appeal as interactions).
 */
import { Entity, PrimaryGeneratedColumn, Column, Index, type MigrationInterface, type QueryRunner } from 'typeorm';
import { InstantColumn, JsonColumn, columns, createTable } from '@okno/core';

@Entity('portal_submissions')
export class PortalSubmission {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_portal_submissions_submissionHash', { unique: true }) submissionHash!: string;
  @Column({ type: 'integer' }) appealId!: number;
  @Column({ type: 'varchar', length: 200 }) sealedSecret!: string;
  @InstantColumn() createdAt!: Date;
}

export interface BoxAttachment {
  attachmentId: number;
  filename: string;
  mime: string;
  size: number;
}

@Entity('portal_messages')
export class PortalMessage {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) @Index('IDX_portal_messages_appealId') appealId!: number;
  @Column({ type: 'varchar', length: 100 }) @Index('IDX_portal_messages_deliveryId', { unique: true }) deliveryId!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: 'reply' | 'notice';
  @Column({ type: 'varchar', length: 16, nullable: true }) noticeKind!: string | null;
  @Column({ type: 'varchar', length: 500 }) subject!: string;
  @Column({ type: 'text' }) body!: string;
  @JsonColumn({ nullable: true }) attachments!: BoxAttachment[] | null;
  @InstantColumn() at!: Date;
}

export type ChatStatus = 'waiting' | 'active' | 'closed';

@Entity('portal_chats')
export class PortalChat {
  @PrimaryGeneratedColumn() id!: number;
  /** The chat's public id (a random UUID). */
  @Column({ type: 'varchar', length: 36 }) @Index('IDX_portal_chats_chatId', { unique: true }) chatId!: string;
  @Column({ type: 'integer' }) @Index('IDX_portal_chats_appealId') appealId!: number;
  /** SHA-256 of the token the citizen's browser resumes the chat with. */
  @Column({ type: 'varchar', length: 64 }) resumeHash!: string;
  @Column({ type: 'varchar', length: 16 }) @Index('IDX_portal_chats_status') status!: ChatStatus;
  @Column({ type: 'integer', nullable: true }) operatorUserId!: number | null;
  @Column({ type: 'varchar', length: 8 }) lang!: string;
  @InstantColumn() openedAt!: Date;
  @InstantColumn({ nullable: true }) joinedAt!: Date | null;
  @InstantColumn({ nullable: true }) closedAt!: Date | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) closedBy!: 'citizen' | 'operator' | 'timeout' | null;
  /** Last sign of life from the citizen (a frame or a heartbeat). */
  @InstantColumn() lastSeenAt!: Date;
}

export const portalEntities = [PortalSubmission, PortalMessage, PortalChat];

export class PortalInitial1765000000000 implements MigrationInterface {
  name = 'PortalInitial1765000000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    await createTable(qr, 'portal_submissions', [c.id(), c.str('submissionHash', 64), c.int('appealId'), c.str('sealedSecret', 200), c.instant('createdAt')],
      [{ columns: ['submissionHash'], unique: true }]);
    await createTable(qr, 'portal_messages', [
      c.id(), c.int('appealId'), c.str('deliveryId', 100), c.str('kind', 16), c.str('noticeKind', 16, { nullable: true }), c.str('subject', 500),
      c.text('body'), c.json('attachments', { nullable: true }), c.instant('at'),
    ], [{ columns: ['appealId'] }, { columns: ['deliveryId'], unique: true }]);
    await createTable(qr, 'portal_chats', [
      c.id(), c.str('chatId', 36), c.int('appealId'), c.str('resumeHash', 64), c.str('status', 16), c.int('operatorUserId', { nullable: true }),
      c.str('lang', 8), c.instant('openedAt'), c.instant('joinedAt', { nullable: true }), c.instant('closedAt', { nullable: true }),
      c.str('closedBy', 16, { nullable: true }), c.instant('lastSeenAt'),
    ], [{ columns: ['chatId'], unique: true }, { columns: ['appealId'] }, { columns: ['status'] }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['portal_chats', 'portal_messages', 'portal_submissions']) await qr.dropTable(t, true);
  }
}

export const portalMigrations = [PortalInitial1765000000000];
