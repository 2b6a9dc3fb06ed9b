/**
 * Notices to applicants (received, redirected, extended, answered, ready early, suspended). Every
 * notice is recorded on the appeal in the transaction that decides it; the notification service
 * delivers pending ones through the applicant's channel, retrying with backoff.
 */
import { In, LessThanOrEqual, type EntityManager } from 'typeorm';
import type { Database } from '../../persistence/database.js';
import { Appeal, Notice, type NoticeKind } from '../../persistence/entities/index.js';
import { appendJournal, type JournalInput } from '../journal.js';
import { sqlFor, sqlInsert } from '../../persistence/sql.js';

type NoticeTarget = Pick<Appeal, 'id' | 'siteId' | 'replyChannel' | 'replyAddress'>;

/** The row of a new notice: pending when the applicant left an address to reply to. */
export function noticeRow(appeal: NoticeTarget, kind: NoticeKind, data: Record<string, unknown>, now: Date, lang = 'ru') {
  const deliverable = Boolean(appeal.replyChannel && appeal.replyAddress);
  return {
    appealId: appeal.id,
    kind,
    channel: appeal.replyChannel,
    address: appeal.replyAddress,
    lang,
    status: deliverable ? 'pending' : 'not_deliverable',
    attempts: 0,
    nextAttemptAt: now,
    lastError: deliverable ? null : 'the applicant left no address to reply to',
    sentAt: null,
    interactionId: (data.interactionId as number | undefined) ?? null,
    data,
    createdAt: now,
  } as const;
}

/** The journal entry that records a notice. */
export function noticeJournal(appeal: NoticeTarget, noticeId: number, row: ReturnType<typeof noticeRow>): JournalInput {
  return { type: 'notice.recorded', aggregateType: 'appeal', aggregateId: appeal.id, siteId: appeal.siteId, at: row.createdAt, data: { noticeId, kind: row.kind, channel: row.channel, status: row.status } };
}

export async function recordNotice(em: EntityManager, appeal: NoticeTarget, kind: NoticeKind, data: Record<string, unknown>, now: Date, lang = 'ru'): Promise<Notice> {
  const row = noticeRow(appeal, kind, data, now, lang);
  const notice = Object.assign(new Notice(), row, { id: await sqlInsert(sqlFor(em), 'notices', row) });
  await appendJournal(em, noticeJournal(appeal, notice.id, row));
  return notice;
}

/** How long a claim on a notice or reply lasts before another worker may take it again. */
export const CLAIM_TTL_MS = 5 * 60_000;

/** Takes up to `limit` notices due for delivery and marks them as being sent. */
export async function claimDueNotices(db: Database, now: Date, limit = 20, channels?: string[]): Promise<Notice[]> {
  return db.transaction(async (em) => {
    const where = { status: 'pending' as const, nextAttemptAt: LessThanOrEqual(now), ...(channels ? { channel: In(channels) } : {}) };
    const due = await em.find(Notice, { where, order: { nextAttemptAt: 'ASC' }, take: limit });
    const claimed: Notice[] = [];
    for (const n of due) {
      const res = await em.update(Notice, { id: n.id, status: 'pending' }, { status: 'sending', attempts: n.attempts + 1, nextAttemptAt: new Date(now.getTime() + CLAIM_TTL_MS) });
      if (res.affected) claimed.push({ ...n, status: 'sending', attempts: n.attempts + 1 });
    }
    return claimed;
  });
}

/** Backoff after the n-th failed attempt: 1 min, 2, 4, ... capped at 6 h. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 6 * 3600_000);
}

export async function markNoticeSent(db: Database, noticeId: number, now: Date, interactionId: number | null): Promise<void> {
  await db.transaction(async (em) => {
    const n = await em.findOne(Notice, { where: { id: noticeId } });
    if (!n) return;
    await em.update(Notice, { id: noticeId }, { status: 'sent', sentAt: now, lastError: null, interactionId: interactionId ?? n.interactionId });
    const appeal = await em.findOne(Appeal, { where: { id: n.appealId } });
    await appendJournal(em, { type: 'notice.sent', aggregateType: 'appeal', aggregateId: n.appealId, siteId: appeal?.siteId ?? null, at: now, data: { noticeId, kind: n.kind, channel: n.channel } });
  });
}

/** Records a failed attempt; retried later unless `permanent` or attempts are used up. */
export async function markNoticeFailed(db: Database, noticeId: number, now: Date, error: string, opts: { permanent?: boolean; maxAttempts?: number } = {}): Promise<'retry' | 'failed'> {
  return db.transaction(async (em) => {
    const n = await em.findOne(Notice, { where: { id: noticeId } });
    if (!n) return 'failed';
    const giveUp = opts.permanent || n.attempts >= (opts.maxAttempts ?? 8);
    await em.update(Notice, { id: noticeId }, {
      status: giveUp ? 'failed' : 'pending',
      lastError: error.slice(0, 2000),
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(n.attempts)),
    });
    const appeal = await em.findOne(Appeal, { where: { id: n.appealId } });
    await appendJournal(em, { type: giveUp ? 'notice.failed' : 'notice.retrying', aggregateType: 'appeal', aggregateId: n.appealId, siteId: appeal?.siteId ?? null, at: now, data: { noticeId, kind: n.kind, attempts: n.attempts } });
    return giveUp ? 'failed' : 'retry';
  });
}
