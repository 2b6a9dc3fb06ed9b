/**
 * The core's side of the contract in tests: a real MQTT client subscribed to everything under
 * okno/v1, decoding with @okno/protocol, sending commands and receiving file uploads.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  coreSender,
  decodeFileMessage,
  decodeMessage,
  encodeFileMessage,
  encodeMessage,
  envelope,
  fileTopic,
  FileReceiver,
  makeCommand,
  MemoryChunkStore,
  parseTopic,
  topicFor,
  type AgentAddress,
  type CommandArgsInput,
  type CommandKind,
  type CommandMessage,
  type DecodedOf,
  type MessageKind,
  type ReceivedFile,
  type SenderMessage,
} from '@okno/protocol';
import { waitFor } from '@okno/testkit';

export interface Seen<K extends MessageKind = MessageKind> {
  kind: K;
  topic: string;
  retain: boolean;
  msg: DecodedOf[K];
}

export class CoreObserver {
  readonly seen: Seen[] = [];
  readonly files: ReceivedFile[] = [];
  readonly chunkTopics: string[] = [];
  readonly store = new MemoryChunkStore();
  private receiver: FileReceiver;

  private constructor(readonly client: MqttClient) {
    this.receiver = new FileReceiver({
      store: this.store,
      envelope: () => envelope(coreSender('test-core')),
      send: (m) => {
        const t = this.transferOwners.get(m.transferId);
        if (t) void this.client.publishAsync(fileTopic(t, 'down', m.transferId), Buffer.from(encodeFileMessage(m)), { qos: 1 });
      },
      onFile: (f) => void this.files.push(f),
    });
    client.on('message', (topic, payload, packet) => {
      const t = parseTopic(topic);
      if (!t || payload.length === 0) return;
      if (t.kind === 'files-up') {
        this.chunkTopics.push(topic);
        this.transferOwners.set(t.transferId!, t);
        const m = decodeFileMessage(payload);
        if (m.type === 'offer' || m.type === 'chunk' || m.type === 'commit' || m.type === 'abort') void this.receiver.handle(m as SenderMessage);
        return;
      }
      if (t.kind === 'files-down' || t.kind === 'cmd') return;
      this.seen.push({ kind: t.kind, topic, retain: packet.retain, msg: decodeMessage(t.kind, payload) } as Seen);
    });
  }
  private readonly transferOwners = new Map<string, AgentAddress>();

  static async connect(url: string, opts: { username?: string; password?: string; clientId?: string; ca?: Buffer } = {}): Promise<CoreObserver> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, username: opts.username ?? 'okno-core', password: opts.password ?? 'core', clientId: opts.clientId ?? `test-core-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200, clean: false, ...(opts.ca ? { ca: opts.ca } : {}) });
    const o = new CoreObserver(client);
    await client.subscribeAsync('okno/v1/#', { qos: 1 });
    return o;
  }

  of<K extends MessageKind>(kind: K, addr?: AgentAddress): Seen<K>[] {
    return this.seen.filter((s) => s.kind === kind && (!addr || s.topic.startsWith(`okno/v1/${addr.site}/${addr.agent}/`))) as unknown as Seen<K>[];
  }

  async command<K extends CommandKind>(addr: AgentAddress, kind: K, args: CommandArgsInput<K>, timeoutMs = 5000): Promise<CommandMessage> {
    const cmd = makeCommand(coreSender('test-core'), kind, args, { timeoutMs });
    await this.sendRaw(addr, cmd);
    return cmd;
  }

  async sendRaw(addr: AgentAddress, cmd: CommandMessage | Record<string, unknown>): Promise<void> {
    const payload = 'sender' in cmd && 'deadline' in cmd ? encodeMessage('cmd', cmd as CommandMessage) : Buffer.from(JSON.stringify(cmd));
    await this.client.publishAsync(topicFor(addr, 'cmd'), Buffer.from(payload), { qos: 1 });
  }

  async result(id: string, timeoutMs = 10_000): Promise<DecodedOf['cmd-result']> {
    const r = await waitFor(`result of ${id}`, () => this.of('cmd-result').find((s) => s.msg.correlationId === id)?.msg, timeoutMs);
    return r!;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
