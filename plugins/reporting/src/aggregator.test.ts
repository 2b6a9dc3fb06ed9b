/**
 * The batch aggregator on its own (no database): a contact retired from the queue (its appeal dealt
 * with from the card) stops waiting and stays offered, without counting as answered or abandoned,
 * and a retirement after an answer changes nothing.
 */
import t from 'tap';
import type { JournalEvent } from '@okno/core';
import { BatchAggregator, type BatchState } from './aggregator.js';
import { DEFAULTS, definitionsOf } from './config.js';
import { CityTime } from './zone.js';

const T0 = Date.parse('2026-03-02T09:00:00+03:00');
let seq = 0;
const ev = (type: string, contactId: string, atMs: number, data: Record<string, unknown> = {}): JournalEvent => ({
  seq: ++seq, at: new Date(atMs).toISOString(), type, aggregateType: 'contact', aggregateId: contactId, siteId: 1, actorId: null,
  data: { contactId, channel: 'email', queue: 'mail', siteId: '1', ...data },
});

function run(events: JournalEvent[]) {
  const state: BatchState = { contacts: new Map(), operators: new Map(), appeals: new Map() };
  const agg = new BatchAggregator(state, definitionsOf(DEFAULTS, 'Europe/Moscow'), new CityTime('Europe/Moscow'));
  for (const e of events) agg.apply(e);
  const all = agg.intervals.get(`${T0}|all|`);
  return { state, all };
}

t.test('a retired waiting contact is done, offered once, neither answered nor abandoned', async (t) => {
  const { state, all } = run([ev('contact.queued', 'R1', T0), ev('contact.retired', 'R1', T0 + 60_000, { reason: 'handled-elsewhere' })]);
  t.equal(state.contacts.get('R1')?.status, 'done', 'no longer waiting');
  t.match(all, { offered: 1, answered: 0, abandoned: 0, shortAbandoned: 0 }, 'offered only');
});

t.test('a retirement after the answer leaves the answer as it was', async (t) => {
  const { state, all } = run([
    ev('contact.queued', 'R2', T0),
    ev('contact.answered', 'R2', T0 + 10_000, { waitedMs: 10_000, operatorId: 'op1' }),
    ev('contact.retired', 'R2', T0 + 20_000),
  ]);
  t.equal(state.contacts.get('R2')?.status, 'answered', 'still answered (completion comes from the operator)');
  t.match(all, { offered: 1, answered: 1, answeredInSl: 1, abandoned: 0 });
});

t.test('a retirement the aggregator sees first creates a finished contact, not a waiting one', async (t) => {
  const { state, all } = run([ev('contact.retired', 'R3', T0)]);
  t.equal(state.contacts.get('R3')?.status, 'done');
  t.equal(all, undefined, 'nothing counted');
});

t.test('a completion journaled after a restart (times unknown) counts from the answer', async (t) => {
  const { state, all } = run([
    ev('contact.queued', 'R4', T0),
    ev('contact.answered', 'R4', T0 + 10_000, { waitedMs: 10_000, operatorId: 'op1' }),
    ev('contact.completed', 'R4', T0 + 250_000, { operatorId: 'op1', afterRestart: true }),
    ev('contact.queued', 'R5', T0),
    ev('contact.answered', 'R5', T0 + 5_000, { waitedMs: 5_000, operatorId: 'op2' }),
    ev('contact.completed', 'R5', T0 + 95_000, { operatorId: 'op2', talkMs: 60_000, holdMs: 0, wrapMs: 30_000 }),
  ]);
  t.equal(state.contacts.get('R4')?.status, 'done');
  t.match(all, { handled: 2, talkMs: 240_000 + 60_000, wrapMs: 30_000 }, 'R4 from its answer to the completion (240 s), R5 as it says');
});
