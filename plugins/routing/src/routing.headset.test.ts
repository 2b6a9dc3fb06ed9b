/**
 * The operator's headset end to end, on a real core with routing, the embedded MQTT broker and
 * simulated edge agents (`SimEdgeAgent`, the protocol as the agent speaks it): an offer rings the
 * bound headset, its off-hook accepts the offer (the appeal becomes that operator's), an expiring
 * offer stops the ringing, another operator's headset and a stale press change nothing, and a
 * headset that does not answer or whose agent is offline holds up no offer.
 */
import t from 'tap';
import { readJournal, type HeadsetEventPayload } from '@okno/core';
import { SAMPLE_HEADSET, SimEdgeAgent } from '@okno/core/testing';
import { waitFor } from '@okno/testkit';
import { addOperator, clearWaiting, consoleStream, emailAppeal, siteId, startRoutingApp, userId, waitForFrame, type Frame } from './test-support/app.js';

t.test('an operator answers with the headset', async (t) => {
  const app = await startRoutingApp();
  t.teardown(() => app.stop());
  const admin = await app.token('admin');
  await clearWaiting(app);
  const q = await app.req('POST', '/api/routing/queues', { token: admin, body: { code: 'mail-headset', name: 'Почта', siteId: await siteId(app, 'msk'), channels: ['email'], offerTimeoutSeconds: 5, wrapUpSeconds: 0 } });
  t.equal(q.status, 201, JSON.stringify(q.body));
  const rules = (await app.req('GET', '/api/routing/rules', { token: admin })).body as unknown[];
  t.equal((await app.req('PUT', '/api/routing/rules', { token: admin, body: [{ match: { channels: ['email'] }, queueId: q.body.id }, ...rules] })).status, 200);

  // Two desks at msk with a headset each: the operator's and a colleague's (logged out of routing).
  const { agentUrl, url } = await app.app.broker.call<{ agentUrl: string | null; url: string }>('edge.brokerInfo');
  const sims: SimEdgeAgent[] = [];
  t.teardown(async () => {
    for (const s of sims) await s.stop();
  });
  const headsetState = { offHook: false, muted: false, ringing: false };
  const desk = async (agent: string) => {
    const r = await app.app.broker.call<{ agent: { id: number }; password: string }, object>('edge.register', { site: 'msk', agent });
    const sim = new SimEdgeAgent({
      url: agentUrl ?? url, site: 'msk', agent, password: r.password,
      handlers: {
        'headset.ring': async (cmd) => Object.assign(headsetState, { ringing: cmd.args.on === true }),
        'headset.offHook': async (cmd) => Object.assign(headsetState, { offHook: cmd.args.offHook === true, ringing: false }),
      },
    });
    sims.push(sim);
    await sim.connect();
    return { id: r.agent.id, sim };
  };
  const mine = await desk('pc-anna');
  const theirs = await desk('pc-colleague');
  const tech = await app.token('technician');
  await waitFor('both agents online with their headset', async () => {
    const list = (await app.req('GET', '/api/edge/agents?online=true', { token: tech })).body as { id: number; devices: { headsets: number } }[];
    return [mine.id, theirs.id].every((id) => list.some((a) => a.id === id && a.devices.headsets === 1));
  });

  const operator = await userId(app, 'operator');
  const colleague = await addOperator(app, 'operator-hs', 'msk', [{ skill: 'email', proficiency: 3 }]);
  const token = await app.token('operator');
  // role check: an operator binds only themselves
  const denied = await app.req('PUT', `/api/edge/headset-bindings/${colleague}`, { token, body: { agentRowId: theirs.id, headsetId: SAMPLE_HEADSET.id } });
  t.equal(denied.status, 403, 'an operator cannot bind a colleague');
  const picks = (await app.req('GET', '/api/edge/headsets', { token })).body as { agentRowId: number }[];
  t.ok(picks.some((h) => h.agentRowId === mine.id), 'the operator picks from the headsets at their site');
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${operator}`, { token, body: { agentRowId: mine.id, headsetId: SAMPLE_HEADSET.id } })).status, 200);
  t.equal((await app.req('PUT', `/api/edge/headset-bindings/${colleague}`, { token: tech, body: { agentRowId: theirs.id, headsetId: SAMPLE_HEADSET.id } })).status, 200, 'a technician binds the colleague');

  const stream = await consoleStream(app, 'operator');
  t.teardown(() => stream.close());
  t.equal((await app.req('POST', '/api/routing/state', { token, body: { state: 'ready' } })).status, 200);
  const spied: HeadsetEventPayload[] = [];
  await app.app.broker.createService({ name: 'headset-spy', events: { 'edge.headsetEvent': (ctx: { params: HeadsetEventPayload }) => void spied.push(ctx.params) } });
  const headsetCommands = (sim: SimEdgeAgent) => sim.commands.filter((c) => c.kind.startsWith('headset.'));
  const sawCommand = (sim: SimEdgeAgent, pick: (c: SimEdgeAgent['commands'][number]) => boolean, after = 0) => headsetCommands(sim).slice(after).find(pick);
  const offerFrame = (appealId: number, after = 0) => (f: Frame) => f.type === 'routing.offer' && f.offer.appealId === appealId && stream.frames.indexOf(f) >= after;

  // 1. The offer rings the operator's headset, not the colleague's.
  const first = await emailAppeal(app, 'hs-1');
  const offer1 = (await waitForFrame(stream.frames, 'the first offer', offerFrame(first))).offer;
  await waitFor('the headset rings', () => Boolean(sawCommand(mine.sim, (c) => c.kind === 'headset.ring' && c.args.on === true)));
  t.same(headsetCommands(theirs.sim), [], 'the colleague\'s headset stays quiet');
  await waitForFrame(stream.frames, 'the desk hears the headset ringing', (f) => f.type === 'headset.state' && f.headset?.state?.ringing === true);

  // 2. The colleague lifting their headset, and a press of the operator's from before the offer, change nothing.
  const colleagueLift = await theirs.sim.event({ type: 'headset.hook', headsetId: SAMPLE_HEADSET.id, offHook: true });
  const stale = await mine.sim.event({ type: 'headset.hook', headsetId: SAMPLE_HEADSET.id, offHook: true }, Date.now() - 60_000);
  await waitFor('both events passed on', () => [colleagueLift, stale].every((id) => spied.some((p) => p.messageId === id)));
  t.match(spied.find((p) => p.messageId === colleagueLift), { userId: colleague, agentRowId: theirs.id }, 'the colleague\'s headset speaks for the colleague');
  const me1 = await app.req('GET', '/api/routing/me', { token });
  t.equal(me1.body.offer?.id, offer1.id, 'the offer is still open');
  t.equal(me1.body.state, 'ready');

  // 3. Lifting the operator's headset accepts it, as the Accept button would.
  const lift = await mine.sim.event({ type: 'headset.hook', headsetId: SAMPLE_HEADSET.id, offHook: true });
  const answered = await waitForFrame(stream.frames, 'answered on the headset', (f) => f.type === 'routing.offer_answered' && f.offerId === offer1.id);
  t.match(answered, { appealId: first, contactId: `appeal-${first}` });
  await waitFor('the appeal is the operator\'s', async () => (await app.req('GET', `/api/appeals/${first}`, { token })).body.assignedUserId === operator);
  t.equal((await app.req('GET', '/api/routing/me', { token })).body.state, 'busy');
  t.ok(spied.some((p) => p.messageId === lift && p.userId === operator));
  await waitFor('an e-mail puts the headset back on-hook', () => Boolean(sawCommand(mine.sim, (c) => c.kind === 'headset.offHook' && c.args.offHook === false)));
  t.equal((await app.req('POST', `/api/routing/offers/${offer1.id}/accept`, { token })).status, 404, 'the offer is answered once');
  // a repeated off-hook (the same press again) finds no open offer
  const again = await mine.sim.event({ type: 'headset.hook', headsetId: SAMPLE_HEADSET.id, offHook: true });
  await waitFor('the repeated press passed on', () => spied.some((p) => p.messageId === again));
  const journal1 = await readJournal(app.app.db, 0, 100_000);
  t.equal(journal1.filter((e) => e.type === 'contact.answered' && e.aggregateId === `appeal-${first}`).length, 1, 'answered once');

  // 4. An offer nobody answers rings, expires, and the ringing stops.
  const second = await emailAppeal(app, 'hs-2');
  const mark = headsetCommands(mine.sim).length;
  const offer2 = (await waitForFrame(stream.frames, 'the second offer', offerFrame(second))).offer;
  await waitFor('rings for the second offer', () => Boolean(sawCommand(mine.sim, (c) => c.kind === 'headset.ring' && c.args.on === true, mark)));
  await waitForFrame(stream.frames, 'the offer expires', (f) => f.type === 'routing.offer_withdrawn' && f.offerId === offer2.id, 15_000);
  await waitFor('the ringing stops', () => Boolean(sawCommand(mine.sim, (c) => c.kind === 'headset.ring' && c.args.on === false, mark)), 15_000);
  const journal2 = await readJournal(app.app.db, 0, 100_000);
  t.ok(journal2.some((e) => e.type === 'contact.offer_expired' && e.data.offerId === offer2.id), 'expired in the journal');

  // 5. A headset that does not answer holds up nothing: the offer comes and is accepted while the ring command still waits.
  mine.sim.handle('headset.ring', async () => 'ignore');
  const frameMark = stream.frames.length;
  const offer3 = (await waitForFrame(stream.frames, 'offered again', offerFrame(second, frameMark), 15_000)).offer;
  const acc = await app.req('POST', `/api/routing/offers/${offer3.id}/accept`, { token });
  t.equal(acc.status, 200, JSON.stringify(acc.body));
  const ringCmd = sawCommand(mine.sim, (c) => c.kind === 'headset.ring' && c.args.on === true, mark + 2);
  t.ok(ringCmd, 'the ring went out');
  const sent = (await app.req('GET', `/api/edge/agents/${mine.id}/commands`, { token: tech })).body as { correlationId: string; status: string }[];
  t.equal(sent.find((c) => c.correlationId === ringCmd!.id)?.status, 'pending', 'accepted while the headset has not answered the ring');

  // 6. An offline agent: the offer still comes and is accepted; the desk is told the headset is offline.
  await mine.sim.stop();
  await waitFor('the agent offline', async () => !(await app.req('GET', `/api/edge/agents/${mine.id}`, { token: tech })).body.online);
  const third = await emailAppeal(app, 'hs-3');
  const offer4 = (await waitForFrame(stream.frames, 'the third offer', offerFrame(third))).offer;
  t.equal((await app.req('POST', `/api/routing/offers/${offer4.id}/accept`, { token })).status, 200, 'accepted at the console');
  await waitForFrame(stream.frames, 'the desk hears the headset is offline', (f) => f.type === 'headset.state' && f.headset?.problem?.code === 'offline');
  const me = await app.req('GET', '/api/edge/headset-bindings/me', { token });
  t.match(me.body.headset, { agentOnline: false, online: false, state: null });
});
