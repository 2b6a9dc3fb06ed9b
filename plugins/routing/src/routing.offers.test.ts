/**
 * The plugin end to end on a real core: an e-mail appeal is queued and offered over the console's
 * WebSocket; a reject offers it to the other operator, a timeout offers it again, an accept assigns
 * the appeal; answering the appeal completes the contact. Every step is in the journal.
 */
import t from 'tap';
import { readJournal } from '@okno/core';
import { waitFor } from '@okno/testkit';
import { addOperator, clearWaiting, consoleStream, emailAppeal, siteId, startRoutingApp, userId, waitForFrame, type Frame } from './test-support/app.js';

t.test('offer, reject, timeout, accept over the console stream', async (t) => {
  const app = await startRoutingApp();
  t.teardown(() => app.stop());
  const admin = await app.token('admin');
  await clearWaiting(app);

  const msk = await siteId(app, 'msk');
  const q = await app.req('POST', '/api/routing/queues', { token: admin, body: { code: 'mail-test', name: 'Почта (тест)', siteId: msk, channels: ['email'], priority: 5, offerTimeoutSeconds: 5, wrapUpSeconds: 0 } });
  t.equal(q.status, 201, JSON.stringify(q.body));
  const rules = (await app.req('GET', '/api/routing/rules', { token: admin })).body as unknown[];
  const put = await app.req('PUT', '/api/routing/rules', { token: admin, body: [{ match: { channels: ['email'] }, queueId: q.body.id }, ...rules] });
  t.equal(put.status, 200, JSON.stringify(put.body));

  const secondId = await addOperator(app, 'operator3', 'msk', [{ skill: 'email', proficiency: 2 }]);
  const streams = { operator: await consoleStream(app, 'operator'), operator3: await consoleStream(app, 'operator3') };
  t.teardown(() => Object.values(streams).forEach((s) => s.close()));
  for (const login of ['operator', 'operator3'] as const) {
    const r = await app.req('POST', '/api/routing/state', { token: await app.token(login), body: { state: 'ready' } });
    t.equal(r.status, 200, JSON.stringify(r.body));
    t.equal(r.body.state, 'ready');
    await waitForFrame(streams[login].frames, `${login} state frame`, (f) => f.type === 'routing.state' && f.state === 'ready');
  }

  const appealId = await emailAppeal(app, 'offer-1');
  const offerFor = (frames: Frame[], after = 0) => frames.slice(after).find((f) => f.type === 'routing.offer' && f.offer.appealId === appealId);
  await waitFor('the first offer', () => Boolean(offerFor(streams.operator.frames) ?? offerFor(streams.operator3.frames)));
  const firstLogin = offerFor(streams.operator.frames) ? 'operator' : 'operator3';
  const otherLogin = firstLogin === 'operator' ? 'operator3' : 'operator';
  const first = offerFor(streams[firstLogin].frames)!.offer;
  t.match(first, { appealId, channel: 'email', queue: 'mail-test', subject: 'Test offer-1', regNumber: String });
  t.ok(Date.parse(first.expiresAt) > Date.now(), 'expires in the future');
  const me = await app.req('GET', '/api/routing/me', { token: await app.token(firstLogin) });
  t.equal(me.body.offer?.id, first.id, '/me shows the open offer');

  // Reject: the other operator gets it.
  const otherMark = streams[otherLogin].frames.length;
  t.equal((await app.req('POST', `/api/routing/offers/${first.id}/reject`, { token: await app.token(firstLogin) })).status, 200);
  await waitForFrame(streams[firstLogin].frames, 'withdrawn after reject', (f) => f.type === 'routing.offer_withdrawn' && f.offerId === first.id);
  await waitFor('the offer to the other operator', () => Boolean(offerFor(streams[otherLogin].frames, otherMark)));
  const second = offerFor(streams[otherLogin].frames, otherMark)!.offer;
  t.not(second.id, first.id);
  // Somebody else's offer cannot be accepted.
  t.equal((await app.req('POST', `/api/routing/offers/${second.id}/accept`, { token: await app.token(firstLogin) })).status, 404, 'not your offer');

  // Timeout: withdrawn, then offered again (the skip after the reject has run out by then).
  const marks = { operator: streams.operator.frames.length, operator3: streams.operator3.frames.length };
  await waitForFrame(streams[otherLogin].frames, 'withdrawn after the timeout', (f) => f.type === 'routing.offer_withdrawn' && f.offerId === second.id, 15_000);
  await waitFor('the offer again', () => Boolean(offerFor(streams.operator.frames, marks.operator) ?? offerFor(streams.operator3.frames, marks.operator3)), 15_000);
  const thirdLogin = offerFor(streams.operator.frames, marks.operator) ? 'operator' : 'operator3';
  const third = offerFor(streams[thirdLogin].frames, thirdLogin === 'operator' ? marks.operator : marks.operator3)!.offer;

  // Accept: the appeal is theirs.
  const token = await app.token(thirdLogin);
  const acc = await app.req('POST', `/api/routing/offers/${third.id}/accept`, { token });
  t.equal(acc.status, 200, JSON.stringify(acc.body));
  t.equal(acc.body.appealId, appealId);
  const card = await app.req('GET', `/api/appeals/${appealId}`, { token });
  const expectedUser = thirdLogin === 'operator3' ? secondId : await userId(app, 'operator');
  t.equal(card.body.assignedUserId, expectedUser, 'the appeal is assigned to the operator who accepted');
  const busy = await app.req('GET', '/api/routing/me', { token });
  t.equal(busy.body.state, 'busy');
  t.equal((await app.req('POST', `/api/routing/offers/${third.id}/accept`, { token })).status, 404, 'an offer is accepted once');

  // Supervisors see the operator holding it.
  const ops = (await app.req('GET', '/api/routing/operators', { token: await app.token('supervisor') })).body as { userId: number; contacts: { appealId: number; state: string }[] }[];
  t.ok(ops.some((o) => o.contacts.some((c) => c.appealId === appealId && c.state === 'assigned')), 'the assignment shows over the store');

  // Closing the appeal completes the contact (no wrap-up in this queue): ready again.
  const closed = await app.req('POST', `/api/appeals/${appealId}/close`, { token, body: { outcome: 'consulted' } });
  t.equal(closed.status, 200, JSON.stringify(closed.body));
  await waitFor('ready after completion', async () => (await app.req('GET', '/api/routing/me', { token })).body.state === 'ready');
  const journal = await readJournal(app.app.db, 0, 100_000);
  const mine = journal.filter((e) => e.aggregateType === 'contact' && e.aggregateId === `appeal-${appealId}`).map((e) => e.type);
  t.same(mine.slice(0, 6), ['contact.queued', 'contact.offered', 'contact.offer_rejected', 'contact.offered', 'contact.offer_expired', 'contact.offered'], 'the journal tells the story');
  t.ok(mine.includes('contact.answered'), 'answered journaled');
  t.equal(mine.at(-1), 'contact.completed', 'completed when the appeal closed');
  const queued = journal.find((e) => e.type === 'contact.queued' && e.aggregateId === `appeal-${appealId}`)!;
  t.match(queued.data, { queue: 'mail-test', channel: 'email', appealId, enqueuedAt: String });
  t.equal(journal.filter((e) => e.type === 'contact.queued' && e.aggregateId === `appeal-${appealId}`).length, 1, 'queued once');
});

