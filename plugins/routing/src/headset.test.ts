/** The headset mapping: engine events to headset signals, headset events to accept / reject. */
import t from 'tap';
import { gestureOf, headsetDecision, headsetSignalFor, type HeadsetEventBody } from './headset.js';
import type { RoutingEvent } from './engine/index.js';

const exclusive = ['voice', 'callback'] as const;
const ctx = (callActive = false, offHookSent = false) => ({ exclusive, callActive: () => callActive, offHookSent: () => offHookSent });
const base = { at: 1000, contactId: 'c1', offerId: 'o1', operatorId: '7', waitedMs: 0 };

t.test('engine events to headset signals', async (t) => {
  t.same(headsetSignalFor({ ...base, type: 'contact.offered', queueId: '1', channel: 'email', siteId: '1', expiresAt: 2000 }, ctx()), { operatorId: '7', signal: { kind: 'ring', on: true } }, 'an offer rings');
  for (const type of ['contact.offer_rejected', 'contact.offer_expired', 'contact.offer_withdrawn'] as const) {
    t.same(headsetSignalFor({ ...base, type }, ctx()), { operatorId: '7', signal: { kind: 'ring', on: false } }, `${type} stops the ringing`);
  }
  t.same(headsetSignalFor({ ...base, type: 'contact.accept_failed', reason: 'x' }, ctx()), { operatorId: '7', signal: { kind: 'ring', on: false } });
  const answered = (channel: 'voice' | 'email' | 'callback'): RoutingEvent => ({ ...base, type: 'contact.answered', queueId: '1', channel, siteId: '1' });
  t.same(headsetSignalFor(answered('voice'), ctx()), { operatorId: '7', signal: { kind: 'offHook', on: true } }, 'a call answered: off-hook');
  t.same(headsetSignalFor(answered('callback'), ctx()), { operatorId: '7', signal: { kind: 'offHook', on: true } });
  t.same(headsetSignalFor(answered('email'), ctx()), { operatorId: '7', signal: { kind: 'offHook', on: false } }, 'an e-mail answered: on-hook');
  t.same(headsetSignalFor(answered('email'), ctx(true)), { operatorId: '7', signal: { kind: 'offHook', on: true } }, 'an e-mail during a call keeps the call off-hook');
  const left = (from: 'busy' | 'ready', to: 'wrap_up' | 'paused'): RoutingEvent => ({ type: 'operator.state_changed', at: 1, operatorId: '7', siteId: '1', from, to });
  t.same(headsetSignalFor(left('busy', 'wrap_up'), ctx(false, true)), { operatorId: '7', signal: { kind: 'offHook', on: false } }, 'the call ended: on-hook');
  t.equal(headsetSignalFor(left('busy', 'wrap_up'), ctx(true, true)), null, 'another call still going');
  t.equal(headsetSignalFor(left('busy', 'wrap_up'), ctx(false, false)), null, 'never told off-hook: nothing to undo');
  t.equal(headsetSignalFor(left('ready', 'paused'), ctx(false, true)), null);
  t.equal(headsetSignalFor({ type: 'contact.abandoned', at: 1, contactId: 'c', queueId: '1', channel: 'voice', siteId: '1', waitedMs: 1 }, ctx()), null);
});

t.test('headset events: the gestures', async (t) => {
  const hook = (offHook: boolean): HeadsetEventBody => ({ type: 'headset.hook', headsetId: 'h', offHook });
  t.equal(gestureOf(hook(true)), 'answer', 'off-hook answers');
  t.equal(gestureOf(hook(false)), null, 'on-hook is no gesture');
  t.equal(gestureOf({ type: 'headset.button', headsetId: 'h', button: 'reject' }), 'reject', 'Flash / reject while ringing rejects');
  t.equal(gestureOf({ type: 'headset.button', headsetId: 'h', button: 'flash' }), null, 'Flash while not ringing is not a reject');
  t.equal(gestureOf({ type: 'headset.button', headsetId: 'h', button: 'redial' }), null);
  t.equal(gestureOf({ type: 'headset.mute', headsetId: 'h', muted: true }), null);
});

t.test('headset events: what they do to the open offer', async (t) => {
  const offer = { offerId: 'o1', offeredAt: 10_000 };
  const ev = (event: HeadsetEventBody, at: number) => ({ event, at });
  const up = { type: 'headset.hook', headsetId: 'h', offHook: true } as const;
  t.same(headsetDecision(ev(up, 10_500), offer, 2000), { action: 'accept', offerId: 'o1' });
  t.same(headsetDecision(ev({ type: 'headset.button', headsetId: 'h', button: 'reject' }, 10_500), offer, 2000), { action: 'reject', offerId: 'o1' });
  t.same(headsetDecision(ev(up, 9_000), offer, 2000), { action: 'accept', offerId: 'o1' }, 'a clock a little behind is tolerated');
  t.same(headsetDecision(ev(up, 7_000), offer, 2000), { action: 'none', why: 'stale' }, 'a press from before the offer is stale');
  t.same(headsetDecision(ev(up, 10_500), undefined, 2000), { action: 'none', why: 'no-open-offer' }, 'no open offer: nothing');
  t.same(headsetDecision(ev({ type: 'headset.hook', headsetId: 'h', offHook: false }, 10_500), offer, 2000), { action: 'none', why: 'not-a-gesture' });
});
