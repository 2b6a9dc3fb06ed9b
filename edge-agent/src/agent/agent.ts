/**
 * The edge agent daemon: spool -> MQTT link, presence with last will, inventory on connect and
 * on change, periodic telemetry, commands with results, file transfers, device events.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  agentSender,
  encodeMessage,
  envelope,
  fileFilter,
  newId,
  parseTopic,
  topicFor,
  type AgentAddress,
  type EventBody,
  type MessageKind,
  type MessageOf,
  type PresenceMessage,
} from '@okno/protocol';
import { brokerCredentials, brokerTls, clientIdOf, loadConfig, type EdgeConfig } from '../config/config.js';
import { MqttLink } from '../link/mqtt-link.js';
import { Spool, SpoolFullError } from '../spool/spool.js';
import type { SpoolClass } from '../spool/record.js';
import { CommandJournal } from './command-journal.js';
import { CommandError, CommandRunner, type CommandHandlers } from './command-runner.js';
import { DeviceManager, type ReceivedFax } from './devices.js';
import { AGENT_VERSION, hostInfo, HostSampler } from './host.js';
import { Transfers } from './transfers.js';

export interface EdgeAgentOptions {
  config: EdgeConfig;
  devices?: DeviceManager;
  logger: Logger;
  /** Path of the config file, for config.reload. */
  configFile?: string;
}

export class EdgeAgent {
  readonly addr: AgentAddress;
  readonly spool: Spool;
  readonly link: MqttLink;
  readonly devices: DeviceManager;
  readonly transfers: Transfers;
  private readonly runner: CommandRunner;
  private readonly sender;
  private readonly startedAt = Date.now();
  private readonly sampler = new HostSampler();
  private telemetryTimer: ReturnType<typeof setInterval> | undefined;
  private pumping = false;
  private overflowReported = { dropped: 0, refused: 0 };
  private config: EdgeConfig;
  private readonly log: Logger;

  constructor(private readonly o: EdgeAgentOptions) {
    this.config = o.config;
    this.log = o.logger;
    const c = o.config;
    this.addr = { site: c.site, agent: c.agent };
    this.sender = agentSender(c.site, c.agent);
    this.devices = o.devices ?? new DeviceManager();
    this.spool = Spool.open(c.spool.dir, c.spool);
    const creds = brokerCredentials(c);
    const tls = brokerTls(c);
    this.link = new MqttLink({
      url: c.broker.url,
      clientId: clientIdOf(c),
      ...creds,
      ...(tls ? { tls } : {}),
      keepaliveSec: c.broker.keepaliveSec,
      connectTimeoutMs: c.broker.connectTimeoutMs,
      backoff: c.broker.reconnect,
      will: { topic: topicFor(this.addr, 'presence'), payload: encodeMessage('presence', this.presence('offline', 'will')) },
      subscriptions: [topicFor(this.addr, 'cmd'), fileFilter(this.addr, 'down')],
      logger: o.logger.child({ part: 'link' }),
    });
    this.transfers = new Transfers({
      spool: this.spool,
      addr: this.addr,
      sender: this.sender,
      publish: (topic, payload) => this.link.publish(topic, payload, { qos: 1 }),
      isUp: () => this.link.connected,
      chunkSize: c.transfer.chunkSize,
      window: c.transfer.window,
      ackTimeoutMs: c.transfer.ackTimeoutMs,
      logger: o.logger.child({ part: 'transfer' }),
      onFailed: (id, reason) => this.event({ type: 'error', component: 'transfer', code: 'upload-refused', message: `file ${id}: ${reason}` }),
    });
    this.runner = new CommandRunner({
      sender: this.sender,
      handlers: this.handlers(),
      journal: new CommandJournal(c.spool.dir),
      publishResult: (r) => this.enqueue('cmd-result', r, 'critical'),
      maxRunMs: 10 * 60_000,
      logger: o.logger.child({ part: 'commands' }),
    });
    this.link.onMessage = (topic, payload) => this.onMessage(topic, payload);
    this.link.on('up', () => this.onUp());
    this.link.on('down', () => this.transfers.pauseAll());
    this.devices.on('change', () => this.sendInventory());
    this.devices.on('event', (e) => this.event(e));
    this.devices.on('received', (f) => this.faxReceived(f));
  }

  async start(): Promise<void> {
    await this.devices.start();
    this.runner.reportInterrupted();
    this.link.start();
    this.startTelemetry();
    this.log.info({ site: this.addr.site, agent: this.addr.agent, broker: this.config.broker.url, spool: this.spool.stats() }, 'edge agent started');
  }