t.test('calls through routing.enqueue: wrap-up ended early, a callback keeps its place, abandonment', async (t) => {
  const app = await startRoutingApp();
  t.teardown(() => app.stop());
  const admin = await app.token('admin');
  await clearWaiting(app);
  const q = await app.req('POST', '/api/routing/queues', { token: admin, body: { code: 'calls', name: 'Звонки', siteId: await siteId(app, 'msk'), channels: ['voice', 'callback'], wrapUpSeconds: 600 } });
  t.equal(q.status, 201);
  const token = await app.token('operator');
  await app.req('POST', '/api/routing/state', { token, body: { state: 'ready' } });

  const r = await app.app.broker.call<{ queueId: number; created: boolean }, object>('routing.enqueue', { contactId: 'call-1', channel: 'voice', queueId: q.body.id });
  t.match(r, { queueId: q.body.id, created: true });
  t.match(await app.app.broker.call('routing.enqueue', { contactId: 'call-1', channel: 'voice', queueId: q.body.id }), { created: false }, 'the same call twice is one contact');
  await waitFor('the call offered', async () => Boolean((await app.req('GET', '/api/routing/me', { token })).body.offer));
  const offer = (await app.req('GET', '/api/routing/me', { token })).body.offer;
  t.match(offer, { channel: 'voice', queue: 'calls', appealId: null });
  t.match((await app.req('POST', `/api/routing/offers/${offer.id}/accept`, { token })).body, { appealId: null, contactId: 'call-1' });
  t.equal((await app.req('GET', '/api/routing/me', { token })).body.state, 'busy');
  t.equal((await app.req('POST', '/api/routing/state', { token, body: { state: 'logged_out' } })).status, 409, 'no logout during a call');

  await app.app.broker.call('routing.end', { contactId: 'call-1', reason: 'handled' });
  await waitFor('wrap-up', async () => (await app.req('GET', '/api/routing/me', { token })).body.state === 'wrap_up');
  t.match((await app.req('POST', '/api/routing/wrap-up/end', { token })).body, { ended: 1 });
  t.equal((await app.req('GET', '/api/routing/me', { token })).body.state, 'ready', 'ready after ending the wrap-up early');

  // A callback while the operator is away keeps the caller's original place.
  await app.req('POST', '/api/routing/state', { token, body: { state: 'paused', reason: 'break' } });
  const calledAt = new Date(Date.now() - 120_000);
  await app.app.broker.call('routing.enqueue', { contactId: 'cb-1', channel: 'callback', queueId: q.body.id, enqueuedAt: calledAt.toISOString() });
  const sup = await app.token('supervisor');
  await waitFor('the callback waiting', async () => (await app.req('GET', '/api/routing/contacts', { token: sup })).body.some((c: { contactId: string }) => c.contactId === 'cb-1'));
  const cb = ((await app.req('GET', `/api/routing/contacts?queueId=${q.body.id}`, { token: sup })).body as { contactId: string; enqueuedAt: string; ageSeconds: number; position: number }[])[0]!;
  t.match(cb, { contactId: 'cb-1', enqueuedAt: calledAt.toISOString(), position: 1 });
  t.ok(cb.ageSeconds >= 120, 'its age counts from the call');
  await app.app.broker.call('routing.end', { contactId: 'cb-1', reason: 'applicant-left' });
  await waitFor('abandoned', async () => (await readJournal(app.app.db, 0, 100_000)).some((e) => e.type === 'contact.abandoned' && e.aggregateId === 'cb-1'));
  const abandoned = (await readJournal(app.app.db, 0, 100_000)).find((e) => e.type === 'contact.abandoned' && e.aggregateId === 'cb-1')!;
  t.ok(Number(abandoned.data.waitedMs) >= 120_000, 'abandoned after waiting since the call');
  t.equal(abandoned.data.queue, 'calls');
  const states = (await readJournal(app.app.db, 0, 100_000)).filter((e) => e.type === 'operator.state_changed').map((e) => e.data.to);
  t.same(states.slice(-5), ['ready', 'busy', 'wrap_up', 'ready', 'paused'], 'every state change journaled');
});
