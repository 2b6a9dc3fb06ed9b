/** Events: things that happened at the site (faxes, headset buttons, hot-plug, errors). */
import { z } from 'zod';
import { TransferId } from '../ids.js';
import { DeviceId, envelopeShape } from './envelope.js';
import { HangupInfo } from './telemetry.js';

const DeviceRef = z.object({ kind: z.enum(['modem', 'headset']), id: DeviceId, label: z.string().optional() });
const PhoneNumber = z.string().min(1).max(64);

export const FaxReceivedEvent = z.object({
  type: z.literal('fax.received'),
  modemId: DeviceId,
  /** The TIFF Class F file follows on files/up/<transferId>. */
  transferId: TransferId,
  fileName: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  pages: z.number().int().nonnegative(),
  remoteId: z.string().optional(),
  durationMs: z.number().int().nonnegative(),
  badLines: z.number().int().nonnegative().optional(),
});
export const FaxPageEvent = z.object({
  type: z.literal('fax.page'),
  modemId: DeviceId,
  jobId: z.string().optional(),
  direction: z.enum(['send', 'receive']),
  page: z.number().int().positive(),
  pages: z.number().int().positive().optional(),
  accepted: z.boolean(),
});
export const FaxSentEvent = z.object({
  type: z.literal('fax.sent'),
  jobId: z.string(),
  modemId: DeviceId,
  number: PhoneNumber,
  pages: z.number().int().nonnegative(),
  attempts: z.number().int().positive(),
  durationMs: z.number().int().nonnegative(),
});
export const FaxFailedEvent = z.object({
  type: z.literal('fax.failed'),
  jobId: z.string(),
  modemId: DeviceId.optional(),
  number: PhoneNumber,
  attempts: z.number().int().nonnegative(),
  /** True when the job will be tried again (then another fax.sent or fax.failed follows). */
  willRetry: z.boolean(),
  reason: z.string(),
  hangup: HangupInfo.optional(),
});
export const HeadsetHookEvent = z.object({ type: z.literal('headset.hook'), headsetId: DeviceId, offHook: z.boolean() });
export const HeadsetMuteEvent = z.object({ type: z.literal('headset.mute'), headsetId: DeviceId, muted: z.boolean() });
export const HeadsetButtonEvent = z.object({
  type: z.literal('headset.button'),
  headsetId: DeviceId,
  button: z.enum(['flash', 'redial', 'reject', 'hold', 'speed-dial', 'key']),
  key: z.string().optional(),
});
export const DeviceAddedEvent = z.object({ type: z.literal('device.added'), device: DeviceRef });
export const DeviceRemovedEvent = z.object({ type: z.literal('device.removed'), device: DeviceRef });
export const ErrorEvent = z.object({
  type: z.literal('error'),
  component: z.string(),
  code: z.string(),
  message: z.string(),
  deviceId: DeviceId.optional(),
});
export const SpoolOverflowEvent = z.object({
  type: z.literal('spool.overflow'),
  droppedTelemetry: z.number().int().nonnegative(),
  refused: z.number().int().nonnegative(),
  limitBytes: z.number().int().nonnegative(),
});

export const EventBody = z.discriminatedUnion('type', [
  FaxReceivedEvent,
  FaxPageEvent,
  FaxSentEvent,
  FaxFailedEvent,
  HeadsetHookEvent,
  HeadsetMuteEvent,
  HeadsetButtonEvent,
  DeviceAddedEvent,
  DeviceRemovedEvent,
  ErrorEvent,
  SpoolOverflowEvent,
]);
export type EventBody = z.infer<typeof EventBody>;
export type EventType = EventBody['type'];

/** The minor version each event type appeared in. */
export const EVENT_SINCE: Record<EventType, string> = {
  'fax.received': '1.0',
  'fax.page': '1.0',
  'fax.sent': '1.0',
  'fax.failed': '1.0',
  'headset.hook': '1.1',
  'headset.mute': '1.1',
  'headset.button': '1.1',
  'device.added': '1.0',
  'device.removed': '1.0',
  error: '1.0',
  'spool.overflow': '1.0',
};

/** An event type from a newer minor that this side does not know: kept, not understood. */
export const UnknownEvent = z.object({ type: z.literal('unknown'), originalType: z.string(), data: z.record(z.string(), z.unknown()) });
export type UnknownEvent = z.infer<typeof UnknownEvent>;

export const EventMessage = z.object({ ...envelopeShape, event: EventBody });
export type EventMessage = z.infer<typeof EventMessage>;
/** What decoding an events message gives: a known event, or (from a newer minor) an unknown one. */
export type DecodedEventMessage = Omit<EventMessage, 'event'> & { event: EventBody | UnknownEvent };
