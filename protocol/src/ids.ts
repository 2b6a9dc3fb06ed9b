/**
 * Identifiers: site and agent ids (they become topic segments and MQTT user names), message ids,
 * transfer ids.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/**
 * Site and agent ids: lower-case letters, digits, `-` and `_`, starting with a letter or digit.
 * No `/`, `+`, `#`, `.`, `$`, spaces or upper case: safe as one MQTT topic level, and `.` is free to
 * join site and agent into a user name (`site.agent`).
 */
export const SEGMENT_RE = /^[a-z0-9][a-z0-9_-]*$/;
export const SITE_ID_MAX = 32;
export const AGENT_ID_MAX = 64;

export const SiteId = z.string().min(1).max(SITE_ID_MAX).regex(SEGMENT_RE, 'a site id is lower-case letters, digits, "-" and "_"');
export const AgentId = z.string().min(1).max(AGENT_ID_MAX).regex(SEGMENT_RE, 'an agent id is lower-case letters, digits, "-" and "_"');

/** Message and transfer ids: a UUID (v7 by default: time-ordered) or a ULID. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const MessageId = z.string().refine((s) => UUID_RE.test(s) || ULID_RE.test(s), 'a message id is a UUID or a ULID');
export const TransferId = MessageId;

export function isSiteId(s: string): boolean {
  return SiteId.safeParse(s).success;
}
export function isAgentId(s: string): boolean {
  return AgentId.safeParse(s).success;
}
export function isMessageId(s: string): boolean {
  return MessageId.safeParse(s).success;
}

/** Throws a readable error when site or agent is not a safe topic segment. */
export function assertAgentAddress(site: string, agent: string): void {
  if (!isSiteId(site)) throw new Error(`invalid site id "${site}": use 1-${SITE_ID_MAX} of a-z 0-9 - _ (starting with a letter or digit)`);
  if (!isAgentId(agent)) throw new Error(`invalid agent id "${agent}": use 1-${AGENT_ID_MAX} of a-z 0-9 - _ (starting with a letter or digit)`);
}

/** A new time-ordered unique id (UUID v7). Works in Node and in browsers. */
export function newId(): string {
  return uuidv7();
}
