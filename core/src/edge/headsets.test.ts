/**
 * Operators' headsets: who may bind whom (operators only themselves, at their site, online;
 * technicians anybody), the 4xx answers, the journal rows, the technician's agent page, and the
 * signals (ring over the command path; an offline agent is an outcome, not an error). Unit tests
 * of the pure rules first.
 */
import t from 'tap';
import { waitFor } from '@okno/testkit';
import { JournalEntry } from '../persistence/entities/index.js';
import { bindDenial, headsetName, stateAfterEvent } from './headsets.js';
import { edgeRig } from './test-support/rig.js';
import { SAMPLE_HEADSET } from '../testing/edge-agent.js';

t.test('bindDenial: operators bind themselves, technicians and administrators anybody', async (t) => {
  t.equal(bindDenial({ userId: 5, roles: ['operator'] }, 5), null);
  t.match(bindDenial({ userId: 5, roles: ['operator'] }, 6), /only their own/);
  t.equal(bindDenial({ userId: 5, roles: ['supervisor'] }, 5), null, 'a supervisor at the desk binds themselves');
  t.match(bindDenial({ userId: 5, roles: ['planner'] }, 5), /only their own/, 'a planner has no desk');
  t.equal(bindDenial({ userId: 1, roles: ['technician'] }, 6), null);
  t.equal(bindDenial({ userId: 1, roles: ['admin'] }, 6), null);
});

t.test('stateAfterEvent and headsetName', async (t) => {
  const ringing = { offHook: false, muted: false, ringing: true };
  t.same(stateAfterEvent(ringing, { type: 'headset.hook', offHook: true }), { offHook: true, muted: false, ringing: false }, 'off-hook stops ringing');
  t.same(stateAfterEvent({ offHook: true, muted: true, ringing: false }, { type: 'headset.hook', offHook: false }), { offHook: false, muted: false, ringing: false });
  t.same(stateAfterEvent({ offHook: true, muted: false, ringing: false }, { type: 'headset.mute', muted: true }), { offHook: true, muted: true, ringing: false });
  t.same(stateAfterEvent(ringing, { type: 'headset.button', button: 'reject' }), { offHook: false, muted: false, ringing: false });
  t.equal(stateAfterEvent(ringing, { type: 'headset.button', button: 'redial' }), null, 'redial changes nothing');
  t.equal(headsetName({ id: 'hidraw0', product: ' Jabra ' }, 'hidraw0'), 'Jabra');
  t.equal(headsetName({ id: 'hidraw0', manufacturer: 'GN' }, 'hidraw0'), 'GN');
  t.equal(headsetName(undefined, 'hidraw9'), 'hidraw9');
});

const rig = await edgeRig(t);
const { app } = rig;
const db = app.app.db;
const users = (await app.req('GET', '/api/users', { token: await app.token('admin') })).body as { id: number; login: string }[];
const uid = (login: string) => users.find((u) => u.login === login)!.id;

