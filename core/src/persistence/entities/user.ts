import { Entity, PrimaryGeneratedColumn, Column, PrimaryColumn, Index } from 'typeorm';
import { InstantColumn, JsonColumn } from '../columns.js';

export type Role = 'operator' | 'supervisor' | 'planner' | 'technician' | 'admin';
export const ROLES: readonly Role[] = ['operator', 'supervisor', 'planner', 'technician', 'admin'];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_users_login', { unique: true }) login!: string;
  @Column({ type: 'varchar', length: 200 }) fullName!: string;
  @Column({ type: 'varchar', length: 200 }) passwordHash!: string;
  @JsonColumn() roles!: Role[];
  @Column({ type: 'integer', nullable: true }) siteId!: number | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @Column({ type: 'varchar', length: 8, default: 'ru' }) locale!: string;
  @InstantColumn() createdAt!: Date;
  @InstantColumn({ nullable: true }) lastLoginAt!: Date | null;
}

/** A skill in the catalogue (e.g. "housing", "lang-en", "fax"). */
@Entity('skills')
export class Skill {
  @PrimaryColumn({ type: 'varchar', length: 64 }) code!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
}

/** An operator's skill with proficiency 1 (basic) .. 5 (expert). */
@Entity('user_skills')
export class UserSkill {
  @PrimaryColumn({ type: 'integer' }) userId!: number;
  @PrimaryColumn({ type: 'varchar', length: 64 }) skill!: string;
  @Column({ type: 'integer' }) proficiency!: number;
}

/** A refresh token (stored hashed), rotated on every use. */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) @Index('IDX_refresh_tokens_userId') userId!: number;
  @Column({ type: 'varchar', length: 64 }) @Index('IDX_refresh_tokens_tokenHash', { unique: true }) tokenHash!: string;
  @InstantColumn() expiresAt!: Date;
  @InstantColumn({ nullable: true }) revokedAt!: Date | null;
  @InstantColumn() createdAt!: Date;
}
