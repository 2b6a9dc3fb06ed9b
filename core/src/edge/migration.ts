import type { MigrationInterface, QueryRunner } from 'typeorm';
import { columns, createTable } from '../persistence/migrations/schema-dsl.js';

/** The edge fleet: agents with their credentials and last reports, events, commands, uploaded files. */
export class EdgeFleet1764400000000 implements MigrationInterface {
  name = 'EdgeFleet1764400000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    await createTable(qr, 'edge_agents', [
      c.id(), c.str('siteCode', 32), c.str('agentId', 64), c.int('siteId', { nullable: true }), c.str('label', 200),
      c.bool('enabled', { default: true }), c.str('passwordHash', 200), c.instant('passwordSetAt'),
      c.bool('online', { default: false }), c.instant('onlineSince', { nullable: true }), c.instant('lastSeenAt', { nullable: true }),
      c.bigint('presenceTs', { nullable: true }), c.str('offlineReason', 16, { nullable: true }),
      c.str('agentVersion', 32, { nullable: true }), c.str('protocolVersion', 16, { nullable: true }), c.instant('startedAt', { nullable: true }),
      c.json('inventory', { nullable: true }), c.bigint('inventoryTs', { nullable: true }),
      c.json('telemetry', { nullable: true }), c.bigint('telemetryTs', { nullable: true }),
      c.instant('createdAt'), c.instant('updatedAt'),
    ], [{ columns: ['siteCode', 'agentId'], unique: true }]);
    await createTable(qr, 'edge_events', [
      c.id(), c.int('agentRowId'), c.str('messageId', 40), c.str('type', 64), c.str('level', 8), c.str('deviceId', 256, { nullable: true }),
      c.instant('at'), c.instant('receivedAt'), c.json('data'),
    ], [{ columns: ['agentRowId', 'id'] }, { columns: ['level', 'id'] }, { columns: ['messageId'], unique: true }, { columns: ['receivedAt'] }]);
    await createTable(qr, 'edge_commands', [
      c.id(), c.str('correlationId', 40), c.int('agentRowId'), c.str('kind', 64), c.json('args'), c.str('status', 16),
      c.json('result', { nullable: true }), c.str('errorCode', 32, { nullable: true }), c.text('errorMessage', { nullable: true }),
      c.int('requestedBy', { nullable: true }), c.str('node', 128), c.instant('createdAt'), c.instant('deadline'),
      c.instant('finishedAt', { nullable: true }), c.instant('agentReceivedAt', { nullable: true }), c.instant('agentFinishedAt', { nullable: true }),
    ], [{ columns: ['correlationId'], unique: true }, { columns: ['agentRowId', 'id'] }, { columns: ['status', 'deadline'] }]);
    await createTable(qr, 'edge_files', [
      c.id(), c.str('transferId', 40), c.int('agentRowId'), c.int('attachmentId'), c.str('name', 255), c.str('contentType', 128),
      c.int('size'), c.str('sha256', 64), c.json('meta'), c.instant('receivedAt'),
    ], [{ columns: ['transferId'], unique: true }, { columns: ['agentRowId', 'id'] }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['edge_files', 'edge_commands', 'edge_events', 'edge_agents']) await qr.dropTable(t, true);
  }
}

/** Operators' headsets: which headset (agent row + device id) rings for which user. */
export class EdgeHeadsetBindings1764400000001 implements MigrationInterface {
  name = 'EdgeHeadsetBindings1764400000001';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    await createTable(qr, 'edge_headset_bindings', [
      c.id(), c.int('userId'), c.int('agentRowId'), c.str('headsetId', 256), c.int('boundBy', { nullable: true }), c.instant('boundAt'),
    ], [{ columns: ['userId'], unique: true }, { columns: ['agentRowId', 'headsetId'], unique: true }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('edge_headset_bindings', true);
  }
}
