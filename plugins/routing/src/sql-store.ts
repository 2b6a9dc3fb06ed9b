/**
 * The ReservationStore on the core's database (SQLite or MariaDB), shared by every core node: the
 * mapping spelled out in engine/reservation.ts. Every change is one transaction of conditional
 * UPDATEs; the offer id is the fencing token and each change bumps the contact's version.
 *
 *   reserveContact: the operator's claims are read at the operator's version, checked for room, the
 *     contact moves free (or expired reservation) -> reserved by a conditional UPDATE, and the
 *     operator's version moves on only if nobody changed it meanwhile (else the transaction rolls
 *     back and is tried again); the claim is inserted.
 *   confirm / release / finish: UPDATE ... WHERE offerId = ? AND state IN (...); the claim goes.
 *   retire: free or reserved -> done. Unlike the in-memory store, a contact already done answers
 *     { ok: false, holder: done }, so of several nodes retiring one contact only the first reports
 *     the abandonment.
 */
import type { EntityManager } from 'typeorm';
import type { Database } from '@okno/core';
import {
  operatorHasRoom,
  type CasResult,
  type Channel,
  type Holding,
  type HoldingState,
  type OperatorClaim,
  type ReservationStore,
  type ReserveRequest,
  type ReserveResult,
} from './engine/index.js';

interface HoldingRow {
  contactId: string;
  state: string;
  version: number | string;
  offerId: string | null;
  operatorId: string | null;
  channel: string | null;
  exclusive: number | boolean | null;
  expiresAt: number | string | null;
}

interface ClaimRow {
  offerId: string;
  operatorId: string;
  contactId: string;
  channel: string;
  exclusive: number | boolean;
}

/** The operator's version moved while we checked its room: roll back and try again. */
class OperatorRaced extends Error {}

const RESERVE_ATTEMPTS = 5;

export class SqlReservationStore implements ReservationStore {
  private readonly q: (n: string) => string;
  private readonly ignore: string;

  constructor(private readonly db: Database) {
    this.q = (n) => db.q(n);
    this.ignore = db.kind === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  }

  /**
   * Records a new contact (free, version 0) inside the caller's transaction; false when it was
   * already recorded (another node, or an earlier delivery, got there first).
   */
  async recordNew(em: EntityManager, contactId: string, now: number): Promise<boolean> {
    return (await this.ensureRow(em, contactId, now)) > 0;
  }

