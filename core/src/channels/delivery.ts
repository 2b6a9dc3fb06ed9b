/**
 * Delivery of what goes out to applicants: replies written by operators (outbound interactions with
 * delivery pending) and notices (received, redirected, extended, answered, ready early, suspended).
 * Work is claimed with a conditional update, so several core nodes can deliver side by side without
 * sending anything twice; a claim that outlives a crashed node expires and is taken again. Failures
 * are retried with backoff and end visibly as "failed" on the appeal.
 */
import { randomUUID } from 'node:crypto';
import { In, LessThan, LessThanOrEqual } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { Appeal, Attachment, Interaction, InteractionAttachment, Notice } from '../persistence/entities/index.js';
import { appendJournal } from '../domain/journal.js';
import { CLAIM_TTL_MS, claimDueNotices, markNoticeFailed, markNoticeSent, retryDelayMs } from '../domain/appeals/notices.js';
import { renderNotice } from './notice-templates.js';
import type { OutboundMessage, SendResult } from './contract.js';

export interface DeliveryDeps {
  db: Database;
  now: () => Date;
  timeZone: string;
  /** Sends through channel `name`; throws when the channel is not reachable. */
  send: (channel: string, msg: OutboundMessage) => Promise<SendResult>;
  /** The channels running now; work for other channels waits untouched (no attempt is spent). */
  channels: () => string[];
  maxAttempts?: number;
  batch?: number;
  onEvent?: () => void;
}

async function threadKeys(db: Database, appealId: number, channel: string): Promise<string[]> {
  const rows = await db.read((em) => em.find(Interaction, { where: { appealId, channel }, order: { id: 'ASC' }, select: { externalId: true } }));
  return rows.map((r) => r.externalId).filter((x): x is string => Boolean(x));
}

async function attachmentsOf(db: Database, interactionId: number) {
  return db.read(async (em) => {
    const links = await em.find(InteractionAttachment, { where: { interactionId } });
    if (!links.length) return [];
    const files = await em.find(Attachment, { where: { id: In(links.map((l) => l.attachmentId)) } });
    return links.map((l) => {
      const f = files.find((x) => x.id === l.attachmentId)!;
      return { attachmentId: f.id, filename: l.filename, mime: f.mime, size: f.size };
    });
  });
}

/** Claims outbound replies due for delivery. */
async function claimReplies(db: Database, now: Date, limit: number, channels: string[]): Promise<Interaction[]> {
  return db.transaction(async (em) => {
    const due = await em.find(Interaction, { where: { deliveryStatus: 'pending', direction: 'out', nextAttemptAt: LessThanOrEqual(now), channel: In(channels) }, order: { id: 'ASC' }, take: limit });
    const claimed: Interaction[] = [];
    for (const i of due) {
      const res = await em.update(Interaction, { id: i.id, deliveryStatus: 'pending' }, { deliveryStatus: 'sending', attempts: i.attempts + 1, nextAttemptAt: new Date(now.getTime() + CLAIM_TTL_MS) });
      if (res.affected) claimed.push({ ...i, deliveryStatus: 'sending', attempts: i.attempts + 1 });
    }
    return claimed;
  });
}

/** Puts claims of crashed workers back (their claim time ran out). */
export async function releaseExpiredClaims(db: Database, now: Date): Promise<number> {
  return db.transaction(async (em) => {
    const a = await em.update(Interaction, { deliveryStatus: 'sending', nextAttemptAt: LessThan(now) }, { deliveryStatus: 'pending' });
    const b = await em.update(Notice, { status: 'sending', nextAttemptAt: LessThan(now) }, { status: 'pending' });
    return (a.affected ?? 0) + (b.affected ?? 0);
  });
}

async function finishReply(deps: DeliveryDeps, inter: Interaction, appeal: Appeal, result: SendResult): Promise<void> {
  const now = deps.now();
  const maxAttempts = deps.maxAttempts ?? 8;
  const giveUp = !result.ok && (result.permanent || inter.attempts >= maxAttempts);
  await deps.db.transaction(async (em) => {
    if (result.ok) {
      await em.update(Interaction, { id: inter.id }, { deliveryStatus: 'sent', deliveryError: null, nextAttemptAt: null, ...(result.externalId ? { externalId: result.externalId } : {}) });
    } else {
      await em.update(Interaction, { id: inter.id }, { deliveryStatus: giveUp ? 'failed' : 'pending', deliveryError: result.error.slice(0, 2000), nextAttemptAt: giveUp ? null : new Date(now.getTime() + retryDelayMs(inter.attempts)) });
    }
    const type = result.ok ? 'interaction.sent' : giveUp ? 'interaction.failed' : 'interaction.retrying';
    await appendJournal(em, { type, aggregateType: 'appeal', aggregateId: appeal.id, siteId: appeal.siteId, at: now, data: { appealId: appeal.id, interactionId: inter.id, channel: inter.channel, attempts: inter.attempts } });
  });
  deps.onEvent?.();
}

