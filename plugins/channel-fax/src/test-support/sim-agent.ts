/**
 * Test support: an edge agent as the core sees it over MQTT, speaking the protocol of
 * docs/edge-protocol.md with @okno/protocol (the real agent is the edge-agent package, which a plugin
 * must not import). It goes online with retained presence and a last will, reports an inventory
 * with fax modems, uploads files in acknowledged chunks, receives documents, answers `fax.send` and
 * reports fax events. The modem itself is not simulated: what the line does is what the test says.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  FileReceiver, FileSender, MemoryChunkStore, agentSender, decodeFileMessage, decodeMessage, encodeFileMessage, encodeMessage, envelope,
  fileFilter, fileTopic, okResult, errorResult, parseTopic, topicFor, type AgentAddress, type CommandErrorCode, type CommandMessage,
  type EventBody, type ReceiverMessage, type SenderMessage, type TransferOutcome,
} from '@okno/protocol';
import { nodeSha256 } from '@okno/protocol/node';

export interface SimAgentOptions {
  url: string;
  site: string;
  agent: string;
  password: string;
  /** Fax modems in the inventory. */
  modems?: number;
}

export interface ReceivedDocument {
  transferId: string;
  name: string;
  contentType: string;
  data: Buffer;
}

export type FaxSendAnswer = { status: 'ok' } | { status: 'error'; code: CommandErrorCode; message: string };

export class SimAgent {
  readonly documents: ReceivedDocument[] = [];
  readonly commands: CommandMessage[] = [];
  /** How the agent answers the next `fax.send` commands. */
  faxSendAnswer: FaxSendAnswer = { status: 'ok' };
  private readonly uploads = new Map<string, FileSender>();
  private readonly receiver: FileReceiver;
  private readonly addr: AgentAddress;
  private readonly startedAt = Date.now();

  private constructor(private readonly client: MqttClient, private readonly o: SimAgentOptions) {
    this.addr = { site: o.site, agent: o.agent };
    this.receiver = new FileReceiver({
      store: new MemoryChunkStore(),
      sha256: nodeSha256,
      envelope: () => envelope(this.sender),
      send: (m) => void this.publish(fileTopic(this.addr, 'up', m.transferId), encodeFileMessage(m)),
      onFile: ({ offer, data }) => void this.documents.push({ transferId: offer.transferId, name: offer.name, contentType: offer.contentType, data: Buffer.from(data) }),
    });
  }

  private get sender() {
    return agentSender(this.o.site, this.o.agent);
  }

  static async connect(o: SimAgentOptions): Promise<SimAgent> {
    const addr = { site: o.site, agent: o.agent };
    const will = { ...envelope(agentSender(o.site, o.agent)), state: 'offline' as const, reason: 'will' as const, agentVersion: 'sim-1', startedAt: Date.now() };
    const client = await mqtt.connectAsync(o.url, {
      protocolVersion: 4, clientId: `okno-edge-${o.site}.${o.agent}`, username: `${o.site}.${o.agent}`, password: o.password, clean: true, reconnectPeriod: 0,
      will: { topic: topicFor(addr, 'presence'), payload: Buffer.from(encodeMessage('presence', will)), qos: 1, retain: true },
    });
    const a = new SimAgent(client, o);
    client.on('message', (topic, payload) => void a.onMessage(topic, payload));
    await client.subscribeAsync([topicFor(addr, 'cmd'), fileFilter(addr, 'down')], { qos: 1 });
    await a.publish(topicFor(addr, 'presence'), encodeMessage('presence', { ...envelope(a.sender), state: 'online', reason: 'connect', agentVersion: 'sim-1', startedAt: a.startedAt }), true);
    await a.publish(topicFor(addr, 'inventory'), encodeMessage('inventory', {
      ...envelope(a.sender),
      host: { hostname: 'sim', os: 'linux', arch: 'x64', nodeVersion: process.version, agentVersion: 'sim-1', startedAt: a.startedAt },
      modems: Array.from({ length: o.modems ?? 1 }, (_, i) => ({ id: `/dev/ttyACM${i}`, port: `/dev/ttyACM${i}`, state: 'idle' as const, classes: ['0', '2', '2.0'], faxClass: '2.0' as const })),
      headsets: [],
    }), true);
    return a;
  }

