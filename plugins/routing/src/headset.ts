/**
 * The operator's headset in routing (docs/routing.md "Headsets"). The headset an operator is bound
 * to (core edge: `PUT /api/edge/headset-bindings/:userId`) rings with their offers and answers them:
 *
 *   routing -> headset (core action `edge.headsetSignal`, fire and forget: a headset that is
 *   offline, unplugged or slow never holds or fails an offer):
 *     contact.offered                              ring on
 *     offer rejected / expired / withdrawn,
 *     accept failed                                ring off
 *     contact.answered                             off-hook LED on for a call or callback (it also
 *                                                  stops the ringing), off for other work (and for
 *                                                  an e-mail answered by lifting the headset: it
 *                                                  goes back on-hook)
 *     operator leaves busy with no call left       off-hook LED off (the call ended)
 *
 *   headset -> routing (core Moleculer event `edge.headsetEvent`, every node; the node serving the
 *   operator acts, through the same accept / reject as the console's buttons):
 *     headset.hook {offHook: true}                 answer: accepts the operator's open offer
 *     headset.button {button: 'reject'}            reject: the agent reports Flash, the "reject"
 *                                                  button (Button 1 / Button 7) pressed while the
 *                                                  headset rings as `reject`
 *   Anything else (on-hook, mute, redial, Flash while not ringing) changes no offer. An event made
 *   before the offer existed (a press spooled while the agent's link was down, delivered late) is
 *   stale and ignored; so is one with no open offer (repeated, or the offer ended).
 */
import type { Channel, RoutingEvent } from './engine/index.js';

export type HeadsetSignalKind = 'ring' | 'offHook';
export interface HeadsetSignal {
  kind: HeadsetSignalKind;
  on: boolean;
}

/** What the operator's headset is told after an engine event (null: nothing). */
export function headsetSignalFor(
  e: RoutingEvent,
  o: { exclusive: readonly Channel[]; callActive: (operatorId: string) => boolean; offHookSent: (operatorId: string) => boolean },
): { operatorId: string; signal: HeadsetSignal } | null {
  switch (e.type) {
    case 'contact.offered':
      return { operatorId: e.operatorId, signal: { kind: 'ring', on: true } };
    case 'contact.offer_rejected':
    case 'contact.offer_expired':
    case 'contact.offer_withdrawn':
    case 'contact.accept_failed':
      return { operatorId: e.operatorId, signal: { kind: 'ring', on: false } };
    case 'contact.answered':
      return { operatorId: e.operatorId, signal: { kind: 'offHook', on: o.exclusive.includes(e.channel) || o.callActive(e.operatorId) } };
    case 'operator.state_changed':
      if (e.from === 'busy' && o.offHookSent(e.operatorId) && !o.callActive(e.operatorId)) return { operatorId: e.operatorId, signal: { kind: 'offHook', on: false } };
      return null;
    default:
      return null;
  }
}

/** The protocol events core passes on (`edge.headsetEvent`'s `event`). */
export type HeadsetEventBody =
  | { type: 'headset.hook'; headsetId: string; offHook: boolean }
  | { type: 'headset.mute'; headsetId: string; muted: boolean }
  | { type: 'headset.button'; headsetId: string; button: string; key?: string };

export type HeadsetGesture = 'answer' | 'reject';

export function gestureOf(e: HeadsetEventBody): HeadsetGesture | null {
  if (e.type === 'headset.hook' && e.offHook) return 'answer';
  if (e.type === 'headset.button' && e.button === 'reject') return 'reject';
  return null;
}

export type HeadsetDecision =
  | { action: 'accept' | 'reject'; offerId: string }
  | { action: 'none'; why: 'not-a-gesture' | 'no-open-offer' | 'stale' };

/**
 * What a headset event does to the operator's open offer. `at` is when the agent saw it (its clock);
 * an event more than `toleranceMs` older than the offer is stale (the agents' and the core's clocks
 * are NTP-synchronised; the tolerance absorbs what is left).
 */
export function headsetDecision(ev: { event: HeadsetEventBody; at: number }, offer: { offerId: string; offeredAt: number } | undefined, toleranceMs: number): HeadsetDecision {
  const gesture = gestureOf(ev.event);
  if (!gesture) return { action: 'none', why: 'not-a-gesture' };
  if (!offer) return { action: 'none', why: 'no-open-offer' };
  if (ev.at < offer.offeredAt - toleranceMs) return { action: 'none', why: 'stale' };
  return { action: gesture === 'answer' ? 'accept' : 'reject', offerId: offer.offerId };
}
