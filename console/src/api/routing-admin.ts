/**
 * The routing plugin's administration and supervision API (plugins/routing/src/routing.service.ts):
 *
 *   GET    /api/routing/queues             supervisor, admin: queues with settings and live stats
 *   POST   /api/routing/queues             admin
 *   PUT    /api/routing/queues/:id         admin (fields left out keep their values)
 *   DELETE /api/routing/queues/:id         admin; 409 while rules point at it or contacts are in it
 *   GET    /api/routing/rules              admin (ordered, first match wins)
 *   PUT    /api/routing/rules              admin: the whole ordered list
 *   GET    /api/routing/operators          supervisor, admin
 *   PUT    /api/routing/operators/:userId  admin { capacity: { <channel>: n } }
 *   GET    /api/routing/contacts?queueId=  supervisor, admin: waiting contacts
 *
 * Every read answers null when the plugin is not installed (404 on the route).
 */
import { ApiError, type ApiClient } from './http.ts';

export const ROUTING_CHANNELS = ['voice', 'chat', 'email', 'fax', 'portal', 'callback'] as const;
export type RoutingChannel = (typeof ROUTING_CHANNELS)[number];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface SkillRequirement {
  skill: string;
  min: number;
}

export interface QueueSettings {
  code: string;
  name: string;
  siteId: number;
  channels: RoutingChannel[];
  priority: number;
  requirements: SkillRequirement[];
  hours: { timeZone: string; week: Partial<Record<Weekday, [string, string][]>>; holidays: boolean } | null;
  relax: { afterSeconds: number; maxLevel: number }[];
  overflow: { afterSeconds: number; toSites: number[] | '*'; whenNobodyAtSite: boolean } | null;
  stickyWindowSeconds: number;
  offerTimeoutSeconds: number;
  maxOffers: number;
  wrapUpSeconds: number;
  enabled: boolean;
}

export interface RoutingQueue extends QueueSettings {
  id: number;
  stats: { waiting: number; longestWaitSeconds: number; offered: number; assigned: number };
}

export interface RoutingRule {
  id?: number;
  match: { channels?: RoutingChannel[]; serviceIds?: number[]; organisationIds?: number[]; siteIds?: number[] };
  queueId: number;
  priority?: number | null;
  skills?: SkillRequirement[];
}

export interface RoutingOperator {
  userId: number;
  name: string;
  siteId: number | null;
  state: 'logged_out' | 'ready' | 'busy' | 'wrap_up' | 'paused';
  reason: string | null;
  since: string | null;
  skills: Record<string, number>;
  capacity: Partial<Record<RoutingChannel, number>>;
  contacts: { contactId: string; appealId: number | null; channel: string; state: string }[];
}

export interface WaitingContact {
  contactId: string;
  appealId: number | null;
  channel: string;
  queueId: number;
  queue: string;
  siteId: number;
  position: number | null;
  priority: number;
  ageSeconds: number;
  enqueuedAt: string;
  heldForOperatorId: number | null;
}

/** The answer, or null when the route is not there (the plugin is not installed). */
async function orMissing<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export function routingAdminApi(api: ApiClient) {
  return {
    queues: () => orMissing(api.get<RoutingQueue[]>('/routing/queues')),
    createQueue: (q: Partial<QueueSettings>) => api.post<RoutingQueue>('/routing/queues', q),
    updateQueue: (id: number, q: Partial<QueueSettings>) => api.put<RoutingQueue>(`/routing/queues/${id}`, q),
    deleteQueue: (id: number) => api.del<{ deleted: number }>(`/routing/queues/${id}`),
    rules: () => orMissing(api.get<RoutingRule[]>('/routing/rules')),
    setRules: (rules: RoutingRule[]) => api.put<RoutingRule[]>('/routing/rules', { rules }),
    operators: () => orMissing(api.get<RoutingOperator[]>('/routing/operators')),
    setCapacity: (userId: number, capacity: Partial<Record<RoutingChannel, number>>) => api.put<{ userId: number; capacity: Record<string, number> }>(`/routing/operators/${userId}`, { capacity }),
    contacts: (queueId?: number) => orMissing(api.get<WaitingContact[]>('/routing/contacts', queueId ? { queueId } : {})),
  };
}
