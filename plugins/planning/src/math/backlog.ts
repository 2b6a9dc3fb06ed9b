/**
 * Staffing deferred work (e-mail, fax, portal appeals) from its deadlines, by a fluid model.
 *
 * Work is treated as a fluid measured in items. Working time is the sequence of working intervals
 * (non-working ones are squeezed out: nobody works then). Along it, the cumulative number of items
 * completed C(t) must stay
 *   - at or below A(t), the items available so far (no item can be done before it arrives), and
 *   - at or above D(t), the items whose deadline has passed (every item done in time).
 * Among all such curves we take the taut string: the shortest path between D and A (a string pulled
 * tight from the start to the end). It has the lowest possible peak rate, and among those the
 * smoothest profile (it minimises every convex function of the rates; the "optimal smoothing" of
 * Salehi, Zhang, Kurose & Towsley, 1996). The rate in each interval times the handle time is the
 * workload; divided by the interval length and the utilisation it gives agents, and with shrinkage
 * the staff to roster.
 *
 * Deadlines are kept conservatively at the planning grain: an item arriving during interval i is
 * planned as available only at the end of i (so it is worked from the next working interval on), and its deadline of `deadlineMinutes` becomes
 * D = ⌊deadlineMinutes / intervalMinutes⌋ intervals counted from the start of i — calendar intervals
 * for `clock: 'calendar'` (e.g. 30 days), working intervals for `clock: 'working'` (e.g. first response
 * within 8 working hours; the clock starts at the next working interval for items arriving off hours).
 * An item is then never planned later than its real deadline. Items whose deadline falls before they
 * can be worked at this grain (D < 2 intervals, or a calendar deadline inside a closed period) are
 * counted in `cannotMeet` and planned for the first working interval after they arrive.
 */
import { staffWithShrinkage } from './target.js';
import { checkIntervalMinutes, toEpochMs, type TimeInput } from './time.js';

/** One planning interval of deferred work. */
export interface BacklogInterval {
  /** When the interval starts (kept on the output for display). */
  start?: TimeInput;
  /** Items arriving during the interval. */
  arrivals: number;
  /** Whether staff work in this interval (default true). */
  working?: boolean;
}

/** Items already waiting when the plan starts. */
export interface WaitingItems {
  items: number;
  /** Index of the interval by whose end they must be done. */
  dueByEndOf: number;
}

/** What to plan. */
export interface BacklogInput {
  intervals: BacklogInterval[];
  intervalMinutes: number;
  /** Average handle time of one item, seconds. */
  handleSeconds: number;
  /** The deadline, e.g. 30 × 1440 for 30 days, or 8 × 60 for 8 working hours. */
  deadlineMinutes: number;
  /** Which clock the deadline runs on (default 'calendar'). */
  clock?: 'calendar' | 'working';
  /** Items waiting at the start. */
  waiting?: WaitingItems[];
  /** Share of logged-in time spent handling items (default 1). */
  utilisation?: number;
  /** Share of paid time not available (default 0). */
  shrinkage?: number;
  /**
   * Most items that may be left waiting at the end of the plan (default: no limit beyond the deadlines).
   * Pass the starting backlog to hand the next period no more than this one received.
   */
  endBacklogItems?: number;
}

/** The plan for one interval. */
export interface BacklogPlanInterval {
  index: number;
  /** Start as epoch ms, when given. */
  start?: number;
  working: boolean;
  arrivals: number;
  /** Items completed in the interval. */
  completed: number;
  /** Items waiting at the end of the interval. */
  backlog: number;
  /** Agents needed (fractional: workload / interval / utilisation). */
  agents: number;
  /** Staff to roster: agents rounded up, with shrinkage. */
  staff: number;
}

/** The whole plan. */
export interface BacklogPlan {
  intervals: BacklogPlanInterval[];
  /** Highest agents in any interval. */
  peakAgents: number;
  /** Agent-hours over the plan. */
  agentHours: number;
  /** Items completed over the plan. */
  completed: number;
  /** Items left waiting at the end (not yet due, or arrived too late to be worked in the plan). */
  endBacklog: number;
  /** Items whose deadline cannot be kept at this interval grain (see the module notes). */
  cannotMeet: number;
}

function checkBacklogInput(input: BacklogInput): void {
  checkIntervalMinutes(input.intervalMinutes);
  if (!(input.handleSeconds > 0)) throw new RangeError('handleSeconds must be > 0');
  if (!(input.deadlineMinutes > 0)) throw new RangeError('deadlineMinutes must be > 0');
  const utilisation = input.utilisation ?? 1;
  if (!(utilisation > 0 && utilisation <= 1)) throw new RangeError('utilisation must be in (0, 1]');
  for (const i of input.intervals) if (!(i.arrivals >= 0)) throw new RangeError('arrivals must be ≥ 0');
}

/**
 * The taut string through points 0…W: starts at (0, 0), ends at (W, end), stays within
 * lower[j] ≤ C[j] ≤ upper[j]. Returns C.
 */
