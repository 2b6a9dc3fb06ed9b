/**
 * Rate limiting per client: an exact sliding window (the times of the last `limit` requests per key)
 * kept in memory on each node. Keys are bounded: the least recently seen client is forgotten first.
 * A refused request is not counted, so a client that keeps trying is let in again as soon as its
 * oldest counted request leaves the window.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

export interface LimiterOptions {
  limit: number;
  windowMs: number;
  /** Most clients remembered (default 50,000). */
  maxKeys?: number;
  now?: () => number;
}

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly opts: LimiterOptions) {
    if (!(opts.limit >= 1) || !(opts.windowMs >= 1)) throw new Error('limit and windowMs must be positive');
    this.maxKeys = opts.maxKeys ?? 50_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.hits.size;
  }

  /** Counts one request of `key` if the window has room. */
  hit(key: string): RateDecision {
    const now = this.now();
    const from = now - this.opts.windowMs;
    const times = (this.hits.get(key) ?? []).filter((t) => t > from);
    // Re-insert so the Map's order is "least recently seen first".
    this.hits.delete(key);
    if (times.length >= this.opts.limit) {
      this.hits.set(key, times);
      const retryAfterMs = times[0]! + this.opts.windowMs - now;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
    times.push(now);
    this.hits.set(key, times);
    while (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
    return { ok: true, remaining: this.opts.limit - times.length };
  }

  /** Forgets clients with no request inside the window (call now and then). */
  prune(): void {
    const from = this.now() - this.opts.windowMs;
    for (const [key, times] of this.hits) if (!times.some((t) => t > from)) this.hits.delete(key);
  }
}

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(ip: string): number[] | null {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':') : []);
  let h = part(head);
  let tl = part(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = (tl.length ? tl : h).at(-1);
  if (last && isIPv4(last)) {
    const o = last.split('.').map(Number);
    const v4 = [((o[0]! << 8) | o[1]!).toString(16), ((o[2]! << 8) | o[3]!).toString(16)];
    if (tl.length) tl = [...tl.slice(0, -1), ...v4];
    else h = [...h.slice(0, -1), ...v4];
  }
  const missing = 8 - h.length - tl.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...h, ...Array<string>(missing).fill('0'), ...tl].map((g) => parseInt(g, 16));
}

/**
 * The rate-limit key of a client address: an IPv4 address as is (also when written IPv4-mapped), an
 * IPv6 address by its /64 network (one subscriber usually holds a whole /64).
 */
export function clientKey(ip: string | null | undefined): string {
  const a = (ip ?? '').trim();
  if (isIPv4(a)) return a;
  if (isIPv6(a)) {
    const g = ipv6Groups(a.split('%')[0]!);
    if (!g) return a.toLowerCase();
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
    return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
  }
  return a || 'unknown';
}

/** One limiter per purpose (submit, status, chat...), each with its own window. */
export class RateLimits<K extends string> {
  private readonly limiters = new Map<K, SlidingWindowLimiter>();
  constructor(config: Record<K, { limit: number; windowSeconds: number }>, now?: () => number) {
    for (const [k, v] of Object.entries(config) as [K, { limit: number; windowSeconds: number }][]) {
      this.limiters.set(k, new SlidingWindowLimiter({ limit: v.limit, windowMs: v.windowSeconds * 1000, now }));
    }
  }
  hit(kind: K, key: string): RateDecision {
    return this.limiters.get(kind)!.hit(key);
  }
  prune(): void {
    for (const l of this.limiters.values()) l.prune();
  }
}
