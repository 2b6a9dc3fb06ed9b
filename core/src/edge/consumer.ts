/**
 * The fleet consumer: every message agents publish (presence, inventory, telemetry, events,
 * cmd-result, files/up) arrives here on the one core node that holds the consumer lease.
 *
 * Each message is checked before it changes anything: a topic of ours, a size within limits, an
 * agent the core knows and has enabled, a payload the protocol decodes (a minor behind is upgraded,
 * a newer minor's extras dropped; another major or garbage is refused), an envelope sender that is
 * the agent whose topic it came on (what the broker's ACL guarantees about the topic, the sender
 * must agree with: this holds on Mosquitto, which cannot look into payloads), and an id not seen
 * lately (QoS 1 redelivers). Refusals are counted and logged, never thrown.
 *
 * Telemetry is kept in memory and written in one transaction per second for all agents; everything
 * else is committed before the handler returns (and so before the broker gets our PUBACK).
 */
import type { Logger as LoggerInstance } from 'moleculer';
import {
  agentUsername,
  decodeFileMessage,
  decodeMessage,
  parseTopic,
  parseVersion,
  PROTOCOL_MINOR,
  ProtocolMessageError,
  ProtocolVersionError,
  type DecodedOf,
  type MessageKind,
  type ParsedTopic,
  type SenderMessage,
} from '@okno/protocol';
import { isDatabaseUnavailable } from '../persistence/database.js';
import type { CommandCenter, CommandView } from './commands.js';
import type { EdgeEventRecord } from './entities.js';
import type { AgentRef, FleetStore, PendingTelemetry } from './fleet-store.js';
import { isFromAgent } from './payload.js';
import { RecentIds } from './recent-ids.js';
import type { UploadReceiver } from './uploads.js';

/** Largest JSON message accepted (inventory of a big site is a few KiB). */
export const MAX_JSON_BYTES = 1024 * 1024;
/** Largest file frame accepted (the protocol's largest chunk plus its header). */
export const MAX_FILE_FRAME_BYTES = 16 * 1024 * 1024 + 64 * 1024;

export interface ConsumerCounters {
  received: number;
  processed: number;
  duplicates: number;
  malformed: number;
  /** Another major version (`major-mismatch`) or a minor too old to upgrade (`minor-too-old`). */
  incompatible: number;
  oversized: number;
  spoofed: number;
  unknownAgent: number;
  disabledAgent: number;
  unknownTopic: number;
  failed: number;
  /** Messages from agents a minor behind, upgraded on decode. */
  upgraded: number;
}

export interface ConsumerOptions {
  store: FleetStore;
  commands: CommandCenter;
  uploads: UploadReceiver;
  /** Tells every node a command's outcome (Moleculer broadcast). */
  settled: (view: CommandView) => void;
  /** A change worth a journal nudge. */
  committed: () => void;
  /** An event was stored (after its commit; not for a redelivered one). Must not throw. */
  stored?: (agent: AgentRef, msg: DecodedOf['events'], row: EdgeEventRecord) => void;
  logger: LoggerInstance;
  /** How long a looked-up agent is trusted before it is read again (ms). */
  refTtlMs?: number;
}

type Refusal = Exclude<keyof ConsumerCounters, 'received' | 'processed' | 'upgraded' | 'failed'>;

export class FleetConsumer {
  readonly counters: ConsumerCounters = {
    received: 0, processed: 0, duplicates: 0, malformed: 0, incompatible: 0, oversized: 0, spoofed: 0, unknownAgent: 0, disabledAgent: 0, unknownTopic: 0, failed: 0, upgraded: 0,
  };
  private readonly recent = new RecentIds(100_000);
  private readonly refs = new Map<string, { ref: AgentRef | undefined; at: number }>();
  private telemetry = new Map<number, PendingTelemetry>();
  private seen = new Map<number, Date>();
  private running = true;
  /** Last few refusals, for the status page. */
  readonly lastRefusals: { at: string; reason: Refusal; topic: string; detail?: string }[] = [];

  constructor(private readonly o: ConsumerOptions) {}

  /** Forget a cached agent (it was changed, e.g. disabled). */
  invalidate(username?: string): void {
    if (username) this.refs.delete(username);
    else this.refs.clear();
  }

  stop(): void {
    this.running = false;
  }

