/**
 * Raw mail (RFC 5322 bytes, as received over SMTP or fetched over IMAP) parsed with mailparser into
 * what an appeal needs: sender, reply address, subject, safe text, attachments, threading keys,
 * whether it is automatic and whether it is a delivery report. Charsets (UTF-8, KOI8-R,
 * windows-1251, ...), quoted-printable and base64 are decoded by mailparser; an unknown charset is
 * read as best it can be rather than refused.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import { isEmail } from '@okno/core';
import { htmlToSafeText, cleanText } from './html-text.js';
import { autoSubmittedReason, readBounce, type Bounce } from './classify.js';

export interface InboundAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface InboundMail {
  /** The Message-ID with its angle brackets, or one made from the content when the mail has none. */
  messageId: string;
  subject: string;
  from: { name: string | null; address: string | null };
  /** Where answers go: Reply-To when it is a valid address, else From. */
  replyAddress: string | null;
  date: Date | null;
  text: string;
  attachments: InboundAttachment[];
  /** In-Reply-To first, then References (most recent first): ids of the messages this one answers. */
  threadKeys: string[];
  /** Why the mail is automatic, or null. */
  autoSubmitted: string | null;
  bounce: Bounce | null;
}

/** The mail could not be parsed at all (a header block over the limit, too many parts...). */
export class UnparseableMailError extends Error {
  override name = 'UnparseableMailError';
}

export const MAX_HEADER_BYTES = 1024 * 1024;
const MAX_ID = 250;
const ID_RE = /<[^<>\s]{1,250}>/g;

function firstAddress(a: AddressObject | AddressObject[] | undefined): { name: string | null; address: string | null } {
  const list = (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value).flatMap((v) => (v.group ? v.group : [v]));
  const hit = list.find((v) => v.address && isEmail(v.address)) ?? list[0];
  const address = hit?.address && isEmail(hit.address) ? hit.address.trim() : null;
  const name = cleanText(hit?.name ?? '').replace(/\s+/g, ' ').slice(0, 300) || null;
  return { name, address };
}

function threadKeysOf(mail: ParsedMail): string[] {
  const refs = Array.isArray(mail.references) ? mail.references.join(' ') : mail.references ?? '';
  const fromRefs = (refs.match(ID_RE) ?? []).reverse();
  const fromReply = mail.inReplyTo?.match(ID_RE) ?? [];
  return [...new Set([...fromReply, ...fromRefs])].filter((k) => k.length <= MAX_ID).slice(0, 50);
}

function messageIdOf(mail: ParsedMail, raw: Buffer): string {
  const id = mail.messageId?.trim();
  if (id && id.length <= MAX_ID && /^<[^<>\s]+>$/.test(id)) return id;
  // No usable Message-ID: the content itself identifies the mail (a resend after a 4xx is the same bytes).
  return `<sha256.${createHash('sha256').update(raw).digest('hex')}@okno.invalid>`;
}

function bodyText(mail: ParsedMail): string {
  const plain = cleanText(mail.text ?? '');
  if (plain) return plain;
  return typeof mail.html === 'string' ? htmlToSafeText(mail.html) : '';
}

/** `Return-Path: <>` (set by the delivering server): the mail came from the null sender (a report). */
function returnPathIsNull(mail: ParsedMail): boolean {
  const rp = mail.headers.get('return-path');
  if (rp === undefined) return false;
  if (typeof rp === 'string') return /^\s*<?\s*>?\s*$/.test(rp);
  const list = (Array.isArray(rp) ? rp : [rp]) as AddressObject[];
  return !list.some((x) => x?.value?.some((v) => v.address));
}

export async function parseMail(raw: Buffer, envelope: { mailFrom?: string | null } = {}): Promise<InboundMail> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, keepCidLinks: true, keepDeliveryStatus: true,
      maxHeadSize: MAX_HEADER_BYTES, maxChildNodes: 500, checksumAlgo: false,
    });
  } catch (err) {
    throw new UnparseableMailError(`the message cannot be parsed: ${(err as Error).message}`);
  }
  const from = firstAddress(mail.from);
  if (!from.address && envelope.mailFrom && isEmail(envelope.mailFrom)) from.address = envelope.mailFrom;
  const replyTo = firstAddress(mail.replyTo).address;
  const nullSender = envelope.mailFrom === '' || returnPathIsNull(mail);
  return {
    messageId: messageIdOf(mail, raw),
    subject: cleanText(mail.subject ?? '').replace(/\s+/g, ' ').slice(0, 500),
    from,
    replyAddress: replyTo ?? from.address,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    text: bodyText(mail),
    attachments: mail.attachments
      .filter((a) => !/^message\/(global-)?delivery-status$/i.test(a.contentType))
      .map((a) => ({ filename: a.filename ?? `attachment${a.partId ? `-${a.partId}` : ''}`, contentType: a.contentType || 'application/octet-stream', content: a.content })),
    threadKeys: threadKeysOf(mail),
    autoSubmitted: autoSubmittedReason(mail.headers, nullSender),
    bounce: readBounce(mail, raw),
  };
}
