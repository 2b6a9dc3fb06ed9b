/**
 * Demo history: weeks of past contacts written to the journal on a first demo start, so that reports,
 * forecasts and staffing plans have something to show. The contacts are events exactly as the
 * routing plugin journals them (contact.queued, then answered and completed, or abandoned), drawn
 * from a seeded generator (the same history every time) with what a city contact centre sees:
 * weekly and daily seasonality, quieter weekends and public holidays (from the business calendar),
 * impatient callers who hang up, long e-mail waits. Operators' states are not simulated, so history
 * has no occupancy. Demo only: a real installation starts with an empty journal.
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

/** The journal events of one local day, in order per contact. */
export function demoDay(date: string, o: DemoHistoryOptions, random: SeededRandom): JournalInput[] {
  const dayStart = o.calendar.startOfLocalDay(date).getTime();
  const weekday = (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
  const index = o.calendar.isWorkingDay(date) ? (WEEKDAY_INDEX[weekday] ?? DAY_OFF_INDEX) : DAY_OFF_INDEX;
  const events: JournalInput[] = [];
  let n = 0;
  for (const m of MODELS) {
    const count = random.poisson(m.perDay * index);
    for (let i = 0; i < count; i++) {
      const hour = arrivalHour(m, random);
      const queuedAt = dayStart + Math.round(hour * 3_600_000);
      const okrug = m.okrug ? o.okrugSites[Math.floor(random.next() * o.okrugSites.length)] : undefined;
      // Queue codes as the routing plugin's default queues name them.
      const place = okrug ? { queue: `okrug-${okrug.code}`, siteId: okrug.id } : { queue: 'city', siteId: o.citySiteId };
      events.push(...contactEvents(`demo-${date}-${++n}`, m, place, queuedAt, random));
    }
  }
  return events;
}

/** An arrival hour within the channel's opening hours, bell-shaped around its peak. */
function arrivalHour(m: ChannelModel, random: SeededRandom): number {
  for (;;) {
    const h = m.peak + random.normal() * ((m.open[1] - m.open[0]) / 4);
    if (h >= m.open[0] && h < m.open[1]) return h;
  }
}

function contactEvents(id: string, m: ChannelModel, { queue, siteId }: { queue: string; siteId: number }, queuedAt: number, random: SeededRandom): JournalInput[] {
  const base = { channel: m.channel, queue, siteId: String(siteId) };
  const event = (type: string, atMs: number, data: Record<string, unknown>): JournalInput => ({
    type, aggregateType: 'contact', aggregateId: id, siteId, actorId: null, at: new Date(atMs), data: { contactId: id, ...base, demo: true, ...data },
  });
  const out = [event('contact.queued', queuedAt, { priority: 0, enqueuedAt: new Date(queuedAt).toISOString(), skills: {} })];
  const wait = random.exponential(m.meanWait);
  const patience = m.patience === undefined ? Infinity : random.exponential(m.patience);
  if (patience < wait) {
    const waitedMs = Math.round(patience * 1000);
    out.push(event('contact.abandoned', queuedAt + waitedMs, { waitedMs }));
    return out;
  }
  const waitedMs = Math.round(wait * 1000);
  const operatorId = `demo-op-${1 + Math.floor(random.next() * 40)}`;
  const talkMs = Math.round((m.talk[0] + random.exponential(m.talk[1] - m.talk[0])) * 1000);
  const holdMs = m.channel === 'phone' && random.next() < 0.12 ? Math.round(random.exponential(40) * 1000) : 0;
  const wrapMs = Math.round((m.wrap[0] + random.exponential(m.wrap[1])) * 1000);
  const answeredAt = queuedAt + waitedMs;
  out.push(event('contact.answered', answeredAt, { offerId: `${id}-o`, operatorId, waitedMs }));
  out.push(event('contact.completed', answeredAt + talkMs + holdMs + wrapMs, { operatorId, talkMs, holdMs, wrapMs }));
  return out;
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
