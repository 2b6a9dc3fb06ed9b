/**
 * A simulated working day for the routing engine: three sites, six channels, business hours,
 * shifts with breaks, operators who accept, reject or miss offers, callers who give up and ask for
 * a callback, follow-ups for the operator who handled the appeal before. Traffic comes from a
 * seeded PRNG and time from a ManualClock, so a day runs in seconds and the same seed gives the
 * same day.
 *
 * Every step is checked against the rules, computed here from what the simulation itself set up
 * (queue rules, operator profiles, who is logged in) rather than read back from the engine:
 * no contact held by two operators, capacity and voice exclusivity, skills at the relaxed minimum,
 * overflow not before its wait (or nobody at the site), queues open. Priorities are checked at each
 * decision against every waiting contact the operator could take (by the engine's executable
 * eligibility rules, ineligibility()), which the indexed decision must agree with.
 */
import { WeeklyHours } from '../business-hours.js';
import { ManualClock } from '../clock.js';
import { RoutingEngine, type Decision } from '../engine.js';
import { IndexedHeap } from '../heap.js';
import type { RoutingStrategy } from '../strategy.js';
import { CHANNELS, DEFAULT_POLICY, type Channel, type OperatorProfile, type QueueConfig, type RoutingEvent } from '../types.js';
import { prng } from './fixture.js';

const H = 3_600_000;
const MIN = 60_000;
/** Monday 2025-03-03 00:00 Moscow. */
export const DAY_START = Date.UTC(2025, 2, 2, 21, 0, 0);
const TOPICS = ['housing', 'transport', 'social', 'tax', 'law'] as const;

interface QueuePlan {
  config: QueueConfig;
  /** Open hours [from, to) in hours after midnight, Monday. */
  open: [number, number];
  /** Arrivals per hour at the peak, per channel. */
  rates: Partial<Record<Channel, number>>;
  /** Callers give up after this mean wait (voice, chat); others never do. */
  patienceMs?: number;
}

const hours = (from: number, to: number) => new WeeklyHours({ timeZone: 'Europe/Moscow', week: { mon: [[`${String(from).padStart(2, '0')}:00`, `${String(to).padStart(2, '0')}:00`]] } });
const relax = [
  { afterMs: 60_000, maxLevel: 2 },
  { afterMs: 120_000, maxLevel: 1 },
];

function plans(): QueuePlan[] {
  const q = (config: Omit<QueueConfig, 'hours'>, open: [number, number], rates: QueuePlan['rates'], patienceMs?: number): QueuePlan => ({
    config: { ...config, hours: hours(open[0], open[1]) },
    open,
    rates,
    ...(patienceMs !== undefined ? { patienceMs } : {}),
  });
  return [
    q({ id: 'city-voice', siteId: 'city', channels: ['voice', 'callback'], relax, overflow: { afterMs: 90_000, toSites: ['okrug-north'] }, stickyWindowMs: 60_000, offerTimeoutMs: 15_000, maxOffers: 2, wrapUpMs: 20_000 }, [8, 20], { voice: 70 }, 150_000),
    q({ id: 'north-voice', siteId: 'okrug-north', channels: ['voice', 'callback'], relax, overflow: { afterMs: 120_000, toSites: '*' }, offerTimeoutMs: 15_000, wrapUpMs: 20_000 }, [8, 20], { voice: 40 }, 150_000),
    q({ id: 'd7-voice', siteId: 'district-7', channels: ['voice', 'callback'], relax, overflow: { afterMs: 60_000, toSites: ['okrug-north', 'city'] }, offerTimeoutMs: 15_000, wrapUpMs: 20_000 }, [8, 20], { voice: 20 }, 150_000),
    q({ id: 'chat', siteId: 'city', channels: ['chat'], relax, overflow: { afterMs: 180_000, toSites: '*' }, stickyWindowMs: 120_000, offerTimeoutMs: 20_000, wrapUpMs: 10_000 }, [9, 21], { chat: 40 }, 300_000),
    q({ id: 'backoffice', siteId: 'city', channels: ['email', 'fax', 'portal'], relax: [{ afterMs: 30 * MIN, maxLevel: 1 }], overflow: { afterMs: 2 * H, toSites: ['okrug-north'] }, offerTimeoutMs: 60_000, wrapUpMs: 30_000, maxOffers: 3, escalation: { priorityBoost: 2 } }, [9, 18], { email: 35, fax: 5, portal: 20 }),
    q({ id: 'north-mail', siteId: 'okrug-north', channels: ['email', 'portal'], relax: [{ afterMs: 30 * MIN, maxLevel: 1 }], offerTimeoutMs: 60_000, wrapUpMs: 30_000 }, [8, 17], { email: 15, portal: 10 }),
  ];
}

