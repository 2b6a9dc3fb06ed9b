/**
 * A simulated edge agent for tests of the core and of plugins that work with edge agents (a fax
 * channel, a headset integration): mqtt.js and @okno/protocol exactly as the edge agent puts them on
 * the wire (docs/edge-protocol.md: MQTT 3.1.1, QoS 1, persistent session, retained presence with a
 * last will, retained inventory, telemetry, events, command results, uploads with FileSender,
 * downloads with FileReceiver). Devices are not simulated (that is the edge agent's own suite): what
 * a modem or headset does is what the test says. Commands are answered by handlers the test chooses;
 * built in are `ping` and `fax.send` (accepted when its document has arrived, like the agent does).
 *
 * ```ts
 * const { agentUrl } = await app.app.broker.call('edge.brokerInfo');
 * const { password } = await app.app.broker.call('edge.register', { site: 'cao', agent: 'pc-01' });
 * const agent = new SimEdgeAgent({ url: agentUrl, site: 'cao', agent: 'pc-01', password });
 * await agent.connect();                                  // online, with SAMPLE_MODEM and SAMPLE_HEADSET
 * await agent.receiveFax(tiff, { pages: 2, remoteId: '+7 495 765-43-21' });
 * await agent.stop();
 * ```
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  agentSender,
  encodeFileMessage,
  encodeMessage,
  envelope,
  errorResult,
  fileFilter,
  fileTopic,
  FileReceiver,
  FileSender,
  MemoryChunkStore,
  decodeFileMessage,
  decodeMessage,
  newId,
  okResult,
  parseTopic,
  topicFor,
  type AgentAddress,
  type CommandErrorCode,
  type CommandMessage,
  type EventBody,
  type FileSenderOptions,
  type MessageKind,
  type PresenceMessage,
  type ReceivedFile,
  type ReceiverMessage,
  type SenderMessage,
  type TransferOutcome,
} from '@okno/protocol';
import { nodeSha256 } from '@okno/protocol/node';

/** How the simulated agent answers one command: a result, an error, or 'ignore' (no answer, for timeouts). */
export type SimCommandHandler = (cmd: CommandMessage) => Promise<Record<string, unknown> | { error: CommandErrorCode; message: string } | 'ignore'>;

export interface SimEdgeAgentOptions extends AgentAddress {
  /** The broker URL agents use (`edge.brokerInfo`: `agentUrl ?? url`). */
  url: string;
  /** The password `edge.register` returned. */
  password: string;
  username?: string;
  clientId?: string;
  /** The protocol minor spoken: '1.0' sends what a 1.0 agent sent (no headsets). */
  version?: '1.1' | '1.0';
  /** Command answers, over the built-in `ping` and `fax.send`. */
  handlers?: Record<string, SimCommandHandler>;
  /** Milliseconds between reconnects after the link dropped; 0 (default) does not reconnect. */
  reconnectPeriod?: number;
}

export const SAMPLE_MODEM = {
  id: 'ttyUSB0', port: '/dev/ttyUSB0', state: 'idle', manufacturer: 'USRobotics', model: '5637', revision: '1.2.23',
  classes: ['0', '1', '1.0', '2', '2.0'], faxClass: '2.0',
} as const;
export const SAMPLE_HEADSET = {
  id: 'hidraw0', path: '/dev/hidraw0', vendorId: 0x0b0e, productId: 0x245e, manufacturer: 'GN Netcom', product: 'Jabra EVOLVE 30',
  controls: { hookSwitch: 'toggle', phoneMute: 'toggle', flash: 'absent', redial: 'absent' },
  leds: { offHook: true, ring: true, mute: true, hold: false, microphone: false }, ringer: true,
} as const;

/** A fax the simulated agent's modem received (see `receiveFax`). */
export interface SimReceivedFax {
  pages: number;
  /** The sender's fax id (CSI), when the line gave one. */
  remoteId?: string;
  /** When the modem took it (default now): an earlier time is a fax received while the link was down. */
  at?: number;
  modemId?: string;
  durationMs?: number;
}

export class SimEdgeAgent {
  readonly addr: AgentAddress;
  readonly sender;
  readonly startedAt = Date.now();
  client: MqttClient | undefined;
  /** Files the core sent down (documents for `fax.send`), complete and checked. */
  readonly received: ReceivedFile[] = [];
  /** Every command the core sent, in order. */
  readonly commands: CommandMessage[] = [];
  private readonly uploads = new Map<string, FileSender>();
  private readonly downloads: FileReceiver;
  private readonly builtIn: Record<string, SimCommandHandler> = {
    ping: async () => ({ agentTs: Date.now(), uptimeSec: 1, agentVersion: 'sim-1' }),
    // like the agent: the document must have come down first; the job is queued on a modem
    'fax.send': async (cmd) => {
      const id = String(cmd.args.transferId);
      if (!this.receivedFile(id)) return { error: 'failed', message: `document ${id} has not arrived; send it on files/down/${id} first` };
      return { jobId: newId(), modemId: typeof cmd.args.modemId === 'string' ? cmd.args.modemId : SAMPLE_MODEM.id, queuePosition: 0 };
    },
  };
  private readonly handlers: Record<string, SimCommandHandler>;

