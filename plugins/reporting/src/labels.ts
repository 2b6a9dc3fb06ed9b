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

  /** The name of a key in a dimension (the key itself when it is not an id or the id is unknown). */
  of(dim: string, key: string): string {
    if (key === UNKNOWN) return '—';
    if (dim === 'all') return 'Всего';
    return (this.names as Record<string, Map<string, string> | undefined>)[dim]?.get(key) ?? key;
  }
}
