/**
 * The edge side of a core node: the embedded broker (when no external one is configured), this
 * node's MQTT client (commands and downloads go out through it), and, on the one node that holds
 * the `edge-consumer` lease, the consumer client with its persistent session (fixed client id
 * `okno-core-consumer`, so the session and its queued messages pass to whichever node leads next).
 */
import { join } from 'node:path';
import type { Logger as LoggerInstance } from 'moleculer';
import { filterFor, type DecodedOf, type TopicKind } from '@okno/protocol';
import type { CoreContext } from '../kernel/context.js';
import { LeaseKeeper } from '../domain/lease.js';
import { Lease } from '../persistence/entities/index.js';
import { EmbeddedBroker } from './broker.js';
import { CommandCenter, type CommandView } from './commands.js';
import { FleetConsumer } from './consumer.js';
import { coreMqttCredentials, type CoreMqttCredentials } from './credentials.js';
import { FleetStore, type AgentRef } from './fleet-store.js';
import { HeadsetBindings, stateAfterEvent } from './headsets.js';
import type { EdgeEventRecord } from './entities.js';
import { CoreMqttClient } from './mqtt-client.js';
import { agentBrokerUrl } from './provisioning.js';
import { UploadReceiver } from './uploads.js';

export const CONSUMER_CLIENT_ID = 'okno-core-consumer';
export const CONSUMER_LEASE = 'edge-consumer';
const CONSUMED: TopicKind[] = ['presence', 'inventory', 'telemetry', 'events', 'cmd-result', 'files-up'];

/** The Moleculer event every node hears when an operator's headset reports a hook, mute or button event. */
export const HEADSET_EVENT = 'edge.headsetEvent';
export interface HeadsetEventPayload {
  /** The operator the headset is bound to. */
  userId: number;
  agentRowId: number;
  site: string;
  agent: string;
  headsetId: string;
  /** The stored event (edge_events.id). */
  eventId: number;
  /** The agent's message id (unique). */
  messageId: string;
  /** When the agent saw it (the agent's clock, ms). */
  at: number;
  /** When the core stored it (ms). */
  receivedAt: number;
  event: Extract<DecodedOf['events']['event'], { type: 'headset.hook' | 'headset.mute' | 'headset.button' }>;
}

export interface EdgeRuntimeOptions {
  /** Lease time of the consumer (ms, default 10 s; renewed every third of it). */
  leaseMs?: number;
  /** How often telemetry is written (ms, default 1 s). */
  flushMs?: number;
  /** Days events and finished commands are kept (default 30). */
  keepDays?: number;
  /** Broadcast a command's outcome to every node. */
  broadcast: (event: string, payload: unknown) => void;
}

export class EdgeRuntime {
  readonly store: FleetStore;
  readonly commands: CommandCenter;
  readonly uploads: UploadReceiver;
  readonly consumer: FleetConsumer;
  readonly headsets: HeadsetBindings;
  readonly embedded: EmbeddedBroker | undefined;
  readonly credentials: CoreMqttCredentials;
  readonly nodeId: string;
  publisher: CoreMqttClient | undefined;
  private consumerClient: CoreMqttClient | undefined;
  private readonly lease: LeaseKeeper;
  private readonly log: LoggerInstance;
  private leaseTimer: ReturnType<typeof setInterval> | undefined;
  private flushTimer: ReturnType<typeof setInterval> | undefined;
  private leading = false;
  private ticking: Promise<void> | undefined;
  private inTick = false;
  private lastHousekeeping = 0;
  private stopped = false;

  constructor(private readonly core: CoreContext, private readonly o: EdgeRuntimeOptions) {
    this.log = core.broker.getLogger('edge');
    this.nodeId = core.broker.nodeID;
    this.store = new FleetStore(core.db, core.clock);
    this.credentials = coreMqttCredentials(core.config);
    this.commands = new CommandCenter(core.db, { nodeId: this.nodeId, publisher: () => (this.publisher?.connected ? this.publisher : undefined), clock: core.clock });
    this.uploads = new UploadReceiver({
      db: core.db,
      attachments: core.attachments,
      dir: join(core.config.dataDir, 'edge', 'transfers'),
      nodeId: this.nodeId,
      publish: (topic, payload) => this.publisher?.send(topic, payload),
      logger: this.log,
      committed: () => core.journalCommitted(),
    });
    this.headsets = new HeadsetBindings({
      db: core.db, commands: this.commands, clock: core.clock,
      push: (userIds, frame) => o.broadcast('console.push', { userIds, frame }),
    });
    this.consumer = new FleetConsumer({
      store: this.store,
      commands: this.commands,
      uploads: this.uploads,
      settled: (view) => o.broadcast('edge.commandSettled', view),
      committed: () => core.journalCommitted(),
      stored: (agent, msg, row) => void this.headsetEvent(agent, msg, row).catch((err: Error) => this.log.warn({ err: err.message, eventId: row.id }, 'headset event not passed on')),
      logger: this.log,
    });
    const { mqtt } = core.config;
    if (!mqtt.url && mqtt.embedded.enabled) {
      this.embedded = new EmbeddedBroker({ host: mqtt.embedded.host, port: mqtt.embedded.port, directory: this.store, core: this.credentials, logger: this.log });
    }
    this.lease = new LeaseKeeper(core.db, { name: CONSUMER_LEASE, holder: this.nodeId, ttlMs: o.leaseMs ?? 10_000, clock: core.clock });
  }

  /** The URL this node's clients use, or null when the core has no MQTT broker. */
  get brokerUrl(): string | null {
    return this.core.config.mqtt.url ?? (this.embedded ? this.embedded.url : null);
  }

  /** The URL agents use (for their configuration). */
  agentBroker(): { url: string | null; note?: string } {
    return agentBrokerUrl(this.core.config, this.embedded?.port ?? null);
  }