t.test('binding over REST: roles, sites, conflicts, journal, the agent page', async (t) => {
  const msk = await rig.register('msk', 'desk-pc');
  const cao = await rig.register('cao', 'desk-pc');
  const simMsk = rig.agent('msk', 'desk-pc', msk.password);
  const simCao = rig.agent('cao', 'desk-pc', cao.password);
  await simMsk.connect();
  await simCao.connect();
  await waitFor('both agents online with their inventory', async () => {
    const r = await app.req('GET', '/api/edge/agents?online=true', { token: await app.token('technician') });
    return (r.body as { id: number; devices: { headsets: number } }[]).filter((a) => [msk.id, cao.id].includes(a.id) && a.devices.headsets === 1).length === 2;
  });
  const op = await app.token('operator');
  const tech = await app.token('technician');
  const operator = uid('operator');
  const operator2 = uid('operator2');

  const mine = await app.req('GET', '/api/edge/headsets', { token: op });
  t.equal(mine.status, 200);
  t.same(mine.body.map((h: { agentRowId: number }) => h.agentRowId), [msk.id], 'an operator sees the headsets of their own site');
  t.match(mine.body[0], { headsetId: SAMPLE_HEADSET.id, headsetName: 'Jabra EVOLVE 30', boundTo: null });
  t.same((await app.req('GET', '/api/edge/headsets?siteId=999', { token: op })).body.map((h: { agentRowId: number }) => h.agentRowId), [msk.id], 'and cannot look at another');

  t.same((await app.req('GET', '/api/edge/headset-bindings/me', { token: op })).body, { headset: null }, 'nothing bound yet');
  const denied = await app.req('PUT', `/api/edge/headset-bindings/${operator2}`, { token: op, body: { agentRowId: msk.id, headsetId: SAMPLE_HEADSET.id } });
  t.equal(denied.status, 403, 'an operator may not bind another operator');
  t.match(denied.body.error.message, /only their own/);
  const otherSite = await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: op, body: { agentRowId: cao.id, headsetId: SAMPLE_HEADSET.id } });
  t.equal(otherSite.status, 422, 'a headset of another site');
  t.match(otherSite.body.error.fields, [{ field: 'agentRowId' }]);
  const unknown = await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: op, body: { agentRowId: msk.id, headsetId: 'hidraw7' } });
  t.equal(unknown.status, 422, 'a headset the agent does not list');
  t.match(unknown.body.error.fields, [{ field: 'headsetId' }]);
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: op, body: { agentRowId: 99_999, headsetId: 'hidraw0' } })).status, 404, 'an unknown agent');
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: await app.token('planner'), body: { agentRowId: msk.id, headsetId: 'hidraw0' } })).status, 403, 'a planner has no business here');

  const bound = await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: op, body: { agentRowId: msk.id, headsetId: SAMPLE_HEADSET.id } });
  t.equal(bound.status, 200, JSON.stringify(bound.body));
  t.match(bound.body, { userId: operator, agentRowId: msk.id, site: 'msk', headsetId: SAMPLE_HEADSET.id, headsetName: 'Jabra EVOLVE 30', online: true, boundBy: operator });
  t.match((await app.req('GET', '/api/edge/headset-bindings/me', { token: op })).body, { headset: { headsetId: SAMPLE_HEADSET.id, online: true } });

  // a technician binds anybody, but not to a headset somebody has
  const taken = await app.req('PUT', `/api/edge/headset-bindings/${operator2}`, { token: tech, body: { agentRowId: msk.id, headsetId: SAMPLE_HEADSET.id } });
  t.equal(taken.status, 409, 'the headset is the operator\'s');
  t.match(taken.body.error.data, { boundTo: { userId: operator } });
  const byTech = await app.req('PUT', `/api/edge/headset-bindings/${operator2}`, { token: tech, body: { agentRowId: cao.id, headsetId: SAMPLE_HEADSET.id } });
  t.equal(byTech.status, 200, JSON.stringify(byTech.body));
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${uid('planner')}`, { token: tech, body: { agentRowId: cao.id, headsetId: SAMPLE_HEADSET.id } })).status, 422, 'a planner cannot have a headset');

  const list = await app.req('GET', '/api/edge/headset-bindings', { token: tech });
  t.same(list.body.map((b: { userId: number }) => b.userId).sort(), [operator, operator2].sort());
  t.equal((await app.req('GET', '/api/edge/headset-bindings', { token: op })).status, 403, 'the list is the fleet\'s');
  const page = await app.req('GET', `/api/edge/agents/${msk.id}`, { token: tech });
  t.match(page.body.headsets[0], { id: SAMPLE_HEADSET.id, boundTo: { userId: operator, login: 'operator' } }, 'the agent page names the operator');

  t.equal((await app.req('DELETE', `/api/edge/headset-bindings/${operator2}`, { token: op })).status, 403, 'not another operator\'s');
  t.equal((await app.req('DELETE', `/api/edge/headset-bindings/${operator}`, { token: op })).status, 200);
  t.equal((await app.req('DELETE', `/api/edge/headset-bindings/${operator}`, { token: op })).status, 404, 'nothing left to unbind');
  const rows = await db.read((em) => em.find(JournalEntry, { where: [{ type: 'edge.headset_bound' }, { type: 'edge.headset_unbound' }], order: { seq: 'ASC' } }));
  t.same(rows.map((r) => [r.type, r.actorId, r.data.userId]), [
    ['edge.headset_bound', operator, operator],
    ['edge.headset_bound', uid('technician'), operator2],
    ['edge.headset_unbound', operator, operator],
  ], 'every change journaled with who made it');

  // an offline agent's headset: an operator cannot pick it, a technician can bind it
  await simMsk.stop();
  await waitFor('offline', async () => !(await app.req('GET', `/api/edge/agents/${msk.id}`, { token: tech })).body.online);
  t.same((await app.req('GET', '/api/edge/headsets', { token: op })).body, [], 'no online headset at the site');
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: op, body: { agentRowId: msk.id, headsetId: SAMPLE_HEADSET.id } })).status, 409, 'offline');
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: tech, body: { agentRowId: msk.id, headsetId: SAMPLE_HEADSET.id } })).status, 200);
  const signal = await app.app.broker.call<Record<string, any>, object>('edge.headsetSignal', { userId: operator, kind: 'ring', on: true });
  t.match(signal, { bound: true, sent: false, reason: 'offline', headset: { online: false, problem: { code: 'offline' } } }, 'an offline headset is an outcome');
  t.match(await app.app.broker.call('edge.headsetSignal', { userId: uid('supervisor'), kind: 'ring', on: true }), { bound: false });

  const doc = (await app.req('GET', '/api/openapi.json')).body;
  for (const p of ['/api/edge/headsets', '/api/edge/headset-bindings', '/api/edge/headset-bindings/me', '/api/edge/headset-bindings/{userId}']) t.ok(doc.paths[p], `OpenAPI has ${p}`);
  t.ok(doc.paths['/api/edge/headset-bindings/{userId}'].put && doc.paths['/api/edge/headset-bindings/{userId}'].delete);
});

t.test('signals: ring over the command path in order, the result as the desk state', async (t) => {
  const { id, password } = await rig.register('msk', 'ring-pc');
  const sim = rig.agent('msk', 'ring-pc', password, {
    handlers: {
      'headset.ring': async (cmd) => ({ offHook: false, muted: false, ringing: cmd.args.on === true }),
      'headset.offHook': async (cmd) => ({ offHook: cmd.args.offHook === true, muted: false, ringing: false }),
    },
  });
  await sim.connect();
  const tech = await app.token('technician');
  await waitFor('online', async () => (await app.req('GET', `/api/edge/agents/${id}`, { token: tech })).body.devices?.headsets === 1);
  const operator = uid('operator');
  await app.req('DELETE', `/api/edge/headset-bindings/${operator}`, { token: tech });
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token: tech, body: { agentRowId: id, headsetId: SAMPLE_HEADSET.id } })).status, 200);

  const calls = [
    app.app.broker.call<Record<string, any>, object>('edge.headsetSignal', { userId: operator, kind: 'ring', on: true }),
    app.app.broker.call<Record<string, any>, object>('edge.headsetSignal', { userId: operator, kind: 'ring', on: false }),
    app.app.broker.call<Record<string, any>, object>('edge.headsetSignal', { userId: operator, kind: 'offHook', on: true }),
  ];
  const [on, off, hook] = await Promise.all(calls);
  t.match(on, { bound: true, sent: true, command: { kind: 'headset.ring', status: 'ok', args: { headsetId: SAMPLE_HEADSET.id, on: true } } });
  t.match(off, { sent: true, command: { status: 'ok' } });
  t.match(hook, { sent: true, command: { kind: 'headset.offHook', status: 'ok' }, headset: { state: { offHook: true, ringing: false } } });
  t.same(sim.commands.filter((c) => c.kind.startsWith('headset.')).map((c) => [c.kind, c.args.on ?? c.args.offHook]), [['headset.ring', true], ['headset.ring', false], ['headset.offHook', true]], 'the agent got them in the order sent');
  const me = await app.req('GET', '/api/edge/headset-bindings/me', { token: await app.token('operator') });
  t.match(me.body.headset, { online: true, state: { offHook: true, ringing: false }, problem: null });

  // a failing command is an outcome with the problem shown on the desk
  sim.handle('headset.ring', async () => ({ error: 'device-not-found', message: 'headset hidraw0 is gone' }));
  t.match(await app.app.broker.call('edge.headsetSignal', { userId: operator, kind: 'ring', on: true }), { sent: true, command: { status: 'error' }, headset: { problem: { code: 'device-not-found' } } });
});
