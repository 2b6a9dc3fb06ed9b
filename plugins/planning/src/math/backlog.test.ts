import t from 'tap';
import { backlogPlan, tautString, type BacklogInput, type BacklogPlan } from './backlog.js';

/**
 * Whether, in every interval, cumulative completions are at least what has fallen due and at most
 * what arrived before the interval began (items arriving during an interval are worked later).
 */
function meetsDeadlines(input: BacklogInput, plan: BacklogPlan, dueIndex: (i: number) => number): boolean {
  // Items arriving in interval i must be done by the end of interval dueIndex(i) (a calendar index).
  const dueBy = new Float64Array(input.intervals.length);
  input.intervals.forEach((iv, i) => {
    const d = dueIndex(i);
    if (d < input.intervals.length) dueBy[d] = (dueBy[d] as number) + iv.arrivals;
  });
  for (const w of input.waiting ?? []) dueBy[w.dueByEndOf] = (dueBy[w.dueByEndOf] as number) + w.items;
  let done = 0;
  let due = 0;
  let arrived = (input.waiting ?? []).reduce((sum, w) => sum + w.items, 0);
  return plan.intervals.every((p, i) => {
    done += p.completed;
    due += dueBy[i] as number;
    const ok = done >= due - 1e-6 && done <= arrived + 1e-6;
    arrived += p.arrivals;
    return ok;
  });
}

/** The lowest possible peak: max over j < k of (due by k − available by j) / (k − j), in working intervals. */
function lowerBoundOnPeak(lower: number[], upper: number[]): number {
  let best = 0;
  for (let j = 0; j < lower.length; j++) {
    for (let k = j + 1; k < lower.length; k++) best = Math.max(best, ((lower[k] as number) - (j === 0 ? 0 : (upper[j] as number))) / (k - j));
  }
  return best;
}

t.test('the taut string stays in its corridor and reaches the lowest possible peak', async (t) => {
  const upper = [0, 10, 10, 10, 40, 40, 90, 90, 100, 100];
  const lower = [0, 0, 0, 5, 10, 10, 20, 60, 60, 100];
  const c = tautString(lower, upper, 100);
  let peak = 0;
  for (let j = 0; j < c.length; j++) {
    t.ok((c[j] as number) >= (lower[j] as number) - 1e-9 && (c[j] as number) <= (upper[j] as number) + 1e-9, `inside at ${j}`);
    if (j > 0) peak = Math.max(peak, (c[j] as number) - (c[j - 1] as number));
  }
  t.ok(Math.abs(peak - lowerBoundOnPeak(lower, upper)) < 1e-9, `peak ${peak}`);
  t.equal(c[c.length - 1], 100);
});

t.test('a spike of 900 faxes with a 10-day deadline is spread over the 9 days it may wait', async (t) => {
  const intervals = Array.from({ length: 20 }, (_, i) => ({ arrivals: i === 2 ? 900 : 0 }));
  const input: BacklogInput = { intervals, intervalMinutes: 1440, handleSeconds: 480, deadlineMinutes: 10 * 1440, utilisation: 0.8, shrinkage: 0.3 };
  const plan = backlogPlan(input);
  const busy = plan.intervals.filter((p) => p.completed > 1e-9).map((p) => p.index);
  t.same(busy, [3, 4, 5, 6, 7, 8, 9, 10, 11]);
  t.ok(Math.abs((plan.intervals[5]?.completed ?? 0) - 100) < 1e-9);
  // 100 faxes × 480 s / 86,400 s / 0.8 = 0.694 agents around the clock; 1 agent, 2 staff at 30% shrinkage.
  t.ok(Math.abs(plan.peakAgents - (100 * 480) / 86_400 / 0.8) < 1e-12);
  t.equal(plan.intervals[5]?.staff, 2);
  t.equal(plan.cannotMeet, 0);
  t.equal(plan.endBacklog, 0);
  t.ok(meetsDeadlines(input, plan, (i) => i + 9), 'every item is done after it arrives and by its deadline');
});

