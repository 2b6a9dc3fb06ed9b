import { Entity, PrimaryColumn, Column } from 'typeorm';

/** An exception to the working week: a holiday, a transferred working day or a shortened day. */
@Entity('calendar_days')
export class CalendarDay {
  /** Local date in the city's time zone, YYYY-MM-DD. */
  @PrimaryColumn({ type: 'varchar', length: 10 }) date!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: 'holiday' | 'workday' | 'short';
  @Column({ type: 'varchar', length: 200, nullable: true }) note!: string | null;
}
