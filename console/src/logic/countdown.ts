/**
 * Deadlines on screen: how much time is left, and the colour that says how urgent it is. The level
 * rises as the deadline nears, so a card left open turns amber, then orange, then red by itself.
 */
import type { DueKind } from '../api/types.ts';

export type DeadlineLevel = 'ok' | 'near' | 'urgent' | 'overdue';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** When each kind of deadline counts as near and as urgent (time left). */
export const THRESHOLDS: Record<DueKind | 'offer', { nearMs: number; urgentMs: number }> = {
  register: { nearMs: 2 * DAY, urgentMs: DAY },
  redirect: { nearMs: 3 * DAY, urgentMs: DAY },
  answer: { nearMs: 3 * DAY, urgentMs: DAY },
  secondLine: { nearMs: 4 * HOUR, urgentMs: HOUR },
  offer: { nearMs: 15_000, urgentMs: 5_000 },
};

const toMs = (t: Date | string | number): number => (t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : t);

/**
 * The level of a deadline at `now`. `serverNear` is the server's own judgement (it counts working
 * days on the business calendar); it can only raise the level to "near", never lower it.
 */
export function deadlineLevel(at: Date | string | number, now: number, kind: DueKind | 'offer' = 'answer', serverNear = false): DeadlineLevel {
  const left = toMs(at) - now;
  const t = THRESHOLDS[kind];
  if (left <= 0) return 'overdue';
  if (left <= t.urgentMs) return 'urgent';
  if (left <= t.nearMs || serverNear) return 'near';
  return 'ok';
}

/** Quasar colour names for each level (text on them is white; all pass WCAG AA at this size). */
export const LEVEL_COLOR: Record<DeadlineLevel, string> = {
  ok: 'positive',
  near: 'warning',
  urgent: 'deep-orange-9',
  overdue: 'negative',
};

export interface Remaining {
  overdue: boolean;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Time left until `at` (or past it), split into units. */
export function remaining(at: Date | string | number, now: number): Remaining {
  const diff = toMs(at) - now;
  let s = Math.floor(Math.abs(diff) / 1000);
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  return { overdue: diff <= 0, days, hours, minutes, seconds: s - minutes * 60 };
}

/** "2 д. 3 ч" / "2d 3h": the two largest units that matter (seconds only in the last minutes). */
export function formatRemaining(r: Remaining, locale: string): string {
  const parts: Record<string, number> = {};
  if (r.days) {
    parts.days = r.days;
    if (r.hours) parts.hours = r.hours;
  } else if (r.hours) {
    parts.hours = r.hours;
    if (r.minutes) parts.minutes = r.minutes;
  } else {
    parts.minutes = r.minutes;
    if (r.minutes < 10) parts.seconds = r.seconds;
  }
  const DF = (Intl as unknown as { DurationFormat?: new (l: string, o: object) => { format(d: object): string } }).DurationFormat;
  if (DF) return new DF(locale, { style: 'narrow' }).format(parts);
  const unit: Record<string, string> = locale.startsWith('ru') ? { days: 'д', hours: 'ч', minutes: 'мин', seconds: 'с' } : { days: 'd', hours: 'h', minutes: 'min', seconds: 's' };
  return Object.entries(parts).map(([k, v]) => `${v} ${unit[k]}`).join(' ');
}

/** Whole seconds left of an offer (never below zero) and the share of its time left, 0..1. */
export function offerTimeLeft(expiresAt: string, now: number, offeredAt: number): { seconds: number; fraction: number } {
  const end = Date.parse(expiresAt);
  const left = Math.max(0, end - now);
  const total = Math.max(1, end - offeredAt);
  return { seconds: Math.ceil(left / 1000), fraction: Math.min(1, left / total) };
}
