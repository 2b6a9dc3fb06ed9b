/**
 * Recovery: after a core restart the line is rebuilt from the journal — the contacts still waiting
 * come back with their original enqueue times (ages kept, nothing queued twice), and operators the
 * node served come back logged out.
 */
import { join } from 'node:path';
import t from 'tap';
import { readJournal } from '@okno/core';
import { tempDir, waitFor } from '@okno/testkit';
import { clearWaiting, emailAppeal, startRoutingApp } from './test-support/app.js';

t.test('waiting contacts and their ages survive a restart', async (t) => {
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
  const a1 = await emailAppeal(first, 'recovery-1');
  await new Promise((r) => setTimeout(r, 20));
  const a2 = await emailAppeal(first, 'recovery-2');
  await waitFor('both contacts queued', async () => (await first.req('GET', '/api/routing/contacts', { token: sup1 })).body.length === 2);
  const before = (await first.req('GET', '/api/routing/contacts', { token: sup1 })).body as { contactId: string; appealId: number; enqueuedAt: string; position: number; queueId: number }[];
  t.same(before.map((c) => c.appealId).sort(), [a1, a2].sort());
  // operator2 (okrug site) is ready; e-mails go to the city queue, so nothing is offered to them.
  const op2 = await first.token('operator2');
  t.equal((await first.req('POST', '/api/routing/state', { token: op2, body: { state: 'ready' } })).body.state, 'ready');
  await new Promise((r) => setTimeout(r, 300)); // the state change reaches the journal
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
  const me = await second.req('GET', '/api/routing/me', { token: await second.token('operator2') });
  t.match(me.body, { state: 'logged_out', reason: 'restart' }, 'operators come back logged out');
  t.ok(journal.some((e) => e.type === 'operator.state_changed' && e.data.reason === 'restart' && e.data.to === 'logged_out'), 'and the journal says so');

  // The restored line still routes: the operator at the city site gets the oldest first.
  const op = await second.token('operator');
  await second.req('POST', '/api/routing/state', { token: op, body: { state: 'ready' } });
  await waitFor('an offer after the restart', async () => Boolean((await second.req('GET', '/api/routing/me', { token: op })).body.offer));
  const offer = (await second.req('GET', '/api/routing/me', { token: op })).body.offer;
  t.equal(offer.appealId, a1, 'the longest waiting first');
  t.ok(offer.waitedSeconds >= 1, 'waited seconds include the time before the restart');
});
