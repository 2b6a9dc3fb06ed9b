/**
 * A plan as the table the console draws as a heatmap: one row per local day, one column per interval
 * of the day, with agents, staff and the expected service level in each cell (null where the plan has
 * no interval).
 */
import { localTime, dateOfDay } from './math/index.js';

export interface Heatmap {
  dates: string[];
  /** 'HH:mm' of each column. */
  times: string[];
  agents: (number | null)[][];
  staff: (number | null)[][];
  serviceLevel: (number | null)[][];
}

export interface HeatmapCell {
  start: number;
  agents: number;
  staff: number;
  serviceLevel?: number;
}

export function heatmap(cells: HeatmapCell[], intervalMinutes: number, utcOffsetMinutes: number): Heatmap {
  const slots = 1440 / intervalMinutes;
  const times = Array.from({ length: slots }, (_, i) => {
    const m = i * intervalMinutes;
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  });
  const days = [...new Set(cells.map((c) => localTime(c.start, utcOffsetMinutes).day))].sort((a, b) => a - b);
  const row = () => Array.from({ length: slots }, () => null as number | null);
  const agents = days.map(row);
  const staff = days.map(row);
  const serviceLevel = days.map(row);
  for (const c of cells) {
    const { day, minuteOfDay } = localTime(c.start, utcOffsetMinutes);
    const d = days.indexOf(day);
    const s = Math.floor(minuteOfDay / intervalMinutes);
    agents[d]![s] = c.agents;
    staff[d]![s] = c.staff;
    serviceLevel[d]![s] = c.serviceLevel ?? null;
  }
  return { dates: days.map(dateOfDay), times, agents, staff, serviceLevel };
}
