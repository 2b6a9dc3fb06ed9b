import t from 'tap';
import { erlangAMetrics } from './erlang-a.js';
import { erlangB } from './erlang-b.js';
import { erlangCAgents } from './erlang-c.js';
import { trunksForQueue } from './trunks.js';

t.test('trunks carry talkers and waiters: 10 Erlangs, 14 agents, ASA 7.84 s', async (t) => {
  const queue = erlangCAgents(10, 180, { serviceLevel: 0.8, withinSeconds: 20 });
  const trunks = trunksForQueue(queue, 0.01);
  t.ok(Math.abs(trunks.trunkLoad - (10 + (10 / 180) * queue.asaSeconds)) < 1e-12, `trunk load ${trunks.trunkLoad}`);
  t.ok(erlangB(trunks.lines, trunks.trunkLoad) <= 0.01 && erlangB(trunks.lines - 1, trunks.trunkLoad) > 0.01);
  t.equal(trunks.ruleOfThumb, 17);
  t.equal(trunks.lines, 18, 'one more than the rule of thumb');
});

t.test('with abandonment, abandoned calls hold a trunk only while they wait', async (t) => {
  const queue = erlangAMetrics(12, 10, 180, 120);
  const trunks = trunksForQueue(queue, 0.01);
  const expected = 10 * (1 - queue.abandonProbability) + (10 / 180) * queue.averageWaitSeconds;
  t.ok(Math.abs(trunks.trunkLoad - expected) < 1e-12);
  t.throws(() => trunksForQueue({ ...queue, averageWaitSeconds: undefined } as never, 0.01));
});
