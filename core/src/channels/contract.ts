/**
 * The channel contract. A channel plugin (e-mail, web portal, fax, phone, ...) runs a Moleculer
 * service named `channel.<name>` (e.g. `channel.email`) with three actions:
 *
 *   capabilities() -> ChannelCapabilities   what the channel can do
 *   send(OutboundMessage) -> SendResult     deliver a reply or a notice to an applicant
 *   health() -> ChannelHealth               whether it works right now (shown to admins)
 *
 * and takes inbound contacts in by calling `appeals.intake` (idempotent by its message id),
 * acknowledging its source (SMTP 250, HTTP 201, MQTT ack) only after that call returned: the
 * appeal is committed by then. `@okno/core/testing` ships the conformance suite every channel runs.
 */
import type { NoticeKind } from '../persistence/entities/index.js';

export interface ChannelCapabilities {
  /** The channel name, as in `Appeal.channel` and `channel.<name>`. */
  channel: string;
  inbound: boolean;
  outbound: boolean;
  attachments: boolean;
  maxAttachmentBytes: number | null;
  /** Live two-way conversation (chat, voice). */
  realtime: boolean;
  /** Appeals from it are identified electronic documents under 59-FZ/547-FZ (e.g. an authenticated portal). */
  identified: boolean;
  /** What an address looks like on this channel, for the console ("e-mail address", "phone number"). */
  addressKind: 'email' | 'phone' | 'fax' | 'portal' | 'postal' | 'chat';
}

export interface OutboundAttachment {
  attachmentId: number;
  filename: string;
  mime: string;
  size: number;
}

export interface OutboundMessage {
  kind: 'reply' | 'notice';
  noticeKind?: NoticeKind;
  noticeId?: number;
  appealId: number;
  regNumber: string | null;
  /** The outbound interaction being delivered (replies); notices get theirs on success. */
  interactionId: number | null;
  to: string;
  subject: string;
  text: string;
  lang: string;
  attachments: OutboundAttachment[];
  /** Ids of earlier messages of this appeal on the channel (e-mail threading). */
  threadKeys: string[];
  /** Unique id for this delivery attempt series, usable as the channel's message id. */
  deliveryId: string;
}

export type SendResult =
  | { ok: true; externalId?: string | null }
  | { ok: false; error: string; permanent: boolean };

export interface ChannelHealth {
  status: 'ok' | 'degraded' | 'down';
  details?: Record<string, unknown>;
}

export const CHANNEL_SERVICE_PREFIX = 'channel.';
export const channelService = (name: string) => `${CHANNEL_SERVICE_PREFIX}${name}`;

/** Problems with a capabilities object (empty when it meets the contract). */
export function capabilityProblems(c: Partial<ChannelCapabilities> | null | undefined): string[] {
  const p: string[] = [];
  if (!c || typeof c !== 'object') return ['capabilities must be an object'];
  if (typeof c.channel !== 'string' || !/^[a-z][a-z0-9_-]{1,31}$/.test(c.channel)) p.push('channel must be a lower-case name');
  for (const k of ['inbound', 'outbound', 'attachments', 'realtime', 'identified'] as const) if (typeof c[k] !== 'boolean') p.push(`${k} must be true or false`);
  if (c.maxAttachmentBytes !== null && !(Number.isInteger(c.maxAttachmentBytes) && (c.maxAttachmentBytes as number) > 0)) p.push('maxAttachmentBytes must be a positive integer or null');
  if (!['email', 'phone', 'fax', 'portal', 'postal', 'chat'].includes(c.addressKind as string)) p.push('addressKind is not one of email, phone, fax, portal, postal, chat');
  return p;
}
