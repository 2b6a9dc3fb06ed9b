/** Telemetry: periodic health figures. */
import { z } from 'zod';
import { DeviceId, envelopeShape } from './envelope.js';
import { ModemState } from './inventory.js';

export const HangupInfo = z.object({
  /** As the modem printed it: hex in Class 2.0 (+FHS), decimal in Class 2 (+FHNG). */
  code: z.string(),
  fclass: z.enum(['1', '2', '2.0']),
  meaning: z.string(),
});
export type HangupInfo = z.infer<typeof HangupInfo>;

export const ModemLineStats = z.object({
  callsIn: z.number().int().nonnegative(),
  callsOut: z.number().int().nonnegative(),
  pagesIn: z.number().int().nonnegative(),
  pagesOut: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  lastHangup: HangupInfo.optional(),
  /** Last negotiated bit rate (bps). */
  lastBitRate: z.number().int().positive().optional(),
});
export type ModemLineStats = z.infer<typeof ModemLineStats>;

export const HeadsetState = z.object({
  offHook: z.boolean(),
  muted: z.boolean(),
  ringing: z.boolean(),
});
export type HeadsetState = z.infer<typeof HeadsetState>;

export const SpoolStats = z.object({
  /** Messages waiting for the broker's PUBACK. */
  depth: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Files (fax pages) waiting to be transferred. */
  files: z.number().int().nonnegative(),
  fileBytes: z.number().int().nonnegative(),
  /** Telemetry dropped by the overflow policy since start. */
  droppedTelemetry: z.number().int().nonnegative(),
  /** Messages refused because the hard limit was reached, since start. */
  refused: z.number().int().nonnegative(),
  oldestTs: z.number().int().nonnegative().optional(),
});
export type SpoolStats = z.infer<typeof SpoolStats>;

export const TelemetryMessage = z.object({
  ...envelopeShape,
  intervalMs: z.number().int().positive(),
  host: z.object({
    load1: z.number().nonnegative(),
    cpuPercent: z.number().nonnegative(),
    rssBytes: z.number().nonnegative(),
    memFreeBytes: z.number().nonnegative(),
    memTotalBytes: z.number().nonnegative(),
    uptimeSec: z.number().nonnegative(),
  }),
  spool: SpoolStats,
  link: z.object({ reconnects: z.number().int().nonnegative() }),
  modems: z.array(z.object({ id: DeviceId, state: ModemState, line: ModemLineStats })),
  /** Since 1.1 (upgraded to [] for 1.0). */
  headsets: z.array(HeadsetState.extend({ id: DeviceId })),
});
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;
