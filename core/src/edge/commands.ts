/**
 * Commands to agents, from any core node: the command is recorded (pending), published on the
 * agent's `cmd` topic, and its caller waits for the outcome. The node that consumes the fleet's
 * messages records the agent's cmd-result (a conditional update of the pending row) and broadcasts
 * it as the Moleculer event `edge.commandSettled`, which the waiting node listens to. Without a
 * result by the deadline (plus a grace for the result to travel) the command is marked `timeout`;
 * a result arriving later is still stored, and the status stays `timeout`.
 */
import { COMMANDS, commandSupported, coreSender, encodeMessage, isCommandKind, makeCommand, topicFor, type AgentAddress, type CommandKind, type DecodedOf } from '@okno/protocol';
import type { Database } from '../persistence/database.js';
import { conflict, invalid, unavailable } from '../domain/errors.js';
import { EdgeCommandRecord, type EdgeAgentRecord, type EdgeCommandStatus } from './entities.js';

/** Default time an agent gets per command kind (ms). */
export const COMMAND_TIMEOUTS: Record<CommandKind, number> = {
  ping: 10_000,
  'modems.probe': 30_000,
  'fax.send': 30_000,
  'fax.test': 120_000,
  'headset.ring': 10_000,
  'headset.offHook': 10_000,
  'headset.muteLed': 10_000,
  'spool.flush': 60_000,
  'config.reload': 15_000,
  'inventory.refresh': 15_000,
};
export const MAX_COMMAND_TIMEOUT_MS = 280_000;
/** Time after the deadline for the agent's own `timeout` answer to arrive. */
export const RESULT_GRACE_MS = 2_000;

export interface CommandView {
  id: number;
  correlationId: string;
  agentRowId: number;
  kind: string;
  args: Record<string, unknown>;
  status: EdgeCommandStatus;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  /** A result that came after the command was marked timeout. */
  late: boolean;
  requestedBy: number | null;
  node: string;
  createdAt: string;
  deadline: string;
  finishedAt: string | null;
  agentReceivedAt: string | null;
  agentFinishedAt: string | null;
  /** From the core's send to the recorded outcome. */
  roundTripMs: number | null;
}

export function commandView(r: EdgeCommandRecord): CommandView {
  return {
    id: r.id, correlationId: r.correlationId, agentRowId: r.agentRowId, kind: r.kind, args: r.args, status: r.status, result: r.result,
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
    late: r.status === 'timeout' && r.agentFinishedAt !== null,
    requestedBy: r.requestedBy, node: r.node, createdAt: r.createdAt.toISOString(), deadline: r.deadline.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null, agentReceivedAt: r.agentReceivedAt?.toISOString() ?? null, agentFinishedAt: r.agentFinishedAt?.toISOString() ?? null,
    roundTripMs: r.finishedAt && r.status !== 'timeout' ? r.finishedAt.getTime() - r.createdAt.getTime() : null,
  };
}

export interface CommandPublisher {
  publish(topic: string, payload: Uint8Array): Promise<void>;
}

export interface CommandRequest {
  agent: EdgeAgentRecord;
  kind: string;
  args?: Record<string, unknown>;
  timeoutMs?: number;
  requestedBy?: number | null;
}

/** Validates kind and arguments for an agent; throws 422/409 naming the problem. */
export function checkCommand(req: CommandRequest): { kind: CommandKind; args: Record<string, unknown>; timeoutMs: number } {
  if (!isCommandKind(req.kind)) throw invalid(['kind', `unknown command; one of ${Object.keys(COMMANDS).join(', ')}`]);
  const kind = req.kind;
  const parsed = COMMANDS[kind].args.safeParse(req.args ?? {});
  if (!parsed.success) {
    const problems: [string, string][] = parsed.error.issues.map((i) => [['args', ...i.path.map(String)].join('.'), i.message]);
    throw invalid(...problems);
  }
  const a = req.agent;
  if (!a.enabled) throw conflict(`edge agent ${a.siteCode}.${a.agentId} is disabled`);
  if (!a.online) throw conflict(`edge agent ${a.siteCode}.${a.agentId} is offline`, { lastSeenAt: a.lastSeenAt?.toISOString() ?? null });
  if (a.protocolVersion && !commandSupported(kind, a.protocolVersion)) {
    throw conflict(`edge agent ${a.siteCode}.${a.agentId} speaks protocol ${a.protocolVersion}; ${kind} needs ${COMMANDS[kind].since} or newer (upgrade the agent)`);
  }
  const timeoutMs = req.timeoutMs ?? COMMAND_TIMEOUTS[kind];
  if (timeoutMs < 1000 || timeoutMs > MAX_COMMAND_TIMEOUT_MS) throw invalid(['timeoutMs', `must be between 1000 and ${MAX_COMMAND_TIMEOUT_MS}`]);
  return { kind, args: parsed.data as Record<string, unknown>, timeoutMs };
}

