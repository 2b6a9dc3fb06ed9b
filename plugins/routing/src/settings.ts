/**
 * Routing settings as stored: queues, the ordered assignment rules and the site tree they refer to.
 * Loaded at start and again whenever an administrator changes them (every node reloads on the
 * `routing.settingsChanged` broadcast). Also seeds default queues when there are none.
 */
import { Site, isUniqueViolation, type Database } from '@okno/core';
import { RoutingQueue, RoutingRule } from './entities.js';
import { QUEUE_DEFAULTS, ruleMatches, skillsOf, type QueueInput, type RuleInput, type WorkFacts } from './queue-config.js';
import type { Route } from './contact-book.js';

export interface StoredQueue extends QueueInput {
  id: number;
}

export interface StoredRule extends RuleInput {
  id: number;
}

export function queueInputOf(row: RoutingQueue): QueueInput {
  return {
    code: row.code, name: row.name, siteId: row.siteId, channels: row.channels, priority: row.priority, requirements: row.requirements, hours: row.hours,
    relax: row.relax, overflow: row.overflow, stickyWindowSeconds: row.stickyWindowSeconds, offerTimeoutSeconds: row.offerTimeoutSeconds,
    maxOffers: row.maxOffers, wrapUpSeconds: row.wrapUpSeconds, enabled: Boolean(row.enabled),
  };
}

export class RoutingSettings {
  queues = new Map<number, StoredQueue>();
  rules: StoredRule[] = [];
  sites = new Map<number, { id: number; parentId: number | null; kind: string; code: string }>();

  constructor(private readonly db: Database) {}

  async load(): Promise<this> {
    const [queues, rules, sites] = await this.db.read((em) => Promise.all([em.find(RoutingQueue), em.find(RoutingRule, { order: { position: 'ASC' } }), em.find(Site)]));
    this.queues = new Map(queues.map((q) => [q.id, { id: q.id, ...queueInputOf(q) }]));
    this.rules = rules.map((r) => ({ id: r.id, match: r.match, queueId: r.queueId, priority: r.priority, skills: r.skills }));
    this.sites = new Map(sites.map((s) => [s.id, { id: s.id, parentId: s.parentId, kind: s.kind, code: s.code }]));
    return this;
  }

  siteIds(): Set<number> {
    return new Set(this.sites.keys());
  }

  /** A site and every site above it. */
  siteChain(siteId: number | null): number[] {
    const out: number[] = [];
    for (let s = siteId === null ? undefined : this.sites.get(siteId); s && !out.includes(s.id); s = s.parentId === null ? undefined : this.sites.get(s.parentId)) out.push(s.id);
    return out;
  }

  /** The first rule that matches and whose queue is enabled and takes the channel. */
  route(facts: WorkFacts): Route | null {
    for (const r of this.rules) {
      const q = this.queues.get(r.queueId);
      if (!q?.enabled || !q.channels.includes(facts.channel) || !ruleMatches(r.match, facts)) continue;
      return { queueId: String(q.id), ...(r.priority !== null && r.priority !== undefined ? { priority: r.priority } : {}), ...(r.skills?.length ? { skills: skillsOf(r.skills) } : {}) };
    }
    return null;
  }

  /**
   * When there are no queues: a city queue taking every channel (the default rule's target) and one
   * queue per okrug (its rule matches the okrug and the districts below it), overflowing to the city
   * after two minutes or at once when nobody at the okrug can take the contact.
   */
  async seedDefaults(now: number): Promise<boolean> {
    const sites = [...this.sites.values()];
    const city = sites.find((s) => s.kind === 'city') ?? sites.find((s) => s.parentId === null);
    if (!city) return false;
    try {
      return await this.db.transaction(async (em) => {
        if ((await em.count(RoutingQueue)) > 0) return false;
        const make = (code: string, name: string, siteId: number, extra: Partial<QueueInput> = {}) =>
          em.save(RoutingQueue, Object.assign(new RoutingQueue(), { ...QUEUE_DEFAULTS, code, name, siteId, ...extra, updatedAt: now }));
        const cityQueue = await make('city', 'Город', city.id);
        const rules: Partial<RoutingRule>[] = [];
        for (const okrug of sites.filter((s) => s.kind === 'okrug' && s.parentId === city.id)) {
          const q = await make(`okrug-${okrug.code}`, `Округ ${okrug.code}`, okrug.id, { overflow: { afterSeconds: 120, toSites: [city.id], whenNobodyAtSite: true } });
          rules.push({ match: { siteIds: [okrug.id] }, queueId: q.id, priority: null, skills: [] });
        }
        rules.push({ match: {}, queueId: cityQueue.id, priority: null, skills: [] });
        await em.save(RoutingRule, rules.map((r, i) => Object.assign(new RoutingRule(), r, { position: i })));
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return false; // another node seeded at the same time
      throw err;
    }
  }
}
