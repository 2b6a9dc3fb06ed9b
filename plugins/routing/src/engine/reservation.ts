/**
 * ReservationStore: the single truth about who holds a contact and what an operator holds, shared
 * by every engine that can offer the same contacts (one per core node). Every change is a
 * compare-and-set on the contact's current holder: a reservation wins only if the contact is free
 * (or its holder's reservation has expired) and the operator still has room, and every later step
 * names the offer it belongs to (the offer id is the fencing token). Each change bumps the
 * contact's version, so a reader can tell which of two answers is newer.
 *
 * The engine works with synchronous stores (InMemoryReservationStore, one node) and asynchronous
 * ones (SQL across nodes): every method may return a value or a Promise. A SQL store maps naturally:
 *
 *   reserveContact: in one transaction
 *     UPDATE routing_contact SET state='reserved', offer_id=?, operator_id=?, expires_at=?, version=version+1
 *       WHERE contact_id=? AND (state='free' OR (state='reserved' AND expires_at < ?))   -- 1 row = won
 *     UPDATE routing_operator SET version=version+1 WHERE operator_id=? AND version=?     -- the claims read
 *       at that version still leave room (capacity, exclusivity); 0 rows = raced, re-read or give up
 *     INSERT INTO routing_claim (offer_id, operator_id, contact_id, channel, exclusive) ...
 *   confirm:  UPDATE ... SET state='assigned', version=version+1 WHERE contact_id=? AND offer_id=? AND state='reserved'
 *   release:  UPDATE ... SET state='free', offer_id=NULL, version=version+1 WHERE contact_id=? AND offer_id=?
 *             AND state IN ('reserved','assigned'); DELETE FROM routing_claim WHERE offer_id=?
 *   finish:   the same with state='done'
 *   retire:   UPDATE ... SET state='done', version=version+1 WHERE contact_id=? AND state <> 'assigned'; DELETE its claim
 *
 * A contact the store has never seen is free at version 0.
 */
import type { Channel } from './types.js';

export type Awaitable<T> = T | Promise<T>;

export type HoldingState = 'free' | 'reserved' | 'assigned' | 'done';

export interface Holding {
  contactId: string;
  state: HoldingState;
  version: number;
  offerId?: string;
  operatorId?: string;
  channel?: Channel;
  exclusive?: boolean;
  /** For a reservation: after this, another engine may take the contact over. */
  expiresAt?: number;
}

export interface ReserveRequest {
  contactId: string;
  operatorId: string;
  offerId: string;
  channel: Channel;
  /** The contact takes the operator whole (a call). */
  exclusive: boolean;
  /** The operator's capacity on `channel`. */
  capacity: number;
  /** Channels whose claims do not stop an exclusive reservation. */
  compatibleWithExclusive: readonly Channel[];
  now: number;
  expiresAt: number;
}

export type ReserveFailure = 'contact-held' | 'contact-done' | 'operator-full';

export type ReserveResult = { ok: true; version: number } | { ok: false; reason: ReserveFailure; holder?: Holding };

export type CasResult = { ok: true; version: number } | { ok: false; holder: Holding };

export interface OperatorClaim {
  offerId: string;
  contactId: string;
  channel: Channel;
  exclusive: boolean;
}

export interface ReservationStore {
  /** free (or expired reservation) -> reserved by `offerId`, if the operator has room. */
  reserveContact(req: ReserveRequest): Awaitable<ReserveResult>;
  /** reserved by `offerId` -> assigned. */
  confirm(contactId: string, offerId: string, now: number): Awaitable<CasResult>;
  /** reserved or assigned by `offerId` -> free; the operator's claim goes. */
  release(contactId: string, offerId: string, now: number): Awaitable<CasResult>;
  /** reserved or assigned by `offerId` -> done (handled); the operator's claim goes. */
  finish(contactId: string, offerId: string, now: number): Awaitable<CasResult>;
  /** free or reserved (by anyone) -> done: the applicant left; a reservation's claim goes. An assignment is left alone. */
  retire(contactId: string, now: number): Awaitable<CasResult>;
  /** The current holding of a contact. */
  holding(contactId: string): Awaitable<Holding>;
}

/** True when operator claims leave room for one more claim on `channel` (shared by every store). */
export function operatorHasRoom(claims: Iterable<OperatorClaim>, req: Pick<ReserveRequest, 'channel' | 'exclusive' | 'capacity' | 'compatibleWithExclusive'>): boolean {
  let onChannel = 0;
  for (const c of claims) {
    if (c.exclusive) return false;
    if (req.exclusive && !req.compatibleWithExclusive.includes(c.channel)) return false;
    if (c.channel === req.channel) onChannel++;
  }
  return onChannel < req.capacity;
}

