/**
 * The planning plugin's configuration: the default staffing target, shrinkage and interval length,
 * how much history forecasts read, and the assumptions of fax-modem sizing.
 */
import type { ServiceTarget } from './math/index.js';

export interface PlanningConfig {
  /** Interval length of plans and forecasts unless a request says otherwise: 15, 30 or 60. */
  intervalMinutes: number;
  /** Share of paid time not on the line (regulations §7 item 31: default 30%). */
  shrinkage: number;
  /** The target a request's target is laid over (80% in 20 s, occupancy at most 90%). */
  target: ServiceTarget;
  /** Weeks of history a forecast reads (from reporting's intervals; at most 56, reporting's 400-day limit). */
  historyWeeks: number;
  /** Days with contacts a forecast needs at least (fewer: 409 with the reason). */
  minHistoryDays: number;
  /** Blocking target of trunk and modem sizing (Erlang B). */
  maxBlocking: number;
  fax: {
    /** Seconds a modem is held to send one page (A4 text at 9600–14400 bit/s, with ECM). */
    secondsPerPage: number;
    /** Seconds of call set-up and T.30 negotiation per fax. */
    setupSeconds: number;
  };
}

export const DEFAULTS: PlanningConfig = {
  intervalMinutes: 30,
  shrinkage: 0.3,
  target: { serviceLevel: 0.8, withinSeconds: 20, maxOccupancy: 0.9 },
  historyWeeks: 8,
  minHistoryDays: 14,
  maxBlocking: 0.02,
  fax: { secondsPerPage: 40, setupSeconds: 25 },
};

export const configSchema: Record<string, unknown> = {
  intervalMinutes: { type: 'enum', values: [15, 30, 60] },
  shrinkage: 'number|min:0|max:0.95',
  target: {
    type: 'object', strict: true,
    props: {
      serviceLevel: 'number|min:0|max:0.9999|optional', withinSeconds: 'number|min:0|max:3600|optional', maxAsaSeconds: 'number|positive|optional',
      maxOccupancy: 'number|positive|max:1|optional', maxAbandonRate: 'number|positive|max:0.99|optional',
    },
  },
  historyWeeks: 'number|integer|min:1|max:56',
  minHistoryDays: 'number|integer|min:1|max:365',
  maxBlocking: 'number|positive|max:1',
  fax: { type: 'object', strict: true, props: { secondsPerPage: 'number|positive|max:600', setupSeconds: 'number|min:0|max:300' } },
};
