/**
 * Recovery from a checkpoint, on SQLite and MariaDB: a start that loads the contact book's checkpoint
 * and replays only the journal after it rebuilds exactly what a replay of the whole journal rebuilds
 * — the same waiting contacts, places, enqueue times (so ages), queues and priorities, the same
 * sticky operators of follow-ups, the same book; a checkpoint that cannot be read is ignored (the
 * whole journal is replayed) and replaced by the next one written. The periodic checkpoint is written
 * by the node holding the lease.
 */
import { join } from 'node:path';
import t from 'tap';
import { Database, Lease, lastJournalSeq, readJournal } from '@okno/core';
import { startTestApp, type TestApp } from '@okno/core/testing';
import { tempDir, waitFor } from '@okno/testkit';
import { CHECKPOINT_FORMAT, CheckpointStore } from './checkpoint.js';
import { RoutingCheckpoint, routingEntities } from './entities.js';
import type { RoutingRuntime } from './runtime.js';
import { clearWaiting, emailAppeal, startRoutingApp, userId } from './test-support/app.js';
import { scratchDatabases } from './test-support/databases.js';

const routingOf = (app: TestApp): RoutingRuntime => (app.app.broker.getLocalService('routing') as unknown as { runtime(): RoutingRuntime }).runtime();

/** What a restart must give back, as seen by supervisors and by the engine's restore. */
async function snapshot(app: TestApp) {
  const rt = routingOf(app);
  await rt.caughtUp();
  const contacts = (await app.req('GET', '/api/routing/contacts', { token: await app.token('supervisor') })).body as Record<string, unknown>[];
  return {
    contacts: contacts.map(({ ageSeconds: _age, ...c }) => c),
    ages: new Map(contacts.map((c) => [String(c.contactId), Number(c.ageSeconds)])),
    sticky: rt.book.waiting().map((c) => ({ id: c.id, queueId: c.queueId, enqueuedAt: c.enqueuedAt, priority: c.priority ?? null, preferredOperator: c.preferredOperator ?? null })).sort((a, b) => a.id.localeCompare(b.id)),
    book: rt.book.exportState(),
  };
}