  constructor(private readonly o: SimEdgeAgentOptions) {
    this.addr = { site: o.site, agent: o.agent };
    this.sender = agentSender(o.site, o.agent);
    this.handlers = { ...this.builtIn, ...(o.handlers ?? {}) };
    this.downloads = new FileReceiver({
      store: new MemoryChunkStore(),
      sha256: nodeSha256,
      envelope: () => envelope(this.sender),
      send: (m) => void this.publishFile(m).catch(() => undefined),
      onFile: (f) => void this.received.push(f),
    });
  }

  /** Sets how `kind` is answered from now on; without a handler, back to the built-in answer (or unknown-command). */
  handle(kind: string, handler?: SimCommandHandler): void {
    const h = handler ?? this.builtIn[kind];
    if (h) this.handlers[kind] = h;
    else delete this.handlers[kind];
  }

  /** A file the core sent down, by its transfer id. */
  receivedFile(transferId: string): ReceivedFile | undefined {
    return this.received.find((f) => f.offer.transferId === transferId);
  }

  get username(): string {
    return this.o.username ?? `${this.o.site}.${this.o.agent}`;
  }

  presence(state: 'online' | 'offline', reason: PresenceMessage['reason']): Uint8Array {
    const m = { ...envelope(this.sender), state, reason, agentVersion: 'sim-1', startedAt: this.startedAt };
    return this.o.version === '1.0' ? Buffer.from(JSON.stringify({ ...m, v: '1.0' })) : encodeMessage('presence', m);
  }

  /** Connects (rejects when the broker refuses); publishes presence and inventory like the agent. */
  async connect(opts: { announce?: boolean } = {}): Promise<void> {
    const c = await mqtt.connectAsync(this.o.url, {
      protocolVersion: 4,
      clientId: this.o.clientId ?? `okno-edge-${this.username}`,
      username: this.username,
      password: this.o.password,
      clean: false,
      keepalive: 5,
      reconnectPeriod: this.o.reconnectPeriod ?? 0,
      connectTimeout: 5000,
      will: { topic: topicFor(this.addr, 'presence'), payload: Buffer.from(this.presence('offline', 'will')), qos: 1, retain: true },
    });
    this.client = c;
    c.handleMessage = (packet, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      void this.onMessage(packet.topic, payload);
      done();
    };
    // like the agent: uploads pause while the link is down and re-offer when it is back
    c.on('close', () => {
      for (const s of this.uploads.values()) s.pause();
    });
    c.on('connect', () => {
      void c.subscribeAsync([topicFor(this.addr, 'cmd'), fileFilter(this.addr, 'down')], { qos: 1 }).then(() => {
        for (const s of this.uploads.values()) s.resume();
      }, () => undefined);
    });
    await c.subscribeAsync([topicFor(this.addr, 'cmd'), fileFilter(this.addr, 'down')], { qos: 1 });
    if (opts.announce !== false) {
      await this.publish('presence', this.presence('online', 'connect'), true);
      await this.sendInventory();
    }
  }

  /** Publishes raw bytes on one of its topics (QoS 1, resolves on PUBACK). */
  async publish(kind: MessageKind, payload: Uint8Array | string, retain = false): Promise<void> {
    await this.client!.publishAsync(topicFor(this.addr, kind), Buffer.from(payload), { qos: 1, retain });
  }

  async sendInventory(modems: object[] = [SAMPLE_MODEM], headsets: object[] = [SAMPLE_HEADSET]): Promise<void> {
    const host = { hostname: `host-${this.o.agent}`, os: 'linux', arch: 'x64', nodeVersion: 'v24.11.0', agentVersion: 'sim-1', startedAt: this.startedAt };
    if (this.o.version === '1.0') {
      await this.publish('inventory', JSON.stringify({ ...envelope(this.sender), v: '1.0', host, modems }), true);
      return;
    }
    await this.publish('inventory', encodeMessage('inventory', { ...envelope(this.sender), host, modems, headsets } as never), true);
  }

  telemetryMessage(over: { callsIn?: number; spoolDepth?: number; ringing?: boolean } = {}): Uint8Array {
    const m = {
      ...envelope(this.sender),
      intervalMs: 5000,
      host: { load1: 0.1, cpuPercent: 2, rssBytes: 50e6, memFreeBytes: 1e9, memTotalBytes: 2e9, uptimeSec: 100 },
      spool: { depth: over.spoolDepth ?? 0, bytes: 0, files: 0, fileBytes: 0, droppedTelemetry: 0, refused: 0 },
      link: { reconnects: 0 },
      modems: [{ id: SAMPLE_MODEM.id, state: 'idle', line: { callsIn: over.callsIn ?? 3, callsOut: 1, pagesIn: 7, pagesOut: 2, failures: 1, lastHangup: { code: '0', fclass: '2.0', meaning: 'normal end of call' }, lastBitRate: 14400 } }],
      headsets: [{ id: SAMPLE_HEADSET.id, offHook: false, muted: false, ringing: over.ringing ?? false }],
    };
    if (this.o.version === '1.0') {
      const { headsets: _h, ...old } = m;
      return Buffer.from(JSON.stringify({ ...old, v: '1.0' }));
    }
    return encodeMessage('telemetry', m as never);
  }

