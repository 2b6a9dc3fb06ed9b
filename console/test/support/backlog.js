// A deferred-work answer shaped as POST /api/planning/backlog shapes it (ISO starts in Moscow's
// offset, the heatmap by day x interval), computed by the planning math: the module the server runs.
import { backlogPlan } from '@okno/planning/math';
import { localIso } from '../../src/logic/planning.ts';

const pad = (n) => String(n).padStart(2, '0');

/**
 * `arrivals` per interval from 2026-04-21 00:00 Moscow; `working(i)` says whether interval i is
 * staffed (default always); a deadline in calendar minutes (default 3 days).
 */
export function answerOf(arrivals, o = {}) {
  const intervalMinutes = o.intervalMinutes ?? 60;
  const deadlineMinutes = o.deadlineMinutes ?? 3 * 1440;
  const start = Date.parse(localIso('2026-04-21', 0, 'Europe/Moscow'));
  const starts = arrivals.map((_, i) => start + i * intervalMinutes * 60_000);
  const iso = (ms) => new Date(ms + 3 * 3_600_000).toISOString().replace('.000Z', '+03:00');
  const plan = backlogPlan({
    intervals: arrivals.map((a, i) => ({ start: starts[i], arrivals: a, working: o.working ? o.working(i) : true })),
    intervalMinutes, handleSeconds: 360, deadlineMinutes, clock: 'calendar', utilisation: 0.8, shrinkage: 0.25, endBacklogItems: 0,
  });
  const slots = 1440 / intervalMinutes;
  const days = Math.ceil(arrivals.length / slots);
  const grid = (f) => Array.from({ length: days }, (_, d) => Array.from({ length: slots }, (_, s) => (plan.intervals[d * slots + s] ? f(plan.intervals[d * slots + s]) : null)));
  return {
    ...plan,
    intervals: plan.intervals.map((i) => ({ ...i, start: iso(i.start) })),
    deadline: { minutes: deadlineMinutes, clock: 'calendar' }, handleSeconds: 360, source: 'forecast',
    heatmap: {
      dates: Array.from({ length: days }, (_, d) => iso(start + d * 86_400_000).slice(0, 10)),
      times: Array.from({ length: slots }, (_, s) => `${pad(Math.floor((s * intervalMinutes) / 60))}:${pad((s * intervalMinutes) % 60)}`),
      agents: grid((i) => i.agents), staff: grid((i) => i.staff), serviceLevel: grid(() => null),
    },
  };
}
