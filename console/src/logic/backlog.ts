/**
 * The planner's page for deferred work (e-mail, fax and portal appeals staffed from their 59-FZ
 * deadlines): the form checked field by field, the request `POST /api/planning/backlog` takes (and a
 * saved plan of kind 'backlog' keeps), the API's field errors put back on the form's fields, and the
 * figures the result shows. Messages are i18n keys under `planning.backlog.check`, each naming its field.
 */
import type { FieldError } from '../api/http.ts';
import type { BacklogAnswer } from '../api/planning.ts';
import { localIso } from './planning.ts';

export const BACKLOG_CHANNELS = ['email', 'fax', 'portal'] as const;
export type BacklogChannel = (typeof BACKLOG_CHANNELS)[number];
/** The 59-FZ terms of the deadline configuration (core/src/calendar/deadline-config.ts). */
export const DEADLINE_TERMS = ['register', 'redirect', 'answer', 'secondLine', 'courtReturn'] as const;
export type DeadlineTerm = (typeof DEADLINE_TERMS)[number];
export const INTERVALS = [15, 30, 60] as const;

/** Items already waiting, due by a local date and time. */
export interface WaitingRow {
  items: number | string | null;
  dueDate: string;
  /** 'HH:mm'. */
  dueTime: string;
}

/** What the form holds; percentages as people type them (85 = 85%); blank numbers are null or ''. */
export interface BacklogForm {
  channel: BacklogChannel;
  from: string;
  days: number | string | null;
  intervalMinutes: number;
  deadline: DeadlineTerm | 'custom';
  customMinutes: number | string | null;
  customClock: 'calendar' | 'working';
  /** Blank: the handle time of the channel's history. */
  handleSeconds: number | string | null;
  waiting: WaitingRow[];
  utilisationPercent: number | string | null;
  shrinkagePercent: number | string | null;
}

/** A problem at a field: an i18n key (planning.backlog.check.*) with its values, or the API's own words. */
export interface Problem {
  key?: string;
  values?: Record<string, unknown>;
  text?: string;
}

/** Problems by the form's field: channel, from, days, intervalMinutes, deadline, customMinutes, handleSeconds, utilisationPercent, shrinkagePercent, `waiting.<i>.items`, `waiting.<i>.due`; '' for the form as a whole. */
export type Problems = Record<string, Problem>;

export interface BacklogRequest {
  groupBy: 'channel';
  key: BacklogChannel;
  from: string;
  days: number;
  intervalMinutes: number;
  deadline: DeadlineTerm | { minutes: number; clock: 'calendar' | 'working' };
  handleSeconds?: number;
  waiting?: { items: number; dueByEndOf: number }[];
  utilisation: number;
  shrinkage: number;
}

export type BacklogCheck = { ok: true; body: BacklogRequest } | { ok: false; problems: Problems };

const blank = (v: unknown) => v === null || v === undefined || String(v).trim() === '';
const numberOf = (v: unknown) => (blank(v) ? NaN : Number(String(v).replace(',', '.')));
const minuteOfDay = (hhmm: string) => {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};
const isDate = (s: string) => /^\d{4}-\d\d-\d\d$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/** When the plan starts (epoch ms) and how long an interval is (ms); null while the date is not a date. */
function grid(form: Pick<BacklogForm, 'from' | 'intervalMinutes'>, timeZone: string): { start: number; step: number } | null {
  if (!isDate(form.from)) return null;
  return { start: Date.parse(localIso(form.from, 0, timeZone)), step: Number(form.intervalMinutes) * 60_000 };
}

/**
 * The interval by whose end waiting items are due: the last one that ends at or before their due
 * time (so they are never planned later than due). Null without a date and time; -1 when due before
 * the first interval ends.
 */
export function dueIndex(row: WaitingRow, form: Pick<BacklogForm, 'from' | 'intervalMinutes'>, timeZone: string): number | null {
  const g = grid(form, timeZone);
  const minute = minuteOfDay(row.dueTime);
  if (!g || !isDate(row.dueDate) || Number.isNaN(minute)) return null;
  const due = Date.parse(localIso(row.dueDate, minute, timeZone));
  return Math.max(-1, Math.floor((due - g.start) / g.step) - 1);
}

