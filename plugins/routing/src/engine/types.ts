/**
 * Public types of the routing engine: what goes in (contacts, queues, operators, policy) and what
 * comes out (events). Times are epoch milliseconds, durations milliseconds; the plugin layer turns
 * them into ISO strings for the journal (docs/events.md).
 */
import type { BusinessHours } from './business-hours.js';

export const CHANNELS = ['voice', 'chat', 'email', 'fax', 'portal', 'callback'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Skill name -> proficiency 1..5 (for an operator) or minimum proficiency 1..5 (for a contact). */
export type SkillLevels = Readonly<Record<string, number>>;

export const MIN_PROFICIENCY = 1;
export const MAX_PROFICIENCY = 5;

export interface ContactInput {
  id: string;
  channel: Channel;
  queueId: string;
  /** The site the contact belongs to; the queue's site when absent. Overflow means leaving it. */
  siteId?: string;
  /** Higher goes first; the queue's defaultPriority (0) when absent. */
  priority?: number;
  /**
   * When the contact first entered the line. Kept across restarts, requeues and callbacks: a
   * callback request carries the original call's enqueue time and so keeps the caller's place.
   * Defaults to now.
   */
  enqueuedAt?: number;
  /** Required skills with minimum proficiency, on top of the queue's own requirements. */
  skills?: SkillLevels;
  /** A follow-up: the operator who handled the appeal before, preferred until `until`. */
  preferredOperator?: { operatorId: string; until: number };
  appealId?: string;
  /** Not routable before this time (a callback scheduled for later); its place is still enqueuedAt. */
  availableAt?: number;
}

/** After waiting `afterMs`, a requirement asks for at most `maxLevel` (1 = any proficiency). */
export interface RelaxRule {
  afterMs: number;
  maxLevel: number;
}

export interface OverflowRule {
  /** Operators of `toSites` may take the contact once it has waited this long. */
  afterMs: number;
  /** Sites that help this queue; '*' for every other site. */
  toSites: readonly string[] | '*';
  /**
   * Overflow at once when no logged-in operator of the contact's site has the channel and every
   * required skill (at any proficiency), i.e. nobody there can ever take it. Default true.
   */
  whenNobodyAtSite?: boolean;
}

export interface EscalationRule {
  /** Added to the priority on escalation (default 1 when `toQueueId` is absent, else 0). */
  priorityBoost?: number;
  /** Moves the contact to this queue (keeping its place: enqueuedAt stays). */
  toQueueId?: string;
}

export interface QueueConfig {
  id: string;
  siteId: string;
  channels: readonly Channel[];
  /** Requirements every contact of the queue has. */
  skills?: SkillLevels;
  defaultPriority?: number;
  /** Opening hours; always open when absent. Contacts wait while closed and are not offered. */
  hours?: BusinessHours;
  relax?: readonly RelaxRule[];
  overflow?: OverflowRule;
  /**
   * How long a follow-up waits for its preferred operator (who must be logged in at the contact's
   * site) before anyone may take it. 0 or absent: the preference only breaks ties between operators.
   */
  stickyWindowMs?: number;
  offerTimeoutMs?: number;
  /** After this many offers not accepted the contact is escalated (see `escalation`). */
  maxOffers?: number;
  escalation?: EscalationRule;
  wrapUpMs?: number;
}

export interface OperatorProfile {
  id: string;
  siteId: string;
  skills: SkillLevels;
  /** Contacts at once per channel; the policy's capacity for channels not named. 0 = never. */
  capacity?: Partial<Record<Channel, number>>;
  wrapUpMs?: number;
}

export type OperatorState = 'logged_out' | 'ready' | 'busy' | 'wrap_up' | 'paused';

export interface RoutingPolicy {
  /** Default capacity per channel. */
  capacity: Readonly<Record<Channel, number>>;
  /** Channels whose contact takes the operator whole (a call): nothing else while it lasts. */
  exclusiveChannels: readonly Channel[];
  /** Work on these channels does not stop an exclusive offer (e.g. e-mails may wait during a call). */
  compatibleWithExclusive: readonly Channel[];
  offerTimeoutMs: number;
  wrapUpMs: number;
  /** After a reject or a timeout the operator is not offered that contact again for this long. */
  skipMs: number;
  /** Missed offers in a row after which the operator is paused ('missed-offers'); 0 = never. */
  maxMissedOffers: number;
  /** Offers an operator may have open at once. */
  maxPendingOffers: number;
  /** After the reservation store refuses an operator (held by another node), wait this long. */
  operatorBackoffMs: number;
  /** Store reservations outlive the offer by this much before another node may reclaim them. */
  reservationGraceMs: number;
}

export const DEFAULT_POLICY: RoutingPolicy = {
  capacity: { voice: 1, callback: 1, chat: 3, email: 5, fax: 5, portal: 5 },
  exclusiveChannels: ['voice', 'callback'],
  compatibleWithExclusive: [],
  offerTimeoutMs: 20_000,
  wrapUpMs: 30_000,
  skipMs: 60_000,
  maxMissedOffers: 3,
  maxPendingOffers: 1,
  operatorBackoffMs: 2_000,
  reservationGraceMs: 5_000,
};

export type OfferEnd = 'rejected' | 'expired' | 'withdrawn';

interface At {
  /** When the engine emitted it (its clock). */
  at: number;
}

export type RoutingEvent = At &
  (
    | { type: 'contact.queued'; contactId: string; appealId?: string; channel: Channel; queueId: string; siteId: string; priority: number; enqueuedAt: number; skills: SkillLevels }
    | { type: 'contact.offered'; contactId: string; offerId: string; operatorId: string; queueId: string; channel: Channel; siteId: string; waitedMs: number; expiresAt: number }
    | { type: 'contact.offer_rejected' | 'contact.offer_expired' | 'contact.offer_withdrawn'; contactId: string; offerId: string; operatorId: string; waitedMs: number }
    | { type: 'contact.answered'; contactId: string; offerId: string; operatorId: string; queueId: string; channel: Channel; siteId: string; waitedMs: number }
    | { type: 'contact.abandoned'; contactId: string; queueId: string; channel: Channel; siteId: string; waitedMs: number }
    | { type: 'contact.overflowed'; contactId: string; queueId: string; fromSiteId: string; toSiteId: string; waitedMs: number }
    | { type: 'contact.escalated'; contactId: string; fromQueueId: string; queueId: string; priority: number; offers: number }
    | { type: 'contact.requeued'; contactId: string; offerId: string; operatorId: string; queueId: string; priority: number }
    | { type: 'contact.completed'; contactId: string; offerId: string; operatorId: string; queueId: string; channel: Channel; siteId: string; talkMs: number; holdMs: number; wrapMs: number }
    | { type: 'contact.taken_elsewhere'; contactId: string; holder?: { state: string; operatorId?: string; offerId?: string } }
    | { type: 'contact.accept_failed'; contactId: string; offerId: string; operatorId: string; reason: string }
    | { type: 'operator.state_changed'; operatorId: string; siteId: string; from: OperatorState; to: OperatorState; reason?: string }
    | { type: 'routing.store_error'; operation: string; contactId: string; offerId?: string; message: string }
  );

export type RoutingEventType = RoutingEvent['type'];

/** Programming and protocol errors (unknown ids, impossible transitions); races are events instead. */
export class RoutingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RoutingError';
  }
}
