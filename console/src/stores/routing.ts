/**
 * The operator's routing state and the offer on screen. Without the routing plugin (GET
 * /api/routing/me answers 404) `available` is false and the desk says so instead of state control.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { routing } from '../services.ts';
import { isRoutingFrame, type Offer, type OperatorState, type RoutingFrame, type SettableState } from '../api/routing.ts';
import { useLive } from './live.ts';

export const useRouting = defineStore('routing', () => {
  /** null: not asked yet; false: the plugin is not installed. */
  const available = ref<boolean | null>(null);
  const state = ref<OperatorState>('logged_out');
  const reason = ref<string | null>(null);
  const since = ref<string | null>(null);
  const offer = shallowRef<Offer | null>(null);
  /** When the offer reached this screen (its countdown's start). */
  const offeredAt = ref(0);
  const error = shallowRef<Error | null>(null);
  const busy = ref(false);
  /** The last offer answered away from the Accept button (lifting the headset): the desk opens its appeal. */
  const answered = shallowRef<{ offerId: string; appealId: number | null } | null>(null);

  function showOffer(o: Offer | null | undefined) {
    if (!o) return;
    offer.value = o;
    offeredAt.value = Date.now();
  }

  function apply(f: RoutingFrame) {
    if (f.type === 'routing.offer') showOffer(f.offer);
    else if (f.type === 'routing.offer_withdrawn') {
      if (offer.value && String(offer.value.id) === String(f.offerId)) offer.value = null;
    } else if (f.type === 'routing.offer_answered') {
      // The Accept button's own answer opens the appeal itself; an answer from elsewhere does it here.
      if (offer.value && String(offer.value.id) === String(f.offerId) && !busy.value) {
        offer.value = null;
        answered.value = { offerId: String(f.offerId), appealId: f.appealId };
      }
    } else {
      state.value = f.state;
      reason.value = f.reason ?? null;
      since.value = f.since;
    }
  }

  let subscribed = false;
  async function load(): Promise<void> {
    if (!subscribed) {
      subscribed = true;
      useLive().subscribe((f) => {
        if (isRoutingFrame(f)) apply(f);
      });
    }
    try {
      const me = await routing.me();
      available.value = me !== null;
      if (me) {
        state.value = me.state;
        reason.value = me.reason ?? null;
        since.value = me.since;
        if (me.offer) showOffer(me.offer);
      }
      error.value = null;
    } catch (err) {
      error.value = err as Error;
    }
  }

  async function setState(next: SettableState, why?: string): Promise<void> {
    busy.value = true;
    try {
      const me = await routing.setState(next, why);
      if (me?.state) {
        state.value = me.state;
        reason.value = me.reason ?? null;
        since.value = me.since;
      } else {
        state.value = next;
        reason.value = why ?? null;
      }
      error.value = null;
    } catch (err) {
      error.value = err as Error;
      throw err;
    } finally {
      busy.value = false;
    }
  }

  /** Accepts the offer on screen; resolves to the appeal to open. */
  async function accept(): Promise<number | null> {
    const o = offer.value;
    if (!o) return null;
    busy.value = true;
    try {
      const r = await routing.accept(o.id);
      offer.value = null;
      return r?.appealId ?? o.appealId;
    } finally {
      busy.value = false;
    }
  }

  async function reject(): Promise<void> {
    const o = offer.value;
    if (!o) return;
    busy.value = true;
    try {
      await routing.reject(o.id);
    } finally {
      offer.value = null;
      busy.value = false;
    }
  }

  function dismiss() {
    offer.value = null;
  }

  return { available, state, reason, since, offer, offeredAt, error, busy, answered, load, setState, accept, reject, dismiss, apply };
});
