/**
 * Names for the ids reporting keys its figures by (sites, services, organisations), read from the
 * core's registry, for the REST answers and the exports. Queue, channel and topic keys are names
 * already.
 */
import { Organisation, Service, Site, type Database } from '@okno/core';
import { UNKNOWN } from './counters.js';

export type LabelledDim = 'site' | 'service' | 'organisation';

export class Labels {
  private constructor(private readonly names: Record<LabelledDim, Map<string, string>>) {}

  static async load(db: Database): Promise<Labels> {
    return db.read(async (em) => {
      const [sites, services, organisations] = await Promise.all([
        em.find(Site, { select: { id: true, name: true } }),
        em.find(Service, { select: { id: true, name: true } }),
        em.find(Organisation, { select: { id: true, name: true, shortName: true } }),
      ]);
      return new Labels({
        site: new Map(sites.map((s) => [String(s.id), s.name])),
        service: new Map(services.map((s) => [String(s.id), s.name])),
        organisation: new Map(organisations.map((o) => [String(o.id), o.shortName ?? o.name])),
      });
    });
  }

  /** Whether the key of a labelled dimension is a known id (other dimensions need no names). */
  knows(dim: string, key: string): boolean {
    const names = (this.names as Record<string, Map<string, string> | undefined>)[dim];
    return !names || key === UNKNOWN || names.has(key);
  }

  /** The name of a key in a dimension (the key itself when it is not an id or the id is unknown). */
  of(dim: string, key: string): string {
    if (key === UNKNOWN) return '—';
    if (dim === 'all') return 'Всего';
    return (this.names as Record<string, Map<string, string> | undefined>)[dim]?.get(key) ?? key;
  }
}

/**
 * The live view's labels, kept between pushes (a push every second or two would otherwise read the
 * registry each time): read again when older than `maxAgeMs`, or at once when a figure names an id
 * they do not know (a site or service added since) — once: an id still unknown after that read (a
 * deleted site still in the counters) waits for the labels to go stale like the rest. Callers at the
 * same time share one read.
 */
export class LabelCache {
  private labels: Labels | null = null;
  private loadedAt = -Infinity;
  /** Ids asked for and not found by the last read ("dim|key"). */
  private missing = new Set<string>();
  private loading: Promise<Labels> | null = null;
  /** Registry reads so far (for tests). */
  loads = 0;

  constructor(
    private readonly db: Database,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async for(keys: Iterable<{ dim: string; key: string }>): Promise<Labels> {
    const asked = [...keys];
    const fresh = this.labels && this.now() - this.loadedAt < this.maxAgeMs;
    if (fresh && asked.every((k) => this.labels!.knows(k.dim, k.key) || this.missing.has(`${k.dim}|${k.key}`))) return this.labels!;
    this.loading ??= Labels.load(this.db).finally(() => (this.loading = null));
    const labels = await this.loading;
    if (labels !== this.labels) {
      this.labels = labels;
      this.loadedAt = this.now();
      this.loads++;
      this.missing = new Set();
    }
    for (const k of asked) if (!labels.knows(k.dim, k.key)) this.missing.add(`${k.dim}|${k.key}`);
    return labels;
  }
}
