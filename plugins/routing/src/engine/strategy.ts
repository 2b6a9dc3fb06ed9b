/**
 * RoutingStrategy: how the engine chooses, once it has found who may take what.
 *
 * The engine does the finding (eligibility, capacity, sites, hours, relaxation) through its indexes
 * and asks the strategy only to choose among a short list:
 *
 * - chooseContact(operator, candidates): an operator has room. The candidates are, for each bucket
 *   the operator may serve (one queue, home site, channel, requirement set and priority), the first
 *   contact of that bucket the operator may take, plus the first of the contacts held for it as
 *   their preferred operator. Within a bucket the order is fixed: longest waiting (earliest
 *   enqueuedAt) first. So a strategy decides between buckets (priorities, queues, channels), not
 *   within one; that is what keeps a decision independent of how many contacts wait.
 * - chooseOperator(contact, candidates): a contact became routable (new, back from an offer, a
 *   relaxation or overflow step). The candidates are every operator who has room for its channel
 *   now and may take it. When contacts wait there are few such operators; when operators wait,
 *   contacts do not.
 *
 * Return the index of the choice, or -1 to offer nothing now (the engine asks again on the next
 * change). A strategy must be a pure function of its arguments: the engine replays the same
 * decisions for the same inputs.
 */
import { proficiencyFor, type Requirement } from './requirements.js';
import type { Channel } from './types.js';

export interface ContactView {
  readonly id: string;
  readonly channel: Channel;
  readonly queueId: string;
  readonly homeSiteId: string;
  readonly priority: number;
  readonly enqueuedAt: number;
  /** Arrival order, to break ties between equal enqueue times. */
  readonly seq: number;
  /** Offers made so far (reset on escalation). */
  readonly offers: number;
  readonly reqs: readonly Requirement[];
  readonly preferred?: { readonly operatorId: string; readonly until: number };
}

export interface OperatorView {
  readonly id: string;
  readonly siteId: string;
  readonly skills: ReadonlyMap<string, number>;
  /** Since when the operator has had no work (login, or the end of its last contact). */
  readonly idleSince: number;
  readonly load: Readonly<Record<Channel, number>>;
  readonly capacity: Readonly<Record<Channel, number>>;
}

export interface StrategyContext {
  readonly now: number;
  /** How long the contact has waited while its queue was open (what relaxation and overflow use). */
  routingWaitMs(contact: ContactView): number;
}

export interface RoutingStrategy {
  readonly name: string;
  chooseContact(operator: OperatorView, candidates: readonly ContactView[], ctx: StrategyContext): number;
  chooseOperator(contact: ContactView, candidates: readonly OperatorView[], ctx: StrategyContext): number;
}

/** Higher priority first, then the earlier enqueue time (the caller's place), then arrival order. */
export function compareContacts(a: ContactView, b: ContactView): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || a.seq - b.seq;
}

export function isPreferredBy(contact: ContactView, operator: OperatorView, now: number): boolean {
  return contact.preferred !== undefined && contact.preferred.operatorId === operator.id && now < contact.preferred.until;
}

/**
 * The default: highest priority, then longest wait for the contact; for the operator, the
 * preferred (sticky) operator, then the best proficiency over the required skills, then the one
 * idle longest.
 */
export const priorityThenWait: RoutingStrategy = {
  name: 'priority-then-wait',
  chooseContact(_operator, candidates) {
    return indexOfBest(candidates, (a, b) => compareContacts(a, b) < 0);
  },
  chooseOperator(contact, candidates, ctx) {
    const score = (o: OperatorView) => proficiencyFor(o.skills, contact.reqs);
    return indexOfBest(candidates, (a, b) => {
      const pa = isPreferredBy(contact, a, ctx.now);
      const pb = isPreferredBy(contact, b, ctx.now);
      if (pa !== pb) return pa;
      const sa = score(a);
      const sb = score(b);
      if (sa !== sb) return sa > sb;
      if (a.idleSince !== b.idleSince) return a.idleSince < b.idleSince;
      return a.id < b.id;
    });
  },
};

/** Index of the best item by `better(a, b)` (true when a beats b); -1 for none. */
export function indexOfBest<T>(items: readonly T[], better: (a: T, b: T) => boolean): number {
  let best = -1;
  for (let i = 0; i < items.length; i++) {
    if (best < 0 || better(items[i] as T, items[best] as T)) best = i;
  }
  return best;
}
