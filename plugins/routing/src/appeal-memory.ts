/**
 * What the contact book remembers of appeals, for as long as a later journal event can need it:
 *  - the facts routing needs to route its later contacts (service, organisation, site);
 *  - the operator who handled it last (a follow-up prefers them);
 *  - whether it had its first contact (a fax received and registered later is one contact).
 *
 * An appeal answered, redirected or closed is *settled*: it is remembered `settledMs` after its last
 * event (the sticky-operator follow-up window). Any other appeal is remembered `activeMs` after its
 * last event (an appeal nobody closed). Times are journal times (the events' `at`), so the result does
 * not depend on when the book runs. A memo past its time is dropped when it is next asked for, and
 * `sweep()` drops the rest in bulk: each class sits in a map kept in order of last event (a touch
 * moves the memo to the end), so a sweep stops at the first memo still in time.
 */

export interface AppealFacts {
  serviceId: number | null;
  organisationId: number | null;
  siteId: number | null;
}

export interface AppealMemo {
  /** Time (epoch ms, journal time) of its last event. */
  at: number;
  facts?: AppealFacts;
  /** The operator (user id) who handled it last. */
  handler?: string;
  /** It had its first contact. */
  routed?: boolean;
}

/** The memory as plain JSON, in order of last event (see BookState). */
export interface AppealMemoryState {
  active: [number, AppealMemo][];
  settled: [number, AppealMemo][];
}

export interface AppealMemoryOptions {
  /** How long a settled appeal (answered, redirected, closed) is remembered after its last event. */
  settledMs: number;
  /** How long any other appeal is remembered after its last event. */
  activeMs: number;
}

/** Sweeps leave memos this much past their time (events from a node whose clock lags still find them). */
export const SWEEP_SLACK_MS = 86_400_000;

export class AppealMemory {
  private active = new Map<number, AppealMemo>();
  private settled = new Map<number, AppealMemo>();

  constructor(private readonly opts: AppealMemoryOptions) {}

  get size(): number {
    return this.active.size + this.settled.size;
  }

  get settledSize(): number {
    return this.settled.size;
  }

  /** The appeal's memo if it is remembered at `at` (nothing is changed). */
  peek(id: number, at: number): AppealMemo | undefined {
    const settled = this.settled.get(id);
    const m = settled ?? this.active.get(id);
    if (!m) return undefined;
    return at - m.at > (settled ? this.opts.settledMs : this.opts.activeMs) ? undefined : m;
  }

  /** An event about the appeal: its memo (if remembered) now counts from `at`. */
  seen(id: number, at: number): AppealMemo | undefined {
    const m = this.peek(id, at);
    if (!m) {
      this.forget(id);
      return undefined;
    }
    this.place(id, m, at, this.settled.has(id) ? this.settled : this.active);
    return m;
  }

  /**
   * The appeal's memo, made fresh when it is not remembered, counting from `at`. `active`: someone
   * works on the appeal again (it is no longer settled).
   */
  touch(id: number, at: number, state?: 'active'): AppealMemo {
    const m = this.peek(id, at);
    if (!m) {
      this.forget(id);
      const fresh: AppealMemo = { at };
      this.active.set(id, fresh);
      return fresh;
    }
    this.place(id, m, at, state === 'active' || this.active.has(id) ? this.active : this.settled);
    return m;
  }

  /** The appeal was answered, redirected or closed (an appeal not remembered stays unknown). */
  settle(id: number, at: number): void {
    const m = this.seen(id, at);
    if (m) this.place(id, m, at, this.settled);
  }

  /** Drops the memos whose time was up a while (SWEEP_SLACK_MS) before `now`. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [map, keep] of [[this.settled, this.opts.settledMs], [this.active, this.opts.activeMs]] as const) {
      for (const [id, m] of map) {
        if (now - m.at <= keep + SWEEP_SLACK_MS) break;
        map.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  exportState(): AppealMemoryState {
    const copy = (map: Map<number, AppealMemo>): [number, AppealMemo][] => [...map].map(([id, m]) => [id, { ...m, ...(m.facts ? { facts: { ...m.facts } } : {}) }]);
    return { active: copy(this.active), settled: copy(this.settled) };
  }

  /** Replaces the memory with a checked state (throws, leaving the memory as it was, when it is not one). */
  restoreState(state: AppealMemoryState): void {
    const read = (list: unknown, name: string): Map<number, AppealMemo> => {
      if (!Array.isArray(list)) throw new Error(`appeals.${name} is not a list`);
      const map = new Map<number, AppealMemo>();
      for (const item of list) {
        const [id, m] = Array.isArray(item) ? (item as [unknown, unknown]) : [];
        if (!Number.isInteger(id) || !isMemo(m)) throw new Error(`appeals.${name}: ${JSON.stringify(item)?.slice(0, 200)} is not an appeal memo`);
        map.set(id as number, m);
      }
      return map;
    };
    const active = read(state?.active, 'active');
    const settled = read(state?.settled, 'settled');
    this.active = active;
    this.settled = settled;
  }

  private forget(id: number): void {
    this.active.delete(id);
    this.settled.delete(id);
  }

  /** Puts the memo last in `map` (its class now) with its time moved on to `at`. */
  private place(id: number, m: AppealMemo, at: number, map: Map<number, AppealMemo>): void {
    this.forget(id);
    if (at > m.at) m.at = at;
    map.set(id, m);
  }
}

const isIdOrNull = (v: unknown) => v === null || Number.isInteger(v);

function isMemo(m: unknown): m is AppealMemo {
  if (!m || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  if (!Number.isFinite(o.at)) return false;
  if (o.handler !== undefined && typeof o.handler !== 'string') return false;
  if (o.routed !== undefined && typeof o.routed !== 'boolean') return false;
  if (o.facts !== undefined) {
    const f = o.facts as Record<string, unknown> | null;
    if (!f || typeof f !== 'object' || !isIdOrNull(f.serviceId) || !isIdOrNull(f.organisationId) || !isIdOrNull(f.siteId)) return false;
  }
  return true;
}
