/**
 * The agent's MQTT connection (mqtt.js v5, MQTT 3.1.1 so that aedes and Mosquitto both fit):
 * per-agent user name and password, optional TLS, QoS 1, persistent session (clean: false, fixed
 * client id), a retained last will, and reconnects with exponential backoff.
 *
 * Each connection attempt uses a fresh mqtt.js client; the spool, not mqtt.js's memory, owns
 * retransmission: publish() resolves on PUBACK and rejects (LinkDownError) if the connection
 * drops first, and the caller sends the message again later. Incoming messages are PUBACK'ed only
 * after `onMessage` resolves, so a command is not lost if the agent dies while taking it.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Backoff } from './backoff.js';

export interface LinkTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

export interface LinkOptions {
  url: string;
  clientId: string;
  username: string;
  password?: string;
  tls?: LinkTls;
  keepaliveSec: number;
  connectTimeoutMs: number;
  backoff: { minMs: number; maxMs: number };
  will: { topic: string; payload: Uint8Array };
  /** Filters subscribed (QoS 1) on every connect. */
  subscriptions: string[];
  logger: Logger;
}

export interface LinkEvents {
  up: [{ sessionPresent: boolean }];
  down: [reason: string];
  /** The broker refused the credentials (CONNACK 4 or 5). */
  authFailed: [message: string];
}

export class LinkDownError extends Error {
  constructor(message = 'not connected to the broker') {
    super(message);
    this.name = 'LinkDownError';
  }
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
}

export function clientOptions(o: Pick<LinkOptions, 'clientId' | 'username' | 'password' | 'tls' | 'keepaliveSec' | 'connectTimeoutMs'>, extra: IClientOptions = {}): IClientOptions {
  return {
    protocolVersion: 4,
    clientId: o.clientId,
    username: o.username,
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.tls ? { ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
    keepalive: o.keepaliveSec,
    connectTimeout: o.connectTimeoutMs,
    reconnectPeriod: 0,
    clean: false,
    ...extra,
  };
}

export function isAuthError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 4 || code === 5 || code === 134 || code === 135;
}

export class MqttLink extends EventEmitter<LinkEvents> {
  /** Handles an incoming message; its PUBACK is sent after this resolves. */
  onMessage: (topic: string, payload: Buffer) => Promise<void> = async () => undefined;
  reconnects = 0;
  private client: MqttClient | undefined;
  private up = false;
  private stopping = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: Backoff;
  private readonly pending = new Set<(err: Error) => void>();
  private everConnected = false;

  constructor(private readonly o: LinkOptions) {
    super();
    this.backoff = new Backoff(o.backoff.minMs, o.backoff.maxMs);
  }

  get connected(): boolean {
    return this.up;
  }

  start(): void {
    this.stopping = false;
    this.connect();
  }

  private connect(): void {
    this.timer = undefined;
    if (this.stopping) return;
    const log = this.o.logger;
    const c = mqtt.connect(
      this.o.url,
      clientOptions(this.o, { will: { topic: this.o.will.topic, payload: Buffer.from(this.o.will.payload), qos: 1, retain: true } }),
    );
    this.client = c;
    c.handleMessage = (packet, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.onMessage(packet.topic, payload).then(
        () => done(),
        (err: unknown) => {
          log.error({ err, topic: packet.topic }, 'incoming message handler failed');
          done();
        },
      );
    };
    c.on('connect', (connack) => {
      if (this.client !== c) return;
      void (async () => {
        try {
          if (this.o.subscriptions.length) await c.subscribeAsync(this.o.subscriptions, { qos: 1 });
        } catch (err) {
          log.error({ err }, 'subscribe failed; reconnecting');
          c.end(true);
          return;
        }
        if (this.client !== c || !c.connected) return;
        if (this.everConnected) this.reconnects++;
        this.everConnected = true;
        this.backoff.reset();
        this.up = true;
        log.info({ url: this.o.url, sessionPresent: connack.sessionPresent }, 'connected to the broker');
        this.emit('up', { sessionPresent: connack.sessionPresent });
      })();
    });
    c.on('error', (err) => {
      if (isAuthError(err)) {
        log.error({ code: (err as { code?: number }).code }, 'the broker refused the credentials');
        this.emit('authFailed', err.message);
      } else log.warn({ err: err.message }, 'broker connection error');
    });
    c.on('close', () => this.onClose(c, 'connection closed'));
  }

  private onClose(c: MqttClient, reason: string): void {
    if (this.client !== c) return;
    this.client = undefined;
    c.removeAllListeners('connect');
    c.end(true);
    const wasUp = this.up;
    this.up = false;
    for (const reject of this.pending) reject(new LinkDownError(`connection lost before PUBACK: ${reason}`));
    this.pending.clear();
    if (wasUp) {
      this.o.logger.warn({ reason }, 'disconnected from the broker');
      this.emit('down', reason);
    }
    if (!this.stopping) {
      const delay = this.backoff.next();
      this.o.logger.debug({ delay }, 'reconnecting after backoff');
      this.timer = setTimeout(() => this.connect(), delay);
    }
  }

  /** Publishes; resolves on PUBACK (QoS 1) or once written (QoS 0). */
  publish(topic: string, payload: Uint8Array, opts: PublishOptions): Promise<void> {
    const c = this.client;
    if (!c || !this.up) return Promise.reject(new LinkDownError());
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.pending.add(fail);
      c.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: opts.qos, retain: opts.retain ?? false }, (err) => {
        if (!this.pending.delete(fail)) return; // already rejected by a disconnect
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /**
   * Stops for good: publishes `final` (e.g. presence offline) if connected, then disconnects
   * cleanly, so the broker does not send the last will.
   */
  async stop(final?: { topic: string; payload: Uint8Array; retain: boolean }, timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client;
    if (!c) return;
    if (final && this.up) {
      await Promise.race([this.publish(final.topic, final.payload, { qos: 1, retain: final.retain }).catch(() => undefined), new Promise((r) => setTimeout(r, timeoutMs))]);
    }
    this.client = undefined;
    this.up = false;
    for (const reject of this.pending) reject(new LinkDownError('link stopped'));
    this.pending.clear();
    await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
  }

  /** Drops the connection abruptly (tests, and simulating a network cut): the will fires. */
  kill(): void {
    this.client?.stream?.destroy();
  }
}
