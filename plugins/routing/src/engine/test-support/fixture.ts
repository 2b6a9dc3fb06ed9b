/** A routing engine on a manual clock that records its events, for the engine's tests. */
import { ManualClock } from '../clock.js';
import { RoutingEngine, type EngineOptions } from '../engine.js';
import type { RoutingEvent, RoutingEventType } from '../types.js';

/** Monday 2025-03-03 09:00 in Moscow (06:00 UTC). */
export const MONDAY_9AM_MSK = Date.UTC(2025, 2, 3, 6, 0, 0);

export type EventOf<T extends RoutingEventType> = Extract<RoutingEvent, { type: T }>;

export interface Fixture {
  clock: ManualClock;
  engine: RoutingEngine;
  events: RoutingEvent[];
  /** Moves the clock to start + ms and ticks; returns the tick's events. */
  at(ms: number): RoutingEvent[];
  /** Moves the clock on by ms and ticks. */
  after(ms: number): RoutingEvent[];
  /** Milliseconds since the fixture's start. */
  elapsed(): number;
  of<T extends RoutingEventType>(type: T, filter?: (e: EventOf<T>) => boolean): EventOf<T>[];
  /** The open offer made to a contact, if any (its last 'contact.offered' not yet ended). */
  openOffer(contactId: string): EventOf<'contact.offered'> | undefined;
}

export function fixture(options: Omit<EngineOptions, 'clock'> & { start?: number }): Fixture {
  const start = options.start ?? MONDAY_9AM_MSK;
  const clock = new ManualClock(start);
  const events: RoutingEvent[] = [];
  const engine = new RoutingEngine({ ...options, clock, onEvent: (e) => events.push(e) });
  const of = <T extends RoutingEventType>(type: T, filter: (e: EventOf<T>) => boolean = () => true) =>
    events.filter((e): e is EventOf<T> => e.type === type).filter(filter);
  return {
    clock,
    engine,
    events,
    at: (ms) => {
      clock.set(start + ms);
      return engine.tick();
    },
    after: (ms) => {
      clock.advance(ms);
      return engine.tick();
    },
    elapsed: () => clock.now() - start,
    of,
    openOffer: (contactId) => {
      const offer = of('contact.offered', (e) => e.contactId === contactId).at(-1);
      if (!offer) return undefined;
      const ended = events.some(
        (e) => 'offerId' in e && e.offerId === offer.offerId && e.type !== 'contact.offered',
      );
      return ended ? undefined : offer;
    },
  };
}

/** mulberry32: a small seeded PRNG, so a simulated day is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
