import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { InstantColumn, JsonColumn } from '../columns.js';

/** An organisation (executive body, institution) that provides services or receives redirected appeals. */
@Entity('organisations')
export class Organisation {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_organisations_code', { unique: true }) code!: string;
  @Column({ type: 'varchar', length: 400 }) name!: string;
  @Column({ type: 'varchar', length: 120, nullable: true }) shortName!: string | null;
  /** Where redirected appeals are sent (e-mail of the organisation's office), if known. */
  @Column({ type: 'varchar', length: 320, nullable: true }) email!: string | null;
  @Column({ type: 'integer', nullable: true }) siteId!: number | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
}

/**
 * A public service in the registry. The concept of the city contact centre requires four things of
 * every entry: the procedure, the list of required documents, the time limits and the place.
 */
@Entity('services')
export class Service {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_services_code', { unique: true }) code!: string;
  @Column({ type: 'integer' }) @Index('IDX_services_organisationId') organisationId!: number;
  @Column({ type: 'varchar', length: 400 }) name!: string;
  @Column({ type: 'text' }) procedure!: string;
  @JsonColumn() requiredDocuments!: string[];
  @Column({ type: 'text' }) timeLimits!: string;
  @Column({ type: 'text' }) place!: string;
  @Column({ type: 'varchar', length: 120, nullable: true }) topic!: string | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @InstantColumn() updatedAt!: Date;
}