async function deliverReply(deps: DeliveryDeps, inter: Interaction): Promise<void> {
  const appeal = await deps.db.read((em) => em.findOneByOrFail(Appeal, { id: inter.appealId }));
  const to = String((inter.meta as { to?: string } | null)?.to ?? appeal.replyAddress ?? '');
  const msg: OutboundMessage = {
    kind: 'reply', appealId: appeal.id, regNumber: appeal.regNumber, interactionId: inter.id, to,
    subject: inter.subject || (appeal.regNumber ? `Ответ на обращение № ${appeal.regNumber}` : 'Ответ на обращение'),
    text: inter.body, lang: 'ru', attachments: await attachmentsOf(deps.db, inter.id),
    threadKeys: (await threadKeys(deps.db, appeal.id, inter.channel)).filter((k) => k !== inter.externalId), deliveryId: `reply-${inter.id}`,
  };
  let result: SendResult;
  try {
    result = to ? await deps.send(inter.channel, msg) : { ok: false, error: 'the appeal has no reply address', permanent: true };
  } catch (err) {
    result = { ok: false, error: `channel ${inter.channel} did not take the message: ${(err as Error).message}`, permanent: false };
  }
  await finishReply(deps, inter, appeal, result);
}

async function deliverNotice(deps: DeliveryDeps, notice: Notice): Promise<void> {
  const now = deps.now();
  // The "answered" notice is the answer itself: it is done when its reply is delivered.
  if (notice.kind === 'answered' && notice.interactionId) {
    const inter = await deps.db.read((em) => em.findOneBy(Interaction, { id: notice.interactionId! }));
    if (inter?.deliveryStatus === 'sent') return markNoticeSent(deps.db, notice.id, now, inter.id);
    if (inter?.deliveryStatus === 'failed') {
      await markNoticeFailed(deps.db, notice.id, now, `the answer could not be delivered: ${inter.deliveryError ?? 'unknown error'}`, { permanent: true });
      return;
    }
    await deps.db.transaction((em) => em.update(Notice, { id: notice.id }, { status: 'pending', attempts: Math.max(0, notice.attempts - 1), nextAttemptAt: new Date(now.getTime() + 5_000) }));
    return;
  }
  const appeal = await deps.db.read((em) => em.findOneByOrFail(Appeal, { id: notice.appealId }));
  const { subject, text } = renderNotice(notice.kind, notice.lang, notice.data ?? {}, deps.timeZone);
  const channel = notice.channel!;
  const msg: OutboundMessage = {
    kind: 'notice', noticeKind: notice.kind, noticeId: notice.id, appealId: appeal.id, regNumber: appeal.regNumber, interactionId: null,
    to: notice.address!, subject, text, lang: notice.lang, attachments: [], threadKeys: await threadKeys(deps.db, appeal.id, channel), deliveryId: `notice-${notice.id}`,
  };
  let result: SendResult;
  try {
    result = await deps.send(channel, msg);
  } catch (err) {
    result = { ok: false, error: `channel ${channel} did not take the notice: ${(err as Error).message}`, permanent: false };
  }
  if (!result.ok) {
    await markNoticeFailed(deps.db, notice.id, now, result.error, { permanent: result.permanent, maxAttempts: deps.maxAttempts });
    deps.onEvent?.();
    return;
  }
  const inter = await deps.db.transaction((em) => em.save(Interaction, em.create(Interaction, {
    appealId: appeal.id, direction: 'out', kind: 'notice', channel, externalId: result.externalId ?? `${msg.deliveryId}-${randomUUID()}`, at: now, authorUserId: null,
    subject, body: text, meta: { noticeId: notice.id, noticeKind: notice.kind, to: notice.address }, deliveryStatus: 'sent', deliveryError: null, attempts: notice.attempts, nextAttemptAt: null,
  })));
  await markNoticeSent(deps.db, notice.id, now, inter.id);
  deps.onEvent?.();
}

/** One pass: release expired claims, deliver due replies, then due notices. Returns what was tried. */
export async function deliveryPass(deps: DeliveryDeps): Promise<{ replies: number; notices: number }> {
  const now = deps.now();
  const channels = deps.channels();
  if (!channels.length) return { replies: 0, notices: 0 };
  await releaseExpiredClaims(deps.db, now);
  const replies = await claimReplies(deps.db, now, deps.batch ?? 20, channels);
  for (const r of replies) await deliverReply(deps, r);
  const notices = await claimDueNotices(deps.db, now, deps.batch ?? 20, channels);
  for (const n of notices) await deliverNotice(deps, n);
  return { replies: replies.length, notices: notices.length };
}
