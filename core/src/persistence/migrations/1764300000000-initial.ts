import type { MigrationInterface, QueryRunner } from 'typeorm';
import { columns, createTable } from './schema-dsl.js';

/** The core schema: sites, registry, knowledge base, applicants, appeals, users, audit, journal. */
export class Initial1764300000000 implements MigrationInterface {
  name = 'Initial1764300000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    await createTable(qr, 'sites', [c.id(), c.str('code', 32), c.str('name', 200), c.str('kind', 16), c.int('parentId', { nullable: true }), c.bool('active', { default: true })], [{ columns: ['code'], unique: true }]);
    await createTable(qr, 'organisations', [
      c.id(), c.str('code', 64), c.str('name', 400), c.str('shortName', 120, { nullable: true }),
      c.str('email', 320, { nullable: true }), c.int('siteId', { nullable: true }), c.bool('active', { default: true }),
    ], [{ columns: ['code'], unique: true }]);
    await createTable(qr, 'services', [
      c.id(), c.str('code', 64), c.int('organisationId'), c.str('name', 400), c.text('procedure'), c.json('requiredDocuments'),
      c.text('timeLimits'), c.text('place'), c.str('topic', 120, { nullable: true }), c.bool('active', { default: true }), c.instant('updatedAt'),
    ], [{ columns: ['code'], unique: true }, { columns: ['organisationId'] }]);
    await createTable(qr, 'kb_articles', [
      c.id(), c.str('title', 400), c.int('serviceId', { nullable: true }), c.int('organisationId', { nullable: true }), c.int('currentVersion'),
      c.str('status', 16, { default: "'published'" }), c.instant('createdAt'), c.instant('updatedAt'),
    ], [{ columns: ['serviceId'] }]);
    await createTable(qr, 'kb_article_versions', [
      c.id(), c.int('articleId'), c.int('version'), c.str('title', 400), c.text('body'), c.str('note', 400, { nullable: true }),
      c.int('authorId', { nullable: true }), c.instant('createdAt'),
    ], [{ columns: ['articleId', 'version'], unique: true }]);
    await createTable(qr, 'applicants', [
      c.id(), c.str('kind', 16), c.str('fullName', 300, { nullable: true }), c.str('organisationName', 400, { nullable: true }),
      c.instant('createdAt'), c.instant('updatedAt'), c.instant('destroyedAt', { nullable: true }),
    ]);
    await createTable(qr, 'contact_points', [c.id(), c.int('applicantId'), c.str('kind', 16), c.str('value', 400), c.str('normalized', 400)],
      [{ columns: ['kind', 'normalized'], unique: true }, { columns: ['applicantId'] }]);
    await createTable(qr, 'appeals', [
      c.id(), c.str('regNumber', 32, { nullable: true }), c.str('channel', 32), c.str('type', 24), c.str('status', 16),
      c.int('applicantId'), c.int('siteId'), c.int('serviceId', { nullable: true }), c.int('organisationId', { nullable: true }),
      c.str('topic', 120, { nullable: true }), c.str('subject', 500, { nullable: true }), c.str('category', 32, { nullable: true }), c.int('priority', { default: 0 }),
      c.instant('receivedAt'), c.instant('registeredAt', { nullable: true }), c.instant('registerBy'), c.instant('redirectBy', { nullable: true }),
      c.instant('answerBy', { nullable: true }), c.instant('secondLineBy', { nullable: true }),
      c.int('extensionDays', { nullable: true }), c.text('extensionReason', { nullable: true }), c.instant('extendedAt', { nullable: true }),
      c.int('redirectedToOrgId', { nullable: true }), c.text('redirectReason', { nullable: true }), c.instant('redirectedAt', { nullable: true }),
      c.instant('answeredAt', { nullable: true }), c.instant('closedAt', { nullable: true }), c.str('outcome', 32, { nullable: true }),
      c.str('wrapUpCode', 64, { nullable: true }), c.text('suspendReason', { nullable: true }), c.int('assignedUserId', { nullable: true }),
      c.str('replyChannel', 32, { nullable: true }), c.str('replyAddress', 400, { nullable: true }), c.str('statusSecretHash', 200, { nullable: true }),
      c.json('kbVersionsUsed', { nullable: true }), c.instant('createdAt'), c.instant('updatedAt'), c.int('version'),
    ], [{ columns: ['regNumber'], unique: true }, { columns: ['status'] }, { columns: ['applicantId'] }, { columns: ['siteId'] }, { columns: ['assignedUserId'] }, { columns: ['answerBy'] }, { columns: ['receivedAt'] }]);
    await createTable(qr, 'interactions', [
      c.id(), c.int('appealId'), c.str('direction', 8), c.str('kind', 16), c.str('channel', 32), c.str('externalId', 255, { nullable: true }),
      c.instant('at'), c.int('authorUserId', { nullable: true }), c.str('subject', 500, { nullable: true }), c.text('body'), c.json('meta', { nullable: true }),
      c.str('deliveryStatus', 16, { nullable: true }), c.text('deliveryError', { nullable: true }), c.int('attempts', { default: 0 }),
      c.instant('nextAttemptAt', { nullable: true }),
    ], [{ columns: ['channel', 'externalId'], unique: true }, { columns: ['appealId'] }, { columns: ['deliveryStatus', 'nextAttemptAt'] }]);
    await createTable(qr, 'interaction_attachments', [
      { ...c.int('interactionId'), isPrimary: true }, { ...c.int('attachmentId'), isPrimary: true }, c.str('filename', 255),
    ]);
    await createTable(qr, 'attachments', [c.id(), c.str('sha256', 64), c.int('size'), c.str('mime', 120), c.str('filename', 255), c.instant('createdAt')], [{ columns: ['sha256'] }]);
    await createTable(qr, 'notices', [
      c.id(), c.int('appealId'), c.str('kind', 16), c.str('channel', 32, { nullable: true }), c.str('address', 400, { nullable: true }),
      c.str('lang', 8, { default: "'ru'" }), c.str('status', 16), c.int('attempts', { default: 0 }), c.instant('nextAttemptAt'),
      c.text('lastError', { nullable: true }), c.instant('sentAt', { nullable: true }), c.int('interactionId', { nullable: true }),
      c.json('data', { nullable: true }), c.instant('createdAt'),
    ], [{ columns: ['appealId'] }, { columns: ['status', 'nextAttemptAt'] }]);
    await createTable(qr, 'users', [
      c.id(), c.str('login', 64), c.str('fullName', 200), c.str('passwordHash', 200), c.json('roles'),
      c.int('siteId', { nullable: true }), c.bool('active', { default: true }), c.str('locale', 8, { default: "'ru'" }),
      c.instant('createdAt'), c.instant('lastLoginAt', { nullable: true }),
    ], [{ columns: ['login'], unique: true }]);
    await createTable(qr, 'skills', [{ ...c.str('code', 64), isPrimary: true }, c.str('name', 200)]);
    await createTable(qr, 'user_skills', [{ ...c.int('userId'), isPrimary: true }, { ...c.str('skill', 64), isPrimary: true }, c.int('proficiency')]);
    await createTable(qr, 'refresh_tokens', [
      c.id(), c.int('userId'), c.str('tokenHash', 64), c.instant('expiresAt'), c.instant('revokedAt', { nullable: true }), c.instant('createdAt'),
    ], [{ columns: ['tokenHash'], unique: true }, { columns: ['userId'] }]);
    await createTable(qr, 'audit_log', [
      c.id(), c.instant('at'), c.int('userId', { nullable: true }), c.str('login', 64, { nullable: true }), c.str('action', 16), c.str('entityType', 32),
      c.str('entityId', 64, { nullable: true }), c.int('applicantId', { nullable: true }), c.json('detail', { nullable: true }), c.str('ip', 64, { nullable: true }),
    ], [{ columns: ['at'] }, { columns: ['applicantId', 'at'] }]);
    await createTable(qr, 'destruction_acts', [c.id(), c.instant('at'), c.int('userId', { nullable: true }), c.str('reason', 400), c.json('applicantIds'), c.json('logExtract')]);
    await createTable(qr, 'journal', [
      c.seq(), c.instant('at'), c.str('type', 64), c.str('aggregateType', 32), c.str('aggregateId', 64), c.int('siteId', { nullable: true }),
      c.int('actorId', { nullable: true }), c.json('data'),
    ], [{ columns: ['aggregateType', 'aggregateId'] }]);
    await createTable(qr, 'journal_cursors', [{ ...c.str('name', 64), isPrimary: true }, c.bigint('seq'), c.instant('updatedAt')]);
    await createTable(qr, 'leases', [{ ...c.str('name', 64), isPrimary: true }, c.str('holder', 128), c.instant('expiresAt')]);
    await createTable(qr, 'calendar_days', [{ ...c.str('date', 10), isPrimary: true }, c.str('kind', 16), c.str('note', 200, { nullable: true })]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['calendar_days', 'leases', 'journal_cursors', 'journal', 'destruction_acts', 'audit_log', 'refresh_tokens', 'user_skills', 'skills', 'users',
      'notices', 'attachments', 'interaction_attachments', 'interactions', 'appeals', 'contact_points', 'applicants', 'kb_article_versions', 'kb_articles',
      'services', 'organisations', 'sites']) {
      await qr.dropTable(t, true);
    }
  }
}