  async stop(): Promise<void> {
    if (this.telemetryTimer) clearInterval(this.telemetryTimer);
    this.transfers.pauseAll();
    await this.link.stop({ topic: topicFor(this.addr, 'presence'), payload: encodeMessage('presence', this.presence('offline', 'shutdown')), retain: true });
    await this.devices.close();
    await this.runner.idle();
    this.spool.close();
  }

  private presence(state: 'online' | 'offline', reason: PresenceMessage['reason']): PresenceMessage {
    return { ...envelope(this.sender), state, reason, agentVersion: AGENT_VERSION, startedAt: this.startedAt };
  }

  private onUp(): void {
    void this.link
      .publish(topicFor(this.addr, 'presence'), encodeMessage('presence', this.presence('online', 'connect')), { qos: 1, retain: true })
      .catch((err: Error) => this.log.warn({ err: err.message }, 'presence not published'));
    this.sendInventory();
    this.pump();
    this.transfers.pump();
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    if (!t || t.site !== this.addr.site || t.agent !== this.addr.agent) return;
    if (t.kind === 'cmd') return this.runner.receive(payload);
    if (t.kind === 'files-down') return this.transfers.handleDown(payload);
  }

  /** Spools a message; returns false (after reporting) when the overflow policy refused it. */
  private enqueue<K extends MessageKind>(kind: K, msg: MessageOf[K], cls: SpoolClass, opts: { retain?: boolean; key?: string } = {}): boolean {
    try {
      this.spool.append({ cls, topic: topicFor(this.addr, kind), payload: encodeMessage(kind, msg), qos: 1, retain: opts.retain ?? false, ...(opts.key ? { key: opts.key } : {}) });
    } catch (err) {
      if (!(err instanceof SpoolFullError)) throw err;
      if (cls !== 'telemetry') this.log.error({ kind, err: err.message }, 'spool full: message refused');
      return false;
    }
    this.pump();
    return true;
  }

  /** Publishes an event (through the spool). */
  event(body: EventBody): boolean {
    return this.enqueue('events', { ...envelope(this.sender), event: body }, 'critical');
  }

  sendInventory(): void {
    const inv = this.devices.inventory();
    this.enqueue('inventory', { ...envelope(this.sender), host: hostInfo(this.startedAt), ...inv }, 'state', { retain: true, key: 'inventory' });
  }

  sendTelemetry(): void {
    const dev = this.devices.telemetry();
    this.enqueue(
      'telemetry',
      { ...envelope(this.sender), intervalMs: this.config.telemetry.intervalMs, host: this.sampler.sample(), spool: this.spool.stats(), link: { reconnects: this.link.reconnects }, ...dev },
      'telemetry',
    );
  }

  private startTelemetry(): void {
    if (this.telemetryTimer) clearInterval(this.telemetryTimer);
    this.telemetryTimer = setInterval(() => this.sendTelemetry(), this.config.telemetry.intervalMs);
    this.telemetryTimer.unref();
  }

  private faxReceived(f: ReceivedFax): void {
    const transferId = newId();
    try {
      this.spool.addFile({ transferId, name: f.fileName, contentType: 'image/tiff', meta: { modemId: f.modemId, pages: f.pages, ...(f.remoteId ? { remoteId: f.remoteId } : {}), ...(f.incomplete ? { incomplete: f.incomplete.slice(0, 300) } : {}) } }, f.data);
    } catch (err) {
      this.log.error({ err: (err as Error).message, modemId: f.modemId }, 'received fax could not be spooled');
      this.event({ type: 'error', component: 'spool', code: 'spool-full', message: `received fax from ${f.remoteId ?? 'unknown'} not stored: ${(err as Error).message}`, deviceId: f.modemId });
      return;
    }
    this.event({
      type: 'fax.received',
      modemId: f.modemId,
      transferId,
      fileName: f.fileName,
      size: f.data.length,
      sha256: this.sha256(f.data),
      pages: f.pages,
      durationMs: f.durationMs,
      ...(f.remoteId ? { remoteId: f.remoteId } : {}),
      ...(f.badLines !== undefined ? { badLines: f.badLines } : {}),
    });
    this.transfers.pump();
  }

  private sha256(d: Uint8Array): string {
    return createHashHex(d);
  }

