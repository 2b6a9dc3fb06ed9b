/** The console's connections to the core: one REST client and the clients built on it. */
import { ApiClient, localStore, memoryStore } from './api/http.ts';
import { routingApi } from './api/routing.ts';
import { chatApi } from './api/chat.ts';
import { edgeApi } from './api/edge.ts';
import { planningApi } from './api/planning.ts';
import { reportingApi } from './api/reporting.ts';
import { routingAdminApi } from './api/routing-admin.ts';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

const ls = storage();
export const api = new ApiClient({ store: ls ? localStore(ls) : memoryStore() });
export const routing = routingApi(api);
export const chats = chatApi(api);
export const edge = edgeApi(api);
export const planning = planningApi(api);
export const reporting = reportingApi(api);
export const routingAdmin = routingAdminApi(api);
