/**
 * Demo history: weeks of past contacts written to the journal on a first demo start, so that reports,
 * forecasts and staffing plans have something to show. The contacts are events exactly as the
 * routing plugin journals them (contact.queued, then answered and completed, or abandoned), drawn
 * from a seeded generator (the same history every time) with what a city contact centre sees:
 * weekly and daily seasonality, quieter weekends and public holidays (from the business calendar),
 * impatient callers who hang up, long e-mail waits — and the operators who answer: each team (the
 * city's phone and chat, each okrug's back office) is staffed by shift for the work that arrives, so
 * waits, abandons and occupancy come out of the same queue, and operators' states (ready, busy,
 * wrap-up, a break, logged out) are journaled too. Demo only: a real installation starts with an
 * empty journal.
 */
import { SeededRandom, appendJournal, type BusinessCalendar, type Database, type JournalInput } from '@okno/core';

export interface DemoHistoryOptions {
  /** Days of history before `now`'s local day. */
  days: number;
  now: Date;
  calendar: BusinessCalendar;
  /** The city site (phone and chat are answered there) and the okrug sites (e-mail, portal, fax). */
  citySiteId: number;
  okrugSites: { id: number; code: string }[];
  seed?: number;
}

/** One channel of the demo: its daily volume on a working Wednesday and how its contacts behave (seconds). */
interface ChannelModel {
  channel: 'phone' | 'chat' | 'email' | 'portal' | 'fax';
  perDay: number;
  /** Hours of the day arrivals fall in, and the hour they peak. */
  open: [number, number];
  peak: number;
  meanWait: number;
  /** Mean patience; undefined: never abandoned (deferred work). */
  patience?: number;
  talk: [min: number, mean: number];
  wrap: [min: number, mean: number];
  /** Okrug queues (one per okrug site) rather than the city's. */
  okrug: boolean;
}

const MODELS: ChannelModel[] = [
  { channel: 'phone', perDay: 420, open: [8, 20], peak: 11, meanWait: 12, patience: 150, talk: [45, 150], wrap: [10, 20], okrug: false },
  { channel: 'chat', perDay: 70, open: [8, 20], peak: 14, meanWait: 35, patience: 400, talk: [90, 260], wrap: [15, 20], okrug: false },
  { channel: 'email', perDay: 110, open: [0, 24], peak: 12, meanWait: 2 * 3600, talk: [120, 300], wrap: [20, 30], okrug: true },
  { channel: 'portal', perDay: 60, open: [0, 24], peak: 15, meanWait: 3 * 3600, talk: [120, 240], wrap: [20, 30], okrug: true },
  { channel: 'fax', perDay: 12, open: [8, 18], peak: 10, meanWait: 4 * 3600, talk: [180, 240], wrap: [30, 30], okrug: true },
];

/** Monday first: the share of a Wednesday's volume on each working weekday. */
const WEEKDAY_INDEX = [1.18, 1.06, 1, 0.98, 0.88];
/** A weekend or public holiday's share of a Wednesday's. */
const DAY_OFF_INDEX = 0.38;

/** Where a contact waits: its queue (as the routing plugin's default queues name them) and site. */
interface Place {
  queue: string;
  siteId: number;
}

interface Arrival {
  id: string;
  model: ChannelModel;
  place: Place;
  queuedAt: number;
}

/** One operator's day: a shift, a break, and the contacts handled, each as [busy from, wrap-up from, ready again]. */
interface OperatorDay {
  operatorId: string;
  siteId: number;
  start: number;
  end: number;
  breakAt: number;
  breakEnd: number;
  freeAt: number;
  jobs: [number, number, number][];
}

const HOUR = 3_600_000;
/** Shifts, local hours: the city's phone and chat team and the okrugs' back offices work 08–14 and 14–20. */
const SHIFTS = [{ from: 8, to: 14 }, { from: 14, to: 20 }];
/** Staff is planned for this average occupancy over a shift, which leaves room for the peak. */
const PLANNED_OCCUPANCY = 0.5;
const BREAK_MS = 30 * 60_000;

