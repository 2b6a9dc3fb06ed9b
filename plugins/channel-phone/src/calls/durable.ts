/**
 * What is durably known of a call when the node that followed it is gone (a core restart): the
 * appeal and interaction that `appeals.intake` wrote (message id `call:<channel id>`), and where its
 * routing contacts got to, read from the journal routing writes (`contact.queued`, `contact.answered`,
 * `contact.requeued`, `contact.completed` / `abandoned` / `retired` of `call-<id>`, `call-<id>-r<n>`,
 * `cb-<id>`, `cb-<id>-r<n>`). The phone channel reads routing's state this way, never routing's tables.
 */
import type { MenuChoice } from '../config.js';

/** The latest routing contact of a call (or of its callback) and where it got to. */
export interface ContactTrail {
  contactId: string;
  /** 0 for the first contact, n for `-r<n>` (a requeue after an operator's phone did not answer). */
  attempt: number;
  state: 'waiting' | 'answered' | 'ended';
  /** The operator routing assigned the latest contact to (state `answered`). */
  operatorId: string | null;
  /** The first contact's enqueue time: the caller's place in the line. */
  enqueuedAt: Date | null;
}

/** A registered call as the database knows it. */
export interface DurableCall {
  appealId: number;
  regNumber: string | null;
  /** The caller's number (the appeal's reply address), null when withheld. */
  number: string | null;
  /** The call's start (the interaction's time, from the channel's creation). */
  startedAt: Date;
  choice: MenuChoice;
  digit: string | null;
  /** Whether the call was already recorded (`meta.call` on its interaction). */
  recorded: boolean;
  call: ContactTrail | null;
  callback: ContactTrail | null;
}

export interface ContactEvent {
  type: string;
  aggregateId: string;
  data: Record<string, unknown>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The call id of a `call-<id>` / `call-<id>-r<n>` contact, or null. */
export function callIdOfContact(contactId: string): string | null {
  return /^call-(.+?)(?:-r\d+)?$/.exec(contactId)?.[1] ?? null;
}

/** The call id of a `cb-<id>` / `cb-<id>-r<n>` contact (a callback), or null. */
export function callIdOfCallback(contactId: string): string | null {
  return /^cb-(.+?)(?:-r\d+)?$/.exec(contactId)?.[1] ?? null;
}

/** The latest `call-…` and `cb-…` contacts of a call from routing's journal events (in journal order). */
export function contactTrails(events: readonly ContactEvent[], callId: string): { call: ContactTrail | null; callback: ContactTrail | null } {
  const trail = (prefix: 'call' | 'cb'): ContactTrail | null => {
    const re = new RegExp(`^${prefix}-${escape(callId)}(?:-r(\\d+))?$`);
    let latest: ContactTrail | null = null;
    let first: Date | null = null;
    for (const e of events) {
      const m = re.exec(e.aggregateId);
      if (!m) continue;
      const attempt = m[1] ? Number(m[1]) : 0;
      if (e.type === 'contact.queued') {
        const at = typeof e.data.enqueuedAt === 'string' ? new Date(e.data.enqueuedAt) : null;
        const when = at && !Number.isNaN(at.getTime()) ? at : null;
        if (attempt === 0 || !first) first = when ?? first;
        if (!latest || attempt >= latest.attempt) latest = { contactId: e.aggregateId, attempt, state: 'waiting', operatorId: null, enqueuedAt: null };
        continue;
      }
      if (!latest || latest.contactId !== e.aggregateId) continue;
      if (e.type === 'contact.answered') {
        latest.state = 'answered';
        latest.operatorId = e.data.operatorId !== undefined && e.data.operatorId !== null ? String(e.data.operatorId) : null;
      } else if (e.type === 'contact.requeued') {
        latest.state = 'waiting';
        latest.operatorId = null;
      } else if (e.type === 'contact.completed' || e.type === 'contact.abandoned' || e.type === 'contact.retired') {
        latest.state = 'ended';
      }
    }
    if (latest) latest.enqueuedAt = first;
    return latest;
  };
  return { call: trail('call'), callback: trail('cb') };
}

/** The menu choice of a call from its digit or its label (the appeal's subject), else the default. */
export function choiceOf(ivr: { menu: Record<string, MenuChoice>; defaultChoice: MenuChoice }, digit: string | null, label: string | null): MenuChoice {
  if (digit && ivr.menu[digit]) return ivr.menu[digit];
  return Object.values(ivr.menu).find((c) => c.label === label) ?? ivr.defaultChoice;
}
