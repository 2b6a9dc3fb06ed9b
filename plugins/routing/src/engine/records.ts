/**
 * The engine's internal records. Contacts and operators are mutable records owned by the engine;
 * strategies and readers see them only through the read-only views of strategy.ts.
 */
import type { BusinessHours, OpenState } from './business-hours.js';
import type { HeapItem, IndexedHeap } from './heap.js';
import type { Requirement } from './requirements.js';
import type { ContactView, OperatorView } from './strategy.js';
import type { Timer } from './timers.js';
import type { Channel, EscalationRule, OperatorProfile, OperatorState, RelaxRule, SkillLevels } from './types.js';

export interface QueueRec {
  readonly id: string;
  readonly siteId: string;
  readonly channels: ReadonlySet<Channel>;
  readonly skills: SkillLevels;
  readonly defaultPriority: number;
  readonly hours: BusinessHours;
  readonly relax: readonly RelaxRule[];
  readonly overflow?: { readonly afterMs: number; readonly toSites: '*' | ReadonlySet<string>; readonly whenNobodyAtSite: boolean };
  readonly stickyWindowMs: number;
  readonly offerTimeoutMs: number;
  readonly maxOffers: number;
  readonly escalation?: EscalationRule;
  readonly wrapUpMs?: number;
  /** Cached opening state; refreshed at its `until`. */
  open: OpenState;
  /** Whether the engine has acted on the current opening (rescheduled timers, woken operators). */
  openActedOn: boolean;
  boundary?: Timer;
  readonly buckets: Bucket[];
  /** Contacts of this queue waiting for their preferred operator. */
  readonly held: Set<ContactRec>;
}

/** Contacts of one home site and channel with the same requirements (any queue, any priority). */
export interface Group {
  readonly key: string;
  readonly homeSiteId: string;
  readonly channel: Channel;
  readonly reqs: readonly Requirement[];
  /** Logged-in operators of the home site who could ever take these contacts. */
  capable: number;
  readonly buckets: Bucket[];
}

/** One queue's contacts of one group and priority, longest waiting first. */
export interface Bucket {
  readonly key: string;
  readonly queue: QueueRec;
  readonly group: Group;
  readonly priority: number;
  readonly heap: IndexedHeap<ContactRec>;
}

export type ContactState =
  | 'parked' // not routable before availableAt
  | 'waiting' // in a bucket or held for its preferred operator
  | 'offered' // a work item exists: reserving, offered, accepting or releasing
  | 'assigned'
  | 'wrapping'
  | 'elsewhere' // held by another engine (node) according to the store
  | 'gone';

export interface ContactRec extends HeapItem, ContactView {
  readonly id: string;
  readonly channel: Channel;
  queue: QueueRec;
  queueId: string;
  homeSiteId: string;
  priority: number;
  readonly enqueuedAt: number;
  readonly seq: number;
  reqs: readonly Requirement[];
  readonly siteInput?: string;
  readonly skillsInput?: SkillLevels;
  readonly appealId?: string;
  readonly preferred?: { readonly operatorId: string; readonly until: number };
  availableAt: number;
  state: ContactState;
  bucket?: Bucket;
  /** Held for its preferred operator until holdUntil (then it joins its bucket). */
  heldFor?: OperatorRec;
  holdUntil: number;
  /** A hold ended (time, reject, logout); the contact is not held again. */
  holdOver: boolean;
  /** Operators not to offer it to again before the given time. */
  skips?: Map<string, number>;
  offers: number;
  work?: WorkRec;
  overflowNoted: boolean;
  abandoned: boolean;
  /** Threshold, parking or recheck timer. */
  timer?: Timer;
}

export type WorkState = 'reserving' | 'offered' | 'accepting' | 'assigned' | 'wrapping' | 'releasing' | 'closing' | 'ended';

/** An offer and, once accepted, the assignment: what holds an operator's slot. */
export interface WorkRec {
  readonly id: string;
  readonly contact: ContactRec;
  readonly operator: OperatorRec;
  readonly channel: Channel;
  readonly exclusive: boolean;
  /** Work on this channel stops exclusive offers. */
  readonly blocksExclusive: boolean;
  readonly crossSite: boolean;
  readonly viaHold: boolean;
  state: WorkState;
  readonly createdAt: number;
  readonly expiresAt: number;
  answeredAt?: number;
  completedAt?: number;
  timer?: Timer;
  /** What to do once an in-flight store call returns. */
  cancel?: 'abandon' | 'withdraw';
}

export interface OperatorRec extends OperatorView {
  readonly id: string;
  siteId: string;
  skills: Map<string, number>;
  capacity: Record<Channel, number>;
  profile: OperatorProfile;
  loggedIn: boolean;
  paused: string | null;
  blockedUntil: number;
  blockTimer?: Timer;
  readonly work: Set<WorkRec>;
  load: Record<Channel, number>;
  exclusiveHeld: number;
  blocking: number;
  openOffers: number;
  idleSince: number;
  missed: number;
  state: OperatorState;
  /** Reason to report with the state change a running operation (login, logout) causes. */
  why?: string;
  /** Channels on which the operator is in the availability index. */
  readonly availableFor: Set<Channel>;
  /** Contacts held for this operator as their preferred one. */
  readonly sticky: IndexedHeap<ContactRec>;
}
