/**
 * The core's MQTT connection (mqtt.js, MQTT 3.1.1 for aedes and Mosquitto alike, QoS 1).
 *
 * Incoming messages are acknowledged (PUBACK) only after `onMessage` resolved, i.e. after what they
 * change is committed: a core that dies mid-way gets the message again from its persistent session.
 * mqtt.js reads nothing else while a handler runs, so handlers never wait for a PUBACK of their own
 * publishes (they publish without awaiting).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger as LoggerInstance } from 'moleculer';

export interface CoreClientOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** false: persistent session (subscriptions and queued QoS 1 messages survive a disconnect). */
  clean: boolean;
  /** Filters subscribed on every connect. */
  subscriptions: string[];
  logger: LoggerInstance;
  onMessage?: (topic: string, payload: Buffer) => Promise<void>;
  reconnectPeriodMs?: number;
}

export class NotConnectedError extends Error {
  constructor() {
    super('not connected to the MQTT broker');
    this.name = 'NotConnectedError';
  }
}

export class CoreMqttClient {
  private client: MqttClient | undefined;
  /** Handlers of exact topics (downloads in progress), before `onMessage`. */
  private readonly routes = new Map<string, (payload: Buffer) => void>();
  private everConnected = false;
  connects = 0;

  constructor(private readonly o: CoreClientOptions) {}

  get connected(): boolean {
    return !!this.client?.connected;
  }

  start(): void {
    if (this.client) return;
    const opts: IClientOptions = {
      protocolVersion: 4,
      clientId: this.o.clientId,
      username: this.o.username,
      password: this.o.password,
      clean: this.o.clean,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: this.o.reconnectPeriodMs ?? 1000,
      resubscribe: true,
    };
    const c = mqtt.connect(this.o.url, opts);
    this.client = c;
    c.handleMessage = (packet, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const route = this.routes.get(packet.topic);
      if (route) {
        try {
          route(payload);
        } catch (err) {
          this.o.logger.warn({ topic: packet.topic, err: (err as Error).message }, 'MQTT route handler failed');
        }
        return done();
      }
      if (!this.o.onMessage) return done();
      this.o.onMessage(packet.topic, payload).then(
        () => done(),
        (err: unknown) => {
          this.o.logger.error({ topic: packet.topic, err: (err as Error)?.message }, 'MQTT message handler failed');
          done();
        },
      );
    };
    c.on('connect', (ack) => {
      this.connects++;
      this.o.logger.info({ clientId: this.o.clientId, sessionPresent: ack.sessionPresent, reconnect: this.everConnected }, 'core connected to the MQTT broker');
      this.everConnected = true;
      const filters = [...this.o.subscriptions, ...this.routes.keys()];
      if (filters.length) {
        c.subscribe(filters, { qos: 1 }, (err, granted) => {
          if (err) return this.o.logger.error({ err: err.message }, 'MQTT subscribe failed');
          const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
          if (refused.length) this.o.logger.error({ refused }, 'the MQTT broker refused subscriptions of the core');
        });
      }
    });
    c.on('error', (err) => this.o.logger.warn({ clientId: this.o.clientId, err: err.message }, 'MQTT connection error'));
    c.on('offline', () => this.o.logger.debug({ clientId: this.o.clientId }, 'MQTT connection offline'));
  }

  /** Publishes at QoS 1; resolves on the broker's PUBACK. Fails at once when not connected. */
  publish(topic: string, payload: Uint8Array, opts: { retain?: boolean } = {}): Promise<void> {
    const c = this.client;
    if (!c?.connected) return Promise.reject(new NotConnectedError());
    return new Promise((resolve, reject) => {
      c.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 1, retain: opts.retain ?? false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Publishes without waiting (replies sent from inside a message handler). */
  send(topic: string, payload: Uint8Array): void {
    this.publish(topic, payload).catch((err: Error) => this.o.logger.debug({ topic, err: err.message }, 'MQTT publish not acknowledged'));
  }

  /** Routes one exact topic to `handler` (subscribed now and after reconnects) until `unroute`. */
  async route(topic: string, handler: (payload: Buffer) => void): Promise<void> {
    this.routes.set(topic, handler);
    const c = this.client;
    if (c?.connected) await c.subscribeAsync(topic, { qos: 1 });
  }

  async unroute(topic: string): Promise<void> {
    this.routes.delete(topic);
    const c = this.client;
    if (c?.connected) await c.unsubscribeAsync(topic).catch(() => undefined);
  }

  /** Waits until connected (or the time runs out). */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.connected;
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    // A clean DISCONNECT when the broker answers; cut after 2 s when it does not.
    const timer = new Promise<void>((r) => setTimeout(r, 2000).unref());
    await Promise.race([c.endAsync(false).catch(() => undefined), timer]);
    if (!c.disconnected) c.end(true);
  }
}
