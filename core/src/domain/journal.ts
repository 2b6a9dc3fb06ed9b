/**
 * Journal (outbox) writing and reading. `appendJournal` is called inside the transaction that makes
 * the state change; readers follow the sequence numbers.
 */
import type { EntityManager } from 'typeorm';
import { JournalEntry } from '../persistence/entities/index.js';
import type { Database } from '../persistence/database.js';
import { sqlFor, sqlInsert, sqlInsertLater, type Sql } from '../persistence/sql.js';

export interface JournalInput {
  type: string;
  aggregateType: string;
  aggregateId: string | number;
  siteId?: number | null;
  actorId?: number | null;
  data?: Record<string, unknown>;
  at?: Date;
}

/** What consumers and the WebSocket stream see. */
export interface JournalEvent {
  seq: number;
  at: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  siteId: number | null;
  actorId: number | null;
  data: Record<string, unknown>;
}

function journalRow(input: JournalInput) {
  return {
    at: input.at ?? new Date(),
    type: input.type,
    aggregateType: input.aggregateType,
    aggregateId: String(input.aggregateId),
    siteId: input.siteId ?? null,
    actorId: input.actorId ?? null,
    data: input.data ?? {},
  };
}

export async function appendJournal(em: EntityManager, input: JournalInput): Promise<JournalEntry> {
  const row = journalRow(input);
  const seq = await sqlInsert(sqlFor(em), 'journal', row);
  return Object.assign(new JournalEntry(), row, { seq });
}

/**
 * Appends several entries in one statement, their sequence numbers in this order; the statement is
 * sent with the next one of `sql` or with the commit (Sql.later).
 */
export function appendJournalEntries(sql: Sql, inputs: JournalInput[]): void {
  sqlInsertLater(sql, 'journal', inputs.map(journalRow));
}

export function toJournalEvent(e: JournalEntry): JournalEvent {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    type: e.type,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    siteId: e.siteId,
    actorId: e.actorId,
    data: e.data,
  };
}

/** Entries with seq > afterSeq, in order (at most `limit`). */
export async function readJournal(db: Database, afterSeq: number, limit = 500, types?: string[]): Promise<JournalEvent[]> {
  return db.read(async (em) => {
    const qb = em.getRepository(JournalEntry).createQueryBuilder('j').where('j.seq > :after', { after: afterSeq }).orderBy('j.seq', 'ASC').limit(limit);
    if (types?.length) qb.andWhere('j.type IN (:...types)', { types });
    return (await qb.getMany()).map(toJournalEvent);
  });
}

export async function lastJournalSeq(db: Database): Promise<number> {
  return db.read(async (em) => {
    const r = await em.getRepository(JournalEntry).createQueryBuilder('j').select('MAX(j.seq)', 'max').getRawOne<{ max: unknown }>();
    return Number(r?.max ?? 0);
  });
}
