/** Names for the keys reports group by: sites, services, organisations and queues by id (sites and queues by code too), channels by their label. */
import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { api, routingAdmin } from '../services.ts';
import type { Site } from '../api/types.ts';
import { useAsync } from './async.ts';
import { keyLabel } from '../logic/reports.ts';

export function useDimensionNames() {
  const { t, te } = useI18n();
  const lists = useAsync(async () => {
    const [sites, services, organisations, queues] = await Promise.all([
      api.get<Site[]>('/sites').catch(() => []),
      api.get<{ id: number; name: string }[]>('/services').catch(() => []),
      api.get<{ id: number; name: string }[]>('/organisations').catch(() => []),
      // Queues come from the routing plugin (none without it; supervisors and admins may read them).
      routingAdmin.queues().then((q) => q ?? [], () => []),
    ]);
    return { sites, services, organisations, queues };
  });
  const maps = computed(() => {
    const l = lists.data.value;
    const site = new Map<string, string>();
    for (const s of l?.sites ?? []) {
      site.set(String(s.id), s.name);
      site.set(s.code, s.name);
    }
    const queue = new Map<string, string>();
    for (const q of l?.queues ?? []) {
      queue.set(String(q.id), q.name);
      queue.set(q.code, q.name);
    }
    return {
      site,
      queue,
      service: new Map((l?.services ?? []).map((s) => [String(s.id), s.name])),
      organisation: new Map((l?.organisations ?? []).map((o) => [String(o.id), o.name])),
    };
  });
  /** A key of a dimension in words. */
  function label(dim: string, key: string): string {
    if (dim === 'channel') return key === '-' ? t('reports.unknown') : te(`channel.${key}`) ? t(`channel.${key}`) : key;
    if (dim === 'all') return t('reports.total');
    const names = (maps.value as Record<string, Map<string, string>>)[dim] ?? new Map<string, string>();
    return keyLabel(key, names, t('reports.unknown'));
  }
  return { label };
}
