/**
 * The ARI data model the phone channel uses, as Asterisk's own API descriptions state it
 * (rest-api/api-docs/*.json, Swagger 1.2; copies in shared/reference/ari): Channel, Bridge and
 * Playback objects and the events of the events WebSocket (events.json: every event has `type`,
 * `application` and `timestamp`; channel events carry a whole `channel` object).
 */

export type ChannelState = 'Down' | 'Rsrved' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy' | 'Dialing Offhook' | 'Pre-ring' | 'Unknown';
export const CHANNEL_STATES: readonly ChannelState[] = ['Down', 'Rsrved', 'OffHook', 'Dialing', 'Ring', 'Ringing', 'Up', 'Busy', 'Dialing Offhook', 'Pre-ring', 'Unknown'];

export interface CallerId {
  name: string;
  number: string;
}

/** Where the channel is in the dialplan (Stasis(okno,args) shows as app_name "Stasis", app_data "okno,args"). */
export interface DialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface AriChannel {
  id: string;
  protocol_id: string;
  name: string;
  state: ChannelState;
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
  caller_rdnis?: string;
  tenantid?: string;
}

export interface AriBridge {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode?: string;
  video_source_id?: string;
  bridgevars?: Record<string, string>;
}

export interface AriPlayback {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language?: string;
  state: 'queued' | 'playing' | 'continuing' | 'done' | 'failed' | string;
}

interface EventBase {
  application: string;
  timestamp: string;
  asterisk_id?: string;
}

export interface StasisStart extends EventBase { type: 'StasisStart'; args: string[]; channel: AriChannel; replace_channel?: AriChannel }
export interface StasisEnd extends EventBase { type: 'StasisEnd'; channel: AriChannel }
export interface ChannelStateChange extends EventBase { type: 'ChannelStateChange'; channel: AriChannel }
export interface ChannelDtmfReceived extends EventBase { type: 'ChannelDtmfReceived'; digit: string; duration_ms: number; channel: AriChannel }
export interface ChannelHangupRequest extends EventBase { type: 'ChannelHangupRequest'; cause?: number; tech_cause?: number; soft?: boolean; channel: AriChannel }
export interface ChannelDestroyed extends EventBase { type: 'ChannelDestroyed'; cause: number; cause_txt: string; tech_cause?: number; channel: AriChannel }
export interface ChannelEnteredBridge extends EventBase { type: 'ChannelEnteredBridge'; bridge: AriBridge; channel?: AriChannel }
export interface ChannelLeftBridge extends EventBase { type: 'ChannelLeftBridge'; bridge: AriBridge; channel: AriChannel }
export interface PlaybackStarted extends EventBase { type: 'PlaybackStarted'; playback: AriPlayback }
export interface PlaybackFinished extends EventBase { type: 'PlaybackFinished'; playback: AriPlayback }

/** The events the phone channel acts on. */
export type AriEvent =
  | StasisStart | StasisEnd | ChannelStateChange | ChannelDtmfReceived | ChannelHangupRequest | ChannelDestroyed
  | ChannelEnteredBridge | ChannelLeftBridge | PlaybackStarted | PlaybackFinished;

export type AriEventType = AriEvent['type'];

/** Q.850 cause codes Asterisk reports in ChannelDestroyed / ChannelHangupRequest. */
export const CAUSE = { NORMAL_CLEARING: 16, USER_BUSY: 17, NO_USER_RESPONSE: 18, NO_ANSWER: 19, CALL_REJECTED: 21, NORMAL_UNSPECIFIED: 31, CONGESTION: 34 } as const;
