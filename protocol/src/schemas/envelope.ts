/** Fields every message carries: id (de-duplication), protocol version, time, sender. */
import { z } from 'zod';
import { AgentId, MessageId, newId, SiteId } from '../ids.js';
import { PROTOCOL_VERSION } from '../version.js';

export const VersionString = z.string().regex(/^\d{1,4}\.\d{1,4}$/, 'a protocol version is MAJOR.MINOR');
/** Milliseconds since the Unix epoch (UTC). */
export const Timestamp = z.number().int().nonnegative();

export const AgentSender = z.object({ role: z.literal('agent'), site: SiteId, agent: AgentId });
export const CoreSender = z.object({ role: z.literal('core'), node: z.string().min(1).max(128) });
export const Sender = z.discriminatedUnion('role', [AgentSender, CoreSender]);
export type Sender = z.infer<typeof Sender>;
export type AgentSender = z.infer<typeof AgentSender>;
export type CoreSender = z.infer<typeof CoreSender>;

export const envelopeShape = {
  /** Unique per message; receivers drop a message whose id they have seen (QoS 1 redelivery). */
  id: MessageId,
  /** Protocol version of the sender, MAJOR.MINOR. */
  v: VersionString,
  /** When the sender made the message (ms since epoch). */
  ts: Timestamp,
  sender: Sender,
};
export const Envelope = z.object(envelopeShape);
export type Envelope = z.infer<typeof Envelope>;

/** A fresh envelope: new id, current version, `now` (default Date.now()). */
export function envelope(sender: Sender, now: number = Date.now()): Envelope {
  return { id: newId(), v: PROTOCOL_VERSION, ts: now, sender };
}

export function agentSender(site: string, agent: string): AgentSender {
  return { role: 'agent', site, agent };
}

export function coreSender(node = 'core'): CoreSender {
  return { role: 'core', node };
}

/** Device ids as the agent names them (serial path, hidraw path or a stable by-id name). */
export const DeviceId = z.string().min(1).max(256);
