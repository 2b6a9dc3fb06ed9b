/**
 * Queue settings and assignment rules as administrators edit them over REST (seconds, site ids,
 * weekly hours), their validation (422 naming every wrong field) and their translation into the
 * engine's QueueConfig (milliseconds, site ids as strings, holidays from the business calendar).
 */
import { invalid } from '@okno/core';
import { CHANNELS, MAX_PROFICIENCY, MIN_PROFICIENCY, WEEKDAYS, WeeklyHours, type Channel, type QueueConfig, type Weekday } from './engine/index.js';

export interface SkillRequirement {
  skill: string;
  min: number;
}

export interface RelaxStep {
  afterSeconds: number;
  maxLevel: number;
}

export interface QueueOverflow {
  afterSeconds: number;
  toSites: number[] | '*';
  whenNobodyAtSite: boolean;
}

export interface QueueHours {
  timeZone: string;
  week: Partial<Record<Weekday, [string, string][]>>;
  /** Closed on the days the core's business calendar marks as holidays. */
  holidays: boolean;
}

/** A queue as the REST API shows and takes it (without id and stats). */
export interface QueueInput {
  code: string;
  name: string;
  siteId: number;
  channels: Channel[];
  priority: number;
  requirements: SkillRequirement[];
  hours: QueueHours | null;
  relax: RelaxStep[];
  overflow: QueueOverflow | null;
  stickyWindowSeconds: number;
  offerTimeoutSeconds: number;
  maxOffers: number;
  wrapUpSeconds: number;
  enabled: boolean;
}

export interface RuleMatch {
  channels?: Channel[];
  serviceIds?: number[];
  organisationIds?: number[];
  siteIds?: number[];
}

export interface RuleInput {
  id?: number;
  match: RuleMatch;
  queueId: number;
  priority?: number | null;
  skills?: SkillRequirement[];
}

/** What the rules see of incoming work. */
export interface WorkFacts {
  channel: Channel;
  serviceId: number | null;
  organisationId: number | null;
  /** The appeal's site and the sites above it (a district matches its okrug's rule). */
  siteIds: readonly number[];
}

export const QUEUE_DEFAULTS: Omit<QueueInput, 'code' | 'name' | 'siteId'> = {
  channels: [...CHANNELS],
  priority: 0,
  requirements: [],
  hours: null,
  relax: [],
  overflow: null,
  stickyWindowSeconds: 0,
  offerTimeoutSeconds: 20,
  maxOffers: 0,
  wrapUpSeconds: 30,
  enabled: true,
};

const DAY = 86_400;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const SKILL = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;

type Problems = [string, string][];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

function intField(p: Problems, field: string, v: unknown, min: number, max: number): number {
  if (!isInt(v, min, max)) p.push([field, `must be an integer from ${min} to ${max}`]);
  return v as number;
}

function requirements(p: Problems, field: string, v: unknown): SkillRequirement[] {
  if (!Array.isArray(v)) {
    p.push([field, 'must be a list of { skill, min }']);
    return [];
  }
  const seen = new Set<string>();
  return v.map((r, i) => {
    const f = `${field}[${i}]`;
    if (!isObj(r)) {
      p.push([f, 'must be { skill, min }']);
      return { skill: '', min: 1 };
    }
    if (typeof r.skill !== 'string' || !SKILL.test(r.skill)) p.push([`${f}.skill`, 'must be a skill code (letters, digits, _ . -)']);
    else if (seen.has(r.skill)) p.push([`${f}.skill`, `${r.skill} is listed twice`]);
    seen.add(String(r.skill));
    intField(p, `${f}.min`, r.min, MIN_PROFICIENCY, MAX_PROFICIENCY);
    return { skill: String(r.skill), min: r.min as number };
  });
}

function channels(p: Problems, field: string, v: unknown, optional: boolean): Channel[] | undefined {
  if (v === undefined && optional) return undefined;
  if (!Array.isArray(v) || (!optional && v.length === 0) || v.some((c) => !CHANNELS.includes(c as Channel)) || new Set(v).size !== v.length) {
    p.push([field, `must be a list of distinct channels from ${CHANNELS.join(', ')}${optional ? '' : ' (at least one)'}`]);
    return [];
  }
  return v as Channel[];
}

function ids(p: Problems, field: string, v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => !isInt(x, 1, 2 ** 31 - 1))) {
    p.push([field, 'must be a list of ids']);
    return [];
  }
  return v as number[];
}