export class CommandCenter {
  private readonly waiters = new Map<string, { resolve: (v: CommandView) => void; reject: (e: Error) => void }>();
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly o: { nodeId: string; publisher: () => CommandPublisher | undefined; clock?: () => Date },
  ) {}

  private now(): Date {
    return this.o.clock?.() ?? new Date();
  }

  /**
   * Sends a command and resolves with its outcome (ok, error or timeout). `hooks.published` is
   * called once the broker has the command (or it was refused before): callers that must keep
   * several commands in order wait for it, not for the outcome.
   */
  async run(req: CommandRequest, hooks: { published?: () => void } = {}): Promise<CommandView> {
    if (this.stopping) throw unavailable('the core is stopping');
    const { kind, args, timeoutMs } = checkCommand(req);
    const publisher = this.o.publisher();
    if (!publisher) throw unavailable('the core is not connected to the MQTT broker');
    const now = this.now();
    const cmd = makeCommand(coreSender(this.o.nodeId), kind, args as never, { timeoutMs, now: now.getTime() });
    const addr: AgentAddress = { site: req.agent.siteCode, agent: req.agent.agentId };
    await this.db.transaction((em) =>
      em.save(EdgeCommandRecord, em.create(EdgeCommandRecord, {
        correlationId: cmd.id, agentRowId: req.agent.id, kind, args, status: 'pending', result: null, errorCode: null, errorMessage: null,
        requestedBy: req.requestedBy ?? null, node: this.o.nodeId, createdAt: now, deadline: new Date(cmd.deadline), finishedAt: null, agentReceivedAt: null, agentFinishedAt: null,
      })),
    );
    const settled = new Promise<CommandView>((resolve, reject) => this.waiters.set(cmd.id, { resolve, reject }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      try {
        await publisher.publish(topicFor(addr, 'cmd'), encodeMessage('cmd', cmd));
        hooks.published?.();
      } catch (err) {
        await this.finish(cmd.id, { status: 'error', errorCode: 'unsent', errorMessage: `not delivered to the broker: ${(err as Error).message}` });
        throw unavailable(`the command could not be handed to the MQTT broker: ${(err as Error).message}`);
      }
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), cmd.deadline - Date.now() + RESULT_GRACE_MS)));
      const first = await Promise.race([settled, timedOut]);
      if (first !== 'timeout') return first;
      return await this.expire(cmd.id);
    } finally {
      clearTimeout(timer);
      this.waiters.delete(cmd.id);
    }
  }

  /** The Moleculer event `edge.commandSettled` arrived (on every node): wake the waiting caller. */
  settled(view: CommandView): void {
    this.waiters.get(view.correlationId)?.resolve(view);
  }

  /**
   * Records an agent's result (on the consuming node). Returns the settled view to broadcast, or
   * undefined when the command is unknown or belongs to another agent.
   */
  async record(agentRowId: number, msg: DecodedOf['cmd-result']): Promise<CommandView | undefined> {
    return this.db.transaction(async (em) => {
      const row = await em.findOne(EdgeCommandRecord, { where: { correlationId: msg.correlationId } });
      if (!row || row.agentRowId !== agentRowId) return undefined;
      if (row.status !== 'pending' && row.status !== 'timeout') return commandView(row);
      if (row.status === 'timeout' && row.agentFinishedAt) return commandView(row);
      const outcome = {
        result: msg.result ?? null,
        errorCode: msg.error?.code ?? null,
        errorMessage: msg.error?.message ?? null,
        agentReceivedAt: new Date(msg.receivedAt),
        agentFinishedAt: new Date(msg.finishedAt),
      };
      if (row.status === 'pending') Object.assign(row, outcome, { status: msg.status, finishedAt: this.now() });
      else Object.assign(row, outcome); // late: keep status timeout
      await em.save(row);
      return commandView(row);
    });
  }

  /** Marks a pending command timed out (unless its result came meanwhile) and returns it. */
  private async expire(correlationId: string): Promise<CommandView> {
    return this.finish(correlationId, { status: 'timeout', errorCode: 'timeout', errorMessage: 'no result from the agent before the deadline' });
  }

  private async finish(correlationId: string, set: { status: EdgeCommandStatus; errorCode: string; errorMessage: string }): Promise<CommandView> {
    return this.db.transaction(async (em) => {
      await em.createQueryBuilder().update(EdgeCommandRecord).set({ ...set, finishedAt: this.now() }).where('correlationId = :c AND status = :p', { c: correlationId, p: 'pending' }).execute();
      return commandView((await em.findOne(EdgeCommandRecord, { where: { correlationId } }))!);
    });
  }

  /** Pending commands past their deadline whose sender is gone (node restarted): timeout. */
  async sweep(): Promise<number> {
    const before = this.now().getTime() - RESULT_GRACE_MS * 5;
    return this.db.transaction(async (em) => {
      const res = await em
        .createQueryBuilder()
        .update(EdgeCommandRecord)
        .set({ status: 'timeout', errorCode: 'timeout', errorMessage: 'no result from the agent before the deadline', finishedAt: this.now() })
        .where('status = :p AND deadline < :b', { p: 'pending', b: before })
        .execute();
      return res.affected ?? 0;
    });
  }

  async list(filter: { agentRowId?: number; limit: number }): Promise<CommandView[]> {
    const rows = await this.db.read((em) => {
      const qb = em.getRepository(EdgeCommandRecord).createQueryBuilder('c').orderBy('c.id', 'DESC').limit(filter.limit);
      if (filter.agentRowId !== undefined) qb.andWhere('c.agentRowId = :a', { a: filter.agentRowId });
      return qb.getMany();
    });
    return rows.map(commandView);
  }

  /** No new commands; callers still waiting are answered 503 (the command stays pending: a result is still recorded). */
  stop(): void {
    this.stopping = true;
    for (const w of this.waiters.values()) w.reject(unavailable('the core is stopping; the command\'s outcome will be recorded when it arrives'));
  }
}
