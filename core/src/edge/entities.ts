/**
 * The fleet of edge agents as the core keeps it: the agents and their credentials, what they last
 * reported (presence, inventory, telemetry), their recent events, the commands sent to them and the
 * files they uploaded. Site and agent ids are the protocol's (`okno/v1/<site>/<agent>/...`).
 */
import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { BigNumberColumn, InstantColumn, JsonColumn } from '../persistence/columns.js';

/** One edge agent: `<siteCode>.<agentId>` is its MQTT user name. */
@Entity('edge_agents')
@Index('IDX_edge_agents_siteCode_agentId', ['siteCode', 'agentId'], { unique: true })
export class EdgeAgentRecord {
  @PrimaryGeneratedColumn() id!: number;
  /** The protocol's site id (a site code of the core when one matches: then siteId is set). */
  @Column({ type: 'varchar', length: 32 }) siteCode!: string;
  @Column({ type: 'varchar', length: 64 }) agentId!: string;
  @Column({ type: 'integer', nullable: true }) siteId!: number | null;
  @Column({ type: 'varchar', length: 200 }) label!: string;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  /** Mosquitto `$7$` PBKDF2-SHA512 hash: the same line serves the embedded broker and a password_file. */
  @Column({ type: 'varchar', length: 200 }) passwordHash!: string;
  @InstantColumn() passwordSetAt!: Date;
  @Column({ type: 'boolean', default: false }) online!: boolean;
  @InstantColumn({ nullable: true }) onlineSince!: Date | null;
  @InstantColumn({ nullable: true }) lastSeenAt!: Date | null;
  /** The agent's `ts` of the presence applied last (older ones arriving late are ignored). */
  @BigNumberColumn({ nullable: true }) presenceTs!: number | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) offlineReason!: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) agentVersion!: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) protocolVersion!: string | null;
  @InstantColumn({ nullable: true }) startedAt!: Date | null;
  @JsonColumn({ nullable: true }) inventory!: Record<string, unknown> | null;
  @BigNumberColumn({ nullable: true }) inventoryTs!: number | null;
  @JsonColumn({ nullable: true }) telemetry!: Record<string, unknown> | null;
  @BigNumberColumn({ nullable: true }) telemetryTs!: number | null;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

export type EdgeEventLevel = 'info' | 'warn' | 'error';

/** An event an agent reported (fax received, headset button, device added, error, ...). */
@Entity('edge_events')
@Index('IDX_edge_events_agentRowId_id', ['agentRowId', 'id'])
@Index('IDX_edge_events_level_id', ['level', 'id'])
export class EdgeEventRecord {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) agentRowId!: number;
  /** The message id: a redelivered event is stored once. */
  @Column({ type: 'varchar', length: 40 }) @Index('IDX_edge_events_messageId', { unique: true }) messageId!: string;
  @Column({ type: 'varchar', length: 64 }) type!: string;
  @Column({ type: 'varchar', length: 8 }) level!: EdgeEventLevel;
  @Column({ type: 'varchar', length: 256, nullable: true }) deviceId!: string | null;
  /** When the agent saw it. */
  @InstantColumn() at!: Date;
  @InstantColumn() @Index('IDX_edge_events_receivedAt') receivedAt!: Date;
  @JsonColumn() data!: Record<string, unknown>;
}

export type EdgeCommandStatus = 'pending' | 'ok' | 'error' | 'timeout';

/** A command sent to an agent and its outcome. */
@Entity('edge_commands')
@Index('IDX_edge_commands_agentRowId_id', ['agentRowId', 'id'])
@Index('IDX_edge_commands_status_deadline', ['status', 'deadline'])
export class EdgeCommandRecord {
  @PrimaryGeneratedColumn() id!: number;
  /** The command message's id; the agent's cmd-result names it. */
  @Column({ type: 'varchar', length: 40 }) @Index('IDX_edge_commands_correlationId', { unique: true }) correlationId!: string;
  @Column({ type: 'integer' }) agentRowId!: number;
  @Column({ type: 'varchar', length: 64 }) kind!: string;
  @JsonColumn() args!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 16 }) status!: EdgeCommandStatus;
  @JsonColumn({ nullable: true }) result!: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) errorCode!: string | null;
  @Column({ type: 'text', nullable: true }) errorMessage!: string | null;
  @Column({ type: 'integer', nullable: true }) requestedBy!: number | null;
  /** The core node that sent it (and waits for it). */
  @Column({ type: 'varchar', length: 128 }) node!: string;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() deadline!: Date;
  @InstantColumn({ nullable: true }) finishedAt!: Date | null;
  @InstantColumn({ nullable: true }) agentReceivedAt!: Date | null;
  @InstantColumn({ nullable: true }) agentFinishedAt!: Date | null;
}

/** A file an agent uploaded (e.g. a received fax as TIFF Class F), kept in the attachment store. */
@Entity('edge_files')
@Index('IDX_edge_files_agentRowId_id', ['agentRowId', 'id'])
export class EdgeFileRecord {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 40 }) @Index('IDX_edge_files_transferId', { unique: true }) transferId!: string;
  @Column({ type: 'integer' }) agentRowId!: number;
  @Column({ type: 'integer' }) attachmentId!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'varchar', length: 128 }) contentType!: string;
  @Column({ type: 'integer' }) size!: number;
  @Column({ type: 'varchar', length: 64 }) sha256!: string;
  /** The offer's meta (modemId, pages, remoteId, ...): may name a fax number, so it stays out of the journal. */
  @JsonColumn() meta!: Record<string, unknown>;
  @InstantColumn() receivedAt!: Date;
}

/**
 * An operator's headset: the user whose offers ring it and whose hook and buttons answer them. One
 * headset per operator and one operator per headset; the headset is named as its agent reports it
 * (the agent row and the inventory's device id).
 */
@Entity('edge_headset_bindings')
@Index('IDX_edge_headset_bindings_agentRowId_headsetId', ['agentRowId', 'headsetId'], { unique: true })
export class EdgeHeadsetBinding {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) @Index('IDX_edge_headset_bindings_userId', { unique: true }) userId!: number;
  @Column({ type: 'integer' }) agentRowId!: number;
  @Column({ type: 'varchar', length: 256 }) headsetId!: string;
  /** Who bound it (the operator, a technician or an administrator). */
  @Column({ type: 'integer', nullable: true }) boundBy!: number | null;
  @InstantColumn() boundAt!: Date;
}

export const edgeEntities = [EdgeAgentRecord, EdgeEventRecord, EdgeCommandRecord, EdgeFileRecord, EdgeHeadsetBinding];