  /** Handles one message; resolves when its effects are committed. Never throws. */
  async handle(topic: string, payload: Buffer): Promise<void> {
    this.counters.received++;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.process(topic, payload);
        return;
      } catch (err) {
        // The database is away: hold this message (and so the stream) and try again; the broker keeps
        // the rest. Anything else is a bug or a bad message: log it and go on.
        if (isDatabaseUnavailable(err) && this.running && attempt < 600) {
          if (attempt === 1) this.o.logger.warn({ topic, err: (err as Error).message }, 'database unavailable; holding the edge message');
          await new Promise((r) => setTimeout(r, Math.min(5000, 100 * attempt)));
          continue;
        }
        this.counters.failed++;
        this.o.logger.error({ topic, err: (err as Error).message }, 'edge message could not be processed');
        return;
      }
    }
  }

  private refuse(reason: Refusal, topic: string, detail?: string): void {
    this.counters[reason]++;
    this.lastRefusals.push({ at: new Date().toISOString(), reason, topic, ...(detail ? { detail: detail.slice(0, 300) } : {}) });
    if (this.lastRefusals.length > 20) this.lastRefusals.shift();
    this.o.logger.warn({ topic, reason, detail: detail?.slice(0, 300) }, 'edge message refused');
  }

  private async agentOf(t: ParsedTopic): Promise<AgentRef | undefined> {
    const key = agentUsername(t);
    const hit = this.refs.get(key);
    if (hit && Date.now() - hit.at < (this.o.refTtlMs ?? 10_000)) return hit.ref;
    const ref = await this.o.store.ref(t.site, t.agent);
    this.refs.set(key, { ref, at: Date.now() });
    return ref;
  }

  private classify(err: unknown, topic: string): void {
    if (err instanceof ProtocolVersionError) this.refuse('incompatible', topic, err.message);
    else if (err instanceof ProtocolMessageError) this.refuse('malformed', topic, err.message);
    else throw err;
  }

  private async process(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    if (!t || t.kind === 'cmd' || t.kind === 'files-down') return this.refuse('unknownTopic', topic);
    if (payload.length === 0) return; // a retained message being cleared
    const limit = t.kind === 'files-up' ? MAX_FILE_FRAME_BYTES : MAX_JSON_BYTES;
    if (payload.length > limit) return this.refuse('oversized', topic, `${payload.length} bytes, the limit is ${limit}`);
    const agent = await this.agentOf(t);
    if (!agent) return this.refuse('unknownAgent', topic);
    if (!agent.enabled) return this.refuse('disabledAgent', topic);
    if (t.kind === 'files-up') return this.file(t, agent, payload, topic);

    let msg: DecodedOf[MessageKind];
    try {
      msg = decodeMessage(t.kind, payload);
    } catch (err) {
      return this.classify(err, topic);
    }
    if (!isFromAgent(msg.sender, t.site, t.agent)) return this.refuse('spoofed', topic, `sender ${JSON.stringify(msg.sender)}`);
    if (this.recent.has(msg.id)) {
      this.counters.duplicates++;
      return;
    }
    if (parseVersion(msg.v).minor < PROTOCOL_MINOR) this.counters.upgraded++;
    this.seen.set(agent.id, new Date());
    switch (t.kind) {
      case 'presence': {
        const change = await this.o.store.applyPresence(agent, msg as DecodedOf['presence']);
        if (change !== 'unchanged') this.o.committed();
        break;
      }
      case 'inventory':
        await this.o.store.applyInventory(agent, msg as DecodedOf['inventory']);
        break;
      case 'telemetry': {
        const m = msg as DecodedOf['telemetry'];
        const prev = this.telemetry.get(agent.id);
        if (!prev || prev.ts < m.ts) {
          const { id: _i, sender: _s, ...rest } = m;
          this.telemetry.set(agent.id, { telemetry: rest as unknown as Record<string, unknown>, ts: m.ts });
        }
        break;
      }
      case 'events': {
        const row = await this.o.store.addEvent(agent, msg as DecodedOf['events']);
        if (row) {
          this.o.committed();
          this.o.stored?.(agent, msg as DecodedOf['events'], row);
        } else this.counters.duplicates++;
        break;
      }
      case 'cmd-result': {
        const view = await this.o.commands.record(agent.id, msg as DecodedOf['cmd-result']);
        if (view) this.o.settled(view);
        else this.refuse('unknownTopic', topic, `result for unknown command ${(msg as DecodedOf['cmd-result']).correlationId}`);
        break;
      }
    }
    this.recent.add(msg.id);
    this.counters.processed++;
  }

  private async file(t: ParsedTopic, agent: AgentRef, payload: Buffer, topic: string): Promise<void> {
    let m;
    try {
      m = decodeFileMessage(payload);
    } catch (err) {
      return this.classify(err, topic);
    }
    if (!isFromAgent(m.sender, t.site, t.agent)) return this.refuse('spoofed', topic, `sender ${JSON.stringify(m.sender)}`);
    if (m.transferId !== t.transferId) return this.refuse('malformed', topic, 'transfer id differs from the topic');
    if (this.recent.has(m.id)) {
      this.counters.duplicates++;
      return;
    }
    this.seen.set(agent.id, new Date());
    // ack / resume / done on files/up answer a download: the sending node routes those itself.
    if (m.type === 'offer' || m.type === 'chunk' || m.type === 'commit' || m.type === 'abort') {
      if (!(await this.o.uploads.handle(agent, m as SenderMessage))) return this.refuse('spoofed', topic, 'transfer belongs to another agent');
    }
    this.recent.add(m.id);
    this.counters.processed++;
  }

  /** Writes the telemetry and last-seen times gathered since the last flush. */
  async flush(): Promise<void> {
    const telemetry = this.telemetry;
    const seen = this.seen;
    if (!telemetry.size && !seen.size) return;
    this.telemetry = new Map();
    this.seen = new Map();
    try {
      await this.o.store.flushTelemetry(telemetry, seen);
    } catch (err) {
      // keep what was not written, unless newer figures came meanwhile
      for (const [k, v] of telemetry) if (!this.telemetry.has(k)) this.telemetry.set(k, v);
      for (const [k, v] of seen) if (!this.seen.has(k)) this.seen.set(k, v);
      throw err;
    }
  }
}
