/**
 * A synthetic day at a city contact centre (Monday 2 March 2026, Moscow time) written to the real
 * journal with appendJournal, with every figure worked out by hand in EXPECTED below.
 *
 * Contacts (T = 20 s, short abandon < 5 s, availability ≤ 90 s):
 *   C1 phone/general/site 1, appeal A1 (service 10): queued 09:00:00, answered +10 s, completed 09:05:10 (talk 240, hold 20, wrap 40 s)
 *   C8 phone/general/site 1: queued 09:00:30, answered +20 s (exactly T: within), completed 09:04:00 (talk 150 s)
 *   C2 phone/general/site 1, appeal A3 (service 10): queued 09:02:00, answered +45 s, completed 09:10:00 (talk 300, wrap 60 s)
 *   C3 phone/general/site 1: queued 09:05:00, abandoned after 3 s (short)
 *   C4 phone/general/site 1: queued 09:14:00, abandoned 09:15:30 after 90 s
 *   C5 phone/general/site 1: queued 09:20:00, overflowed to site 2 and queued there again 09:21:00 (not a second offer),
 *      answered 09:21:40 after 100 s, completed 09:30:00 (talk 400, hold 30, wrap 50 s)
 *   C6 chat/chat/site 2, appeal A5 (no service): queued 09:31:00, answered +5 s, completed 09:40:00 (talk 500, wrap 10 s)
 *   C7 phone/general/site 1: queued 17:50:00, still waiting at 18:00
 * Operators: op1 (site 1) ready 08:55, busy 09:00:10, wrap-up 09:04:50, ready 09:05:10, paused 09:45, logged out 10:00;
 *            op2 (site 2) ready 09:30, busy 09:31:05, wrap-up 09:39:55, ready 09:40 (still ready at 18:00).
 * Appeals: A1 phone registered 08:50 (service 10, org 100, topic ЖКХ), answered 11:00 on time;
 *          A2 fax received 09:05 (service 11, org 101, topic Транспорт), registered 09:40, redirected to org 102 at 12:00 on time;
 *          A3 e-mail received 20 Feb (service 10, ЖКХ), registered today 10:00 late, extended 13:00;
 *          A4 registered 10 Jan, answer due 9 Feb, still open (overdue now);
 *          A5 portal registered 09:10 (no service, no topic), closed "consulted" 15:00 (answered on time);
 *          A6 received 20 Feb, due for registration 25 Feb, never registered (registration overdue now).
 */
import { appendJournal, type Database, type JournalInput } from '@okno/core';

export const DAY = '2026-03-02';
export const TIME_ZONE = 'Europe/Moscow';
/** Local time on the synthetic day (Moscow is UTC+3) as epoch ms. */
export const at = (hms: string, date = DAY): number => Date.parse(`${date}T${hms}+03:00`);
export const iso = (hms: string, date = DAY): string => new Date(at(hms, date)).toISOString();
/** "Now" for the live figures: 18:00 on the day. */
export const NOW = at('18:00:00');

type Ev = JournalInput & { at: Date };

const contact = (type: string, id: string, when: string, data: Record<string, unknown>, siteId = 1): Ev => ({
  type, aggregateType: 'contact', aggregateId: id, siteId, at: new Date(at(when)), data: { contactId: id, ...data },
});
const phone = { channel: 'phone', queue: 'general', siteId: '1' };
const queued = (id: string, when: string, extra: Record<string, unknown> = {}) =>
  contact('contact.queued', id, when, { ...phone, priority: 0, enqueuedAt: iso(when), skills: {}, ...extra });
const answered = (id: string, when: string, waitedMs: number, extra: Record<string, unknown> = {}) =>
  contact('contact.answered', id, when, { ...phone, offerId: `o-${id}`, operatorId: 'op1', waitedMs, ...extra });
