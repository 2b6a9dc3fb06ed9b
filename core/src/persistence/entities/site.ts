import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';

export type SiteKind = 'city' | 'okrug' | 'district';
export const SITE_KINDS: readonly SiteKind[] = ['city', 'okrug', 'district'];

/** A subdivision of the distributed centre: city -> okrug -> district. */
@Entity('sites')
export class Site {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 32 }) @Index('IDX_sites_code', { unique: true }) code!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: SiteKind;
  @Column({ type: 'integer', nullable: true }) parentId!: number | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
}
