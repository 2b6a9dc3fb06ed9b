/**
 * What the phone channel records on a call's interaction (`meta.call`, see
 * plugins/channel-phone/src/calls/call-record.ts), read defensively so the timeline can say it in
 * the console's language: the stored text is the plugin's Russian summary.
 */
export const CALL_OUTCOMES = ['answered', 'abandoned', 'callback-requested', 'no-answer', 'failed'] as const;
export const HUNG_UP_BY = ['caller', 'operator', 'system', 'unknown'] as const;

export interface CallFacts {
  direction: 'in' | 'out';
  outcome: (typeof CALL_OUTCOMES)[number];
  hungUpBy: (typeof HUNG_UP_BY)[number];
  operatorUserId: number | null;
  waitSeconds: number;
  talkSeconds: number;
  durationSeconds: number;
  /** The menu choice (a service or queue name), when the caller made one. */
  choice: string | null;
  /** Operators whose phone did not take the call. */
  missed: number;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);
const oneOf = <T extends string>(list: readonly T[], v: unknown): T | null => (list.includes(v as T) ? (v as T) : null);

/** The call's facts, or null when the interaction carries none (or not in the shape the plugin writes). */
export function callFacts(meta: Record<string, unknown> | null | undefined): CallFacts | null {
  const c = meta?.call;
  if (!c || typeof c !== 'object') return null;
  const o = c as Record<string, unknown>;
  const outcome = oneOf(CALL_OUTCOMES, o.outcome);
  const hungUpBy = oneOf(HUNG_UP_BY, o.hungUpBy);
  const direction = oneOf(['in', 'out'] as const, o.direction);
  const [wait, talk, duration] = [count(o.waitSeconds), count(o.talkSeconds), count(o.durationSeconds)];
  if (!outcome || !hungUpBy || !direction || wait === null || talk === null || duration === null) return null;
  return {
    direction, outcome, hungUpBy, waitSeconds: wait, talkSeconds: talk, durationSeconds: duration,
    operatorUserId: count(o.operatorUserId), choice: typeof o.choice === 'string' && o.choice ? o.choice : null,
    missed: Array.isArray(o.missedBy) ? o.missedBy.length : 0,
  };
}

/** m:ss, or h:mm:ss from an hour. */
export function formatCallTime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
