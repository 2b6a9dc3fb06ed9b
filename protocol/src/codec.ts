/**
 * Encoding and decoding of the JSON messages (everything but file transfer, see files/).
 *
 * decode: bytes -> JSON -> version check (major must match; minor at most one behind, or newer) ->
 * upgrade of older minors to the current shapes -> schema validation (unknown fields stripped).
 */
import { z } from 'zod';
import { ProtocolMessageError } from './errors.js';
import type { MessageKind } from './topics.js';
import { CommandMessage, CommandResultMessage, COMMANDS, type CommandArgsInput, type CommandKind, type CommandErrorCode, type CommandResultData } from './schemas/commands.js';
import { envelope, type Sender } from './schemas/envelope.js';
import { EventBody, EventMessage, type DecodedEventMessage } from './schemas/events.js';
import { InventoryMessage } from './schemas/inventory.js';
import { PresenceMessage } from './schemas/presence.js';
import { TelemetryMessage } from './schemas/telemetry.js';
import { checkCompatible, type Compatibility, PROTOCOL_MAJOR, PROTOCOL_MINOR, ProtocolVersionError } from './version.js';

export const SCHEMAS = {
  presence: PresenceMessage,
  inventory: InventoryMessage,
  telemetry: TelemetryMessage,
  events: EventMessage,
  cmd: CommandMessage,
  'cmd-result': CommandResultMessage,
} as const;

export interface MessageOf {
  presence: PresenceMessage;
  inventory: InventoryMessage;
  telemetry: TelemetryMessage;
  events: EventMessage;
  cmd: CommandMessage;
  'cmd-result': CommandResultMessage;
}
export interface DecodedOf extends Omit<MessageOf, 'events'> {
  events: DecodedEventMessage;
}


type Json = Record<string, unknown>;

/**
 * Upgrades from older minors, by the minor they upgrade FROM. Each turns a message of minor n
 * into one of minor n+1; decode applies them in order.
 */
const UPGRADES: Record<number, Partial<Record<MessageKind, (m: Json) => Json>>> = {
  0: {
    // 1.0 agents have no headset support.
    inventory: (m) => ({ ...m, headsets: m.headsets ?? [] }),
    telemetry: (m) => ({ ...m, headsets: m.headsets ?? [] }),
  },
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function toJson(kind: string, payload: Uint8Array | string | object): Json {
  let value: unknown = payload;
  if (payload instanceof Uint8Array || typeof payload === 'string') {
    try {
      value = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload));
    } catch (err) {
      throw new ProtocolMessageError(kind, `${kind} message is not valid UTF-8 JSON: ${(err as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolMessageError(kind, `${kind} message is not a JSON object`);
  }
  return value as Json;
}

function validate<T>(kind: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ProtocolMessageError(kind, `invalid ${kind} message:\n${z.prettifyError(r.error)}`, r.error.issues);
  return r.data;
}

/** Checks the message's `v` against this side's version; throws ProtocolVersionError. */
export function versionOf(kind: string, msg: Json): Compatibility {
  if (typeof msg.v !== 'string') throw new ProtocolMessageError(kind, `${kind} message has no protocol version field "v"`);
  return checkCompatible(msg.v, { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR });
}

/**
 * Decodes and validates a message of `kind` (bytes, a JSON string or an already parsed object).
 * Throws ProtocolVersionError (incompatible version) or ProtocolMessageError (bad message).
 */
export function decodeMessage<K extends MessageKind>(kind: K, payload: Uint8Array | string | object): DecodedOf[K] {
  let msg = toJson(kind, payload);
  const compat = versionOf(kind, msg);
  for (let minor = compat.peer.minor; minor < PROTOCOL_MINOR; minor++) {
    const up = UPGRADES[minor]?.[kind];
    if (up) msg = up(msg);
  }
  if (kind === 'events') return decodeEvent(msg, compat) as DecodedOf[K];
  return validate(kind, SCHEMAS[kind] as unknown as z.ZodType<DecodedOf[K]>, msg);
}

function decodeEvent(msg: Json, compat: Compatibility): DecodedEventMessage {
  const ev = msg.event as Json | undefined;
  const type = ev && typeof ev.type === 'string' ? ev.type : undefined;
  const known = type !== undefined && EventBody.options.some((o) => o.shape.type.value === type);
  if (!known && compat.newer && type !== undefined) {
    // An event type from a newer minor: keep the envelope, pass the body through as unknown.
    const env = validate('events', EventMessage.omit({ event: true }), msg);
    const { type: _t, ...data } = ev as Json;
    return { ...env, event: { type: 'unknown', originalType: type, data } };
  }
  return validate('events', EventMessage, msg);
}

/** Validates and serializes a message of `kind` (throws ProtocolMessageError when invalid). */
export function encodeMessage<K extends MessageKind>(kind: K, msg: MessageOf[K]): Uint8Array {
  const valid = validate(kind, SCHEMAS[kind] as unknown as z.ZodType<MessageOf[K]>, msg);
  return encoder.encode(JSON.stringify(valid));
}

/** Builds a command with a fresh id; `timeoutMs` sets the deadline from `now`. */
export function makeCommand<K extends CommandKind>(
  sender: Sender,
  kind: K,
  args: CommandArgsInput<K>,
  opts: { timeoutMs: number; now?: number },
): CommandMessage {
  const now = opts.now ?? Date.now();
  const parsed = COMMANDS[kind].args.parse(args) as Record<string, unknown>;
  return { ...envelope(sender, now), kind, args: parsed, deadline: now + opts.timeoutMs };
}

type ResultTimes = { receivedAt: number; finishedAt?: number };

function resultBase(sender: Sender, cmd: Pick<CommandMessage, 'id' | 'kind'>, times: ResultTimes) {
  const finishedAt = times.finishedAt ?? Date.now();
  return { ...envelope(sender, finishedAt), correlationId: cmd.id, kind: cmd.kind, receivedAt: times.receivedAt, finishedAt };
}

/** A successful result for a command. */
export function okResult<K extends CommandKind>(sender: Sender, cmd: Pick<CommandMessage, 'id' | 'kind'>, result: CommandResultData<K>, times: ResultTimes): CommandResultMessage {
  return { ...resultBase(sender, cmd, times), status: 'ok', result: result as Record<string, unknown> };
}

/** A failed result for a command. */
export function errorResult(sender: Sender, cmd: Pick<CommandMessage, 'id' | 'kind'>, code: CommandErrorCode, message: string, times: ResultTimes): CommandResultMessage {
  return { ...resultBase(sender, cmd, times), status: 'error', error: { code, message } };
}

export { ProtocolMessageError, ProtocolVersionError };