const completed = (id: string, when: string, talkMs: number, holdMs: number, wrapMs: number, extra: Record<string, unknown> = {}) =>
  contact('contact.completed', id, when, { ...phone, operatorId: 'op1', talkMs, holdMs, wrapMs, ...extra });
const abandoned = (id: string, when: string, waitedMs: number) => contact('contact.abandoned', id, when, { ...phone, waitedMs });
const operator = (id: string, siteId: string, when: string, from: string, to: string): Ev => ({
  type: 'operator.state_changed', aggregateType: 'operator', aggregateId: id, siteId: Number(siteId), at: new Date(at(when)),
  data: { operatorId: id, siteId, from, to, reason: null, at: iso(when) },
});
const appeal = (type: string, id: number, when: number, siteId: number, data: Record<string, unknown> = {}): Ev => ({
  type, aggregateType: 'appeal', aggregateId: id, siteId, at: new Date(when), data: { appealId: id, ...data },
});
const days = (n: number) => n * 86_400_000;
/** Appeal ids well above a demo database's. */
const [A1, A2, A3, A4, A5, A6] = [9001, 9002, 9003, 9004, 9005, 9006];

export function syntheticDay(): Ev[] {
  const chat = { channel: 'chat', queue: 'chat', siteId: '2' };
  return [
    // Before the day: A3 and A6 received, A4 registered long ago.
    appeal('appeal.received', A3, at('10:00:00', '2026-02-20'), 1, { channel: 'email', serviceId: 10, organisationId: 100, topic: 'ЖКХ', registerBy: iso('10:00:00', '2026-02-25'), receivedAt: iso('10:00:00', '2026-02-20') }),
    appeal('appeal.received', A6, at('11:00:00', '2026-02-20'), 2, { channel: 'fax', serviceId: 11, organisationId: 101, topic: 'Транспорт', registerBy: iso('11:00:00', '2026-02-25'), receivedAt: iso('11:00:00', '2026-02-20') }),
    appeal('appeal.registered', A4, at('12:00:00', '2026-01-10'), 1, {
      channel: 'email', serviceId: 10, organisationId: 100, topic: 'ЖКХ', registeredAt: iso('12:00:00', '2026-01-10'), registerBy: iso('12:00:00', '2026-01-13'), answerBy: iso('12:00:00', '2026-02-09'),
    }),
    // The day.
    appeal('appeal.registered', A1, at('08:50:00'), 1, { channel: 'phone', serviceId: 10, organisationId: 100, topic: 'ЖКХ', registeredAt: iso('08:50:00'), registerBy: new Date(at('08:50:00') + days(3)).toISOString(), answerBy: new Date(at('08:50:00') + days(30)).toISOString() }),
    operator('op1', '1', '08:55:00', 'logged_out', 'ready'),
    queued('C1', '09:00:00', { appealId: A1 }),
    answered('C1', '09:00:10', 10_000),
    operator('op1', '1', '09:00:10', 'ready', 'busy'),
    queued('C8', '09:00:30'),
    answered('C8', '09:00:50', 20_000, { operatorId: 'op3' }),
    queued('C2', '09:02:00', { appealId: A3 }),
    answered('C2', '09:02:45', 45_000, { operatorId: 'op4' }),
    completed('C8', '09:04:00', 150_000, 0, 0, { operatorId: 'op3' }),
    operator('op1', '1', '09:04:50', 'busy', 'wrap_up'),
    queued('C3', '09:05:00'),
    appeal('appeal.received', A2, at('09:05:00'), 2, { channel: 'fax', serviceId: 11, organisationId: 101, topic: 'Транспорт', registerBy: new Date(at('09:05:00') + days(3)).toISOString(), receivedAt: iso('09:05:00') }),
    abandoned('C3', '09:05:03', 3_000),
    operator('op1', '1', '09:05:10', 'wrap_up', 'ready'),
    completed('C1', '09:05:10', 240_000, 20_000, 40_000),
    appeal('appeal.registered', A5, at('09:10:00'), 2, { channel: 'portal', serviceId: null, organisationId: null, topic: null, registeredAt: iso('09:10:00'), answerBy: new Date(at('09:10:00') + days(30)).toISOString() }),
    completed('C2', '09:10:00', 300_000, 0, 60_000, { operatorId: 'op4' }),
    queued('C4', '09:14:00'),
    abandoned('C4', '09:15:30', 90_000),
    queued('C5', '09:20:00'),
    contact('contact.overflowed', 'C5', '09:21:00', { queue: 'general', fromSiteId: '1', toSiteId: '2', waitedMs: 60_000 }),
    queued('C5', '09:21:00', { siteId: '2' }),
    operator('op2', '2', '09:30:00', 'logged_out', 'ready'),
    answered('C5', '09:21:40', 100_000, { siteId: '2', operatorId: 'op5' }),
    completed('C5', '09:30:00', 400_000, 30_000, 50_000, { siteId: '2', operatorId: 'op5' }),
    contact('contact.queued', 'C6', '09:31:00', { ...chat, appealId: A5, priority: 0, enqueuedAt: iso('09:31:00'), skills: {} }, 2),
    contact('contact.answered', 'C6', '09:31:05', { ...chat, offerId: 'o-C6', operatorId: 'op2', waitedMs: 5_000 }, 2),
    operator('op2', '2', '09:31:05', 'ready', 'busy'),
    appeal('appeal.registered', A2, at('09:40:00'), 2, { channel: 'fax', serviceId: 11, registeredAt: iso('09:40:00'), lateRegistration: false, answerBy: new Date(at('09:40:00') + days(30)).toISOString() }),
    operator('op2', '2', '09:39:55', 'busy', 'wrap_up'),
    operator('op2', '2', '09:40:00', 'wrap_up', 'ready'),
    contact('contact.completed', 'C6', '09:40:00', { ...chat, operatorId: 'op2', talkMs: 500_000, holdMs: 0, wrapMs: 10_000 }, 2),
    operator('op1', '1', '09:45:00', 'ready', 'paused'),
    appeal('appeal.registered', A3, at('10:00:00'), 1, { channel: 'email', serviceId: 10, registeredAt: iso('10:00:00'), lateRegistration: true, answerBy: new Date(at('10:00:00') + days(30)).toISOString() }),
    operator('op1', '1', '10:00:00', 'paused', 'logged_out'),
    appeal('appeal.answered', A1, at('11:00:00'), 1, { interactionId: 11, channel: 'phone', onTime: true }),
    appeal('appeal.redirected', A2, at('12:00:00'), 2, { organisationId: 102, fromOrganisationId: 101, onTime: true }),
    appeal('appeal.extended', A3, at('13:00:00'), 1, { days: 30, previousAnswerBy: new Date(at('10:00:00') + days(30)).toISOString(), answerBy: new Date(at('10:00:00') + days(60)).toISOString() }),
    appeal('appeal.closed', A5, at('15:00:00'), 2, { outcome: 'consulted', wrapUpCode: null, answeredOnTime: null }),
    queued('C7', '17:50:00'),
  ];
}