function hours(p: Problems, v: unknown): QueueHours | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) {
    p.push(['hours', 'must be { timeZone, week, holidays } or null']);
    return null;
  }
  const timeZone = v.timeZone;
  try {
    if (typeof timeZone !== 'string') throw new Error();
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    p.push(['hours.timeZone', 'must be an IANA time zone such as Europe/Moscow']);
  }
  const week: QueueHours['week'] = {};
  if (!isObj(v.week)) p.push(['hours.week', `must map weekdays (${WEEKDAYS.join(', ')}) to [["08:00","20:00"], ...]`]);
  else {
    for (const [day, ranges] of Object.entries(v.week)) {
      const f = `hours.week.${day}`;
      if (!WEEKDAYS.includes(day as Weekday)) {
        p.push([f, `unknown weekday; use ${WEEKDAYS.join(', ')}`]);
        continue;
      }
      if (!Array.isArray(ranges) || ranges.some((r) => !Array.isArray(r) || r.length !== 2 || !TIME.test(String(r[0])) || !TIME.test(String(r[1])) || String(r[0]) >= String(r[1]))) {
        p.push([f, 'must be a list of ["HH:MM","HH:MM"] ranges, each ending after it starts (24:00 ends the day)']);
        continue;
      }
      week[day as Weekday] = ranges.map((r: string[]) => [r[0]!, r[1]!]);
    }
  }
  if (v.holidays !== undefined && typeof v.holidays !== 'boolean') p.push(['hours.holidays', 'must be true or false']);
  return { timeZone: String(timeZone), week, holidays: v.holidays !== false };
}

function relax(p: Problems, v: unknown): RelaxStep[] {
  if (!Array.isArray(v)) {
    p.push(['relax', 'must be a list of { afterSeconds, maxLevel }']);
    return [];
  }
  const out = v.map((r, i) => {
    if (!isObj(r)) {
      p.push([`relax[${i}]`, 'must be { afterSeconds, maxLevel }']);
      return { afterSeconds: 0, maxLevel: 1 };
    }
    intField(p, `relax[${i}].afterSeconds`, r.afterSeconds, 1, DAY);
    intField(p, `relax[${i}].maxLevel`, r.maxLevel, MIN_PROFICIENCY, MAX_PROFICIENCY - 1);
    return { afterSeconds: r.afterSeconds as number, maxLevel: r.maxLevel as number };
  });
  for (let i = 1; i < out.length; i++) {
    if (!(out[i]!.afterSeconds > out[i - 1]!.afterSeconds && out[i]!.maxLevel < out[i - 1]!.maxLevel)) {
      p.push([`relax[${i}]`, 'each step must come later and lower the level further than the one before']);
    }
  }
  return out;
}

function overflow(p: Problems, v: unknown): QueueOverflow | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) {
    p.push(['overflow', 'must be { afterSeconds, toSites, whenNobodyAtSite } or null']);
    return null;
  }
  intField(p, 'overflow.afterSeconds', v.afterSeconds, 0, DAY);
  const toSites = v.toSites === '*' ? '*' : ids(p, 'overflow.toSites', v.toSites ?? null);
  if (v.whenNobodyAtSite !== undefined && typeof v.whenNobodyAtSite !== 'boolean') p.push(['overflow.whenNobodyAtSite', 'must be true or false']);
  return { afterSeconds: v.afterSeconds as number, toSites: toSites ?? [], whenNobodyAtSite: v.whenNobodyAtSite !== false };
}

/**
 * Checks a queue from the API; `base` fills what an update leaves out. Throws a 422 naming every
 * field that is wrong. `knownSites` are the existing site ids.
 */
export function checkQueue(body: unknown, base: QueueInput | null, knownSites: ReadonlySet<number>): QueueInput {
  const p: Problems = [];
  if (!isObj(body)) throw invalid(['body', 'must be a queue object']);
  const v = { ...(base ?? QUEUE_DEFAULTS), ...body } as Record<string, unknown>;
  if (typeof v.code !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(v.code)) p.push(['code', 'must be 1-64 letters, digits, _ or - (unique)']);
  if (typeof v.name !== 'string' || !v.name.trim() || v.name.length > 200) p.push(['name', 'must be 1-200 characters']);
  if (!isInt(v.siteId, 1, 2 ** 31 - 1) || !knownSites.has(v.siteId)) p.push(['siteId', 'must be the id of an existing site']);
  const q: QueueInput = {
    code: String(v.code),
    name: String(v.name ?? '').trim(),
    siteId: v.siteId as number,
    channels: channels(p, 'channels', v.channels, false)!,
    priority: intField(p, 'priority', v.priority, -100, 100),
    requirements: requirements(p, 'requirements', v.requirements),
    hours: hours(p, v.hours),
    relax: relax(p, v.relax),
    overflow: overflow(p, v.overflow),
    stickyWindowSeconds: intField(p, 'stickyWindowSeconds', v.stickyWindowSeconds, 0, 30 * DAY),
    offerTimeoutSeconds: intField(p, 'offerTimeoutSeconds', v.offerTimeoutSeconds, 5, 600),
    maxOffers: intField(p, 'maxOffers', v.maxOffers, 0, 100),
    wrapUpSeconds: intField(p, 'wrapUpSeconds', v.wrapUpSeconds, 0, 3600),
    enabled: v.enabled as boolean,
  };
  if (typeof v.enabled !== 'boolean') p.push(['enabled', 'must be true or false']);
  const sites = q.overflow?.toSites;
  if (Array.isArray(sites)) sites.forEach((s, i) => knownSites.has(s) || p.push([`overflow.toSites[${i}]`, `site ${s} does not exist`]));
  for (const k of Object.keys(body)) if (!(k in QUEUE_DEFAULTS) && !['code', 'name', 'siteId', 'id', 'stats'].includes(k)) p.push([k, 'is not a queue setting']);
  if (p.length) throw invalid(...p);
  return q;
}

