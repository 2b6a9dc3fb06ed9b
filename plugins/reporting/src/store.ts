/**
 * Reporting's writes, inside the consumer's transaction: the position (compare-and-set, so a batch
 * counts only if nobody moved the position meanwhile), the gaps, the state rows a batch touches, and
 * the counter increments.
 */
import type { EntityManager } from 'typeorm';
import { CONTACT_COUNTERS, APPEAL_COUNTERS, MAX_COUNTERS } from './counters.js';
import type { AppealRow, BatchAggregator, BatchState, ContactRow, OperatorRow, AppealStatus, ContactStatus } from './aggregator.js';
import { ReportingGap, ReportingState } from './entities.js';
import { deleteIn, dialectOf, quoter, selectIn, upsert } from './sql.js';

export const STATE_NAME = 'consumer';
/** Finished contacts are kept this long after their last event (late events may still refer to them). */
const DONE_CONTACT_KEEP_MS = 24 * 3600_000;

/** Another consumer (or a rebuild) moved the position: this batch must not count. */
export class PositionMoved extends Error {
  constructor(expected: number) {
    super(`the reporting position is no longer ${expected}; another consumer or a rebuild moved it`);
    this.name = 'PositionMoved';
  }
}

const n = (v: unknown): number => Number(v);
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const b = (v: unknown): boolean => v === true || Number(v) === 1;

/** Moves the position from `from` to `to`, or throws PositionMoved. Takes the state row's lock first. */
export async function advancePosition(em: EntityManager, from: number, to: number, now: number): Promise<void> {
  const res = await em.createQueryBuilder().update(ReportingState).set({ position: to, updatedAt: now })
    .where('name = :name AND position = :from', { name: STATE_NAME, from }).execute();
  if (!res.affected) throw new PositionMoved(from);
}

/** Records sequence numbers skipped over, to count them if they appear before `expiresAt`. */
export async function recordGaps(em: EntityManager, seqs: number[], expiresAt: number): Promise<void> {
  await upsert(em, 'reporting_gaps', ['seq'], ['expiresAt'], seqs.map((s) => [s, expiresAt]));
}

/** Of `seqs`, those that are open gaps; they are closed (each late event counts once). */
export async function claimGaps(em: EntityManager, seqs: number[]): Promise<Set<number>> {
  if (!seqs.length) return new Set();
  const open = (await selectIn<{ seq: unknown }>(em, 'reporting_gaps', 'seq', seqs)).map((r) => n(r.seq));
  await deleteIn(em, 'reporting_gaps', 'seq', open);
  return new Set(open);
}

export async function expireGaps(em: EntityManager, now: number): Promise<void> {
  await em.createQueryBuilder().delete().from(ReportingGap).where('expiresAt < :now', { now }).execute();
}

export async function loadState(em: EntityManager, ids: { contacts: Set<string>; operators: Set<string>; appeals: Set<string> }): Promise<BatchState> {
  const state: BatchState = { contacts: new Map(), operators: new Map(), appeals: new Map() };
  for (const r of await selectIn<Record<string, unknown>>(em, 'reporting_contacts', 'contactId', [...ids.contacts])) {
    state.contacts.set(String(r.contactId), {
      contactId: String(r.contactId), appealId: r.appealId == null ? null : String(r.appealId), queue: String(r.queue), siteId: String(r.siteId),
      channel: String(r.channel), serviceId: String(r.serviceId), status: String(r.status) as ContactStatus, queuedAt: n(r.queuedAt),
      answeredAt: nn(r.answeredAt), offeredCounted: b(r.offeredCounted), updatedAt: n(r.updatedAt),
    });
  }
  for (const r of await selectIn<Record<string, unknown>>(em, 'reporting_operators', 'operatorId', [...ids.operators])) {
    state.operators.set(String(r.operatorId), { operatorId: String(r.operatorId), siteId: String(r.siteId), state: String(r.state), since: n(r.since) });
  }
  for (const r of await selectIn<Record<string, unknown>>(em, 'reporting_appeals', 'appealId', [...ids.appeals])) {
    state.appeals.set(String(r.appealId), {
      appealId: String(r.appealId), siteId: String(r.siteId), channel: String(r.channel), serviceId: String(r.serviceId),
      organisationId: String(r.organisationId), topic: String(r.topic), status: String(r.status) as AppealStatus,
      registerBy: nn(r.registerBy), answerBy: nn(r.answerBy), answered: b(r.answered),
    });
  }
  return state;
}

const CONTACT_COLS = ['appealId', 'queue', 'siteId', 'channel', 'serviceId', 'status', 'queuedAt', 'answeredAt', 'offeredCounted', 'updatedAt'] as const;
const OPERATOR_COLS = ['siteId', 'state', 'since'] as const;
const APPEAL_COLS = ['siteId', 'channel', 'serviceId', 'organisationId', 'topic', 'status', 'registerBy', 'answerBy', 'answered'] as const;

function rowsOf<T extends object>(ids: Set<string>, map: Map<string, T | null>, cols: readonly (keyof T)[]): unknown[][] {
  const out: unknown[][] = [];
  for (const id of ids) {
    const row = map.get(id);
    if (row) out.push([id, ...cols.map((c) => (typeof row[c] === 'boolean' ? (row[c] ? 1 : 0) : row[c]))]);
  }
  return out;
}

const counterMerge = (c: string) => (MAX_COUNTERS.has(c) ? 'max' : 'add') as 'max' | 'add';

/** Writes what a batch changed: state rows and counter increments. */
export async function flush(em: EntityManager, agg: BatchAggregator, state: BatchState): Promise<void> {
  await upsert(em, 'reporting_contacts', ['contactId'], CONTACT_COLS, rowsOf<ContactRow>(agg.dirtyContacts, state.contacts, CONTACT_COLS));
  await upsert(em, 'reporting_operators', ['operatorId'], OPERATOR_COLS, rowsOf<OperatorRow>(agg.dirtyOperators, state.operators, OPERATOR_COLS));
  await upsert(em, 'reporting_appeals', ['appealId'], APPEAL_COLS, rowsOf<AppealRow>(agg.dirtyAppeals, state.appeals, APPEAL_COLS));
  const intervalRows = [...agg.intervals].map(([k, c]) => {
    const [start, dim, ...rest] = k.split('|');
    return [Number(start), dim, rest.join('|'), ...CONTACT_COUNTERS.map((name) => c[name])];
  });
  await upsert(em, 'reporting_intervals', ['start', 'dim', 'dimKey'], CONTACT_COUNTERS, intervalRows, counterMerge);
  const dayRows = [...agg.days].map(([k, c]) => {
    const [day, dim, ...rest] = k.split('|');
    return [day, dim, rest.join('|'), ...APPEAL_COUNTERS.map((name) => c[name])];
  });
  await upsert(em, 'reporting_appeal_days', ['day', 'dim', 'dimKey'], APPEAL_COUNTERS, dayRows, counterMerge);
}

/** Removes contacts finished more than a day before `latestAt` (no later event refers to them). */
export async function purgeDoneContacts(em: EntityManager, latestAt: number): Promise<void> {
  const q = quoter(dialectOf(em));
  await em.query(`DELETE FROM ${q('reporting_contacts')} WHERE ${q('status')} = ? AND ${q('updatedAt')} < ?`, ['done', latestAt - DONE_CONTACT_KEEP_MS]);
}
