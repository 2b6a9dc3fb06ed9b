import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { InstantColumn } from '../columns.js';

export type ApplicantKind = 'citizen' | 'organisation';
export type ContactKind = 'email' | 'phone' | 'postal' | 'fax' | 'portal';
export const CONTACT_KINDS: readonly ContactKind[] = ['email', 'phone', 'postal', 'fax', 'portal'];

/** A citizen or an organisation's representative. Personal data: every read and change is audited. */
@Entity('applicants')
export class Applicant {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 16 }) kind!: ApplicantKind;
  @Column({ type: 'varchar', length: 300, nullable: true }) fullName!: string | null;
  @Column({ type: 'varchar', length: 400, nullable: true }) organisationName!: string | null;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
  /** Set when the personal data was destroyed (152-FZ art. 21); the row stays for statistics. */
  @InstantColumn({ nullable: true }) destroyedAt!: Date | null;
}

/** A way to reach an applicant. `normalized` makes the same address found again. */
@Entity('contact_points')
@Index('IDX_contact_points_kind_normalized', ['kind', 'normalized'], { unique: true })
export class ContactPoint {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) @Index('IDX_contact_points_applicantId') applicantId!: number;
  @Column({ type: 'varchar', length: 16 }) kind!: ContactKind;
  @Column({ type: 'varchar', length: 400 }) value!: string;
  @Column({ type: 'varchar', length: 400 }) normalized!: string;
}
