/** Presence (retained): online on connect, offline on clean shutdown or as the last will. */
import { z } from 'zod';
import { envelopeShape, Timestamp } from './envelope.js';

export const PresenceMessage = z.object({
  ...envelopeShape,
  state: z.enum(['online', 'offline']),
  /** connect: sent after connecting; shutdown: clean stop; will: the broker published the last will. */
  reason: z.enum(['connect', 'shutdown', 'will']),
  agentVersion: z.string(),
  startedAt: Timestamp,
});
export type PresenceMessage = z.infer<typeof PresenceMessage>;
