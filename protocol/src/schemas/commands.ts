/**
 * Commands (core -> agent on `cmd`) and their results (agent -> core on `cmd-result`).
 *
 * A command carries its kind, arguments and an absolute deadline; its envelope id is the
 * correlation id of the result. An agent that does not know a kind (e.g. an older minor) answers
 * with the error code `unknown-command` instead of dropping it.
 */
import { z } from 'zod';
import { MessageId, TransferId } from '../ids.js';
import { supportedBy } from '../version.js';
import { DeviceId, envelopeShape, Timestamp } from './envelope.js';
import { ModemInfo } from './inventory.js';
import { HeadsetState } from './telemetry.js';

const Empty = z.object({});
const HeadsetTarget = z.object({ headsetId: DeviceId });

export const FaxTestCheck = z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() });

/** Every command: when it appeared, its arguments and its result. */
export const COMMANDS = {
  ping: {
    since: '1.0',
    args: Empty,
    result: z.object({ agentTs: Timestamp, uptimeSec: z.number().nonnegative(), agentVersion: z.string() }),
  },
  'modems.probe': {
    since: '1.0',
    args: z.object({ modemId: DeviceId.optional() }),
    result: z.object({ modems: z.array(ModemInfo) }),
  },
  'fax.send': {
    since: '1.0',
    /** The document (TIFF Class F) was sent down first on files/down/<transferId>. */
    args: z.object({
      number: z.string().min(1).max(64),
      transferId: TransferId,
      modemId: DeviceId.optional(),
      /** Our fax id (TSI), at most 20 characters. */
      localId: z.string().max(20).optional(),
      maxAttempts: z.number().int().min(1).max(10).optional(),
    }),
    /** Accepted into the modem's queue; the outcome follows as fax.sent / fax.failed events. */
    result: z.object({ jobId: z.string(), modemId: DeviceId, queuePosition: z.number().int().nonnegative() }),
  },
  'fax.test': {
    since: '1.0',
    args: z.object({ modemId: DeviceId.optional(), mode: z.enum(['probe', 'loopback']).default('probe') }),
    result: z.object({ ok: z.boolean(), checks: z.array(FaxTestCheck) }),
  },
  'headset.ring': { since: '1.1', args: HeadsetTarget.extend({ on: z.boolean() }), result: HeadsetState },
  'headset.offHook': { since: '1.1', args: HeadsetTarget.extend({ offHook: z.boolean() }), result: HeadsetState },
  'headset.muteLed': { since: '1.1', args: HeadsetTarget.extend({ muted: z.boolean() }), result: HeadsetState },
  'spool.flush': {
    since: '1.0',
    args: Empty,
    result: z.object({ delivered: z.number().int().nonnegative(), remaining: z.number().int().nonnegative() }),
  },
  'config.reload': { since: '1.0', args: Empty, result: z.object({ changed: z.array(z.string()) }) },
  'inventory.refresh': {
    since: '1.0',
    args: Empty,
    result: z.object({ modems: z.number().int().nonnegative(), headsets: z.number().int().nonnegative() }),
  },
} as const;

export type CommandKind = keyof typeof COMMANDS;
export type CommandArgs<K extends CommandKind> = z.infer<(typeof COMMANDS)[K]['args']>;
export type CommandArgsInput<K extends CommandKind> = z.input<(typeof COMMANDS)[K]['args']>;
export type CommandResultData<K extends CommandKind> = z.infer<(typeof COMMANDS)[K]['result']>;
export const COMMAND_KINDS = Object.keys(COMMANDS) as CommandKind[];

export function isCommandKind(kind: string): kind is CommandKind {
  return Object.prototype.hasOwnProperty.call(COMMANDS, kind);
}

/** Whether an agent speaking `agentVersion` understands `kind` (core: don't send it otherwise). */
export function commandSupported(kind: CommandKind, agentVersion: string): boolean {
  return supportedBy(COMMANDS[kind].since, agentVersion);
}

export const CommandMessage = z.object({
  ...envelopeShape,
  /** A kind from COMMANDS; kept a string so that kinds from newer minors still decode. */
  kind: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()),
  /** Absolute time (ms since epoch) after which the result is useless; the agent gives up then. */
  deadline: Timestamp,
});
export type CommandMessage = z.infer<typeof CommandMessage>;

export const ERROR_CODES = [
  'unknown-command',
  'invalid-args',
  'timeout',
  'expired',
  'device-not-found',
  'busy',
  'unsupported',
  'interrupted',
  'failed',
] as const;
export const CommandErrorCode = z.enum(ERROR_CODES);
export type CommandErrorCode = z.infer<typeof CommandErrorCode>;

export const CommandResultMessage = z.object({
  ...envelopeShape,
  /** The id of the command this answers. */
  correlationId: MessageId,
  kind: z.string().min(1).max(64),
  status: z.enum(['ok', 'error']),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: CommandErrorCode, message: z.string() }).optional(),
  receivedAt: Timestamp,
  finishedAt: Timestamp,
});
export type CommandResultMessage = z.infer<typeof CommandResultMessage>;

/** A command's arguments, validated for its kind (throws a ZodError on bad arguments). */
export function parseCommandArgs<K extends CommandKind>(kind: K, args: unknown): CommandArgs<K> {
  return COMMANDS[kind].args.parse(args) as CommandArgs<K>;
}

/** A command's result data, validated for its kind. */
export function parseCommandResult<K extends CommandKind>(kind: K, result: unknown): CommandResultData<K> {
  return COMMANDS[kind].result.parse(result) as CommandResultData<K>;
}
