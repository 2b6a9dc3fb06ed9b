/**
 * Runs commands from the core: de-duplication by message id (persisted), deadline and timeout,
 * unknown kinds and bad arguments answered with error results, every outcome a cmd-result.
 */
import type { Logger } from 'pino';
import {
  COMMANDS,
  decodeMessage,
  errorResult,
  isCommandKind,
  okResult,
  ProtocolVersionError,
  type CommandErrorCode,
  type CommandKind,
  type CommandMessage,
  type CommandResultMessage,
  type Sender,
} from '@okno/protocol';
import type { CommandJournal } from './command-journal.js';

export interface CommandContext {
  deadline: number;
  signal: AbortSignal;
}

export type CommandHandler = (args: never, ctx: CommandContext) => Promise<Record<string, unknown>>;
export type CommandHandlers = Partial<Record<CommandKind, CommandHandler>>;

/** A handler failure with a protocol error code. */
export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface CommandRunnerOptions {
  sender: Sender;
  handlers: CommandHandlers;
  journal: CommandJournal;
  /** Delivers a result (the agent spools it). */
  publishResult: (r: CommandResultMessage) => void;
  /** Upper bound for any command, whatever its deadline says. */
  maxRunMs: number;
  logger: Logger;
  now?: () => number;
}

export class CommandRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly o: CommandRunnerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Answers commands that were running when the agent stopped. Call once at start. */
  reportInterrupted(): void {
    for (const { id, kind } of this.o.journal.unfinished()) {
      this.finish({ id, kind }, errorResult(this.o.sender, { id, kind }, 'interrupted', 'the agent restarted while running this command', { receivedAt: this.now() }));
    }
  }

  /**
   * Takes one cmd payload. Resolves once the command is recorded (then the broker may get its
   * PUBACK); the command itself runs on in the background.
   */
  async receive(payload: Uint8Array): Promise<void> {
    const receivedAt = this.now();
    let cmd: CommandMessage;
    try {
      cmd = decodeMessage('cmd', payload);
    } catch (err) {
      const raw = tryJson(payload);
      this.o.logger.warn({ err: (err as Error).message }, 'undecodable command');
      if (raw && typeof raw.id === 'string' && typeof raw.kind === 'string') {
        const code: CommandErrorCode = err instanceof ProtocolVersionError ? 'unsupported' : 'invalid-args';
        try {
          this.o.publishResult(errorResult(this.o.sender, { id: raw.id, kind: raw.kind }, code, (err as Error).message, { receivedAt }));
        } catch {
          // the id itself is malformed: nothing to correlate with
        }
      }
      return;
    }
    if (this.o.journal.has(cmd.id) || this.running.has(cmd.id)) {
      this.o.logger.info({ id: cmd.id, kind: cmd.kind }, 'duplicate command ignored');
      return;
    }
    this.o.journal.accepted(cmd.id, cmd.kind);
    const run = this.run(cmd, receivedAt).finally(() => this.running.delete(cmd.id));
    this.running.set(cmd.id, run);
  }

  /** Waits for the commands running now (for shutdown and tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(cmd: CommandMessage, receivedAt: number): Promise<void> {
    const fail = (code: CommandErrorCode, message: string) => this.finish(cmd, errorResult(this.o.sender, cmd, code, message, { receivedAt, finishedAt: this.now() }));
    if (receivedAt > cmd.deadline) return fail('expired', `received ${receivedAt - cmd.deadline} ms after its deadline`);
    if (!isCommandKind(cmd.kind)) return fail('unknown-command', `unknown command "${cmd.kind}"`);
    const handler = this.o.handlers[cmd.kind];
    if (!handler) return fail('unsupported', `this agent does not run "${cmd.kind}"`);
    const parsed = COMMANDS[cmd.kind].args.safeParse(cmd.args);
    if (!parsed.success) return fail('invalid-args', parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; '));
    const budget = Math.min(cmd.deadline - this.now(), this.o.maxRunMs);
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new CommandError('timeout', `no result within ${budget} ms`));
      }, Math.max(0, budget));
    });
    try {
      const out = await Promise.race([(handler as (a: unknown, c: CommandContext) => Promise<Record<string, unknown>>)(parsed.data, { deadline: cmd.deadline, signal: ac.signal }), timeout]);
      const valid = COMMANDS[cmd.kind].result.safeParse(out);
      if (!valid.success) return fail('failed', `the handler returned an invalid result: ${valid.error.message}`);
      this.finish(cmd, okResult(this.o.sender, cmd, valid.data as never, { receivedAt, finishedAt: this.now() }));
    } catch (err) {
      if (err instanceof CommandError) return fail(err.code, err.message);
      const name = (err as Error).name;
      if (name === 'DeviceNotFoundError') return fail('device-not-found', (err as Error).message);
      if (name === 'DeviceUnavailableError') return fail('unsupported', (err as Error).message);
      return fail('failed', (err as Error).message ?? String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private finish(cmd: { id: string; kind: string }, result: CommandResultMessage): void {
    try {
      this.o.publishResult(result);
    } catch (err) {
      this.o.logger.error({ err, id: cmd.id }, 'could not spool a command result');
    }
    this.o.journal.done(cmd.id, cmd.kind);
  }
}

function tryJson(b: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(b)) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