/** Runs `fn` on the database while no core uses it. */
async function onDb(url: string, fn: (db: Database) => Promise<unknown>): Promise<void> {
  const db = await new Database({ url, entities: routingEntities, migrations: [] }).open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

const dropCheckpoint = (db: Database) => db.transaction((em) => em.createQueryBuilder().delete().from(RoutingCheckpoint).execute());

for (const m of await scratchDatabases()) {
  t.test(`${m.name}: a start from the checkpoint rebuilds what a replay of the whole journal does`, { skip: m.skip }, async (t) => {
    const scratch = await m.make();
    t.teardown(scratch.drop);
    const dbUrl = scratch.url;
    const config = { checkpointSeconds: 0 };
    const running: TestApp[] = [];
    t.teardown(async () => {
      for (const a of running.splice(0)) await a.stop();
    });
    const start = async (opts: Parameters<typeof startRoutingApp>[0]) => {
      const app = await startRoutingApp({ dbUrl, demo: false, config, ...opts });
      running.push(app);
      return app;
    };
    const stop = async (app: TestApp) => {
      running.splice(running.indexOf(app), 1);
      await app.stop();
    };

    // 1. Work arrives: an e-mail answered by the operator, their follow-up, e-mails waiting.
    const first = await start({ demo: true });
    await clearWaiting(first);
    const sup = await first.token('supervisor');
    const op = await first.token('operator');
    const operatorId = await userId(first, 'operator');
    t.equal((await first.req('PUT', `/api/routing/operators/${operatorId}`, { token: await first.token('admin'), body: { capacity: { email: 1 } } })).status, 200);
    t.equal((await first.req('POST', '/api/routing/state', { token: op, body: { state: 'ready' } })).body.state, 'ready');
    const a = await emailAppeal(first, 'cp-a');
    await waitFor('the e-mail offered', async () => Boolean((await first.req('GET', '/api/routing/me', { token: op })).body.offer));
    const offer = (await first.req('GET', '/api/routing/me', { token: op })).body.offer;
    t.equal((await first.req('POST', `/api/routing/offers/${offer.id}/accept`, { token: op })).body.appealId, a);
    t.equal((await first.req('POST', '/api/routing/state', { token: op, body: { state: 'logged_out' } })).body.state, 'logged_out', 'logging out completes the e-mail (the appeal stays theirs)');
    await waitFor('the completion in the journal', async () => (await readJournal(first.app.db, 0, 100_000)).some((x) => x.type === 'contact.completed' && x.aggregateId === `appeal-${a}`));
    t.equal(await emailAppeal(first, 'cp-a-2', { threadKeys: ['<routing-cp-a@example.ru>'] }), a, 'the applicant writes again on the same appeal');
    const b = await emailAppeal(first, 'cp-b');
    const c = await emailAppeal(first, 'cp-c');
    const contactsOf = async (app: TestApp) => ((await app.req('GET', '/api/routing/contacts', { token: await app.token('supervisor') })).body as { contactId: string; appealId: number }[]);
    await waitFor('the follow-up and two e-mails waiting', async () => (await contactsOf(first)).length === 3);
    const followUp = (await contactsOf(first)).find((x) => x.appealId === a)!;
    t.match(followUp.contactId, new RegExp(`^appeal-${a}-\\d+$`), 'the follow-up is its own contact');
    t.match(routingOf(first).book.waiting().find((x) => x.id === followUp.contactId), { preferredOperator: { operatorId: String(operatorId) } }, 'preferring the operator who handled the appeal');

    // A checkpoint on request, then more work; the stop writes the last one.
    const asked = await first.app.broker.call<{ written: boolean; position: number }, object>('routing.checkpoint', {});
    t.equal(asked.written, true, 'written on request');
    const d = await emailAppeal(first, 'cp-d');
    t.equal((await first.req('POST', `/api/appeals/${b}/close`, { token: sup, body: { outcome: 'consulted' } })).status, 200);
    await waitFor('b retired, d waiting', async () => (await contactsOf(first)).map((x) => x.appealId).sort().join() === [a, c, d].sort().join());
    await new Promise((r) => setTimeout(r, 200)); // routing's own events reach the journal
    const beforeStop = routingOf(first).position;
    t.ok(beforeStop > asked.position, 'the book moved on after the requested checkpoint');
    await stop(first);
    let stored = 0;
    await onDb(dbUrl, async (db) => (stored = (await new CheckpointStore(db).position()) ?? 0));
    t.ok(stored >= beforeStop, `the stop wrote a checkpoint covering the whole book (${stored} >= ${beforeStop})`);

    // 2. While routing is not running the core takes another e-mail and closes one that waited.
    const coreOnly = await startTestApp({ dbUrl, demo: false });
    running.push(coreOnly);
    const e = (await coreOnly.app.broker.call<{ appealId: number }, object>('appeals.intake', {
      channel: 'email', messageId: '<routing-cp-e@example.ru>', applicant: { contacts: [{ kind: 'email', value: 'e@example.ru' }] }, subject: 'Test e', body: 'text',
    })).appealId;
    t.equal((await coreOnly.req('POST', `/api/appeals/${c}/close`, { token: await coreOnly.token('supervisor'), body: { outcome: 'consulted' } })).status, 200);
    await stop(coreOnly);

    // 3. From the checkpoint: only the journal after it is replayed.
    const second = await start({});
    const rec2 = routingOf(second).recovery!;
    t.match(rec2, { from: 'checkpoint', checkpointSeq: stored }, 'the book comes from the checkpoint');
    t.notOk(rec2.ignored);
    const rows = async (app: TestApp, after: number, upTo: number) => (await readJournal(app.app.db, after, 1_000_000)).filter((x) => x.seq <= upTo).length;
    t.ok(rec2.replayed > 0, 'the work that came while routing was down is replayed');
    t.equal(rec2.replayed, await rows(second, stored, rec2.head), `only the journal after the checkpoint is replayed (${rec2.replayed} events of ${rec2.head})`);
    const fromCheckpoint = await snapshot(second);
    t.same(fromCheckpoint.contacts.map((x) => x.appealId).sort(), [a, d, e].sort(), 'the follow-up, d and the e-mail that came while routing was down wait; b and c do not');
    const head2 = await lastJournalSeq(second.app.db);
    await stop(second);

    // 4. The same database without the checkpoint: the whole journal is replayed.
    await onDb(dbUrl, dropCheckpoint);
    const third = await start({});
    const rec3 = routingOf(third).recovery!;
    t.match(rec3, { from: 'journal', checkpointSeq: 0, head: head2 }, 'no checkpoint: the whole journal');
    t.equal(rec3.replayed, await rows(third, 0, head2), `every event replayed (${rec3.replayed})`);
    t.equal(await lastJournalSeq(third.app.db), head2, 'nothing new was journaled: both starts saw the same journal');
    const fromJournal = await snapshot(third);
    t.same(fromJournal.contacts, fromCheckpoint.contacts, 'the same contacts, places, queues, priorities and enqueue times');
    t.same(fromJournal.sticky, fromCheckpoint.sticky, 'the same sticky operators of follow-ups');
    t.same(fromJournal.book, fromCheckpoint.book, 'the same book');
    for (const [id, age] of fromJournal.ages) t.ok(age >= fromCheckpoint.ages.get(id)!, `${id}: its age counts on from the same enqueue time`);
    await stop(third);

    // 5. A damaged checkpoint is ignored with the reason; the next one written replaces it.
    await onDb(dbUrl, (db) => db.transaction((em) => em.createQueryBuilder().update(RoutingCheckpoint).set({ data: '{"retention": {"followUpMs": 1' }).where('part = 0').execute()));
    const fourth = await start({});
    const rec4 = routingOf(fourth).recovery!;
    t.match(rec4, { from: 'journal', checkpointSeq: 0, ignored: /not JSON/ }, 'a checkpoint that does not parse: the whole journal is replayed');
    const afterDamage = await snapshot(fourth);
    t.same(afterDamage.contacts, fromCheckpoint.contacts, 'and the line is the same');
    t.same(afterDamage.book, fromCheckpoint.book);
    t.equal((await fourth.app.broker.call<{ written: boolean }, object>('routing.checkpoint', {})).written, true, 'the damaged checkpoint is replaced though the journal did not move');
    await stop(fourth);

    // 6. A checkpoint of an unknown format is ignored as well.
    await onDb(dbUrl, (db) => db.transaction((em) => em.createQueryBuilder().update(RoutingCheckpoint).set({ format: CHECKPOINT_FORMAT + 1 }).execute()));
    const fifth = await start({});
    t.match(routingOf(fifth).recovery, { from: 'journal', ignored: new RegExp(`format ${CHECKPOINT_FORMAT + 1}`) }, 'another format: the whole journal is replayed');
    t.same((await snapshot(fifth)).contacts, fromCheckpoint.contacts);
  });
}

t.test('the periodic checkpoint is written by the node holding the lease', async (t) => {
  const d = tempDir('okno-routing-cp-lease-');
  t.teardown(() => d.cleanup());
  const app = await startRoutingApp({ dbUrl: `sqlite:${join(d.dir, 'okno.sqlite')}`, config: { checkpointSeconds: 1 } });
  t.teardown(() => app.stop());
  const rt = routingOf(app);
  await emailAppeal(app, 'cp-periodic');
  await rt.caughtUp();
  const target = rt.position;
  const store = new CheckpointStore(app.app.db);
  await waitFor('a periodic checkpoint covering the new e-mail', async () => ((await store.position()) ?? 0) >= target, 10_000);
  const lease = await app.app.db.read((em) => em.findOne(Lease, { where: { name: 'routing-checkpoint' } }));
  t.equal(lease?.holder, app.app.broker.nodeID, 'this node holds the checkpoint lease');
  const loaded = await store.load();
  t.match(loaded, { found: true, usable: true, checkpoint: { format: CHECKPOINT_FORMAT, nodeId: app.app.broker.nodeID } });
});