export function tautString(lower: ArrayLike<number>, upper: ArrayLike<number>, end: number): Float64Array {
  const last = lower.length - 1;
  const path = new Float64Array(last + 1);
  let j0 = 0;
  let c0 = 0;
  while (j0 < last) {
    let lo = -Infinity;
    let loAt = j0;
    let hi = Infinity;
    let hiAt = j0;
    let next: [number, number] = [last, end];
    for (let k = j0 + 1; k <= last; k++) {
      const span = k - j0;
      const sLow = k === last ? (end - c0) / span : ((lower[k] as number) - c0) / span;
      const sHigh = k === last ? sLow : ((upper[k] as number) - c0) / span;
      if (sLow > hi) {
        next = [hiAt, upper[hiAt] as number];
        break;
      }
      if (sHigh < lo) {
        next = [loAt, lower[loAt] as number];
        break;
      }
      if (sLow >= lo) [lo, loAt] = [sLow, k];
      if (sHigh <= hi) [hi, hiAt] = [sHigh, k];
    }
    const [j1, c1] = next;
    for (let j = j0 + 1; j <= j1; j++) path[j] = c0 + ((c1 - c0) * (j - j0)) / (j1 - j0);
    [j0, c0] = [j1, c1];
  }
  return path;
}

/** Staff per interval to clear deferred work within its deadline (fluid model, taut string). */
export function backlogPlan(input: BacklogInput): BacklogPlan {
  checkBacklogInput(input);
  const { intervals, intervalMinutes, handleSeconds } = input;
  const count = intervals.length;
  const perDeadline = Math.floor(input.deadlineMinutes / intervalMinutes);
  // before[i]: working intervals strictly before interval i (position of i's start in working time).
  const before = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) before[i + 1] = (before[i] as number) + ((intervals[i] as BacklogInterval).working === false ? 0 : 1);
  const workingCount = before[count] as number;
  const available = new Float64Array(workingCount + 1);
  const due = new Float64Array(workingCount + 1);
  let cannotMeet = 0;
  const place = (items: number, at: number, dueAt: number): void => {
    if (dueAt <= at) {
      cannotMeet += items;
      dueAt = at + 1;
    }
    const from = Math.min(at, workingCount);
    available[from] = (available[from] as number) + items;
    if (dueAt <= workingCount) due[dueAt] = (due[dueAt] as number) + items; // later deadlines fall after the plan
  };
  const boundary = (calendarIndex: number): number => (calendarIndex > count ? workingCount + 1 : (before[calendarIndex] as number));
  for (const w of input.waiting ?? []) place(w.items, 0, boundary(w.dueByEndOf + 1));
  intervals.forEach((interval, i) => {
    if (interval.arrivals === 0) return;
    const isWorking = interval.working !== false;
    const at = (before[i] as number) + (isWorking ? 1 : 0);
    const dueAt = input.clock === 'working' ? (before[i] as number) + perDeadline : boundary(i + perDeadline);
    place(interval.arrivals, at, dueAt);
  });
  const upper = new Float64Array(workingCount + 1);
  const lower = new Float64Array(workingCount + 1);
  // Work in working interval (j−1, j] can only take items available by its start, j−1.
  for (let j = 1; j <= workingCount; j++) {
    upper[j] = (upper[j - 1] as number) + (available[j - 1] as number);
    lower[j] = (lower[j - 1] as number) + (due[j] as number);
  }
  const workable = upper[workingCount] as number;
  const total = workable + (available[workingCount] as number);
  const end = Math.min(workable, Math.max(lower[workingCount] as number, total - (input.endBacklogItems ?? Infinity)));
  const done = tautString(lower, upper, end);
  const intervalSeconds = intervalMinutes * 60;
  const utilisation = input.utilisation ?? 1;
  const shrinkage = input.shrinkage ?? 0;
  let arrived = (input.waiting ?? []).reduce((s, w) => s + w.items, 0);
  const planned = intervals.map((interval, i): BacklogPlanInterval => {
    const working = interval.working !== false;
    const j = (before[i] as number) + (working ? 1 : 0);
    const completed = working ? (done[j] as number) - (done[j - 1] as number) : 0;
    arrived += interval.arrivals;
    const agents = (completed * handleSeconds) / intervalSeconds / utilisation;
    return {
      index: i,
      ...(interval.start !== undefined ? { start: toEpochMs(interval.start) } : {}),
      working,
      arrivals: interval.arrivals,
      completed,
      backlog: Math.max(0, arrived - (done[j] as number)),
      agents,
      staff: staffWithShrinkage(Math.ceil(agents - 1e-9), shrinkage),
    };
  });
  return {
    intervals: planned,
    peakAgents: planned.reduce((m, p) => Math.max(m, p.agents), 0),
    agentHours: planned.reduce((s, p) => s + (p.agents * intervalMinutes) / 60, 0),
    completed: end,
    endBacklog: total - end,
    cannotMeet,
  };
}
