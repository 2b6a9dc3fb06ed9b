/**
 * The portal message box: where `channel.portal.send` delivers notices and answers for appeals whose
 * reply channel is the portal (no e-mail given, or replyByEmail off). The citizen reads it on the
 * status page with the registration number and the status secret. Delivery is idempotent by the
 * delivery id, so a retried send never shows a message twice.
 */
import { Appeal, isUniqueViolation, type Database, type OutboundMessage, type SendResult } from '@okno/core';
import { PortalMessage, type BoxAttachment } from './entities.js';

export const boxExternalId = (deliveryId: string) => `box-${deliveryId}`;

export interface BoxItem {
  id: number;
  kind: 'reply' | 'notice';
  noticeKind: string | null;
  subject: string;
  text: string;
  at: string;
  attachments: BoxAttachment[];
}

export function toBoxItem(m: PortalMessage): BoxItem {
  return { id: m.id, kind: m.kind, noticeKind: m.noticeKind, subject: m.subject, text: m.body, at: m.at.toISOString(), attachments: m.attachments ?? [] };
}

/** Puts the message in the appeal's box (once per delivery id). */
export async function deliverToBox(db: Database, msg: OutboundMessage, now: Date): Promise<{ result: SendResult; item: BoxItem | null }> {
  const appeal = await db.read((em) => em.findOne(Appeal, { where: { id: msg.appealId }, select: { id: true } }));
  if (!appeal) return { result: { ok: false, error: `appeal ${msg.appealId} does not exist`, permanent: true }, item: null };
  const externalId = boxExternalId(msg.deliveryId);
  try {
    const row = await db.transaction((em) => em.save(PortalMessage, em.create(PortalMessage, {
      appealId: msg.appealId, deliveryId: msg.deliveryId.slice(0, 100), kind: msg.kind, noticeKind: msg.noticeKind ?? null,
      subject: msg.subject.slice(0, 500), body: msg.text, attachments: msg.attachments.length ? msg.attachments : null, at: now,
    })));
    return { result: { ok: true, externalId }, item: toBoxItem(row) };
  } catch (err) {
    // Delivered before (a retry after a lost answer): the same message, not a second one.
    if (isUniqueViolation(err)) return { result: { ok: true, externalId }, item: null };
    throw err;
  }
}

export async function readBox(db: Database, appealId: number): Promise<BoxItem[]> {
  const rows = await db.read((em) => em.find(PortalMessage, { where: { appealId }, order: { id: 'ASC' } }));
  return rows.map(toBoxItem);
}
