/**
 * The routing plugin's configuration: the engine's policy (the parts that are not per queue) and how
 * the plugin follows the journal. Queue settings and assignment rules live in the database and are
 * edited over REST (docs/routing.md "The plugin").
 */
import type { Channel } from './engine/index.js';

export interface RoutingConfig {
  /** Default contacts at once per channel, for operators without their own capacity. */
  capacity: Partial<Record<Channel, number>>;
  /** Work on these channels does not stop a call being offered (e.g. ['email']). */
  compatibleWithExclusive: Channel[];
  /** After a reject or a timeout the operator is not offered that contact again for this long, s. */
  skipSeconds: number;
  /** Missed offers in a row after which the operator is paused ('missed-offers'); 0 = never. */
  maxMissedOffers: number;
  /** Store reservations outlive the offer by this much before another node may reclaim them, s. */
  reservationGraceSeconds: number;
  /** A follow-up prefers the operator who handled the appeal before for this long, days. */
  followUpDays: number;
  /** The journal is read this often when no event nudges it, ms. */
  pollMs: number;
  /** Every node re-reads queues and rules this often (besides the broadcast after an edit), ms. */
  settingsRefreshMs: number;
  /** Create a city queue and one per okrug (with their rules) when there are no queues. */
  seedDefaultQueues: boolean;
  /** One node writes the contact book's checkpoint this often (and every node when it stops), s; 0 = only at stop. */
  checkpointSeconds: number;
  /**
   * A headset event (hook, reject) made this long before the operator's offer still answers it; an
   * older one is stale (a press spooled while the agent's link was down), ms. The agents' and the
   * core's clocks are expected to be NTP-synchronised.
   */
  headsetClockToleranceMs: number;
}

export const DEFAULTS: RoutingConfig = {
  capacity: {},
  compatibleWithExclusive: [],
  skipSeconds: 60,
  maxMissedOffers: 3,
  reservationGraceSeconds: 5,
  followUpDays: 30,
  pollMs: 500,
  settingsRefreshMs: 15_000,
  seedDefaultQueues: true,
  checkpointSeconds: 300,
  headsetClockToleranceMs: 2000,
};

const channelEnum = { type: 'enum', values: ['voice', 'chat', 'email', 'fax', 'portal', 'callback'] };
const cap = { type: 'number', integer: true, min: 0, max: 100, optional: true };

export const configSchema: Record<string, unknown> = {
  capacity: { type: 'object', strict: true, props: { voice: cap, chat: cap, email: cap, fax: cap, portal: cap, callback: cap } },
  compatibleWithExclusive: { type: 'array', items: channelEnum },
  skipSeconds: 'number|integer|min:0|max:86400',
  maxMissedOffers: 'number|integer|min:0|max:100',
  reservationGraceSeconds: 'number|integer|min:1|max:600',
  followUpDays: 'number|integer|min:0|max:365',
  pollMs: 'number|integer|min:10|max:60000',
  settingsRefreshMs: 'number|integer|min:100|max:3600000',
  seedDefaultQueues: 'boolean',
  checkpointSeconds: 'number|integer|min:0|max:86400',
  headsetClockToleranceMs: 'number|integer|min:0|max:60000',
};