t.test('30-day answers for steady e-mail: no deadline missed, lowest peak, end backlog respected', async (t) => {
  const arrivals = Array.from({ length: 90 }, (_, i) => 80 + 40 * Math.sin(i / 3) + (i % 7 === 0 ? 150 : 0));
  const input: BacklogInput = {
    intervals: arrivals.map((a) => ({ arrivals: a })), intervalMinutes: 1440, handleSeconds: 900, deadlineMinutes: 30 * 1440,
    waiting: [{ items: 500, dueByEndOf: 4 }], endBacklogItems: 500,
  };
  const plan = backlogPlan(input);
  t.ok(meetsDeadlines(input, plan, (i) => i + 29), 'every item is done after it arrives and by its deadline');
  t.ok(plan.intervals.slice(0, 5).reduce((s, p) => s + p.completed, 0) >= 500 - 1e-6, 'the waiting 500 are done by the end of day 5');
  t.ok(plan.endBacklog <= 500 + 1e-6);
  // Lowest possible peak for these bounds (all intervals working).
  // Work in day k (boundaries k−1 to k) can take the 500 waiting and what arrived before day k began.
  const upper = [0, 500];
  const lower = [0];
  for (let k = 2; k <= 90; k++) upper.push((upper[k - 1] as number) + (arrivals[k - 2] as number));
  for (let k = 1; k <= 90; k++) {
    let dueSum = k >= 5 ? 500 : 0;
    for (let i = 0; i + 30 <= k; i++) dueSum += arrivals[i] as number;
    lower.push(dueSum);
  }
  lower[90] = Math.max(lower[90] as number, arrivals.reduce((a, b) => a + b, 0));
  const peak = Math.max(...plan.intervals.map((p) => p.completed));
  t.ok(Math.abs(peak - lowerBoundOnPeak(lower, upper)) < 1e-6, `peak ${peak} items/day is the lowest possible`);
});

t.test('first response within 8 working hours, office open 08:00–20:00 on weekdays', async (t) => {
  // One week of hourly intervals starting Monday 00:00.
  const intervals = Array.from({ length: 168 }, (_, h) => {
    const day = Math.floor(h / 24);
    const hour = h % 24;
    return { arrivals: hour >= 7 && hour < 22 ? 12 : 3, working: day < 5 && hour >= 8 && hour < 20 };
  });
  const input: BacklogInput = { intervals, intervalMinutes: 60, handleSeconds: 300, deadlineMinutes: 8 * 60, clock: 'working' };
  const plan = backlogPlan(input);
  t.ok(plan.intervals.every((p) => p.working || p.completed === 0), 'nothing is done while the office is closed');
  // Working-time deadline check: an item arriving in interval i is due by the end of the 8th working
  // interval counted from i (from the next opening when i is closed).
  const dueIndex = (i: number): number => {
    let counted = 0;
    for (let k = i; k < intervals.length; k++) if (intervals[k]?.working && ++counted === 8) return k;
    return intervals.length;
  };
  t.ok(meetsDeadlines(input, plan, dueIndex), 'every item is done after it arrives and by its deadline');
  // Weekend arrivals wait for Monday, which is beyond this week: they stay in the end backlog.
  t.ok(plan.endBacklog > 0);
  t.equal(plan.cannotMeet, 0);
});

t.test('deadlines shorter than the planning grain are reported, not silently missed', async (t) => {
  const plan = backlogPlan({ intervals: [{ arrivals: 5 }, { arrivals: 5 }, { arrivals: 0 }], intervalMinutes: 60, handleSeconds: 60, deadlineMinutes: 60 });
  t.equal(plan.cannotMeet, 10);
  t.equal(plan.completed, 10);
  t.throws(() => backlogPlan({ intervals: [], intervalMinutes: 7, handleSeconds: 60, deadlineMinutes: 60 }));
});
