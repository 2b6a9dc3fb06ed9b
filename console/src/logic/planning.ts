/**
 * The planner's instant calculator and the shapes the planning pages draw. The numbers come from
 * `@okno/planning/math` — the very module the planning plugin runs on the server — so the browser
 * answers as the user types, with no request.
 */
import { addDays } from './dates.ts';
import {
  erlangAAgents, erlangCAgents, linesForBlocking, trafficLoad, erlangB, trunksForQueue,
  type ServiceTarget, type StaffingResult, type LineSizing,
} from '@okno/planning/math';

/** What the calculator form holds; percentages as people type them (80 = 80%). */
export interface CalcInput {
  calls: number;
  intervalMinutes: number;
  ahtSeconds: number;
  serviceLevelPercent: number | null;
  withinSeconds: number;
  maxAsaSeconds: number | null;
  maxOccupancyPercent: number | null;
  shrinkagePercent: number;
  /** With a patience the model is Erlang A (callers hang up); without, Erlang C. */
  patienceSeconds: number | null;
}

export type CalcAnswer =
  | { ok: true; model: 'erlangC' | 'erlangA'; load: number; result: StaffingResult & { averageWaitSeconds?: number } }
  | { ok: false; field: keyof CalcInput | null; message: string };

const FIELD_OF: [RegExp, keyof CalcInput][] = [
  [/serviceLevel/, 'serviceLevelPercent'], [/withinSeconds/, 'withinSeconds'], [/maxAsa/, 'maxAsaSeconds'], [/maxOccupancy/, 'maxOccupancyPercent'],
  [/patience/, 'patienceSeconds'], [/aht|holdSeconds/i, 'ahtSeconds'], [/calls/, 'calls'], [/interval/, 'intervalMinutes'], [/shrinkage/, 'shrinkagePercent'],
];

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export function targetOf(i: CalcInput): ServiceTarget {
  return {
    ...(finite(i.serviceLevelPercent) ? { serviceLevel: i.serviceLevelPercent / 100, withinSeconds: i.withinSeconds } : {}),
    ...(finite(i.maxAsaSeconds) ? { maxAsaSeconds: i.maxAsaSeconds } : {}),
    ...(finite(i.maxOccupancyPercent) ? { maxOccupancy: i.maxOccupancyPercent / 100 } : {}),
  };
}

/** Agents and staff for the form's queue; a number out of range is an answer naming the field. */
export function calculate(i: CalcInput): CalcAnswer {
  try {
    if (!(i.intervalMinutes > 0)) throw new RangeError('intervalMinutes must be > 0');
    if (!(i.ahtSeconds > 0)) throw new RangeError('ahtSeconds must be > 0');
    if (!(i.shrinkagePercent >= 0 && i.shrinkagePercent < 100)) throw new RangeError('shrinkage must be in [0, 100)');
    const load = trafficLoad(i.calls, i.ahtSeconds, i.intervalMinutes * 60);
    const target = targetOf(i);
    const shrinkage = i.shrinkagePercent / 100;
    if (finite(i.patienceSeconds)) {
      return { ok: true, model: 'erlangA', load, result: erlangAAgents(load, i.ahtSeconds, i.patienceSeconds, target, shrinkage) };
    }
    return { ok: true, model: 'erlangC', load, result: erlangCAgents(load, i.ahtSeconds, target, shrinkage) };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const field = FIELD_OF.find(([re]) => re.test(err.message))?.[1] ?? null;
    return { ok: false, field, message: err.message };
  }
}