/** Writes the synthetic day to the journal, one transaction per event (as the real writers do). */
export async function writeSyntheticDay(db: Database): Promise<void> {
  for (const e of syntheticDay()) await db.transaction((em) => appendJournal(em, e));
}

/** The figures of the day, worked out by hand from the list above. */
export const EXPECTED = {
  contacts: {
    // offered C1–C8; answered C1 C2 C5 C6 C8; within 20 s: C1 C6 C8; within 90 s: C1 C2 C6 C8; abandoned C3 (short) C4.
    all: {
      offered: 8, answered: 5, abandoned: 2, shortAbandoned: 1, overflowed: 1, handled: 5,
      serviceLevel: 3 / 6, availability: 4 / 6, abandonRate: 1 / 6,
      asaSeconds: (10 + 20 + 45 + 100 + 5) / 5, averageAbandonSeconds: (3 + 90) / 2,
      // handle times: C1 300, C8 150, C2 360, C5 480, C6 510 s
      ahtSeconds: (300 + 150 + 360 + 480 + 510) / 5, maxWaitSeconds: 100,
      // op1: ready 310 + 2390, busy 280, wrap 20; op2 (closed spans): ready 65, busy 530, wrap 5
      occupancy: (280 + 20 + 530 + 5) / (310 + 2390 + 280 + 20 + 65 + 530 + 5),
    },
    byChannel: { phone: { offered: 7, answered: 4, serviceLevel: 2 / 5 }, chat: { offered: 1, answered: 1, serviceLevel: 1 } },
    byQueue: { general: { offered: 7, answered: 4 }, chat: { offered: 1, answered: 1 } },
    bySite: { '1': { offered: 7, answered: 4, overflowed: 1 }, '2': { offered: 1, answered: 1 } },
    byService: { '10': { offered: 2, answered: 2, ahtSeconds: (300 + 360) / 2 }, '-': { offered: 6, answered: 3 } },
    /** 15-minute intervals (local start → figures). */
    intervals15: {
      '08:45': { offered: 0, occupancy: 0 },
      '09:00': { offered: 5, answered: 3, abandoned: 1, shortAbandoned: 1, handled: 3, serviceLevel: 2 / 3, ahtSeconds: (300 + 150 + 360) / 3, occupancy: 300 / 900 },
      '09:15': { offered: 1, answered: 1, abandoned: 1, shortAbandoned: 0, overflowed: 1, serviceLevel: 0, asaSeconds: 100, maxWaitSeconds: 100 },
      '09:30': { offered: 1, answered: 1, handled: 2, serviceLevel: 1, ahtSeconds: (480 + 510) / 2 },
      '17:45': { offered: 1, answered: 0, serviceLevel: null },
    },
    intervals30: { '09:00': { offered: 6, answered: 4, abandoned: 2, shortAbandoned: 1, serviceLevel: 2 / 5 }, '09:30': { offered: 1, answered: 1, serviceLevel: 1 } },
    intervals60: { '09:00': { offered: 7, answered: 5, serviceLevel: 3 / 6, handled: 5 } },
  },
  live: {
    waitingNow: 1, longestWaitSeconds: 600,
    operators: { ready: 1, busy: 0, wrap_up: 0, paused: 0 },
    // op2 ready since 09:40 until 18:00 adds 30,000 s of ready time
    occupancyToday: (280 + 20 + 530 + 5) / (310 + 2390 + 280 + 20 + 65 + 530 + 5 + 30_000),
  },
  appeals: {
    all: { received: 3, registered: 4, registeredLate: 1, answered: 2, answeredOnTime: 2, redirected: 1, redirectedOnTime: 1, extended: 1, closed: 1, overdueNow: 1, registrationOverdueNow: 1 },
    byTopic: { 'ЖКХ': { received: 1, registered: 2, registeredLate: 1, answered: 1, extended: 1, overdueNow: 1 }, 'Транспорт': { received: 1, registered: 1, redirected: 1, registrationOverdueNow: 1 }, '-': { received: 1, registered: 1, answered: 1, closed: 1 } },
    byService: { '10': { registered: 2, answered: 1 }, '11': { registered: 1, redirected: 1 }, '-': { registered: 1, answered: 1 } },
    byChannel: { phone: { registered: 1, answered: 1 }, fax: { received: 1, registered: 1 }, email: { registered: 1, received: 0 }, portal: { registered: 1, closed: 1 } },
    redirections: [{ fromOrganisationId: '101', toOrganisationId: '102', redirected: 1, redirectedOnTime: 1 }],
    before: { '2026-02-20': { received: 2 }, '2026-01-10': { received: 1, registered: 1 } },
  },
};