  get leader(): boolean {
    return this.leading;
  }

  /** This node leads and its consumer client is connected. */
  get consuming(): boolean {
    return this.leading && !!this.consumerClient?.connected;
  }

  async start(): Promise<void> {
    if (!this.brokerUrl) {
      this.log.warn('no MQTT broker (mqtt.url unset and the embedded broker disabled): edge agents cannot connect');
      return;
    }
    if (this.embedded) {
      if (this.core.config.transporter) this.log.warn('several core nodes (a transporter is set) need one external MQTT broker (OKNO_MQTT_URL); each node now runs its own embedded one');
      await this.embedded.start();
      // nobody can be connected to a broker that just started
      const n = await this.store.markAllOffline('broker-restart');
      if (n) this.core.journalCommitted();
    }
    this.publisher = new CoreMqttClient({
      url: this.brokerUrl, ...this.credentials, clientId: `okno-core-${this.nodeId}`.slice(0, 128), clean: true, subscriptions: [], logger: this.log,
    });
    this.publisher.start();
    await this.publisher.waitConnected(this.embedded ? 5000 : 0);
    this.ticking = this.tick();
    await this.ticking;
    this.leaseTimer = setInterval(() => {
      if (!this.inTick) this.ticking = this.tick();
    }, Math.max(200, (this.o.leaseMs ?? 10_000) / 3));
    this.flushTimer = setInterval(() => void this.flush(), this.o.flushMs ?? 1000);
  }

  /** Takes, keeps or loses the consumer lease, and starts or stops consuming accordingly (one pass at a time). */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.inTick = true;
    try {
      await this.leadOrFollow();
    } finally {
      this.inTick = false;
    }
  }

  private async leadOrFollow(): Promise<void> {
    let held = false;
    try {
      held = await this.lease.hold();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'edge consumer lease not renewed');
    }
    if (held && !this.leading && !this.stopped) {
      this.leading = true;
      this.log.info('this node consumes the edge fleet\'s messages');
      this.consumerClient = new CoreMqttClient({
        url: this.brokerUrl!, ...this.credentials, clientId: CONSUMER_CLIENT_ID, clean: false, logger: this.log,
        subscriptions: CONSUMED.map((k) => filterFor(k)),
        onMessage: (topic, payload) => this.consumer.handle(topic, payload),
      });
      this.consumerClient.start();
    } else if (!held && this.leading) {
      this.log.warn('this node lost the edge consumer lease; another node consumes now');
      await this.stepDown();
    }
    if (this.leading && Date.now() - this.lastHousekeeping > 60_000) {
      this.lastHousekeeping = Date.now();
      await this.housekeeping().catch((err: Error) => this.log.warn({ err: err.message }, 'edge housekeeping failed'));
    }
  }

  private async stepDown(): Promise<void> {
    this.leading = false;
    const c = this.consumerClient;
    this.consumerClient = undefined;
    await this.flush();
    await c?.stop();
  }

  private async flush(): Promise<void> {
    try {
      await this.consumer.flush();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'edge telemetry not written; retrying');
    }
  }

  private async housekeeping(): Promise<void> {
    const timedOut = await this.commands.sweep();
    const keep = (this.o.keepDays ?? 30) * 86_400_000;
    const pruned = await this.store.pruneEvents(new Date(Date.now() - keep));
    const transfers = await this.uploads.sweep(7 * 86_400_000);
    if (timedOut || pruned || transfers) this.log.info({ timedOut, pruned, transfers }, 'edge housekeeping');
  }

  /** Which node consumes now (from the lease row). */
  async consumerNode(): Promise<string | null> {
    const row = await this.core.db.read((em) => em.findOne(Lease, { where: { name: CONSUMER_LEASE } }));
    return row && row.expiresAt.getTime() > Date.now() ? row.holder : null;
  }

  /**
   * A hook, mute or button event of a headset: the live state is noted, and when the headset is an
   * operator's, every node hears `edge.headsetEvent` (routing answers or rejects the operator's offer
   * with it) and the operator's desk gets the new state.
   */
  private async headsetEvent(agent: AgentRef, msg: DecodedOf['events'], row: EdgeEventRecord): Promise<void> {
    const e = msg.event;
    if (e.type !== 'headset.hook' && e.type !== 'headset.mute' && e.type !== 'headset.button') return;
    const next = stateAfterEvent(this.headsets.liveState(agent.id, e.headsetId), e);
    if (next) this.headsets.noteState(agent.id, e.headsetId, next, null, msg.ts);
    const b = await this.headsets.ofHeadset(agent.id, e.headsetId);
    if (!b) return;
    this.o.broadcast(HEADSET_EVENT, {
      userId: b.userId, agentRowId: agent.id, site: agent.siteCode, agent: agent.agentId, headsetId: e.headsetId,
      eventId: row.id, messageId: msg.id, at: msg.ts, receivedAt: row.receivedAt.getTime(), event: e,
    } satisfies HeadsetEventPayload);
    await this.headsets.pushState(b.userId);
  }

  /** The Moleculer event `edge.commandSettled`. */
  settled(view: CommandView): void {
    this.commands.settled(view);
  }

  /** An agent was changed (disabled, new password): forget it and cut its connection. */
  agentChanged(username: string): void {
    this.consumer.invalidate(username);
    this.embedded?.disconnectUser(username);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaseTimer);
    clearInterval(this.flushTimer);
    await this.ticking?.catch(() => undefined);
    this.commands.stop();
    this.consumer.stop();
    if (this.leading) {
      await this.stepDown();
      await this.lease.release().catch(() => undefined);
    }
    await this.publisher?.stop();
    this.publisher = undefined;
    await this.embedded?.stop();
  }
}
