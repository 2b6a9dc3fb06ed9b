/**
 * What kind of mail this is besides an appeal: a delivery status notification (a bounce of our own
 * outbound mail, RFC 3464) or an automatic message (RFC 3834 Auto-Submitted, X-Autoreply,
 * Precedence bulk/list/junk, mailing lists, the null sender) that must never be answered
 * automatically, or mail loops with autoresponders.
 */
import type { ParsedMail, Headers, StructuredHeader } from 'mailparser';

export interface Bounce {
  /** failed (a bounce), delayed (a warning: still being tried), delivered/relayed/expanded (success reports). */
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | 'unknown';
  /** Message-IDs of the original message found in the report, most likely first. */
  originalMessageIds: string[];
  recipient: string | null;
  /** The enhanced status code, e.g. 5.1.1. */
  status: string | null;
  diagnostic: string | null;
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(' ') : '');

/** Why this message is automatic (and must not be answered automatically), or null for a person's mail. */
export function autoSubmittedReason(headers: Headers, nullSender: boolean): string | null {
  const auto = asString(headers.get('auto-submitted')).trim().toLowerCase();
  if (auto && !auto.startsWith('no')) return `Auto-Submitted: ${auto.slice(0, 40)}`;
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) if (headers.has(h)) return h;
  const precedence = asString(headers.get('precedence')).trim().toLowerCase();
  if (/^(bulk|list|junk|auto_reply)\b/.test(precedence)) return `Precedence: ${precedence.slice(0, 20)}`;
  if (headers.has('list') || headers.has('list-id')) return 'mailing list';
  if (nullSender) return 'null sender';
  return null;
}

const MESSAGE_ID_LINE = /^(?:message-id|resent-message-id)[ \t]*:[ \t]*(?:\r?\n[ \t]+)*(<[^<>\s]{3,250}>)/gim;

function messageIdsIn(text: string): string[] {
  return [...text.matchAll(MESSAGE_ID_LINE)].map((m) => m[1]!);
}

/** Fields of one DSN block ("Action: failed" -> action: failed), names lower-case, continuation lines joined. */
function dsnFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
    else {
      const m = /^([A-Za-z-]+)[ \t]*:[ \t]*(.*)$/.exec(line);
      if (m) fields.set((last = m[1]!.toLowerCase()), m[2]!.trim());
    }
  }
  return fields;
}

const ACTIONS = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

/** The delivery report in this message, or null when it is not one (a multipart/report of type delivery-status). */
export function readBounce(mail: ParsedMail, raw: Buffer): Bounce | null {
  const ct = mail.headers.get('content-type') as StructuredHeader | undefined;
  if (ct?.value?.toLowerCase() !== 'multipart/report' || !/delivery-status/i.test(ct.params?.['report-type'] ?? '')) return null;
  let action: Bounce['action'] = 'unknown';
  let recipient: string | null = null;
  let status: string | null = null;
  let diagnostic: string | null = null;
  const ids: string[] = [];
  for (const a of mail.attachments) {
    const type = a.contentType.toLowerCase();
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
      // The first block is about the message; the others about each recipient. The first failed one counts.
      const blocks = a.content.toString('utf8').split(/\r?\n[ \t]*\r?\n/).slice(1).map(dsnFields);
      const pick = blocks.find((b) => b.get('action')?.toLowerCase() === 'failed') ?? blocks.find((b) => b.has('action'));
      if (pick) {
        const act = pick.get('action')!.toLowerCase();
        action = ACTIONS.has(act) ? (act as Bounce['action']) : 'unknown';
        recipient = pick.get('final-recipient')?.replace(/^[^;]*;\s*/, '') ?? pick.get('original-recipient')?.replace(/^[^;]*;\s*/, '') ?? null;
        status = pick.get('status') ?? null;
        diagnostic = pick.get('diagnostic-code')?.replace(/^[^;]*;\s*/, '') ?? null;
      }
    } else if (/^(message\/(rfc822|global|global-headers)|text\/rfc822-headers)$/.test(type)) {
      ids.push(...messageIdsIn(a.content.toString('utf8')));
    }
  }
  // The original's headers may have been taken as text by the parser: look in the raw report too.
  ids.push(...messageIdsIn(raw.toString('latin1')).filter((id) => id !== mail.messageId));
  if (mail.inReplyTo) ids.push(...(mail.inReplyTo.match(/<[^<>\s]+>/g) ?? []));
  return { action, originalMessageIds: [...new Set(ids)], recipient, status, diagnostic: diagnostic?.slice(0, 1000) ?? null };
}
