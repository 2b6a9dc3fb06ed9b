/**
 * Reading the frames of ARI's events WebSocket. Every frame is one JSON `Message` (events.json):
 * `type`, and for events `application` and `timestamp`. The events the channel acts on are checked
 * for the fields it reads, so a frame that lacks them is an error with a reason instead of a crash
 * somewhere in the call flow; any other well-formed event is passed over.
 */
import { CHANNEL_STATES, type AriEvent, type AriEventType } from './types.js';

export type ParsedMessage =
  | { kind: 'event'; event: AriEvent }
  /** A well-formed message the channel does not use (e.g. ChannelVarset, Dial, MissingParams). */
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; error: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** The longest reason kept (health, logs): a hostile or broken peer cannot fill them. */
export const MAX_REASON = 100;

/** A reason cut to `MAX_REASON` characters. */
export const cut = (s: string, max = MAX_REASON): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A value as it appears in a reason: JSON, at most 24 characters. */
const shown = (v: unknown): string => cut(JSON.stringify(v) ?? String(v), 24);

/** What is wrong with a Channel (an event's `channel`, or an entry of `GET /channels`), or null. */
export function channelProblem(c: unknown, field = 'channel'): string | null {
  if (!isObj(c)) return `${field} is not an object`;
  for (const k of ['id', 'name', 'creationtime'] as const) if (!isStr(c[k]) || !c[k]) return `${field}.${k} is missing`;
  if (!CHANNEL_STATES.includes(c.state as never)) return `${field}.state ${shown(c.state)} is not a channel state`;
  for (const k of ['caller', 'connected'] as const) if (!isObj(c[k]) || !isStr(c[k].number)) return `${field}.${k} is not a CallerID`;
  if (!isObj(c.dialplan) || !isStr(c.dialplan.app_name) || !isStr(c.dialplan.app_data)) return `${field}.dialplan is not a DialplanCEP`;
  return null;
}

/** What is wrong with a Playback, or null. */
export const playbackProblem = (p: unknown): string | null => (isObj(p) && isStr(p.id) && isStr(p.target_uri) && isStr(p.state) ? null : 'playback is not a Playback');
/** What is wrong with a Bridge (an event's `bridge`, or an entry of `GET /bridges`), or null. */
export const bridgeProblem = (b: unknown): string | null => (isObj(b) && isStr(b.id) && b.id && Array.isArray(b.channels) && b.channels.every(isStr) ? null : 'bridge is not a Bridge');

/** The id of something that failed its check, when it has a readable one (else null). */
export const idOf = (v: unknown): string | null => (isObj(v) && isStr(v.id) && v.id ? v.id : null);

/** What each event the channel acts on must carry, beyond type/application/timestamp. */
const CHECKS: Record<AriEventType, (m: Obj) => string | null> = {
  StasisStart: (m) => (Array.isArray(m.args) && m.args.every(isStr) ? channelProblem(m.channel, 'channel') : 'args is not a list of strings'),
  StasisEnd: (m) => channelProblem(m.channel, 'channel'),
  ChannelStateChange: (m) => channelProblem(m.channel, 'channel'),
  ChannelDtmfReceived: (m) => (isStr(m.digit) && /^[0-9A-D*#]$/.test(m.digit) ? channelProblem(m.channel, 'channel') : `digit ${shown(m.digit)} is not a DTMF digit`),
  ChannelHangupRequest: (m) => channelProblem(m.channel, 'channel'),
  ChannelDestroyed: (m) => (typeof m.cause === 'number' ? channelProblem(m.channel, 'channel') : 'cause is not a number'),
  ChannelEnteredBridge: (m) => bridgeProblem(m.bridge) ?? (m.channel === undefined ? null : channelProblem(m.channel, 'channel')),
  ChannelLeftBridge: (m) => bridgeProblem(m.bridge) ?? channelProblem(m.channel, 'channel'),
  PlaybackStarted: (m) => playbackProblem(m.playback),
  PlaybackFinished: (m) => playbackProblem(m.playback),
};

/**
 * Why a frame is not JSON: the error's type and position only. V8's message quotes a piece of the
 * input, which may carry a caller's number; it is never passed on.
 */
function notJson(err: unknown): string {
  const name = err instanceof Error ? err.name : 'Error';
  const at = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
  return `not JSON (${name}${at ? ` at position ${at}` : ''})`;
}

export function parseAriMessage(text: string): ParsedMessage {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', error: notJson(err) };
  }
  if (!isObj(m)) return { kind: 'invalid', error: 'not a JSON object' };
  if (!isStr(m.type) || !m.type) return { kind: 'invalid', error: 'no "type"' };
  const check = Object.hasOwn(CHECKS, m.type) ? CHECKS[m.type as AriEventType] : undefined;
  if (!check) return { kind: 'ignored', type: m.type };
  if (!isStr(m.application) || !isStr(m.timestamp)) return { kind: 'invalid', error: `${m.type}: application or timestamp is missing` };
  const problem = check(m);
  return problem ? { kind: 'invalid', error: cut(`${m.type}: ${problem}`) } : { kind: 'event', event: m as unknown as AriEvent };
}