/** Local start and end ('dd.MM HH:mm–HH:mm') of interval `index` of the plan. */
export function intervalText(index: number, form: Pick<BacklogForm, 'from' | 'intervalMinutes'>, timeZone: string): string {
  const g = grid(form, timeZone);
  if (!g) return '';
  const local = (ms: number) => new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms)).replace(',', '');
  const from = g.start + index * g.step;
  return `${local(from)}–${local(from + g.step).slice(-5)}`;
}

/** The form checked field by field, and the request when it is right. */
export function backlogRequest(form: BacklogForm, timeZone: string): BacklogCheck {
  const problems: Problems = {};
  if (!(BACKLOG_CHANNELS as readonly string[]).includes(form.channel)) problems.channel = { key: 'channel' };
  if (!isDate(form.from)) problems.from = { key: 'from' };
  const days = numberOf(form.days);
  if (!(Number.isInteger(days) && days >= 1 && days <= 14)) problems.days = { key: 'days' };
  const intervalMinutes = Number(form.intervalMinutes);
  if (!(INTERVALS as readonly number[]).includes(intervalMinutes)) problems.intervalMinutes = { key: 'intervalMinutes' };
  let deadline: BacklogRequest['deadline'] = form.deadline as DeadlineTerm;
  if (form.deadline === 'custom') {
    const minutes = numberOf(form.customMinutes);
    if (!(Number.isFinite(minutes) && minutes > 0)) problems.customMinutes = { key: 'customMinutes' };
    deadline = { minutes, clock: form.customClock === 'working' ? 'working' : 'calendar' };
  } else if (!(DEADLINE_TERMS as readonly string[]).includes(form.deadline)) {
    problems.deadline = { key: 'deadline' };
  }
  const handle = numberOf(form.handleSeconds);
  if (!blank(form.handleSeconds) && !(Number.isFinite(handle) && handle > 0)) problems.handleSeconds = { key: 'handleSeconds' };
  const utilisation = numberOf(form.utilisationPercent);
  if (!(utilisation > 0 && utilisation <= 100)) problems.utilisationPercent = { key: 'utilisationPercent' };
  const shrinkage = numberOf(form.shrinkagePercent);
  if (!(shrinkage >= 0 && shrinkage <= 95)) problems.shrinkagePercent = { key: 'shrinkagePercent' };
  const waiting: { items: number; dueByEndOf: number }[] = [];
  form.waiting.forEach((row, i) => {
    const items = numberOf(row.items);
    if (!(Number.isFinite(items) && items >= 0)) problems[`waiting.${i}.items`] = { key: 'waitingItems', values: { n: i + 1 } };
    const due = problems.from || problems.intervalMinutes ? null : dueIndex(row, form, timeZone);
    if (due === null) problems[`waiting.${i}.due`] = { key: 'waitingDue', values: { n: i + 1 } };
    else if (due < 0) problems[`waiting.${i}.due`] = { key: 'waitingDueEarly', values: { n: i + 1, end: intervalText(0, form, timeZone).slice(-5) } };
    else waiting.push({ items, dueByEndOf: due });
  });
  if (Object.keys(problems).length) return { ok: false, problems };
  return {
    ok: true,
    body: {
      groupBy: 'channel', key: form.channel, from: form.from, days, intervalMinutes, deadline,
      ...(blank(form.handleSeconds) ? {} : { handleSeconds: handle }),
      ...(waiting.length ? { waiting } : {}),
      utilisation: utilisation / 100, shrinkage: shrinkage / 100,
    },
  };
}

/** The API's names of the request's fields and the form's fields they come from. */
const API_FIELDS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^(?:key|groupBy)$/, () => 'channel'],
  [/^from$/, () => 'from'],
  [/^days$/, () => 'days'],
  [/^intervalMinutes$/, () => 'intervalMinutes'],
  [/^deadline\.(?:minutes|clock)$/, () => 'customMinutes'],
  [/^deadline$/, () => 'deadline'],
  [/^handleSeconds$/, () => 'handleSeconds'],
  [/^waiting\[(\d+)\]\.items$/, (m) => `waiting.${m[1]}.items`],
  [/^waiting\[(\d+)\]\.dueByEndOf$/, (m) => `waiting.${m[1]}.due`],
  [/^waiting/, () => 'waiting'],
  [/^utilisation$/, () => 'utilisationPercent'],
  [/^shrinkage$/, () => 'shrinkagePercent'],
];
/** The math's RangeErrors come as field 'input' with a message that names the parameter. */
const INPUT_MESSAGES: [RegExp, string][] = [
  [/^intervalMinutes/, 'intervalMinutes'], [/^handleSeconds/, 'handleSeconds'], [/^deadlineMinutes/, 'customMinutes'],
  [/^utilisation/, 'utilisationPercent'], [/^arrivals/, 'days'],
];