interface Row extends Holding {
  claim?: OperatorClaim;
}

/** The store for one node (and for tests that share one store between several engines). */
export class InMemoryReservationStore implements ReservationStore {
  private readonly rows = new Map<string, Row>();
  private readonly claimsByOperator = new Map<string, Map<string, OperatorClaim>>();

  reserveContact(req: ReserveRequest): ReserveResult {
    const row = this.row(req.contactId);
    if (row.state === 'done') return { ok: false, reason: 'contact-done', holder: copy(row) };
    const expired = row.state === 'reserved' && (row.expiresAt ?? Infinity) < req.now;
    if (row.state !== 'free' && !expired) return { ok: false, reason: 'contact-held', holder: copy(row) };
    const claims = this.claims(req.operatorId);
    const others = [...claims.values()].filter((c) => c.contactId !== req.contactId);
    if (!operatorHasRoom(others, req)) return { ok: false, reason: 'operator-full' };
    if (expired) this.dropClaim(row);
    const claim: OperatorClaim = { offerId: req.offerId, contactId: req.contactId, channel: req.channel, exclusive: req.exclusive };
    claims.set(req.offerId, claim);
    Object.assign(row, { state: 'reserved', version: row.version + 1, offerId: req.offerId, operatorId: req.operatorId, channel: req.channel, exclusive: req.exclusive, expiresAt: req.expiresAt, claim });
    return { ok: true, version: row.version };
  }

  confirm(contactId: string, offerId: string, _now?: number): CasResult {
    const row = this.row(contactId);
    if (row.state !== 'reserved' || row.offerId !== offerId) return { ok: false, holder: copy(row) };
    row.state = 'assigned';
    delete row.expiresAt;
    row.version++;
    return { ok: true, version: row.version };
  }

  release(contactId: string, offerId: string, _now?: number): CasResult {
    return this.end(contactId, offerId, 'free');
  }

  finish(contactId: string, offerId: string, _now?: number): CasResult {
    return this.end(contactId, offerId, 'done');
  }

  retire(contactId: string, _now?: number): CasResult {
    const row = this.row(contactId);
    if (row.state === 'assigned') return { ok: false, holder: copy(row) };
    this.dropClaim(row);
    clearHolder(row);
    row.state = 'done';
    row.version++;
    return { ok: true, version: row.version };
  }

  holding(contactId: string): Holding {
    return copy(this.row(contactId));
  }

  /** What an operator holds now (for tests and supervisors). */
  claimsOf(operatorId: string): OperatorClaim[] {
    return [...(this.claimsByOperator.get(operatorId)?.values() ?? [])];
  }

  /** Every holding the store has seen. */
  holdings(): Holding[] {
    return [...this.rows.values()].map(copy);
  }

  private end(contactId: string, offerId: string, to: 'free' | 'done'): CasResult {
    const row = this.row(contactId);
    if ((row.state !== 'reserved' && row.state !== 'assigned') || row.offerId !== offerId) return { ok: false, holder: copy(row) };
    this.dropClaim(row);
    clearHolder(row);
    row.state = to;
    row.version++;
    return { ok: true, version: row.version };
  }

  private row(contactId: string): Row {
    let row = this.rows.get(contactId);
    if (!row) {
      row = { contactId, state: 'free', version: 0 };
      this.rows.set(contactId, row);
    }
    return row;
  }

  private claims(operatorId: string): Map<string, OperatorClaim> {
    let claims = this.claimsByOperator.get(operatorId);
    if (!claims) {
      claims = new Map();
      this.claimsByOperator.set(operatorId, claims);
    }
    return claims;
  }

  private dropClaim(row: Row): void {
    if (row.claim && row.operatorId !== undefined) this.claimsByOperator.get(row.operatorId)?.delete(row.claim.offerId);
    delete row.claim;
  }
}

function clearHolder(row: Row): void {
  delete row.offerId;
  delete row.operatorId;
  delete row.channel;
  delete row.exclusive;
  delete row.expiresAt;
}

function copy(row: Row): Holding {
  const { claim: _claim, ...holding } = row;
  return { ...holding };
}

export function isThenable<T>(value: Awaitable<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `then` on the value now if `value` is not a Promise, else when it settles; a synchronous
 * throw or a rejection goes to `failed`. Lets the engine stay synchronous over a synchronous store.
 */
export function whenSettled<T>(produce: () => Awaitable<T>, then: (value: T) => void, failed: (error: unknown) => void): void {
  let value: Awaitable<T>;
  try {
    value = produce();
  } catch (error) {
    failed(error);
    return;
  }
  if (isThenable(value)) value.then(then, failed);
  else then(value);
}
