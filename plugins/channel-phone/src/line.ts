/**
 * The phone line across core nodes: Asterisk gives a Stasis application's events to one WebSocket,
 * so exactly one node holds the ARI connection. It is the node holding the `phone-line:<app>` lease
 * in the database (the core's `LeaseKeeper`); the other nodes stand by and try to take the lease as
 * often as the holder renews it.
 *
 * - Every `renewMs` the holder renews: the lease then runs until `ttlMs` after the renewal started.
 * - The holder may act (REST commands, events, writes) only until `ttlMs - guardMs` after the start of
 *   its last successful renewal. A renewal that fails (the database is gone) or hangs past that
 *   point stops the node acting at once (`mayAct()` turns false, then `deactivate` closes the
 *   WebSocket), `guardMs` before another node can take the lease.
 * - A standby takes the lease once it has expired, and `activate` connects it to Asterisk; the call
 *   flow then takes every call in progress over from Asterisk and the database, as after a restart.
 * - A node that stops (a normal shutdown) gives the lease up at once, so another node takes it at its
 *   next try.
 */
import { Lease, LeaseKeeper, type Clock, type Database } from '@okno/core';

export interface LineOptions {
  db: Database;
  clock: Clock;
  /** The lease's name (one per Stasis application). */
  name: string;
  /** This node (the broker's node id). */
  node: string;
  ttlMs: number;
  renewMs: number;
  guardMs: number;
  /** This node took the line: connect to Asterisk. */
  activate(): void;
  /** This node lost the line (or stops): close the connection; nothing more is sent. */
  deactivate(reason: string): Promise<void>;
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

export interface LineStatus {
  /** This node. */
  node: string;
  /** The node holding the lease now, as the database says (null: nobody, or it expired). */
  holder: string | null;
  expiresAt: string | null;
  /** Whether this node holds the line and acts on calls. */
  active: boolean;
  /** Since when this node holds the line (null: it does not). */
  since: string | null;
  /** How often this node took the line over. */
  takeovers: number;
  /** Why this node last stopped holding it, and the last failure to reach the lease. */
  lastLoss: string | null;
  lastError: string | null;
}

export class PhoneLine {
  private readonly keeper: LeaseKeeper;
  private active = false;
  /** Until when (epoch ms, this node's clock) this node may act. */
  private validUntil = 0;
  private since: Date | null = null;
  private takeovers = 0;
  private lastLoss: string | null = null;
  private lastError: string | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private losing: Promise<void> = Promise.resolve();

  constructor(private readonly o: LineOptions) {
    // renewAfterMs 0: every hold() goes to the database, so a true answer means "renewed just now".
    this.keeper = new LeaseKeeper(o.db, { name: o.name, holder: o.node, ttlMs: o.ttlMs, clock: o.clock, renewAfterMs: 0 });
  }

  /** Whether this node holds the line and may act on calls now. */
  mayAct(): boolean {
    return this.active && this.o.clock().getTime() < this.validUntil;
  }

  /**
   * How long (ms) this node may still act on calls: until `ttlMs - guardMs` after its last renewal
   * started (0 when it does not hold the line). REST requests and broker calls get no longer.
   */
  timeLeft(): number {
    return this.active ? Math.max(0, this.validUntil - this.o.clock().getTime()) : 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops trying; a holder stops acting and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    await this.running;
    const was = this.active;
    await this.lose('this node stops');
    if (was) {
      try {
        await this.keeper.release();
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'phone: the phone line lease could not be given up; another node takes it when it expires');
      }
    }
  }

  /** This node's view, with the holder as the database has it. */
  async status(): Promise<LineStatus> {
    let row: Lease | null = null;
    try {
      row = await this.o.db.read((em) => em.findOne(Lease, { where: { name: this.o.name } }));
    } catch (err) {
      this.lastError = `read the lease: ${(err as Error).message}`;
    }
    const live = row && row.expiresAt.getTime() > this.o.clock().getTime() ? row : null;
    return {
      node: this.o.node, holder: live?.holder ?? null, expiresAt: live ? live.expiresAt.toISOString() : null, active: this.mayAct(),
      since: this.since?.toISOString() ?? null, takeovers: this.takeovers, lastLoss: this.lastLoss, lastError: this.lastError,
    };
  }

  /** The node holding the line now, by the database (null: nobody holds it). */
  async holder(): Promise<string | null> {
    return (await this.status()).holder;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = null;
      this.running = this.tick().catch((err: unknown) => {
        this.lastError = `the line: ${err instanceof Error ? err.message : String(err)}`;
        this.o.logger.error({ err: this.lastError }, 'phone: taking or keeping the phone line failed');
      }).finally(() => {
        this.running = null;
        this.schedule(this.o.renewMs);
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    const started = this.o.clock().getTime();
    let held: boolean;
    try {
      held = await this.keeper.hold();
      this.lastError = null;
    } catch (err) {
      held = false;
      this.lastError = `the lease: ${(err as Error).message}`;
      if (this.active) this.o.logger.warn({ err: this.lastError }, 'phone: the phone line lease could not be renewed');
    }
    if (this.stopped) return;
    if (!held) {
      if (this.active) await this.lose(this.lastError ? `the lease could not be renewed (${this.lastError})` : 'another node holds the lease');
      return;
    }
    this.validUntil = started + this.o.ttlMs - this.o.guardMs;
    this.arm();
    if (this.active) return;
    if (!this.mayActAt(this.o.clock().getTime())) return; // the renewal itself took too long
    await this.losing;
    this.active = true;
    this.since = this.o.clock();
    this.takeovers++;
    this.o.logger.info({ node: this.o.node, lease: this.o.name, ttlMs: this.o.ttlMs }, 'phone: this node holds the phone line; connecting to Asterisk');
    this.o.activate();
  }

  private mayActAt(now: number): boolean {
    return now < this.validUntil;
  }

  /** Stops acting when the last renewal runs out (the database hangs, or answers too late). */
  private arm(): void {
    if (this.deadline) clearTimeout(this.deadline);
    const ms = Math.max(0, this.validUntil - this.o.clock().getTime());
    this.deadline = setTimeout(() => {
      this.deadline = null;
      if (this.active && !this.mayAct()) void this.lose(`the lease was not renewed within ${this.o.ttlMs - this.o.guardMs} ms`);
    }, ms);
  }

  private lose(reason: string): Promise<void> {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
    if (!this.active) return this.losing;
    this.active = false;
    this.validUntil = 0;
    this.since = null;
    this.lastLoss = `${new Date(this.o.clock().getTime()).toISOString()}: ${reason}`;
    const log = reason === 'this node stops' ? this.o.logger.info.bind(this.o.logger) : this.o.logger.error.bind(this.o.logger);
    log({ node: this.o.node, reason }, 'phone: this node no longer holds the phone line; the connection to Asterisk is closed');
    this.losing = this.o.deactivate(reason).catch((err: unknown) => this.o.logger.error({ err: (err as Error).message }, 'phone: closing the phone line failed'));
    return this.losing;
  }
}