  async telemetry(over: Parameters<SimEdgeAgent['telemetryMessage']>[0] = {}): Promise<void> {
    await this.publish('telemetry', this.telemetryMessage(over));
  }

  /** Publishes an event (made at `at`, default now); returns its message id. */
  async event(body: EventBody, at?: number): Promise<string> {
    const m = { ...envelope(this.sender, at), event: body };
    await this.publish('events', encodeMessage('events', m));
    return m.id;
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    if (!t) return;
    if (t.kind === 'files-down') {
      const m = decodeFileMessage(payload);
      const up = this.uploads.get(m.transferId);
      if (up && (m.type === 'ack' || m.type === 'resume' || m.type === 'done' || m.type === 'abort')) return up.handle(m as ReceiverMessage);
      if (m.type === 'offer' || m.type === 'chunk' || m.type === 'commit' || m.type === 'abort') await this.downloads.handle(m as SenderMessage);
      return;
    }
    if (t.kind !== 'cmd') return;
    const cmd = decodeMessage('cmd', payload);
    this.commands.push(cmd);
    const receivedAt = Date.now();
    const h = this.handlers[cmd.kind];
    const out = h ? await h(cmd) : ({ error: 'unknown-command', message: `unknown command ${cmd.kind}` } as const);
    if (out === 'ignore') return;
    const result = 'error' in out && typeof out.error === 'string'
      ? errorResult(this.sender, cmd, out.error as CommandErrorCode, String(out.message), { receivedAt })
      : okResult(this.sender, cmd, out as never, { receivedAt });
    await this.publish('cmd-result', encodeMessage('cmd-result', result)).catch(() => undefined);
  }

  private publishFile(m: SenderMessage | ReceiverMessage): Promise<void> {
    const c = this.client;
    if (!c?.connected) return Promise.reject(new Error('link down'));
    return c.publishAsync(fileTopic(this.addr, 'up', m.transferId), Buffer.from(encodeFileMessage(m)), { qos: 1 }).then(() => undefined);
  }

  /** Starts an upload (returns the sender; `done` settles when the core answered done). */
  upload(data: Uint8Array, o: Partial<FileSenderOptions> = {}): FileSender {
    const s = new FileSender({
      transferId: o.transferId ?? newId(),
      data,
      name: 'fax.tif',
      contentType: 'image/tiff',
      meta: { modemId: SAMPLE_MODEM.id, pages: 1, remoteId: '+7 495 123-45-67' },
      chunkSize: 1024,
      window: 4,
      ackTimeoutMs: 500,
      maxRetries: 30,
      sha256: nodeSha256,
      envelope: () => envelope(this.sender),
      send: (m) => this.publishFile(m),
      ...o,
    });
    this.uploads.set(s.transferId, s);
    s.start();
    return s;
  }

  async uploadAndWait(data: Uint8Array, o: Partial<FileSenderOptions> = {}): Promise<TransferOutcome> {
    return this.upload(data, o).done;
  }

  /**
   * What the agent does with a fax its modem received: the `fax.received` event, then the TIFF up
   * with its metadata under the same transfer id. Resolves when the core answered the upload.
   */
  async receiveFax(data: Uint8Array, f: SimReceivedFax): Promise<TransferOutcome> {
    const transferId = newId();
    const modemId = f.modemId ?? SAMPLE_MODEM.id;
    const fileName = `fax-${new Date(f.at ?? Date.now()).toISOString().replace(/[:.]/g, '-')}.tif`;
    const remote: { remoteId?: string } = f.remoteId ? { remoteId: f.remoteId } : {};
    await this.event({ type: 'fax.received', modemId, transferId, fileName, size: data.length, sha256: nodeSha256(data), pages: f.pages, durationMs: f.durationMs ?? 30_000, ...remote }, f.at);
    return this.uploadAndWait(data, { transferId, name: fileName, meta: { modemId, pages: f.pages, ...remote } });
  }

  /** Cuts the connection without DISCONNECT: the broker publishes the will. */
  kill(): void {
    this.client?.stream?.destroy();
    this.client?.end(true);
    this.client = undefined;
  }

  /** Clean stop: presence offline (shutdown), then DISCONNECT (no will). */
  async stop(): Promise<void> {
    const c = this.client;
    if (!c) return;
    // (a broker that just went away never acknowledges: do not wait for it forever)
    if (c.connected) await Promise.race([this.publish('presence', this.presence('offline', 'shutdown'), true).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    this.client = undefined;
    // a client the broker closed with a QoS 1 message unacknowledged never finishes a polite end
    if (!c.connected) return void (await c.endAsync(true));
    await Promise.race([c.endAsync(), new Promise((r) => setTimeout(r, 2000))]);
    if (!c.disconnected) await c.endAsync(true);
  }
}
