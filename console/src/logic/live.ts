/**
 * The supervisor's live view in numbers: which journal events change what it shows, and the rows
 * it draws from the API's answers.
 */
import type { AppealSummary, DeadlineCount, Site } from '../api/types.ts';
import { formatRemaining } from './countdown.ts';

/** Journal and pushed frame types after which the live view fetches again. */
export function affectsLiveView(type: string): boolean {
  return /^(appeal|interaction|notice|contact|operator|chat)\./.test(type);
}

/** Journal events after which an operator's work list may have changed. */
export function affectsWorkList(type: string): boolean {
  return type.startsWith('appeal.');
}

export interface ChannelRow {
  channel: string;
  waiting: number;
  inWork: number;
  /** Seconds the oldest waiting appeal has waited (null: none waiting). */
  longestWaitSeconds: number | null;
}

/** Per channel: waiting (received, registered) and in work (in progress, deferred, suspended). */
export function channelRows(open: readonly AppealSummary[], now: number): ChannelRow[] {
  const by = new Map<string, ChannelRow>();
  for (const a of open) {
    const row = by.get(a.channel) ?? { channel: a.channel, waiting: 0, inWork: 0, longestWaitSeconds: null };
    if (a.status === 'received' || a.status === 'registered') {
      row.waiting++;
      const waited = Math.max(0, Math.round((now - Date.parse(a.receivedAt)) / 1000));
      row.longestWaitSeconds = Math.max(row.longestWaitSeconds ?? 0, waited);
    } else {
      row.inWork++;
    }
    by.set(a.channel, row);
  }
  return [...by.values()].sort((a, b) => b.waiting - a.waiting || a.channel.localeCompare(b.channel));
}

export interface SiteDeadlineRow extends DeadlineCount {
  name: string;
  code: string;
}

/** Deadline counts with site names, the sites with most overdue first. */
export function siteDeadlineRows(counts: readonly DeadlineCount[], sites: readonly Site[]): SiteDeadlineRow[] {
  const byId = new Map(sites.map((s) => [s.id, s]));
  return counts
    .map((c) => ({ ...c, name: byId.get(c.siteId)?.name ?? `#${c.siteId}`, code: byId.get(c.siteId)?.code ?? String(c.siteId) }))
    .sort((a, b) => b.overdue - a.overdue || b.nearDue - a.nearDue || a.name.localeCompare(b.name));
}

/** How long something has waited: "4:05" under an hour, else "2 д. 3 ч" / "2d 3h" in the locale. */
export function formatWait(seconds: number | null, locale: string): string {
  if (seconds == null) return '—';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 3600) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return formatRemaining({ overdue: false, days, hours, minutes, seconds: s % 60 }, locale);
}

/** Reporting's channel keys are routing's (voice for calls); the live view's rows are appeal channels. */
const CHANNEL_OF_CONTACT: Record<string, string> = { voice: 'phone', callback: 'phone' };

/** Today's service level per appeal channel from reporting's live groups (voice and call-backs count as phone: their answered-within and answered figures are added). */
export function serviceLevelByChannel(groups: readonly { key: string; today: { answered: number; abandoned: number; shortAbandoned: number; serviceLevel: number | null } }[]): Map<string, number> {
  const acc = new Map<string, { within: number; base: number }>();
  for (const g of groups) {
    const base = g.today.answered + g.today.abandoned - g.today.shortAbandoned;
    if (g.today.serviceLevel === null || base <= 0) continue;
    const ch = CHANNEL_OF_CONTACT[g.key] ?? g.key;
    const a = acc.get(ch) ?? { within: 0, base: 0 };
    a.within += g.today.serviceLevel * base;
    a.base += base;
    acc.set(ch, a);
  }
  return new Map([...acc].map(([k, v]) => [k, v.within / v.base]));
}
