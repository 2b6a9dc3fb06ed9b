/**
 * @okno/routing/engine — the routing engine: one line across channels and sites.
 *
 * Pure TypeScript: no I/O, no timers of its own, time from an injected Clock. The Moleculer plugin
 * (services, persistence, journal recovery, WebSocket offers) drives it; tests drive it on a
 * ManualClock and run a simulated day in seconds, the same way every time.
 *
 * MODEL
 *
 * Contacts. A call, chat, e-mail, fax, portal form or callback request waiting for an operator:
 *   id, channel, queue, home site (the queue's unless given), priority (higher first), enqueuedAt
 *   (the original time, kept across restarts, requeues and callbacks: a callback request carries
 *   the call's enqueue time and so keeps the caller's place), required skills with a minimum
 *   proficiency 1..5 (queue's requirements merged with the contact's, the higher minimum wins),
 *   an optional preferred operator with an expiry (follow-ups), an appeal id, and an optional
 *   availableAt before which it is parked (a callback scheduled for later).
 *
 * Operators. Site, skills {skill: 1..5}, capacity per channel (default voice 1, callback 1, chat 3,
 *   e-mail 5, fax 5, portal 5). Voice and callback are exclusive: an operator holding one (offered,
 *   talking or wrapping up) gets nothing else, and an operator with other work gets no call unless
 *   that work's channel is listed in policy.compatibleWithExclusive. State, derived from the
 *   explicit login/pause and the operator's work:
 *     logged_out --login--> ready;  ready <-> busy (has an answered contact);
 *     busy --complete--> wrap_up (timed per operator/queue/policy; ends by itself or endWrapUp)
 *       --> ready (or busy, if other contacts are still being handled);
 *     any logged-in state --pause(reason)--> paused --resume--> ready|busy|wrap_up;
 *     --logout--> logged_out (refused while handling contacts unless they are requeued).
 *   Paused operators keep their current work but get no offers; pausing withdraws open offers.
 *   An offer does not change the state (an operator with a ringing offer is still ready).
 *   After policy.maxMissedOffers offers in a row time out, the operator is paused 'missed-offers'.
 *
 * Queues. Site, channels, requirements, default priority, business hours (a weekly schedule in a
 *   time zone, less the closed days an injected predicate names; a closed queue's contacts wait and
 *   are not offered), and rules measured on the routing wait — the time waited while the queue was
 *   open, now - max(enqueuedAt, start of the current opening):
 *   - relaxation: {afterMs, maxLevel} — after afterMs every minimum is lowered to at most maxLevel
 *     (maxLevel 1 = any proficiency; a required skill is never dropped);
 *   - overflow: {afterMs, toSites, whenNobodyAtSite} — operators of toSites ('*' = all) may take the
 *     contact after afterMs, or at once when no logged-in operator of the contact's site has the
 *     channel and every required skill (nobody there can ever take it);
 *   - sticky window: a follow-up waits up to stickyWindowMs (and never past the preference's
 *     expiry) for its preferred operator, if that operator is logged in at the contact's site; the
 *     preferred operator needs every required skill but not the proficiency. A reject or timeout by
 *     the preferred operator, or its logout, ends the hold. Outside the hold the preference only
 *     ranks operators;
 *   - offer timeout, and maxOffers after which an unaccepted contact is escalated (priority boost
 *     and/or another queue, keeping its enqueuedAt).
 *
 * Eligibility (RoutingEngine.ineligibility is the executable form): the operator is logged in, the
 *   queue is open, the operator has the channel, was not told to skip the contact (a reject or
 *   timeout skips that pair for policy.skipMs), the contact is not held for another operator, the
 *   operator is at the contact's site or the contact has overflowed to the operator's site, and the
 *   operator meets every requirement at the relaxed minimum. An offer also needs room: capacity,
 *   exclusivity, no pause, fewer open offers than policy.maxPendingOffers.
 *
 * Offers. The engine proposes (contact, operator) pairs. An offer reserves the contact and a slot of
 *   the operator (through the ReservationStore) until accepted, rejected or timed out. Reject or
 *   timeout: the contact goes back with its age and place, the operator is skipped for it for a
 *   while. Accept: the assignment ('contact.answered'). complete(): wrap-up, then the slot is freed.
 *   abandon(): the applicant left. requeue(): an assigned contact goes back keeping its place.
 *
 * Reservation invariants, with one engine or several sharing a store: a contact is offered or
 *   assigned to at most one operator; an operator never holds more than its capacity on a channel,
 *   never two exclusive contacts, never an exclusive contact beside other (incompatible) work. The
 *   engine keeps them locally and the store (compare-and-set, offer ids as fencing tokens,
 *   versions) keeps them across nodes; a contact another node won is 'elsewhere' here until the
 *   store frees it (refresh(), or the reservation's expiry).
 *
 * Strategy. RoutingStrategy chooses among eligible candidates (see strategy.ts for the contract).
 *   The default: highest priority, then longest wait (earliest enqueuedAt) for the contact; for the
 *   operator: the preferred (sticky) one, then best proficiency over the required skills, then the
 *   one idle longest.
 *
 * Cost. Waiting contacts sit in buckets — one queue, home site, channel, requirement set and
 *   priority — each a heap by enqueue time. Relaxation and overflow only widen with the wait, so
 *   the first contact of a bucket an operator may not take means none behind it may either: an
 *   operator with room looks at the head of each bucket it could serve (O(buckets · log n)), not at
 *   the contacts. A routable contact looks only at operators with room on its channel at its sites,
 *   indexed by skill (the smallest skill set is scanned). Timers (offer timeouts, relaxation and
 *   overflow steps, hold ends, opening hours) sit in one heap: O(log n) each.
 *
 * Recovery. restore() rebuilds the line from contacts with their original enqueue times (the plugin
 *   reads them from the journal): ages, places, relaxation and overflow progress are kept.
 *
 * Events. Every call returns the events it caused (and passes them to listeners afterwards):
 *   contact.queued/offered/offer_rejected/offer_expired/offer_withdrawn/answered/abandoned/
 *   overflowed/escalated/requeued/completed/taken_elsewhere/accept_failed, operator.state_changed,
 *   routing.store_error. Times are epoch ms; the plugin writes them to the journal as ISO strings.
 *
 * Time. Nothing happens between calls: the host calls tick() at nextWakeAt() (and after any call).
 */
