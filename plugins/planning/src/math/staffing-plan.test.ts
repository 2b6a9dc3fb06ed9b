import t from 'tap';
import { erlangAMetrics } from './erlang-a.js';
import { erlangCAgents } from './erlang-c.js';
import { fitForecast, forecastDays } from './forecast.js';
import { staffingPlan, whatIf, type DemandInterval, type PlanOptions } from './staffing-plan.js';
import { syntheticHistory } from './test-support/synthetic.js';

const target = { serviceLevel: 0.8, withinSeconds: 20 };

t.test('the reference interval: 100 calls in 30 min at 180 s → 14 agents, 20 staff at 30% shrinkage', async (t) => {
  const plan = staffingPlan([{ start: '2025-03-03T09:00:00+03:00', volume: 100, aht: 180 }], { intervalMinutes: 30, target });
  const p = plan.intervals[0];
  t.same([p?.agents, p?.staff, p?.load, p?.limitedBy], [14, 20, 10, 'serviceLevel']);
  t.equal(Number(p?.serviceLevel.toFixed(3)), 0.888);
  t.equal(plan.total.agentHours, 7);
  t.equal(plan.total.staffHours, 10);
});

/** A week of 30-minute demand from a forecast fitted on synthetic history. */
function weekDemand(intervalMinutes = 30): DemandInterval[] {
  const { history } = syntheticHistory({
    from: '2025-01-13', days: 56, intervalMinutes, utcOffsetMinutes: 180, base: 1500, slopePerDay: 2,
    weekdayIndex: [1.25, 1.15, 1.1, 1.05, 1.0, 0.8, 0.65], holidays: [], holidayIndex: 1, seed: 3,
  });
  const model = fitForecast(history, { intervalMinutes, utcOffsetMinutes: 180, holidays: ['2025-03-14'] });
  return forecastDays(model, '2025-03-10T00:00:00+03:00', 7);
}

t.test('a week plan from a forecast: every interval sized by Erlang C, summed per local day', async (t) => {
  const demand = weekDemand();
  const options: PlanOptions = { intervalMinutes: 30, target, shrinkage: 0.3, utcOffsetMinutes: 180 };
  const plan = staffingPlan(demand, options);
  t.equal(plan.intervals.length, 7 * 48);
  t.same(plan.days.map((d) => d.date), ['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14', '2025-03-15', '2025-03-16']);
  for (const p of plan.intervals) {
    const expected = erlangCAgents(p.load, p.aht, target, 0.3);
    if (p.agents !== expected.agents || p.staff !== Math.ceil(p.agents / 0.7 - 1e-9) || (p.volume > 0 && p.serviceLevel < 0.8)) {
      t.fail(`interval ${new Date(p.start).toISOString()} is not sized by Erlang C`);
    }
  }
  const friday = plan.days[4];
  const thursday = plan.days[3];
  t.ok(friday && thursday && friday.volume < thursday.volume * 0.7, 'the holiday Friday is forecast like a Sunday');
  const dayHours = plan.days.reduce((s, d) => s + d.agentHours, 0);
  t.ok(Math.abs(dayHours - plan.total.agentHours) < 1e-9);
  t.equal(plan.total.peakAgents, Math.max(...plan.intervals.map((p) => p.agents)));
  t.ok(plan.total.serviceLevel >= 0.8 && plan.total.occupancy > 0.5 && plan.total.occupancy < 1);
  t.equal(plan.total.abandonedCalls, 0);
});

t.test('Erlang A plans count abandonment; minimum staffing keeps the line open at night', async (t) => {
  const demand = weekDemand(60).slice(0, 24);
  const plan = staffingPlan(demand, { intervalMinutes: 60, target, model: 'erlangA', patienceSeconds: 120, minAgents: 2, utcOffsetMinutes: 180 });
  for (const p of plan.intervals) {
    if (p.agents < 2 || (p.volume > 0 && p.serviceLevel < 0.8 - 1e-12)) t.fail(`interval ${p.start}`);
    const m = erlangAMetrics(p.agents, p.load, p.aht, 120, 20);
    if (Math.abs(m.abandonProbability - p.abandonProbability) > 1e-12) t.fail('abandonment differs from Erlang A');
  }
  t.ok(plan.total.abandonedCalls > 0);
  t.ok(plan.intervals.some((p) => p.limitedBy === 'none' && p.agents === 2), 'quiet hours held at the minimum');
  t.throws(() => staffingPlan(demand, { intervalMinutes: 60, target, model: 'erlangA' }));
});

t.test('what-if: volume, AHT, target and shrinkage changes, with deltas', async (t) => {
  const demand = weekDemand().slice(0, 48);
  const options: PlanOptions = { intervalMinutes: 30, target, utcOffsetMinutes: 180 };
  const same = whatIf(demand, options, {});
  t.ok(same.delta.intervals.every((d) => d.agents === 0 && d.staff === 0));
  t.equal(same.delta.total.agentHours, 0);

  const more = whatIf(demand, options, { volumePercent: 20 });
  t.ok(more.delta.intervals.every((d) => d.agents >= 0), 'more calls never need fewer agents');
  t.ok(more.delta.total.agentHours > 0);
  t.equal(more.delta.total.agentHours, more.after.total.agentHours - more.before.total.agentHours);
  t.ok(Math.abs(more.after.total.volume - 1.2 * more.before.total.volume) < 1e-6);

  const faster = whatIf(demand, options, { ahtSeconds: -30 });
  t.ok(faster.delta.total.agentHours < 0, 'shorter calls need fewer agent-hours');

  const stricter = whatIf(demand, options, { target: { serviceLevel: 0.9 } });
  t.ok(stricter.delta.total.agentHours > 0 && stricter.after.total.serviceLevel >= 0.9);

  const shrink = whatIf(demand, options, { shrinkage: 0.4 });
  t.ok(shrink.delta.intervals.every((d) => d.agents === 0 && d.staff >= 0));
  t.ok(shrink.delta.total.staffHours > 0);
  t.throws(() => whatIf(demand, options, { volumePercent: -150 }));
});
