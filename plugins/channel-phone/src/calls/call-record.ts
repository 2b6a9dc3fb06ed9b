/**
 * A finished call on its appeal. The inbound call's own interaction (the one `appeals.intake` made,
 * `call:<channel id>`) gets the call's times and outcome in `meta.call` and a readable summary as
 * its text; a callback is an outbound call interaction of its own (`callback:<channel id>`). The
 * journal gets `call.ended` in the same transaction, without the number (no personal data there).
 */
import { Appeal, Interaction, appendJournal, type Database } from '@okno/core';

export const CHANNEL = 'phone';
export const CALL_ENDED = 'call.ended';

export interface CallRecord {
  direction: 'in' | 'out';
  /** The Asterisk channel id of the inbound call (a callback carries the id of the call it answers). */
  callId: string;
  appealId: number;
  number: string | null;
  /** An internal extension (3–4 digits) the call came from; `number` is null for it. Only in the text. */
  extension?: string | null;
  startedAt: Date;
  /** When the call entered the routing line (null: it never did). */
  queuedAt: Date | null;
  /** When the operator and the applicant were joined. */
  answeredAt: Date | null;
  endedAt: Date;
  hungUpBy: 'caller' | 'operator' | 'system' | 'unknown';
  outcome: 'answered' | 'abandoned' | 'callback-requested' | 'no-answer' | 'failed';
  /** The operator (user id) who talked with the applicant. */
  operatorId: string | null;
  choice: string;
  digit: string | null;
  /** Operators whose phone did not take the call. */
  missed: { operatorId: string; cause: string }[];
  /**
   * The call was taken over after a core restart: since when this node followed it, and the times
   * that could not be known (e.g. `answeredAt` when Asterisk did not say when the bridge was made,
   * `endedAt` for a call that ended while no node followed it). Null or absent: followed throughout.
   */
  followedAfterRestart?: { since: Date; unknown: string[] } | null;
}

export interface CallSummary {
  asteriskChannelId: string;
  direction: 'in' | 'out';
  startedAt: string;
  queuedAt: string | null;
  answeredAt: string | null;
  endedAt: string;
  hungUpBy: CallRecord['hungUpBy'];
  outcome: CallRecord['outcome'];
  operatorUserId: number | null;
  durationSeconds: number;
  waitSeconds: number;
  talkSeconds: number;
  choice: string;
  digit: string | null;
  missedBy: { operatorUserId: number; cause: string }[];
  /** Taken over after a core restart (times before it read back from Asterisk and the journal); null: followed throughout. */
  followedAfterRestart: { since: string; unknownTimes: string[] } | null;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function callSummary(r: CallRecord): CallSummary {
  const end = r.endedAt.getTime();
  const waitFrom = (r.queuedAt ?? r.startedAt).getTime();
  return {
    asteriskChannelId: r.callId, direction: r.direction, startedAt: r.startedAt.toISOString(), queuedAt: iso(r.queuedAt), answeredAt: iso(r.answeredAt), endedAt: r.endedAt.toISOString(),
    hungUpBy: r.hungUpBy, outcome: r.outcome, operatorUserId: r.operatorId ? Number(r.operatorId) : null,
    durationSeconds: seconds(end - r.startedAt.getTime()),
    waitSeconds: r.queuedAt ? seconds((r.answeredAt ?? r.endedAt).getTime() - waitFrom) : 0,
    talkSeconds: r.answeredAt ? seconds(end - r.answeredAt.getTime()) : 0,
    choice: r.choice, digit: r.digit, missedBy: r.missed.map((m) => ({ operatorUserId: Number(m.operatorId), cause: m.cause })),
    followedAfterRestart: r.followedAfterRestart ? { since: r.followedAfterRestart.since.toISOString(), unknownTimes: [...r.followedAfterRestart.unknown] } : null,
  };
}

const TIME: Record<string, string> = { startedAt: 'начала', queuedAt: 'постановки в очередь', answeredAt: 'ответа оператора', endedAt: 'окончания' };
const mmss = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
const WHO: Record<CallRecord['hungUpBy'], string> = { caller: 'абонент', operator: 'оператор', system: 'система', unknown: 'неизвестно кто (связь с АТС прерывалась)' };
const OUTCOME: Record<CallRecord['outcome'], string> = {
  answered: 'разговор с оператором', abandoned: 'абонент не дождался ответа', 'callback-requested': 'абонент заказал обратный звонок',
  'no-answer': 'абонент не ответил', failed: 'звонок не удалось зарегистрировать или поставить в очередь',
};

/** The interaction's text: what happened, in the console's language. */
export function callText(r: CallRecord, s = callSummary(r)): string {
  const who = r.number ?? (r.extension ? `внутренний номер ${r.extension}` : 'скрытый номер');
  const head = r.direction === 'in' ? `Входящий звонок (${who}), меню: ${r.choice}` : `Обратный звонок на ${who}`;
  const parts = [`${head}. Итог: ${OUTCOME[r.outcome]}.`, `Длительность ${mmss(s.durationSeconds)}`];
  if (r.queuedAt) parts.push(`ожидание ${mmss(s.waitSeconds)}`);
  if (r.answeredAt) parts.push(`разговор ${mmss(s.talkSeconds)}`);
  const restart = r.followedAfterRestart
    ? ` Звонок прослежен после перезапуска ядра${r.followedAfterRestart.unknown.length ? `; время неизвестно: ${r.followedAfterRestart.unknown.map((k) => TIME[k] ?? k).join(', ')}` : ''}.`
    : '';
  return `${parts.join(', ')}; завершил: ${WHO[r.hungUpBy]}.${restart}`;
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Writes the call on its appeal; returns the interaction id. `fence` runs first in the same
 * transaction and throws when this node may no longer write (it lost the phone line's lease).
 */
export async function recordCall(db: Database, r: CallRecord, fence?: (em: Tx) => Promise<void>): Promise<number> {
  const summary = callSummary(r);
  const body = callText(r, summary);
  return db.transaction(async (em) => {
    if (fence) await fence(em);
    const externalId = `${r.direction === 'in' ? 'call' : 'callback'}:${r.callId}`;
    const appeal = await em.findOne(Appeal, { where: { id: r.appealId }, select: { id: true, siteId: true } });
    if (!appeal) throw new Error(`appeal ${r.appealId} does not exist`);
    let inter = await em.findOne(Interaction, { where: { channel: CHANNEL, externalId } });
    if (inter) {
      await em.update(Interaction, { id: inter.id }, { body, meta: { ...(inter.meta ?? {}), call: summary } });
    } else {
      inter = await em.save(Interaction, em.create(Interaction, {
        appealId: r.appealId, direction: r.direction, kind: 'call', channel: CHANNEL, externalId, at: r.startedAt, authorUserId: r.operatorId ? Number(r.operatorId) : null,
        subject: null, body, meta: { call: summary }, deliveryStatus: null, deliveryError: null, attempts: 0, nextAttemptAt: null,
      }));
    }
    await em.update(Appeal, { id: r.appealId }, { updatedAt: r.endedAt });
    await appendJournal(em, {
      type: CALL_ENDED, aggregateType: 'appeal', aggregateId: r.appealId, siteId: appeal.siteId, at: r.endedAt,
      data: {
        appealId: r.appealId, interactionId: inter.id, direction: r.direction, outcome: r.outcome, hungUpBy: r.hungUpBy, operatorId: summary.operatorUserId,
        durationMs: r.endedAt.getTime() - r.startedAt.getTime(), waitSeconds: summary.waitSeconds, talkSeconds: summary.talkSeconds,
      },
    });
    return inter.id;
  });
}
