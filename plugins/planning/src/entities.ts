/**
 * Saved plans: a staffing plan, a what-if or a backlog plan, with the request that made it and its
 * result as computed when it was saved (history grows; a saved plan does not change with it).
 */
import { Entity, PrimaryGeneratedColumn, Column, Index, type MigrationInterface, type QueryRunner } from 'typeorm';
import { InstantColumn, JsonColumn, columns, createTable } from '@okno/core';

export const PLAN_KINDS = ['staffing', 'whatIf', 'backlog'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

@Entity('planning_plans')
@Index('IDX_planning_plans_kind', ['kind'])
export class SavedPlan {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: PlanKind;
  @JsonColumn() input!: Record<string, unknown>;
  @JsonColumn() result!: Record<string, unknown>;
  @Column({ type: 'integer', nullable: true }) createdBy!: number | null;
  @InstantColumn() createdAt!: Date;
}

export const planningEntities = [SavedPlan];

export class PlanningInitial1766100000000 implements MigrationInterface {
  name = 'PlanningInitial1766100000000';

  async up(qr: QueryRunner): Promise<void> {
    const c = columns(qr);
    await createTable(qr, 'planning_plans', [
      c.id(), c.str('name', 200), c.str('kind', 16), c.json('input'), c.json('result'), c.int('createdBy', { nullable: true }), c.instant('createdAt'),
    ], [{ columns: ['kind'] }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('planning_plans', true);
  }
}

export const planningMigrations = [PlanningInitial1766100000000];
