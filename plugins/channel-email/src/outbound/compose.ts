/**
 * An outbound message of the channel contract as a mail: From the centre's address, the registration
 * number in the subject, the Message-ID derived from the delivery id (a retry of the same delivery
 * carries the same id), In-Reply-To and References from the appeal's earlier messages so the answer
 * threads in the applicant's mail client, attachments read from the core's store, and
 * Auto-Submitted on notices (RFC 3834) so that autoresponders do not answer them.
 */
import type { SendMailOptions } from 'nodemailer';
import type { OutboundMessage } from '@okno/core';

export interface ComposeOptions {
  from: string;
  fromName: string;
  messageIdDomain: string;
}

export type ReadAttachment = (attachmentId: number) => Promise<Buffer>;

const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

/** Our Message-ID for a delivery (stable across retries of the same delivery). */
export function messageIdFor(deliveryId: string, domain: string): string {
  const local = deliveryId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  return `<okno.${local}@${domain}>`;
}

/** In-Reply-To (the most recent earlier message) and References (oldest first, at most 20). */
export function threadHeaders(threadKeys: string[]): { inReplyTo?: string; references?: string[] } {
  const ids = [...new Set(threadKeys.filter((k) => MESSAGE_ID.test(k)))].slice(-20);
  if (!ids.length) return {};
  return { inReplyTo: ids[ids.length - 1], references: ids };
}

export function subjectFor(msg: OutboundMessage): string {
  const subject = msg.subject.replace(/[\r\n]+/g, ' ').trim() || 'Обращение';
  return msg.regNumber && !subject.includes(msg.regNumber) ? `${subject} [№ ${msg.regNumber}]` : subject;
}

export async function composeMail(msg: OutboundMessage, opts: ComposeOptions, readAttachment: ReadAttachment): Promise<SendMailOptions & { messageId: string }> {
  const attachments = [];
  for (const a of msg.attachments) attachments.push({ filename: a.filename, contentType: a.mime, content: await readAttachment(a.attachmentId) });
  const headers: Record<string, string> = {};
  if (msg.kind === 'notice') headers['Auto-Submitted'] = msg.noticeKind === 'received' ? 'auto-replied' : 'auto-generated';
  if (msg.regNumber) headers['X-Okno-Appeal'] = msg.regNumber;
  return {
    from: { name: opts.fromName, address: opts.from },
    to: msg.to,
    subject: subjectFor(msg),
    text: msg.text,
    messageId: messageIdFor(msg.deliveryId, opts.messageIdDomain),
    ...threadHeaders(msg.threadKeys),
    headers,
    attachments,
    // Never read files or URLs named in a message: attachments come from the core's store only.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