/** The journal events of one local day, in time order: contacts and the operators who answer them. */
export function demoDay(date: string, o: DemoHistoryOptions, random: SeededRandom): JournalInput[] {
  const dayStart = o.calendar.startOfLocalDay(date).getTime();
  const weekday = (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
  const index = o.calendar.isWorkingDay(date) ? (WEEKDAY_INDEX[weekday] ?? DAY_OFF_INDEX) : DAY_OFF_INDEX;
  const teams = new Map<string, Arrival[]>();
  let n = 0;
  for (const m of MODELS) {
    const count = random.poisson(m.perDay * index);
    for (let i = 0; i < count; i++) {
      const hour = arrivalHour(m, random);
      const okrug = m.okrug ? o.okrugSites[Math.floor(random.next() * o.okrugSites.length)] : undefined;
      const place = okrug ? { queue: `okrug-${okrug.code}`, siteId: okrug.id } : { queue: 'city', siteId: o.citySiteId };
      const team = teams.get(place.queue) ?? [];
      team.push({ id: `demo-${date}-${++n}`, model: m, place, queuedAt: dayStart + Math.round(hour * HOUR) });
      teams.set(place.queue, team);
    }
  }
  const events: JournalInput[] = [];
  for (const [queue, arrivals] of teams) events.push(...teamDay(queue, arrivals, dayStart, random));
  // Stable: a contact's or an operator's events keep their order where times are equal.
  return events.sort((a, b) => a.at!.getTime() - b.at!.getTime());
}

/** An arrival hour within the channel's opening hours, bell-shaped around its peak. */
function arrivalHour(m: ChannelModel, random: SeededRandom): number {
  for (;;) {
    const h = m.peak + random.normal() * ((m.open[1] - m.open[0]) / 4);
    if (h >= m.open[0] && h < m.open[1]) return h;
  }
}

const meanHandleMs = (m: ChannelModel) => (m.talk[1] + m.wrap[0] + m.wrap[1] + (m.channel === 'phone' ? 0.12 * 40 : 0)) * 1000;

/**
 * One team's day as a queue: shifts staffed for the work that arrives in them, each contact taken
 * by the operator free soonest once it may be picked up (its channel's usual delay), abandoned when
 * the caller's patience runs out first; an operator takes a half-hour break mid-shift, and stays
 * past the shift's end (overtime) for work nobody else can start before theirs.
 */
function teamDay(queue: string, arrivals: Arrival[], dayStart: number, random: SeededRandom): JournalInput[] {
  const siteId = arrivals[0]!.place.siteId;
  const ops: OperatorDay[] = [];
  for (const shift of SHIFTS) {
    const start = dayStart + shift.from * HOUR;
    const end = dayStart + shift.to * HOUR;
    const work = arrivals.filter((a) => a.queuedAt >= start && a.queuedAt < end).reduce((sum, a) => sum + meanHandleMs(a.model), 0);
    const staff = Math.max(1, Math.ceil(work / ((end - start) * PLANNED_OCCUPANCY)));
    for (let k = 0; k < staff; k++) {
      const breakAt = start + (end - start) / 2 + (k % 3) * BREAK_MS;
      ops.push({ operatorId: `demo-${queue}-${shift.from}-${k + 1}`, siteId, start, end, breakAt, breakEnd: breakAt + BREAK_MS, freeAt: start, jobs: [] });
    }
  }
  const drawn = arrivals.map((a) => ({ a, earliest: a.queuedAt + Math.round(random.exponential(a.model.meanWait) * 1000), patience: a.model.patience === undefined ? Infinity : random.exponential(a.model.patience) * 1000 }));
  drawn.sort((x, y) => x.earliest - y.earliest);
  const events: JournalInput[] = [];
  for (const { a, earliest, patience } of drawn) {
    const talkMs = Math.round((a.model.talk[0] + random.exponential(a.model.talk[1] - a.model.talk[0])) * 1000);
    const holdMs = a.model.channel === 'phone' && random.next() < 0.12 ? Math.round(random.exponential(40) * 1000) : 0;
    const wrapMs = Math.round((a.model.wrap[0] + random.exponential(a.model.wrap[1])) * 1000);
    const { op, at } = soonest(ops, earliest, talkMs + holdMs + wrapMs) ?? afterHours(earliest);
    const contact = contactEvent(a);
    events.push(contact('contact.queued', a.queuedAt, { priority: 0, enqueuedAt: new Date(a.queuedAt).toISOString(), skills: {} }));
    if (at - a.queuedAt > patience) {
      events.push(contact('contact.abandoned', a.queuedAt + Math.round(patience), { waitedMs: Math.round(patience) }));
      continue;
    }
    const waitedMs = at - a.queuedAt;
    const done = at + talkMs + holdMs + wrapMs;
    op.jobs.push([at, at + talkMs + holdMs, done]);
    op.freeAt = done;
    events.push(contact('contact.answered', at, { offerId: `${a.id}-o`, operatorId: op.operatorId, waitedMs }));
    events.push(contact('contact.completed', done, { operatorId: op.operatorId, talkMs, holdMs, wrapMs }));
  }
  for (const op of ops) events.push(...operatorEvents(op));
  return events;

  /**
   * Work nobody can start before the last shift ends: the phone team finishes its queue (overtime
   * for the operator whose shift ends last); a back office's mail waits for the next morning, when
   * an operator takes the night's work first (demo-<queue>-next-morning, from 08:00).
   */
  function afterHours(earliest: number): { op: OperatorDay; at: number } {
    if (queue === 'city') {
      const late = ops.reduce((x, y) => (y.end > x.end || (y.end === x.end && y.freeAt < x.freeAt) ? y : x));
      return { op: late, at: Math.max(earliest, late.freeAt, late.breakEnd) };
    }
    let carry = ops.find((o) => o.operatorId.endsWith('-next-morning'));
    if (!carry) {
      const start = dayStart + 32 * HOUR;
      carry = { operatorId: `demo-${queue}-next-morning`, siteId, start, end: start + HOUR, breakAt: Infinity, breakEnd: Infinity, freeAt: start, jobs: [] };
      ops.push(carry);
    }
    return { op: carry, at: Math.max(earliest, carry.freeAt) };
  }
}

/** The operator who can start a piece of work of `ms` soonest after `earliest` within their shift (around their break), if anyone can. */
function soonest(ops: OperatorDay[], earliest: number, ms: number): { op: OperatorDay; at: number } | null {
  let best: { op: OperatorDay; at: number } | null = null;
  for (const op of ops) {
    let at = Math.max(earliest, op.freeAt, op.start);
    if (at < op.breakEnd && at + ms > op.breakAt) at = Math.max(at, op.breakEnd);
    if (at < op.end && (!best || at < best.at)) best = { op, at };
  }
  return best;
}

/** A contact's journal events, as the routing plugin writes them. */
function contactEvent(a: Arrival) {
  const base = { channel: a.model.channel, queue: a.place.queue, siteId: String(a.place.siteId) };
  return (type: string, atMs: number, data: Record<string, unknown>): JournalInput => ({
    type, aggregateType: 'contact', aggregateId: a.id, siteId: a.place.siteId, actorId: null, at: new Date(atMs), data: { contactId: a.id, ...base, demo: true, ...data },
  });
}

/** An operator's states over the day, as the routing plugin journals them: ready, busy, wrap-up, paused for the break, logged out after the last piece of work. */
function operatorEvents(op: OperatorDay): JournalInput[] {
  const changes: [number, string, string?][] = [[op.start, 'ready']];
  // The break goes in before the first job after it (jobs never overlap it), or after the last job.
  let breakDue = op.breakAt < Math.max(op.end, op.freeAt);
  const takeBreak = () => {
    changes.push([op.breakAt, 'paused', 'break'], [op.breakEnd, 'ready']);
    breakDue = false;
  };
  for (const [busy, wrap, ready] of op.jobs) {
    if (breakDue && busy >= op.breakEnd) takeBreak();
    changes.push([busy, 'busy'], [wrap, 'wrap_up'], [ready, 'ready']);
  }
  if (breakDue) takeBreak();
  changes.push([Math.max(op.end, op.freeAt), 'logged_out', 'shift-end']);
  let from = 'logged_out';
  return changes.map(([atMs, to, reason]) => {
    const e: JournalInput = {
      type: 'operator.state_changed', aggregateType: 'operator', aggregateId: op.operatorId, siteId: op.siteId, actorId: null, at: new Date(atMs),
      data: { operatorId: op.operatorId, from, to, ...(reason ? { reason } : {}), at: new Date(atMs).toISOString(), siteId: op.siteId, demo: true },
    };
    from = to;
    return e;
  });
}

/** Writes the history, a day per transaction, oldest first. Returns how many contacts and events. */
export async function writeDemoHistory(db: Database, o: DemoHistoryOptions, progress?: (day: string) => void): Promise<{ days: number; contacts: number; events: number }> {
  const random = new SeededRandom(o.seed ?? 20260302);
  const today = o.calendar.localDate(o.now);
  let contacts = 0;
  let events = 0;
  for (let d = o.days; d >= 1; d--) {
    const date = addDays(today, -d);
    const day = demoDay(date, o, random);
    await db.transaction(async (em) => {
      for (const e of day) await appendJournal(em, e);
    });
    contacts += day.filter((e) => e.type === 'contact.queued').length;
    events += day.length;
    progress?.(date);
  }
  return { days: o.days, contacts, events };
}

function addDays(date: string, n: number): string {
  const t = new Date(`${date}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}
