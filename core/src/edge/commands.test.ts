/**
 * Commands: sent, answered and recorded; errors from the agent; bad kinds and arguments refused
 * before anything is sent; no answer by the deadline is a timeout, and a late answer is still kept.
 */
import t from 'tap';
import { waitFor } from '@okno/testkit';
import { EdgeCommandRecord } from './entities.js';
import { edgeRig } from './test-support/rig.js';
import type { CommandView } from './commands.js';

const rig = await edgeRig(t);
const { id, password } = await rig.register('cao', 'cmd-1');
let release: (() => void) | undefined;
const sim = rig.agent('cao', 'cmd-1', password, {
  handlers: {
    'modems.probe': async () => ({ modems: [{ id: 'ttyUSB0', port: '/dev/ttyUSB0', state: 'idle', classes: ['2.0'] }] }),
    'fax.test': async () => ({ error: 'device-not-found', message: 'no modem ttyS9' }),
    // answers only when the test says so (after the core gave up)
    'spool.flush': async () => {
      await new Promise<void>((r) => (release = r));
      return { delivered: 1, remaining: 0 };
    },
  },
});
await sim.connect();
await waitFor('online', async () => (await rig.rt.store.get(id)).online);
const tech = await rig.app.token('technician');
const send = (body: object) => rig.app.req('POST', `/api/edge/agents/${id}/commands`, { token: tech, body });

t.test('round trip: the result comes back and is recorded', async (t) => {
  const r = await send({ kind: 'ping' });
  t.equal(r.status, 200);
  const v = r.body as CommandView;
  t.match(v, { kind: 'ping', status: 'ok', result: { agentVersion: 'sim-1' }, error: null, late: false, requestedBy: Number, node: rig.rt.nodeId });
  t.ok(v.roundTripMs !== null && v.agentReceivedAt && v.agentFinishedAt && v.finishedAt);
  const cmd = sim.commands.find((c) => c.id === v.correlationId);
  t.ok(cmd, 'the agent got the command with the recorded id');
  t.ok(cmd!.deadline > cmd!.ts, 'with a deadline');
  const probe = await send({ kind: 'modems.probe', args: { modemId: 'ttyUSB0' } });
  t.match(probe.body, { status: 'ok', args: { modemId: 'ttyUSB0' }, result: { modems: [{ id: 'ttyUSB0' }] } });
  const listed = await rig.app.req('GET', `/api/edge/agents/${id}/commands?limit=2`, { token: await rig.app.token('supervisor') });
  t.same(listed.body.map((c: CommandView) => c.kind), ['modems.probe', 'ping']);
  const internal = await rig.app.app.broker.call<CommandView, object>('edge.command', { site: 'cao', agent: 'cmd-1', kind: 'inventory.refresh' });
  t.match(internal, { status: 'error', error: { code: 'unknown-command' } }, 'the internal action names the agent by site and agent; the agent\'s own error comes back');
});

t.test('an error from the agent is an outcome, not a failure of the call', async (t) => {
  const r = await send({ kind: 'fax.test', args: { mode: 'loopback', modemId: 'ttyS9' } });
  t.equal(r.status, 200);
  t.match(r.body, { status: 'error', error: { code: 'device-not-found', message: 'no modem ttyS9' }, result: null });
});

t.test('bad kinds and arguments are refused before anything is sent', async (t) => {
  const n = sim.commands.length;
  const unknown = await send({ kind: 'self.destruct' });
  t.equal(unknown.status, 422);
  t.match(unknown.body.error.fields[0], { field: 'kind' });
  const args = await send({ kind: 'headset.ring', args: { on: 'yes' } });
  t.equal(args.status, 422);
  t.same(args.body.error.fields.map((f: { field: string }) => f.field).sort(), ['args.headsetId', 'args.on']);
  const tooLong = await send({ kind: 'ping', timeoutMs: 10_000_000 });
  t.equal(tooLong.status, 422);
  t.equal((await rig.app.req('POST', `/api/edge/agents/${id}/commands`, { token: await rig.app.token('supervisor'), body: { kind: 'ping' } })).status, 403, 'supervisors only look');
  t.equal((await rig.app.req('POST', '/api/edge/agents/999999/commands', { token: tech, body: { kind: 'ping' } })).status, 404);
  t.equal(sim.commands.length, n, 'the agent got nothing');
});

t.test('no answer by the deadline: timeout; the late answer is kept and marked late', async (t) => {
  const r = await send({ kind: 'spool.flush', timeoutMs: 1000 });
  t.equal(r.status, 200);
  t.match(r.body, { status: 'timeout', error: { code: 'timeout' }, late: false, roundTripMs: null });
  t.ok(release, 'the agent is still working on it');
  release!();
  const late = await waitFor('the late result', () => rig.app.app.db.read((em) => em.findOneBy(EdgeCommandRecord, { correlationId: r.body.correlationId })).then((c) => (c?.agentFinishedAt ? c : undefined)));
  t.equal(late!.status, 'timeout', 'the status stays timeout');
  t.same(late!.result, { delivered: 1, remaining: 0 }, 'the late result is stored');
  const listed = await rig.app.req('GET', `/api/edge/agents/${id}/commands?limit=1`, { token: tech });
  t.match(listed.body[0], { correlationId: r.body.correlationId, status: 'timeout', late: true });
});

t.test('an offline or disabled agent is not sent commands', async (t) => {
  await sim.stop();
  await waitFor('offline', async () => !(await rig.rt.store.get(id)).online);
  const r = await send({ kind: 'ping' });
  t.equal(r.status, 409);
  t.match(r.body.error.message, /offline/);
});