/** Checks the whole ordered rule list. */
export function checkRules(body: unknown, queueIds: ReadonlySet<number>, knownSites: ReadonlySet<number>): RuleInput[] {
  if (!Array.isArray(body)) throw invalid(['rules', 'must be the ordered list of rules']);
  if (body.length > 1000) throw invalid(['rules', 'at most 1000 rules']);
  const p: Problems = [];
  const rules = body.map((r, i): RuleInput => {
    const f = `rules[${i}]`;
    if (!isObj(r) || !isObj(r.match)) {
      p.push([`${f}.match`, 'each rule needs match: { channels?, serviceIds?, organisationIds?, siteIds? }']);
      return { match: {}, queueId: 0 };
    }
    const m = r.match;
    for (const k of Object.keys(m)) if (!['channels', 'serviceIds', 'organisationIds', 'siteIds'].includes(k)) p.push([`${f}.match.${k}`, 'unknown condition']);
    const match: RuleMatch = {};
    const ch = channels(p, `${f}.match.channels`, m.channels, true);
    if (ch) match.channels = ch;
    for (const k of ['serviceIds', 'organisationIds', 'siteIds'] as const) {
      const list = ids(p, `${f}.match.${k}`, m[k]);
      if (list) match[k] = list;
    }
    (match.siteIds ?? []).forEach((s, j) => knownSites.has(s) || p.push([`${f}.match.siteIds[${j}]`, `site ${s} does not exist`]));
    if (!isInt(r.queueId, 1, 2 ** 31 - 1) || !queueIds.has(r.queueId)) p.push([`${f}.queueId`, 'must be the id of an existing queue']);
    if (r.priority !== undefined && r.priority !== null) intField(p, `${f}.priority`, r.priority, -100, 100);
    const skills = r.skills === undefined ? [] : requirements(p, `${f}.skills`, r.skills);
    return { match, queueId: r.queueId as number, priority: (r.priority as number | null | undefined) ?? null, skills };
  });
  if (p.length) throw invalid(...p);
  return rules;
}

/** Whether a rule takes this work: every condition given must hold. */
export function ruleMatches(match: RuleMatch, w: WorkFacts): boolean {
  if (match.channels && !match.channels.includes(w.channel)) return false;
  if (match.serviceIds && (w.serviceId === null || !match.serviceIds.includes(w.serviceId))) return false;
  if (match.organisationIds && (w.organisationId === null || !match.organisationIds.includes(w.organisationId))) return false;
  if (match.siteIds && !match.siteIds.some((s) => w.siteIds.includes(s))) return false;
  return true;
}

export const skillsOf = (reqs: readonly SkillRequirement[]): Record<string, number> => Object.fromEntries(reqs.map((r) => [r.skill, r.min]));

/** The engine's form of a queue. `closedOn` names holidays (the core's business calendar). */
export function engineQueue(id: number, q: QueueInput, closedOn: (localDate: string) => boolean): QueueConfig {
  return {
    id: String(id),
    siteId: String(q.siteId),
    channels: q.channels,
    skills: skillsOf(q.requirements),
    defaultPriority: q.priority,
    ...(q.hours ? { hours: new WeeklyHours({ timeZone: q.hours.timeZone, week: q.hours.week, ...(q.hours.holidays ? { closedOn } : {}) }) } : {}),
    relax: q.relax.map((r) => ({ afterMs: r.afterSeconds * 1000, maxLevel: r.maxLevel })),
    ...(q.overflow ? { overflow: { afterMs: q.overflow.afterSeconds * 1000, toSites: q.overflow.toSites === '*' ? '*' : q.overflow.toSites.map(String), whenNobodyAtSite: q.overflow.whenNobodyAtSite } } : {}),
    stickyWindowMs: q.stickyWindowSeconds * 1000,
    offerTimeoutMs: q.offerTimeoutSeconds * 1000,
    maxOffers: q.maxOffers,
    wrapUpMs: q.wrapUpSeconds * 1000,
  };
}