/**
 * The API's per-field errors (422) on the form's fields, in the API's words; '' holds what belongs
 * to no field. A missing handle time when the form left it blank means the history had none.
 */
export function apiProblems(fields: readonly FieldError[], form: Pick<BacklogForm, 'handleSeconds'>): Problems {
  const problems: Problems = {};
  for (const f of fields) {
    const name = f.field.replace(/^(body|params)\./, '');
    let at: string | undefined;
    if (name === 'input') at = INPUT_MESSAGES.find(([re]) => re.test(f.message))?.[1];
    else for (const [re, to] of API_FIELDS) {
      const m = re.exec(name);
      if (m) {
        at = to(m);
        break;
      }
    }
    const key = at ?? '';
    if (problems[key]) continue;
    problems[key] = key === 'handleSeconds' && blank(form.handleSeconds) ? { key: 'noHistoryHandle' } : { text: f.message };
  }
  return problems;
}

/** The totals a backlog plan shows. */
export interface BacklogTotals {
  intervalMinutes: number;
  arrivals: number;
  completed: number;
  endBacklog: number;
  peakAgents: number;
  peakStaff: number;
  /** Staff to roster × hours, over the plan. */
  staffHours: number;
  agentHours: number;
  cannotMeet: number;
}

/** The plan's interval length: from its heatmap's columns (a day's worth), else from two starts. */
export function intervalMinutesOf(answer: Pick<BacklogAnswer, 'heatmap' | 'intervals'>): number {
  if (answer.heatmap?.times?.length) return 1440 / answer.heatmap.times.length;
  const [a, b] = answer.intervals;
  return a && b ? (Date.parse(b.start) - Date.parse(a.start)) / 60_000 : 60;
}

export function backlogTotals(answer: BacklogAnswer): BacklogTotals {
  const intervalMinutes = intervalMinutesOf(answer);
  const sum = (f: (i: BacklogAnswer['intervals'][number]) => number) => answer.intervals.reduce((s, i) => s + f(i), 0);
  return {
    intervalMinutes,
    arrivals: sum((i) => i.arrivals),
    completed: answer.completed,
    endBacklog: answer.endBacklog,
    peakAgents: answer.peakAgents,
    peakStaff: answer.intervals.reduce((m, i) => Math.max(m, i.staff), 0),
    staffHours: (sum((i) => i.staff) * intervalMinutes) / 60,
    agentHours: answer.agentHours,
    cannotMeet: answer.cannotMeet,
  };
}

/** A figure as the page shows it: at most `digits` decimals, no trailing zeros (2.5, 3, 1.25). */
export function figure(v: number, digits = 1): string {
  return String(Math.round(v * 10 ** digits) / 10 ** digits);
}

/** 'dd.MM HH:mm' of an ISO time in the city's offset, as the API writes it (no conversion). */
export function shortLocal(iso: string): string {
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)} ${iso.slice(11, 16)}`;
}

/** The series the chart draws: categories and values per interval. */
export function backlogSeries(answer: BacklogAnswer): { categories: string[]; arrivals: number[]; completed: number[]; backlog: number[]; agents: number[] } {
  const r = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    categories: answer.intervals.map((i) => shortLocal(i.start)),
    arrivals: answer.intervals.map((i) => r(i.arrivals, 1)),
    completed: answer.intervals.map((i) => r(i.completed, 1)),
    backlog: answer.intervals.map((i) => r(i.backlog, 1)),
    agents: answer.intervals.map((i) => r(i.agents, 2)),
  };
}

/** A deadline in minutes on its clock, in the largest whole unit: an i18n key under planning.backlog.span and its number. */
export function deadlineSpan(d: { minutes: number; clock: 'calendar' | 'working' }): { key: string; n: number } {
  if (d.clock === 'calendar' && d.minutes % 1440 === 0) return { key: 'calendarDays', n: d.minutes / 1440 };
  if (d.minutes % 60 === 0) return { key: d.clock === 'calendar' ? 'calendarHours' : 'workingHours', n: d.minutes / 60 };
  return { key: d.clock === 'calendar' ? 'calendarMinutes' : 'workingMinutes', n: Math.round(d.minutes * 100) / 100 };
}