interface OperatorPlan {
  profile: OperatorProfile;
  shift: [number, number];
}

function operators(rand: () => number): OperatorPlan[] {
  const out: OperatorPlan[] = [];
  const skills = (n: number, excluding: string[] = []) => {
    const pool = TOPICS.filter((s) => !excluding.includes(s));
    const picked: Record<string, number> = {};
    while (Object.keys(picked).length < Math.min(n, pool.length)) picked[pool[Math.floor(rand() * pool.length)] as string] = 1 + Math.floor(rand() * 5);
    return picked;
  };
  const add = (site: string, kind: 'blended' | 'voice' | 'office', n: number, excluding: string[] = []) => {
    for (let i = 0; i < n; i++) {
      const capacity: Partial<Record<Channel, number>> =
        kind === 'voice' ? { chat: 0, email: 0, fax: 0, portal: 0 } : kind === 'office' ? { voice: 0, callback: 0, chat: 0 } : { email: 0, fax: 0, portal: 0 };
      const early = rand() < 0.5;
      out.push({ profile: { id: `${site}-${kind}-${i}`, siteId: site, skills: skills(2 + Math.floor(rand() * 3), excluding), capacity }, shift: early ? [7.75, 16.5] : [11.5, 20.25] });
    }
  };
  add('city', 'blended', 12);
  add('city', 'voice', 6);
  add('city', 'office', 6);
  add('okrug-north', 'blended', 8);
  add('okrug-north', 'voice', 4);
  add('okrug-north', 'office', 4);
  add('district-7', 'voice', 5, ['transport']); // nobody at district 7 handles transport: such calls overflow at once
  return out;
}

/** Traffic over the day: quiet night, morning and afternoon peaks. */
function load(hour: number): number {
  if (hour < 7 || hour >= 22) return 0.1;
  if (hour < 9) return 0.5;
  if (hour < 12) return 1;
  if (hour < 14) return 0.7;
  if (hour < 17) return 0.9;
  return 0.5;
}

interface SimEvent {
  at: number;
  seq: number;
  heapPos: number;
  run: () => void;
}

export interface DaySummary {
  steps: number;
  decisionsChecked: number;
  queued: number;
  answered: number;
  completed: number;
  abandoned: number;
  overflowed: number;
  relaxedOffers: number;
  stickyOffers: number;
  callbacksQueued: number;
  callbacksAnswered: number;
  escalated: number;
  missedPauses: number;
  rejected: number;
  expired: number;
  waitingAtEnd: number;
  lost: string[];
  byChannel: Record<string, { queued: number; answered: number; abandoned: number }>;
  /** Longest wait of an answered voice call, ms. */
  maxVoiceWaitMs: number;
}

export interface DayResult {
  summary: DaySummary;
  violations: string[];
  /** The whole event log, for comparing two runs. */
  log: string;
}