export { RoutingEngine, type ContactSnapshot, type Decision, type EngineOptions, type OperatorSnapshot } from './engine.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { WeeklyHours, alwaysOpen, WEEKDAYS, type BusinessHours, type OpenState, type Weekday, type WeeklyHoursConfig } from './business-hours.js';
export {
  InMemoryReservationStore,
  operatorHasRoom,
  isThenable,
  type Awaitable,
  type CasResult,
  type Holding,
  type HoldingState,
  type OperatorClaim,
  type ReservationStore,
  type ReserveFailure,
  type ReserveRequest,
  type ReserveResult,
} from './reservation.js';
export {
  priorityThenWait,
  compareContacts,
  indexOfBest,
  isPreferredBy,
  type ContactView,
  type OperatorView,
  type RoutingStrategy,
  type StrategyContext,
} from './strategy.js';
export { relaxedCap, meetsRequirements, hasAllSkills, proficiencyFor, type Requirement } from './requirements.js';
export {
  CHANNELS,
  DEFAULT_POLICY,
  MAX_PROFICIENCY,
  MIN_PROFICIENCY,
  RoutingError,
  type Channel,
  type ContactInput,
  type EscalationRule,
  type OfferEnd,
  type OperatorProfile,
  type OperatorState,
  type OverflowRule,
  type QueueConfig,
  type RelaxRule,
  type RoutingEvent,
  type RoutingEventType,
  type RoutingPolicy,
  type SkillLevels,
} from './types.js';
