/**
 * The reporting plugin's configuration: the definitions its figures depend on (the T of the service
 * level, the short-abandon threshold, the availability threshold) and how the journal consumer runs.
 * Changing a definition makes the consumer rebuild every aggregate from the journal on its next start
 * (see docs/reporting.md), so history always follows one definition.
 */

export interface ReportingConfig {
  /** T of the service level SL(T), seconds (default 20: the usual 80/20 target). */
  serviceLevelSeconds: number;
  /** Calls abandoned sooner than this are short abandons, seconds (default 5). */
  shortAbandonSeconds: number;
  /** "Availability": answered within this many seconds, seconds (default 90, regulations §7.5). */
  availabilitySeconds: number;
  /** The consumer polls the journal this often when no event nudges it, ms. */
  pollMs: number;
  /** Journal events per transaction. */
  batch: number;
  /** Live figures go to supervisors' consoles at most this often, ms. */
  pushIntervalMs: number;
  /** The consumer's lease (one node at a time aggregates), ms. */
  leaseTtlMs: number;
  /** MySQL: how long a gap in sequence numbers holds delivery before it is skipped, ms. */
  gapTimeoutMs: number;
  /** A skipped sequence number is still counted if its transaction commits within this time, ms. */
  lateWindowMs: number;
  /** Days of demo contact history written on a first demo start (`demo: true`, empty database); 0: none. */
  demoHistoryDays: number;
}

export const DEFAULTS: ReportingConfig = {
  serviceLevelSeconds: 20,
  shortAbandonSeconds: 5,
  availabilitySeconds: 90,
  pollMs: 500,
  batch: 500,
  pushIntervalMs: 2_000,
  leaseTtlMs: 15_000,
  gapTimeoutMs: 2_000,
  lateWindowMs: 10 * 60_000,
  demoHistoryDays: 0,
};

export const configSchema: Record<string, unknown> = {
  serviceLevelSeconds: 'number|integer|min:1|max:3600',
  shortAbandonSeconds: 'number|integer|min:0|max:600',
  availabilitySeconds: 'number|integer|min:1|max:3600',
  pollMs: 'number|integer|min:10|max:60000',
  batch: 'number|integer|min:1|max:5000',
  pushIntervalMs: 'number|integer|min:100|max:600000',
  leaseTtlMs: 'number|integer|min:1000|max:600000',
  gapTimeoutMs: 'number|integer|min:0|max:600000',
  lateWindowMs: 'number|integer|min:0|max:86400000',
  demoHistoryDays: 'number|integer|min:0|max:400',
};

/** What the stored aggregates were built with; a change means a rebuild. */
export interface Definitions {
  version: number;
  serviceLevelSeconds: number;
  shortAbandonSeconds: number;
  availabilitySeconds: number;
  timeZone: string;
}

/** Bumped when the way events are counted changes. */
export const DEFINITIONS_VERSION = 2; // 2: contact.retired ends waiting

export function definitionsOf(config: Pick<ReportingConfig, 'serviceLevelSeconds' | 'shortAbandonSeconds' | 'availabilitySeconds'>, timeZone: string): Definitions {
  return {
    version: DEFINITIONS_VERSION,
    serviceLevelSeconds: config.serviceLevelSeconds,
    shortAbandonSeconds: config.shortAbandonSeconds,
    availabilitySeconds: config.availabilitySeconds,
    timeZone,
  };
}
