/**
 * The operator's side of routing (plugin @okno/routing). Contract the console relies on:
 *
 *   GET  /api/routing/me                  -> { state, reason?, since, offer? }   404 when the plugin is not installed
 *   POST /api/routing/state               { state: 'ready' | 'paused' | 'logged_out', reason? }
 *   POST /api/routing/offers/:id/accept   the offer's appeal becomes the operator's
 *   POST /api/routing/offers/:id/reject
 *
 * Frames pushed to the operator over the stream (core `console.push`):
 *   { type: 'routing.offer', offer: { id, appealId, regNumber, channel, queue, subject, waitedSeconds, expiresAt } }
 *   { type: 'routing.offer_withdrawn', offerId }
 *   { type: 'routing.offer_answered', offerId, contactId, appealId }   accepted here or on the headset
 *   { type: 'routing.state', state, reason?, since }
 *
 * When GET /api/routing/me answers 404 the plugin is not installed: the desk hides state control and
 * says so (appeals are then taken from the work list by hand). That is the documented behaviour.
 */
import { ApiError, type ApiClient } from './http.ts';

export type OperatorState = 'logged_out' | 'ready' | 'busy' | 'wrap_up' | 'paused';
export type SettableState = 'ready' | 'paused' | 'logged_out';

export interface Offer {
  id: string | number;
  appealId: number;
  regNumber: string | null;
  channel: string;
  queue: string;
  subject: string | null;
  waitedSeconds: number;
  expiresAt: string;
}

export interface RoutingMe {
  state: OperatorState;
  reason?: string | null;
  since: string;
  offer?: Offer | null;
}

export type RoutingFrame =
  | { type: 'routing.offer'; offer: Offer }
  | { type: 'routing.offer_withdrawn'; offerId: string | number }
  | { type: 'routing.offer_answered'; offerId: string | number; contactId: string; appealId: number | null }
  | { type: 'routing.state'; state: OperatorState; reason?: string | null; since: string };

export function isRoutingFrame(f: { type: string }): f is RoutingFrame {
  return f.type === 'routing.offer' || f.type === 'routing.offer_withdrawn' || f.type === 'routing.offer_answered' || f.type === 'routing.state';
}

/** Pause reasons offered in the state control (free text is allowed too). */
export const PAUSE_REASONS = ['break', 'lunch', 'training', 'meeting', 'technical', 'backoffice'] as const;

export function routingApi(api: ApiClient) {
  return {
    /** The operator's routing state, or null when the routing plugin is not installed. */
    async me(): Promise<RoutingMe | null> {
      try {
        return await api.get<RoutingMe>('/routing/me');
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    setState(state: SettableState, reason?: string): Promise<RoutingMe> {
      return api.post<RoutingMe>('/routing/state', reason ? { state, reason } : { state });
    },
    accept(offerId: string | number): Promise<{ appealId?: number } | undefined> {
      return api.post(`/routing/offers/${encodeURIComponent(String(offerId))}/accept`);
    },
    reject(offerId: string | number): Promise<unknown> {
      return api.post(`/routing/offers/${encodeURIComponent(String(offerId))}/reject`);
    },
  };
}

export type RoutingApi = ReturnType<typeof routingApi>;