export function simulateDay(seed: number, { checkPriorities = true, strategy }: { checkPriorities?: boolean; strategy?: RoutingStrategy } = {}): DayResult {
  const rand = prng(seed);
  const exp = (mean: number) => -Math.log(1 - rand()) * mean;
  const clock = new ManualClock(DAY_START);
  const queuePlans = plans();
  const queueById = new Map(queuePlans.map((p) => [p.config.id, p]));
  const opPlans = operators(rand);
  const profiles = new Map(opPlans.map((o) => [o.profile.id, o.profile]));
  const capacity = (id: string): Record<Channel, number> => ({ ...DEFAULT_POLICY.capacity, ...profiles.get(id)?.capacity });
  const violations: string[] = [];
  const fail = (msg: string) => {
    if (violations.length < 50) violations.push(`${new Date(clock.now()).toISOString()} ${msg}`);
  };

  // What the simulation knows, independently of the engine.
  const contacts = new Map<string, { channel: Channel; queueId: string; site: string; topic: string; level: number; enqueuedAt: number; preferred?: string }>();
  const loggedIn = new Set<string>();
  const holds = new Map<string, { contactId: string; channel: Channel; offerId: string; state: 'offered' | 'assigned' | 'wrapping' }>(); // by offerId
  const holderOf = new Map<string, string>(); // contactId -> offerId
  const refusedBy = new Map<string, Set<string>>(); // contactId -> operators who rejected/missed it
  const handledBy = new Map<string, string>(); // appeal -> last operator
  const summary: DaySummary = {
    steps: 0,
    decisionsChecked: 0,
    queued: 0,
    answered: 0,
    completed: 0,
    abandoned: 0,
    overflowed: 0,
    relaxedOffers: 0,
    stickyOffers: 0,
    callbacksQueued: 0,
    callbacksAnswered: 0,
    escalated: 0,
    missedPauses: 0,
    rejected: 0,
    expired: 0,
    waitingAtEnd: 0,
    lost: [],
    byChannel: Object.fromEntries(CHANNELS.map((c) => [c, { queued: 0, answered: 0, abandoned: 0 }])),
    maxVoiceWaitMs: 0,
  };
  const log: string[] = [];

  const sim = new IndexedHeap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  let seq = 0;
  const at = (t: number, run: () => void) => sim.push({ at: t, seq: seq++, heapPos: -1, run });

  const opening = (queueId: string) => DAY_START + (queueById.get(queueId)?.open[0] ?? 0) * H;
  const isOpenNow = (queueId: string) => {
    const p = queueById.get(queueId);
    const h = (clock.now() - DAY_START) / H;
    return p !== undefined && h >= p.open[0] && h < p.open[1];
  };
  const routingWait = (contactId: string) => {
    const c = contacts.get(contactId);
    return c ? clock.now() - Math.max(c.enqueuedAt, opening(c.queueId)) : 0;
  };
  const relaxedCap = (queueId: string, waited: number) => {
    let cap = 5;
    for (const r of queueById.get(queueId)?.config.relax ?? []) if (waited >= r.afterMs) cap = Math.min(cap, r.maxLevel);
    return cap;
  };
  const canEverTake = (opId: string, c: { channel: Channel; topic: string }) => capacity(opId)[c.channel] > 0 && (profiles.get(opId)?.skills[c.topic] ?? 0) >= 1;

  /** Checked before every offer, with the engine as the decision saw it. */
  const onDecision = (d: Decision) => {
    summary.decisionsChecked++;
    const c = contacts.get(d.contactId);
    const o = profiles.get(d.operatorId);
    const plan = c && queueById.get(c.queueId);
    if (!c || !o || !plan) return fail(`decision for unknown ${d.contactId}/${d.operatorId}`);
    if (!isOpenNow(c.queueId)) fail(`${c.queueId} is closed, yet ${d.contactId} is offered`);
    if (!loggedIn.has(o.id)) fail(`${o.id} is not logged in`);
    const waited = routingWait(d.contactId);
    const prof = o.skills[c.topic] ?? 0;
    const preferredHold =
      c.preferred === o.id && (plan.config.stickyWindowMs ?? 0) > waited && !(refusedBy.get(d.contactId)?.has(o.id) ?? false) && o.siteId === c.site;
    const need = preferredHold ? 1 : Math.min(c.level, relaxedCap(c.queueId, waited));
    if (prof < need) fail(`${o.id} (${c.topic} ${prof}) offered ${d.contactId} needing ${c.topic} ${need} after ${waited} ms`);
    if (prof < c.level) summary.relaxedOffers++;
    if (preferredHold) summary.stickyOffers++;
    if (o.siteId !== c.site) {
      const ov = plan.config.overflow;
      const nobody = ![...loggedIn].some((id) => profiles.get(id)?.siteId === c.site && canEverTake(id, c));
      if (!ov || (ov.toSites !== '*' && !ov.toSites.includes(o.siteId))) fail(`${d.contactId} of ${c.site} offered to ${o.siteId}: no overflow there`);
      else if (waited < ov.afterMs && !(nobody && ov.whenNobodyAtSite !== false)) fail(`${d.contactId} overflowed to ${o.siteId} after ${waited} ms < ${ov.afterMs}`);
    }
    if (checkPriorities && d.by === 'operator') checkPriority(d);
  };

  /** No contact the operator could take now ranks above the chosen one. */
  const checkPriority = (d: Decision) => {
    const chosen = engine.contact(d.contactId);
    const room = new Set(engine.operator(d.operatorId)?.availableFor ?? []);
    if (!chosen) return;
    for (const w of engine.waiting()) {
      if (w.id === chosen.id || !room.has(w.channel) || engine.ineligibility(w.id, d.operatorId) !== undefined) continue;
      if (w.priority > chosen.priority || (w.priority === chosen.priority && w.enqueuedAt < chosen.enqueuedAt)) {
        fail(`${d.operatorId} given ${chosen.id} (p${chosen.priority}, ${chosen.enqueuedAt}) before ${w.id} (p${w.priority}, ${w.enqueuedAt})`);
      }
    }
  };

  const onEvent = (e: RoutingEvent) => {
    log.push(JSON.stringify(e));
    switch (e.type) {
      case 'contact.queued':
        summary.queued++;
        summary.byChannel[e.channel]!.queued++;
        if (e.channel === 'callback') summary.callbacksQueued++;
        break;
      case 'contact.offered': {
        if (holderOf.has(e.contactId)) fail(`${e.contactId} offered to ${e.operatorId} while held by ${holderOf.get(e.contactId)}`);
        holderOf.set(e.contactId, e.offerId);
        holds.set(e.offerId, { contactId: e.contactId, channel: e.channel, offerId: e.offerId, state: 'offered' });
        checkRoom(e.operatorId);
        reactToOffer(e.operatorId, e.offerId, e.contactId);
        break;
      }
      case 'contact.offer_rejected':
      case 'contact.offer_expired':
      case 'contact.offer_withdrawn':
        release(e.offerId, e.contactId);
        if (e.type !== 'contact.offer_withdrawn') {
          let set = refusedBy.get(e.contactId);
          if (!set) refusedBy.set(e.contactId, (set = new Set()));
          set.add(e.operatorId);
          if (e.type === 'contact.offer_rejected') summary.rejected++;
          else summary.expired++;
        }
        break;
      case 'contact.answered': {
        const h = holds.get(e.offerId);
        if (!h || h.state !== 'offered') fail(`${e.contactId} answered without an open offer`);
        else h.state = 'assigned';
        summary.answered++;
        summary.byChannel[e.channel]!.answered++;
        if (e.channel === 'callback') summary.callbacksAnswered++;
        if (e.channel === 'voice') summary.maxVoiceWaitMs = Math.max(summary.maxVoiceWaitMs, e.waitedMs);
        const mean = { voice: 4 * MIN, callback: 3 * MIN, chat: 8 * MIN, email: 6 * MIN, fax: 7 * MIN, portal: 5 * MIN }[e.channel];
        at(clock.now() + Math.max(20_000, exp(mean)), () => {
          const now = engine.contact(e.contactId);
          if (now?.state === 'assigned' && now.offerId === e.offerId) engine.complete(e.contactId); // unless requeued since
        });
        handledBy.set(e.contactId.replace(/^(cb-|fu-)+/, ''), e.operatorId);
        break;
      }
      case 'contact.completed':
        release(e.offerId, e.contactId);
        summary.completed++;
        break;
      case 'contact.requeued':
        release(e.offerId, e.contactId);
        break;
      case 'contact.abandoned':
        summary.abandoned++;
        summary.byChannel[e.channel]!.abandoned++;
        break;
      case 'contact.overflowed':
        summary.overflowed++;
        break;
      case 'contact.escalated':
        summary.escalated++;
        break;
      case 'operator.state_changed':
        if ((e.to === 'logged_out') === loggedIn.has(e.operatorId)) fail(`${e.operatorId} ${e.to} disagrees with the simulation's login record`);
        if (e.reason === 'missed-offers') {
          summary.missedPauses++;
          at(clock.now() + 5 * MIN, () => engine.operator(e.operatorId)?.state === 'paused' && engine.resume(e.operatorId));
        }
        break;
      case 'contact.taken_elsewhere':
      case 'contact.accept_failed':
      case 'routing.store_error':
        fail(`unexpected on one node: ${JSON.stringify(e)}`);
        break;
    }
    if (e.type === 'contact.answered' || e.type === 'contact.completed') checkRoom(e.operatorId);
  };

  const release = (offerId: string, contactId: string) => {
    if (holderOf.get(contactId) === offerId) holderOf.delete(contactId);
    holds.delete(offerId);
  };

  /** Capacity per channel and voice exclusivity, from the events alone. */
  const checkRoom = (operatorId: string) => {
    const mine = [...holds.values()].filter((h) => engine.operator(operatorId)?.contacts.some((w) => w.offerId === h.offerId));
    const cap = capacity(operatorId);
    for (const ch of CHANNELS) {
      const n = mine.filter((h) => h.channel === ch).length;
      if (n > cap[ch]) fail(`${operatorId} holds ${n} ${ch} contacts, capacity ${cap[ch]}`);
    }
    const exclusive = mine.filter((h) => h.channel === 'voice' || h.channel === 'callback');
    if (exclusive.length > 0 && mine.length > 1) fail(`${operatorId} holds ${mine.map((h) => `${h.channel}:${h.contactId}`).join(', ')} beside a call`);
  };

  /** Operators mostly accept after a few seconds; some reject; some let the offer time out. */
  const reactToOffer = (operatorId: string, offerId: string, contactId: string) => {
    const r = rand();
    const still = () => engine.operator(operatorId)?.contacts.some((w) => w.offerId === offerId && w.state === 'offered');
    if (r < 0.05) return; // missed: the offer times out
    if (r < 0.09) return void at(clock.now() + 2_000 + rand() * 5_000, () => still() && engine.reject(offerId));
    at(clock.now() + 1_000 + rand() * 7_000, () => {
      if (still()) engine.accept(offerId);
      void contactId;
    });
  };

  const engine = new RoutingEngine({
    clock,
    queues: queuePlans.map((p) => p.config),
    operators: opPlans.map((o) => o.profile),
    policy: { maxMissedOffers: 2, skipMs: 2 * MIN },
    ...(strategy ? { strategy } : {}),
    onEvent,
    onDecision,
  });

  // Traffic: Poisson arrivals per queue and channel, thinned by the load profile.
  let n = 0;
  for (const p of queuePlans) {
    for (const [ch, peak] of Object.entries(p.rates) as [Channel, number][]) {
      const realTime = ch === 'voice' || ch === 'chat';
      for (let t = DAY_START + exp(H / peak); t < DAY_START + 24 * H; t += exp(H / peak)) {
        const hour = (t - DAY_START) / H;
        if (rand() >= load(hour)) continue;
        if (realTime && (hour < p.open[0] || hour >= p.open[1])) continue; // the IVR / chat widget says "closed"
        const id = `${ch}-${++n}`;
        at(t, () => arrive(id, p, ch));
      }
    }
  }

  const arrive = (id: string, p: QueuePlan, ch: Channel, keep?: { enqueuedAt: number; topic: string; level: number; availableAt?: number }) => {
    const topic = keep?.topic ?? (TOPICS[Math.floor(rand() * TOPICS.length)] as string);
    const level = keep?.level ?? [1, 1, 2, 2, 2, 3, 3, 4][Math.floor(rand() * 8)]!;
    const now = clock.now();
    const followUp = !keep && (ch === 'voice' || ch === 'chat') && rand() < 0.15 ? [...handledBy.entries()][Math.floor(rand() * handledBy.size)] : undefined;
    const contactId = followUp ? `fu-${id}` : id;
    const preferred = followUp?.[1];
    const priority = (ch === 'voice' || ch === 'callback' ? 2 : ch === 'chat' ? 1 : 0) + (rand() < 0.05 ? 3 : 0);
    contacts.set(contactId, { channel: ch, queueId: p.config.id, site: p.config.siteId, topic, level, enqueuedAt: keep?.enqueuedAt ?? now, ...(preferred ? { preferred } : {}) });
    engine.enqueue({
      id: contactId,
      channel: ch,
      queueId: p.config.id,
      priority,
      skills: { [topic]: level },
      appealId: `A-${id}`,
      ...(keep ? { enqueuedAt: keep.enqueuedAt } : {}),
      ...(keep?.availableAt !== undefined ? { availableAt: keep.availableAt } : {}),
      ...(preferred ? { preferredOperator: { operatorId: preferred, until: now + 24 * H } } : {}),
    });
    if (p.patienceMs && ch !== 'callback') {
      at(now + exp(p.patienceMs), () => {
        const state = engine.contact(contactId)?.state;
        if (state !== 'waiting' && state !== 'offered') return;
        engine.abandon(contactId);
        if (ch === 'voice' && rand() < 0.4 && isOpenNow(p.config.id)) {
          // The caller leaves a callback request: it keeps the call's place in line.
          const c = contacts.get(contactId)!;
          const later = rand() < 0.3 ? { availableAt: clock.now() + 30 * MIN } : {};
          arrive(`cb-${contactId}`, p, 'callback', { enqueuedAt: c.enqueuedAt, topic: c.topic, level: c.level, ...later });
        }
      });
    }
  };

  // Shifts: login, breaks, lunch, end of shift (stop taking work, log out when done).
  for (const o of opPlans) {
    const [from, to] = o.shift;
    const id = o.profile.id;
    at(DAY_START + from * H + rand() * 10 * MIN, () => {
      loggedIn.add(id); // before the call: the operator may get work during it
      engine.login(id);
    });
    for (const breakAt of [from + 2, from + 4.5, from + 6.5]) {
      const len = breakAt === from + 4.5 ? 30 * MIN : 10 * MIN;
      const t = DAY_START + breakAt * H + rand() * 20 * MIN;
      at(t, () => engine.operator(id)?.state !== 'logged_out' && engine.operator(id)?.state !== 'paused' && engine.pause(id, len > 10 * MIN ? 'lunch' : 'break'));
      at(t + len, () => engine.operator(id)?.pausedReason === (len > 10 * MIN ? 'lunch' : 'break') && engine.resume(id));
    }
    const end = DAY_START + to * H;
    at(end, () => engine.operator(id)?.state !== 'logged_out' && engine.operator(id)?.state !== 'paused' && engine.pause(id, 'end-of-shift'));
    const leave = (tries: number) => () => {
      const s = engine.operator(id);
      if (!s || s.state === 'logged_out') return;
      if (s.contacts.length === 0 || tries === 0) {
        loggedIn.delete(id);
        engine.logout(id, { requeue: true });
      }
      else at(clock.now() + MIN, leave(tries - 1));
    };
    at(end + MIN, leave(30));
  }

  // The day, step by step: whichever comes first, the simulation's next event or the engine's timer.
  const end = DAY_START + 24 * H;
  for (;;) {
    const next = sim.peek();
    const wake = engine.nextWakeAt() ?? Infinity;
    const t = Math.min(next?.at ?? Infinity, wake);
    if (t >= end) break;
    if (t > clock.now()) clock.set(t);
    if (next && next.at <= wake) {
      sim.pop();
      next.run();
    } else {
      engine.tick();
    }
    summary.steps++;
  }
  clock.set(end);
  engine.tick();

  // Nothing lost: every contact is completed, abandoned or still known to the engine.
  const finished = new Set<string>();
  for (const line of log) {
    const e = JSON.parse(line) as RoutingEvent;
    if (e.type === 'contact.completed' || e.type === 'contact.abandoned') finished.add(e.contactId);
  }
  for (const id of contacts.keys()) if (!finished.has(id) && !engine.contact(id)) summary.lost.push(id);
  summary.waitingAtEnd = engine.waiting().length;
  return { summary, violations, log: log.join('\n') };
}