  private publish(topic: string, payload: Uint8Array, retain = false): Promise<unknown> {
    return this.client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain });
  }

  /**
   * What the agent does with a fax its modem received: the `fax.received` event (made at `at`, e.g.
   * while the link was down), then the TIFF up in chunks. Resolves when the core answered `done`.
   */
  async receiveFax(data: Buffer, o: { pages: number; remoteId?: string; at?: number; modemId?: string }): Promise<TransferOutcome> {
    const transferId = randomUUID();
    const modemId = o.modemId ?? '/dev/ttyACM0';
    const fileName = `fax-${new Date(o.at ?? Date.now()).toISOString().replace(/[:.]/g, '-')}.tif`;
    const event: EventBody = {
      type: 'fax.received', modemId, transferId, fileName, size: data.length, sha256: nodeSha256(data), pages: o.pages, durationMs: 30_000,
      ...(o.remoteId ? { remoteId: o.remoteId } : {}),
    };
    await this.publish(topicFor(this.addr, 'events'), encodeMessage('events', { ...envelope(this.sender, o.at), event }));
    return this.upload(data, fileName, { modemId, pages: o.pages, ...(o.remoteId ? { remoteId: o.remoteId } : {}) }, transferId);
  }

  /** Uploads a file; resolves when the core answered `done`. */
  upload(data: Buffer, name: string, meta: Record<string, string | number | boolean>, transferId = randomUUID()): Promise<TransferOutcome> {
    const s = new FileSender({
      transferId, data, name, contentType: 'image/tiff', meta, sha256: nodeSha256, chunkSize: 16 * 1024, envelope: () => envelope(this.sender),
      send: (m) => void this.publish(fileTopic(this.addr, 'up', transferId), encodeFileMessage(m)),
    });
    this.uploads.set(transferId, s);
    s.start();
    return s.done.finally(() => this.uploads.delete(transferId));
  }

  async event(body: EventBody): Promise<void> {
    await this.publish(topicFor(this.addr, 'events'), encodeMessage('events', { ...envelope(this.sender), event: body }));
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    if (t?.kind === 'files-down') {
      const msg = decodeFileMessage(payload);
      const upload = this.uploads.get(msg.transferId);
      if (upload) upload.handle(msg as ReceiverMessage);
      else await this.receiver.handle(msg as SenderMessage);
      return;
    }
    if (t?.kind !== 'cmd') return;
    const cmd = decodeMessage('cmd', payload);
    this.commands.push(cmd);
    const times = { receivedAt: Date.now() };
    let result;
    if (cmd.kind !== 'fax.send') result = errorResult(this.sender, cmd, 'unknown-command', `the simulated agent only sends faxes (${cmd.kind})`, times);
    else if (!this.documents.some((d) => d.transferId === cmd.args.transferId)) result = errorResult(this.sender, cmd, 'invalid-args', 'no document under that transferId', times);
    else if (this.faxSendAnswer.status === 'error') result = errorResult(this.sender, cmd, this.faxSendAnswer.code, this.faxSendAnswer.message, times);
    else result = okResult(this.sender, cmd, { jobId: randomUUID(), modemId: '/dev/ttyACM0', queuePosition: 0 } as never, times);
    await this.publish(topicFor(this.addr, 'cmd-result'), encodeMessage('cmd-result', result));
  }

  /** A clean stop: presence offline, then disconnect. */
  async close(): Promise<void> {
    await this.publish(topicFor(this.addr, 'presence'), encodeMessage('presence', { ...envelope(this.sender), state: 'offline', reason: 'shutdown', agentVersion: 'sim-1', startedAt: this.startedAt }), true);
    await this.client.endAsync();
  }
}
