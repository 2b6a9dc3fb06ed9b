/**
 * The counters reporting keeps, and the figures computed from them. One list of column names serves
 * the migration, the entities, the SQL and the figures, so they cannot drift apart.
 *
 * Contact counters are kept per 15-minute interval and per dimension (all, queue, site, channel,
 * service); appeal counters per local day and per dimension (all, site, channel, service, topic,
 * organisation, and redirection pairs). Every counter is a sum, except `maxWaitMs`, a maximum.
 */

/** Counters of contacts (calls, chats, e-mails, ...) and of operators' time, per interval. */
export const CONTACT_COUNTERS = [
  'offered', 'answered', 'answeredInSl', 'answeredInAvailability', 'abandoned', 'shortAbandoned', 'overflowed', 'handled',
  'waitAnsweredMs', 'waitAbandonedMs', 'maxWaitMs', 'talkMs', 'holdMs', 'wrapMs',
  'opReadyMs', 'opBusyMs', 'opWrapMs', 'opPausedMs',
] as const;
export type ContactCounter = (typeof CONTACT_COUNTERS)[number];
export type ContactCounters = Record<ContactCounter, number>;

/** Counters that are maxima rather than sums. */
export const MAX_COUNTERS: ReadonlySet<string> = new Set<string>(['maxWaitMs']);

/** Counters of appeals under 59-FZ, per local day. */
export const APPEAL_COUNTERS = [
  'received', 'registered', 'registeredLate', 'answered', 'answeredOnTime', 'redirected', 'redirectedOnTime', 'extended', 'closed',
] as const;
export type AppealCounter = (typeof APPEAL_COUNTERS)[number];
export type AppealCounters = Record<AppealCounter, number>;

/** Dimensions of the contact figures. */
export const CONTACT_DIMS = ['all', 'queue', 'site', 'channel', 'service'] as const;
export type ContactDim = (typeof CONTACT_DIMS)[number];

/** Dimensions of the appeal figures. 'redirection' keys are "<from organisation>><to organisation>". */
export const APPEAL_DIMS = ['all', 'site', 'channel', 'service', 'topic', 'organisation', 'redirection'] as const;
export type AppealDim = (typeof APPEAL_DIMS)[number];

/** The key of a dimension value that is not known (no service, no topic, ...). */
export const UNKNOWN = '-';

export function zeroCounters<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
}

/** Adds `from` into `into` (maxima taken as maxima). */
export function addCounters<K extends string>(names: readonly K[], into: Record<K, number>, from: Partial<Record<K, unknown>>): Record<K, number> {
  for (const n of names) {
    const v = Number(from[n] ?? 0);
    into[n] = MAX_COUNTERS.has(n) ? Math.max(into[n], v) : into[n] + v;
  }
  return into;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
const seconds = (ms: number, count: number): number | null => (count > 0 ? ms / count / 1000 : null);

/** Contact figures, as docs/reporting.md defines them. Shares are 0…1; times in seconds; null when undefined (nothing to divide by). */
export interface ContactFigures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  overflowed: number;
  /** Contacts whose handling (talk, hold, wrap-up) ended. */
  handled: number;
  /** SL(T) = answered within T / (answered + abandoned − short abandoned). */
  serviceLevel: number | null;
  /** Answered within the availability threshold / (answered + abandoned − short abandoned). */
  availability: number | null;
  /** Abandoned (without short abandons) / (answered + abandoned − short abandoned). */
  abandonRate: number | null;
  /** Average speed of answer: Σ wait of answered / answered. */
  asaSeconds: number | null;
  /** Average wait of abandoned contacts before they left. */
  averageAbandonSeconds: number | null;
  /** Average handle time: Σ (talk + hold + wrap-up) / handled. */
  ahtSeconds: number | null;
  averageTalkSeconds: number | null;
  averageHoldSeconds: number | null;
  averageWrapSeconds: number | null;
  /** Longest wait of an answered or abandoned contact. */
  maxWaitSeconds: number | null;
  /** (busy + wrap-up) / (ready + busy + wrap-up) of operators' logged-in time (site and all only). */
  occupancy: number | null;
  /** Operators' time in each state, hours. */
  operatorHours: { ready: number; busy: number; wrapUp: number; paused: number };
}

export function contactFigures(c: ContactCounters): ContactFigures {
  const base = c.answered + c.abandoned - c.shortAbandoned;
  const working = c.opReadyMs + c.opBusyMs + c.opWrapMs;
  const handleMs = c.talkMs + c.holdMs + c.wrapMs;
  return {
    offered: c.offered,
    answered: c.answered,
    abandoned: c.abandoned,
    shortAbandoned: c.shortAbandoned,
    overflowed: c.overflowed,
    handled: c.handled,
    serviceLevel: ratio(c.answeredInSl, base),
    availability: ratio(c.answeredInAvailability, base),
    abandonRate: ratio(c.abandoned - c.shortAbandoned, base),
    asaSeconds: seconds(c.waitAnsweredMs, c.answered),
    averageAbandonSeconds: seconds(c.waitAbandonedMs, c.abandoned),
    ahtSeconds: seconds(handleMs, c.handled),
    averageTalkSeconds: seconds(c.talkMs, c.handled),
    averageHoldSeconds: seconds(c.holdMs, c.handled),
    averageWrapSeconds: seconds(c.wrapMs, c.handled),
    maxWaitSeconds: c.answered + c.abandoned > 0 ? c.maxWaitMs / 1000 : null,
    occupancy: ratio(c.opBusyMs + c.opWrapMs, working),
    operatorHours: { ready: c.opReadyMs / 3.6e6, busy: c.opBusyMs / 3.6e6, wrapUp: c.opWrapMs / 3.6e6, paused: c.opPausedMs / 3.6e6 },
  };
}

/** Appeal figures: counts and on-time shares (null when there is nothing to divide by). */
export interface AppealFigures extends AppealCounters {
  registeredOnTime: number;
  answeredLate: number;
  /** Registered within the registration term / registered. */
  registeredOnTimeShare: number | null;
  /** Answered within the answer term (with its extension) / answered. */
  answeredOnTimeShare: number | null;
  /** Redirected within the redirection term / redirected. */
  redirectedOnTimeShare: number | null;
}

export function appealFigures(c: AppealCounters): AppealFigures {
  return {
    ...c,
    registeredOnTime: c.registered - c.registeredLate,
    answeredLate: c.answered - c.answeredOnTime,
    registeredOnTimeShare: ratio(c.registered - c.registeredLate, c.registered),
    answeredOnTimeShare: ratio(c.answeredOnTime, c.answered),
    redirectedOnTimeShare: ratio(c.redirectedOnTime, c.redirected),
  };
}