/** Trunks for the calculator's queue: callers talking and waiting, Erlang B at `maxBlocking` (null when the queue has no finite wait). */
export function queueTrunks(answer: CalcAnswer, maxBlocking = 0.01): { lines: number; trunkLoad: number; ruleOfThumb: number } | null {
  if (!answer.ok) return null;
  try {
    const t = trunksForQueue(answer.result, maxBlocking);
    return { lines: t.lines, trunkLoad: t.trunkLoad, ruleOfThumb: t.ruleOfThumb };
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
}

export interface LinesInput {
  calls: number;
  intervalMinutes: number;
  holdSeconds: number;
  maxBlockingPercent: number;
}

export type LinesAnswer = ({ ok: true } & LineSizing) | { ok: false; message: string };

/** Erlang B: trunks (or any lines) for calls held `holdSeconds` each, at most `maxBlockingPercent` blocked. */
export function sizeLines(i: LinesInput): LinesAnswer {
  try {
    return { ok: true, ...linesForBlocking(trafficLoad(i.calls, i.holdSeconds, i.intervalMinutes * 60), i.maxBlockingPercent / 100) };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { ok: false, message: err.message };
  }
}

export interface ModemsInput {
  faxes: number;
  intervalMinutes: number;
  pagesPerFax: number;
  secondsPerPage: number;
  setupSeconds: number;
  maxBlockingPercent: number;
}

/** Fax modems: each fax holds a modem for set-up plus its pages (as the plugin's POST /modems counts). */
export function sizeModems(i: ModemsInput): LinesAnswer & { holdSeconds?: number } {
  if (!(i.pagesPerFax > 0)) return { ok: false, message: 'pagesPerFax must be > 0' };
  const holdSeconds = i.setupSeconds + i.pagesPerFax * i.secondsPerPage;
  const r = sizeLines({ calls: i.faxes, intervalMinutes: i.intervalMinutes, holdSeconds, maxBlockingPercent: i.maxBlockingPercent });
  return r.ok ? { ...r, holdSeconds } : r;
}

/** Blocking with a given number of lines (for a table around the answer). */
export function blockingAt(lines: number, load: number): number {
  return erlangB(lines, load);
}

/** Numbers typed as text: "12, 15 20;7" → [12, 15, 20, 7]; anything else is an error naming the bad piece. */
export function parseVolumes(text: string): { ok: true; values: number[] } | { ok: false; bad: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const values: number[] = [];
  for (const p of parts) {
    const v = Number(p.replace(',', '.'));
    if (!Number.isFinite(v) || v < 0) return { ok: false, bad: p };
    values.push(v);
  }
  return { ok: true, values };
}

/** Minutes east of UTC of a time zone at a moment (Moscow: 180). */
export function offsetMinutes(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const get = (k: string) => Number(parts.find((p) => p.type === k)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

/** ISO 8601 with the city's offset for a local date and minute of day, e.g. 2026-03-02T09:30:00+03:00. */
export function localIso(date: string, minuteOfDay: number, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minuteOfDay);
  const off = offsetMinutes(timeZone, guess - offsetMinutes(timeZone, guess) * 60_000);
  const local = new Date(guess);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A given demand: volumes per interval from a local date and time, each with the same AHT. */
export function demandOf(volumes: number[], o: { date: string; startMinute: number; intervalMinutes: number; ahtSeconds: number; timeZone: string }) {
  return volumes.map((volume, k) => {
    const minute = o.startMinute + k * o.intervalMinutes;
    const day = Math.floor(minute / 1440);
    const date = day ? addDays(o.date, day) : o.date;
    return { start: localIso(date, minute - day * 1440, o.timeZone), volume, aht: o.ahtSeconds };
  });
}

export interface HeatmapData {
  dates: string[];
  times: string[];
  agents: (number | null)[][];
  staff: (number | null)[][];
  serviceLevel: (number | null)[][];
}

/** The columns of a heatmap that hold any value (so a day plan of 08:00–20:00 is not drawn over 24 hours). */
export function usedColumns(h: Pick<HeatmapData, 'times' | 'agents'>): number[] {
  const cols = h.times.map((_, c) => c).filter((c) => h.agents.some((row) => row[c] !== null && row[c] !== undefined));
  if (!cols.length) return [];
  const first = cols[0]!;
  const last = cols[cols.length - 1]!;
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

/** ECharts heatmap data [column, row, value] over the used columns, and the largest value. */
export function heatmapCells(h: HeatmapData, metric: 'agents' | 'staff' | 'serviceLevel'): { times: string[]; cells: [number, number, number | '-'][]; max: number } {
  const cols = usedColumns(h);
  const cells: [number, number, number | '-'][] = [];
  let max = 0;
  h[metric].forEach((row, r) => cols.forEach((c, k) => {
    const v = row[c];
    // Percent for the service level; one decimal otherwise (a backlog plan's agents are fractional).
    const value = v === null || v === undefined ? '-' : metric === 'serviceLevel' ? Math.round(v * 1000) / 10 : Math.round(v * 10) / 10;
    if (typeof value === 'number') max = Math.max(max, value);
    cells.push([k, r, value]);
  }));
  return { times: cols.map((c) => h.times[c]!), cells, max };
}

export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`);
export const secs = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : Number.isFinite(v) ? `${v.toFixed(digits)}` : '∞');