  async reserveContact(req: ReserveRequest): Promise<ReserveResult> {
    const { q } = this;
    // The rows exist before the transaction, so it takes each lock once (contact, then operator).
    await this.tx(async (em) => {
      await this.ensureRow(em, req.contactId, req.now);
      await this.exec(em, `${this.ignore} INTO ${q('routing_store_operators')} (${q('operatorId')}, ${q('version')}) VALUES (?, 0)`, [req.operatorId]);
    });
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx((em) => this.reserveOnce(em, req));
      } catch (err) {
        if (!(err instanceof OperatorRaced)) throw err;
        if (attempt >= RESERVE_ATTEMPTS) return { ok: false, reason: 'operator-full' };
      }
    }
  }

  /** A transaction, tried again on MariaDB deadlocks and lock wait timeouts (beyond the core's own retries). */
  private async tx<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (err) {
        const errno = (err as { errno?: number; driverError?: { errno?: number } }).driverError?.errno ?? (err as { errno?: number }).errno;
        if (attempt >= 8 || (errno !== 1213 && errno !== 1205)) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 25));
      }
    }
  }

  private async reserveOnce(em: EntityManager, req: ReserveRequest): Promise<ReserveResult> {
    const { q } = this;
    const before = await this.read(em, req.contactId);
    const [op] = await this.rows<{ version: number | string }>(em, `SELECT ${q('version')} FROM ${q('routing_store_operators')} WHERE ${q('operatorId')} = ?`, [req.operatorId]);
    const version = Number(op?.version ?? 0);
    const claims = (await this.rows<ClaimRow>(em, `SELECT * FROM ${q('routing_claims')} WHERE ${q('operatorId')} = ?`, [req.operatorId]))
      .filter((c) => c.contactId !== req.contactId)
      .map(toClaim);
    if (!operatorHasRoom(claims, req)) return { ok: false, reason: 'operator-full' };
    const won = await this.exec(
      em,
      `UPDATE ${q('routing_holdings')} SET ${q('state')} = 'reserved', ${q('offerId')} = ?, ${q('operatorId')} = ?, ${q('channel')} = ?, ${q('exclusive')} = ?, ${q('expiresAt')} = ?, ${q('version')} = ${q('version')} + 1
        WHERE ${q('contactId')} = ? AND (${q('state')} = 'free' OR (${q('state')} = 'reserved' AND ${q('expiresAt')} < ?))`,
      [req.offerId, req.operatorId, req.channel, req.exclusive ? 1 : 0, req.expiresAt, req.contactId, req.now],
    );
    if (won === 0) {
      const holder = await this.read(em, req.contactId);
      return { ok: false, reason: holder.state === 'done' ? 'contact-done' : 'contact-held', holder };
    }
    const bumped = await this.exec(em, `UPDATE ${q('routing_store_operators')} SET ${q('version')} = ? WHERE ${q('operatorId')} = ? AND ${q('version')} = ?`, [version + 1, req.operatorId, version]);
    if (bumped === 0) throw new OperatorRaced();
    // An expired reservation's claim goes with it.
    if (before.offerId) await this.exec(em, `DELETE FROM ${q('routing_claims')} WHERE ${q('offerId')} = ?`, [before.offerId]);
    await this.exec(em, `INSERT INTO ${q('routing_claims')} (${q('offerId')}, ${q('operatorId')}, ${q('contactId')}, ${q('channel')}, ${q('exclusive')}) VALUES (?, ?, ?, ?, ?)`, [
      req.offerId, req.operatorId, req.contactId, req.channel, req.exclusive ? 1 : 0,
    ]);
    return { ok: true, version: (await this.read(em, req.contactId)).version };
  }

  confirm(contactId: string, offerId: string, _now?: number): Promise<CasResult> {
    const { q } = this;
    return this.cas(contactId, `${q('state')} = 'assigned', ${q('expiresAt')} = NULL`, `${q('offerId')} = ? AND ${q('state')} = 'reserved'`, [offerId], null);
  }

  release(contactId: string, offerId: string, _now?: number): Promise<CasResult> {
    return this.end(contactId, offerId, 'free');
  }

  finish(contactId: string, offerId: string, _now?: number): Promise<CasResult> {
    return this.end(contactId, offerId, 'done');
  }

  async retire(contactId: string, now: number): Promise<CasResult> {
    const { q } = this;
    await this.tx((em) => this.ensureRow(em, contactId, now));
    return this.tx(async (em) => {
      const before = await this.read(em, contactId);
      return this.casIn(em, contactId, `${q('state')} = 'done', ${CLEAR(q)}`, `${q('state')} IN ('free', 'reserved')`, [], before.offerId ? 'offer' : null, before.offerId);
    });
  }

  async holding(contactId: string): Promise<Holding> {
    return this.db.read((em) => this.read(em, contactId));
  }

  /** What an operator holds now, over every node. */
  async claimsOf(operatorIds?: readonly string[]): Promise<(OperatorClaim & { operatorId: string; state: HoldingState })[]> {
    const { q } = this;
    const where = operatorIds ? (operatorIds.length ? `WHERE c.${q('operatorId')} IN (${operatorIds.map(() => '?').join(', ')})` : 'WHERE 1 = 0') : '';
    const rows = await this.db.read((em) =>
      this.rows<ClaimRow & { state: string }>(em, `SELECT c.*, h.${q('state')} AS ${q('state')} FROM ${q('routing_claims')} c JOIN ${q('routing_holdings')} h ON h.${q('contactId')} = c.${q('contactId')} ${where}`, [...(operatorIds ?? [])]),
    );
    return rows.map((r) => ({ ...toClaim(r), operatorId: r.operatorId, state: r.state as HoldingState }));
  }

  private end(contactId: string, offerId: string, to: 'free' | 'done'): Promise<CasResult> {
    const { q } = this;
    return this.cas(contactId, `${q('state')} = '${to}', ${CLEAR(q)}`, `${q('offerId')} = ? AND ${q('state')} IN ('reserved', 'assigned')`, [offerId], 'offer', offerId);
  }

  private cas(contactId: string, set: string, where: string, params: unknown[], dropClaim: 'offer' | null, offerId?: string): Promise<CasResult> {
    return this.tx((em) => this.casIn(em, contactId, set, where, params, dropClaim, offerId));
  }

  private async casIn(em: EntityManager, contactId: string, set: string, where: string, params: unknown[], dropClaim: 'offer' | null, offerId?: string): Promise<CasResult> {
    const { q } = this;
    const n = await this.exec(em, `UPDATE ${q('routing_holdings')} SET ${set}, ${q('version')} = ${q('version')} + 1 WHERE ${q('contactId')} = ? AND ${where}`, [contactId, ...params]);
    if (n === 0) return { ok: false, holder: await this.read(em, contactId) };
    if (dropClaim === 'offer') await this.exec(em, `DELETE FROM ${q('routing_claims')} WHERE ${q('offerId')} = ?`, [offerId]);
    return { ok: true, version: (await this.read(em, contactId)).version };
  }

  private async ensureRow(em: EntityManager, contactId: string, now: number): Promise<number> {
    const { q } = this;
    return this.exec(em, `${this.ignore} INTO ${q('routing_holdings')} (${q('contactId')}, ${q('state')}, ${q('version')}, ${q('exclusive')}, ${q('createdAt')}) VALUES (?, 'free', 0, 0, ?)`, [contactId, now]);
  }

  private async read(em: EntityManager, contactId: string): Promise<Holding> {
    const [row] = await this.rows<HoldingRow>(em, `SELECT * FROM ${this.q('routing_holdings')} WHERE ${this.q('contactId')} = ?`, [contactId]);
    if (!row) return { contactId, state: 'free', version: 0 };
    return {
      contactId,
      state: row.state as HoldingState,
      version: Number(row.version),
      ...(row.offerId ? { offerId: row.offerId } : {}),
      ...(row.operatorId ? { operatorId: row.operatorId } : {}),
      ...(row.channel ? { channel: row.channel as Channel, exclusive: Boolean(Number(row.exclusive)) } : {}),
      ...(row.expiresAt != null ? { expiresAt: Number(row.expiresAt) } : {}),
    };
  }

  private async exec(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
    const runner = em.queryRunner;
    if (!runner) throw new Error('SqlReservationStore: a change must run in a transaction');
    const r = (await runner.query(sql, params, true)) as { affected?: number };
    return r.affected ?? 0;
  }

  private async rows<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
    return (await em.query(sql, params)) as T[];
  }
}

const CLEAR = (q: (n: string) => string) =>
  `${q('offerId')} = NULL, ${q('operatorId')} = NULL, ${q('channel')} = NULL, ${q('exclusive')} = 0, ${q('expiresAt')} = NULL`;

function toClaim(r: ClaimRow): OperatorClaim {
  return { offerId: r.offerId, contactId: r.contactId, channel: r.channel as Channel, exclusive: Boolean(Number(r.exclusive)) };
}
