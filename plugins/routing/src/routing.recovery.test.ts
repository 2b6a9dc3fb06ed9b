/**
 * Recovery: after a core restart the line is rebuilt from the journal — the contacts still waiting
 * come back with their original enqueue times (ages kept, nothing queued twice), operators the node
 * served come back logged out, and an assignment made before the restart is the operator's again
 * when they log in (completing it frees their room).
 */
import { join } from 'node:path';
import t from 'tap';
import { readJournal } from '@okno/core';
import { tempDir, waitFor } from '@okno/testkit';
import { clearWaiting, emailAppeal, startRoutingApp, userId } from './test-support/app.js';

t.test('waiting contacts, ages and assignments survive a restart', async (t) => {
  const dir = tempDir('okno-routing-recovery-');
  t.teardown(() => dir.cleanup());
  const dbUrl = `sqlite:${join(dir.dir, 'okno.sqlite')}`;

  const first = await startRoutingApp({ dbUrl });
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await first.stop();
  });
  await clearWaiting(first);
  const sup1 = await first.token('supervisor');
  // The operator takes one e-mail at a time.
  const operatorId = await userId(first, 'operator');
  t.equal((await first.req('PUT', `/api/routing/operators/${operatorId}`, { token: await first.token('admin'), body: { capacity: { email: 1 } } })).status, 200);
  const op1 = await first.token('operator');
  t.equal((await first.req('POST', '/api/routing/state', { token: op1, body: { state: 'ready' } })).body.state, 'ready');
  const a0 = await emailAppeal(first, 'recovery-0');
  await waitFor('the first e-mail offered', async () => Boolean((await first.req('GET', '/api/routing/me', { token: op1 })).body.offer));
  const offer = (await first.req('GET', '/api/routing/me', { token: op1 })).body.offer;
  t.equal((await first.req('POST', `/api/routing/offers/${offer.id}/accept`, { token: op1 })).body.appealId, a0);
  // A second operator takes one more, and is not back after the restart when its appeal is closed.
  const otherId = await userId(first, 'operator2');
  t.equal((await first.req('PUT', `/api/routing/operators/${otherId}`, { token: await first.token('admin'), body: { capacity: { email: 1 } } })).status, 200);
  const other1 = await first.token('operator2');
  t.equal((await first.req('POST', '/api/routing/state', { token: other1, body: { state: 'ready' } })).body.state, 'ready');
  const ax = await emailAppeal(first, 'recovery-x', { siteCode: 'cao' }); // operator2 works in the okrug's queue
  await waitFor('an e-mail offered to the second operator', async () => Boolean((await first.req('GET', '/api/routing/me', { token: other1 })).body.offer));
  const offerX = (await first.req('GET', '/api/routing/me', { token: other1 })).body.offer;
  t.equal((await first.req('POST', `/api/routing/offers/${offerX.id}/accept`, { token: other1 })).body.appealId, ax);

  const a1 = await emailAppeal(first, 'recovery-1');
  await new Promise((r) => setTimeout(r, 20));
  const a2 = await emailAppeal(first, 'recovery-2');
  await waitFor('two contacts waiting', async () => (await first.req('GET', '/api/routing/contacts', { token: sup1 })).body.length === 2);
  const before = (await first.req('GET', '/api/routing/contacts', { token: sup1 })).body as { contactId: string; appealId: number; enqueuedAt: string; position: number; queueId: number }[];
  t.same(before.map((c) => c.appealId).sort(), [a1, a2].sort());
  await new Promise((r) => setTimeout(r, 300)); // the state changes reach the journal
  await first.stop();
  stopped = true;

  await new Promise((r) => setTimeout(r, 1100));
  const second = await startRoutingApp({ dbUrl, demo: false });
  t.teardown(() => second.stop());
  const sup2 = await second.token('supervisor');
  const after = (await second.req('GET', '/api/routing/contacts', { token: sup2 })).body as (typeof before[number] & { ageSeconds: number })[];
  t.same(
    after.map(({ contactId, enqueuedAt, queueId, position }) => ({ contactId, enqueuedAt, queueId, position })),
    before.map(({ contactId, enqueuedAt, queueId, position }) => ({ contactId, enqueuedAt, queueId, position })),
    'the same contacts, places and enqueue times',
  );
  t.ok(after.every((c) => c.ageSeconds >= 1), 'ages count from the original enqueue time');
  const journal = await readJournal(second.app.db, 0, 100_000);
  for (const c of before) t.equal(journal.filter((e) => e.type === 'contact.queued' && e.aggregateId === c.contactId).length, 1, `${c.contactId} queued once`);
  const op2 = await second.token('operator');
  t.match((await second.req('GET', '/api/routing/me', { token: op2 })).body, { state: 'logged_out', reason: 'restart' }, 'operators come back logged out');
  t.ok(journal.some((e) => e.type === 'operator.state_changed' && e.data.reason === 'restart' && e.data.to === 'logged_out'), 'and the journal says so');

  // Logging in again: the e-mail accepted before the restart is theirs (busy, no room for another).
  t.equal((await second.req('POST', '/api/routing/state', { token: op2, body: { state: 'ready' } })).body.state, 'busy', 'the earlier assignment is adopted');
  await new Promise((r) => setTimeout(r, 300));
  t.notOk((await second.req('GET', '/api/routing/me', { token: op2 })).body.offer, 'no offer beyond the capacity');
  // Closing that appeal completes it; after the wrap-up the oldest waiting contact is offered.
  t.equal((await second.req('POST', `/api/appeals/${a0}/close`, { token: op2, body: { outcome: 'consulted' } })).status, 200);
  await waitFor('wrap-up', async () => (await second.req('GET', '/api/routing/me', { token: op2 })).body.state === 'wrap_up');
  t.match((await second.req('POST', '/api/routing/wrap-up/end', { token: op2 })).body, { ended: 1 });
  await waitFor('an offer after the restart', async () => Boolean((await second.req('GET', '/api/routing/me', { token: op2 })).body.offer));
  const next = (await second.req('GET', '/api/routing/me', { token: op2 })).body.offer;
  t.equal(next.appealId, a1, 'the longest waiting first');
  t.ok(next.waitedSeconds >= 1, 'waited seconds include the time before the restart');
  const completed = (await readJournal(second.app.db, 0, 100_000)).filter((e) => e.type === 'contact.completed' && e.aggregateId === `appeal-${a0}`);
  t.equal(completed.length, 1, 'the adopted contact completed once');

  // The second operator is not back: closing their appeal completes its contact all the same, in the
  // journal (every node's contact book and reporting close it), and frees their room.
  t.equal((await second.req('POST', `/api/appeals/${ax}/close`, { token: await second.token('operator2'), body: { outcome: 'consulted' } })).status, 200);
  const stale = async () => (await readJournal(second.app.db, 0, 100_000)).filter((e) => e.type === 'contact.completed' && e.aggregateId === `appeal-${ax}`);
  await waitFor('the completion of a contact nobody here knew', async () => (await stale()).length > 0);
  const [done] = await stale();
  t.match(done?.data, { contactId: `appeal-${ax}`, operatorId: String(otherId), afterRestart: true }, 'journaled, marked as completed after a restart');
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await stale()).length, 1, 'once');
});