  /** Publishes spooled records while connected, at most `inflight` unacknowledged at once. */
  private pump(): void {
    if (this.pumping || !this.link.connected) return;
    this.pumping = true;
    try {
      const room = this.config.spool.inflight - this.spool.inflightCount;
      for (const e of this.spool.pending(Math.max(0, room))) {
        this.spool.markInFlight(e.seq);
        this.link.publish(e.topic, e.payload, { qos: e.qos, retain: e.retain }).then(
          () => {
            this.spool.ack(e.seq);
            this.reportOverflow();
            this.pump();
          },
          () => this.spool.release(e.seq),
        );
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Once there is room again, tells the core what the overflow policy dropped or refused. */
  private reportOverflow(): void {
    const s = this.spool.stats();
    if (!this.spool.belowSoftLimit) return;
    if (s.droppedTelemetry === this.overflowReported.dropped && s.refused === this.overflowReported.refused) return;
    const body: EventBody = { type: 'spool.overflow', droppedTelemetry: s.droppedTelemetry - this.overflowReported.dropped, refused: s.refused - this.overflowReported.refused, limitBytes: this.config.spool.maxBytes };
    this.overflowReported = { dropped: s.droppedTelemetry, refused: s.refused };
    this.event(body);
  }

  /** Resolves when the spool is empty or at the deadline. */
  async flush(deadline: number): Promise<{ delivered: number; remaining: number }> {
    const before = this.spool.stats().depth;
    this.pump();
    while (this.spool.stats().depth > 0 && Date.now() < deadline - 50) {
      await new Promise((r) => setTimeout(r, 50));
      this.pump();
    }
    const remaining = this.spool.stats().depth;
    return { delivered: Math.max(0, before - remaining), remaining };
  }

  private handlers(): CommandHandlers {
    const h: { [K in keyof CommandHandlers]: (args: never, ctx: { deadline: number; signal: AbortSignal }) => Promise<Record<string, unknown>> } = {
      ping: async () => ({ agentTs: Date.now(), uptimeSec: process.uptime(), agentVersion: AGENT_VERSION }),
      'modems.probe': async (a: { modemId?: string }) => ({ modems: await this.devices.fax.probe(a.modemId) }),
      'fax.send': async (a: { number: string; transferId: string; modemId?: string; localId?: string; maxAttempts?: number }) => {
        const file = this.transfers.downloaded(a.transferId);
        if (!file) throw new CommandError('failed', `document ${a.transferId} has not arrived; send it on files/down/${a.transferId} first`);
        return this.devices.fax.send({ number: a.number, file, ...(a.modemId ? { modemId: a.modemId } : {}), ...(a.localId ? { localId: a.localId } : {}), ...(a.maxAttempts ? { maxAttempts: a.maxAttempts } : {}) });
      },
      'fax.test': async (a: { modemId?: string; mode: 'probe' | 'loopback' }) => this.devices.fax.test(a),
      'headset.ring': async (a: { headsetId: string; on: boolean }) => this.devices.headsets.ring(a.headsetId, a.on),
      'headset.offHook': async (a: { headsetId: string; offHook: boolean }) => this.devices.headsets.offHook(a.headsetId, a.offHook),
      'headset.muteLed': async (a: { headsetId: string; muted: boolean }) => this.devices.headsets.muteLed(a.headsetId, a.muted),
      'spool.flush': async (_a: never, ctx) => this.flush(ctx.deadline),
      'config.reload': async () => ({ changed: this.reloadConfig() }),
      'inventory.refresh': async () => {
        this.sendInventory();
        const inv = this.devices.inventory();
        return { modems: inv.modems.length, headsets: inv.headsets.length };
      },
    };
    return h as CommandHandlers;
  }

  /** Re-reads the configuration; telemetry interval applies at once, other changes at restart. */
  private reloadConfig(): string[] {
    const next = loadConfig(this.o.configFile ? { file: this.o.configFile } : {});
    const changed = diffKeys(this.config, next);
    if (next.telemetry.intervalMs !== this.config.telemetry.intervalMs) {
      this.config = { ...this.config, telemetry: next.telemetry };
      this.startTelemetry();
    }
    this.log.info({ changed }, 'configuration reloaded');
    return changed;
  }
}

function createHashHex(d: Uint8Array): string {
  return createHash('sha256').update(d).digest('hex');
}

function diffKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) || Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (/password/i.test(k)) {
      if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) out.push(p);
      continue;
    }
    out.push(...diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], p));
  }
  return out;
}
