/**
 * The embedded MQTT broker (aedes), used when no external broker is configured.
 *
 * - Authentication: agents as `<site>.<agent>` against the core's agent records (refused when
 *   unknown, disabled or with a wrong password), the core as `okno-core` with its own password;
 *   anonymous clients are refused.
 * - Authorisation: the protocol's ACL rules (canPublish / canSubscribe, `$share/...` included) on
 *   every PUBLISH and SUBSCRIBE, and again on every delivery (authorizeForward), so a session
 *   restored under a client id can never hand an agent another agent's messages.
 * - Client ids: `okno-core*` is reserved for the core; a client id stays bound to the user that
 *   first used it while the broker runs, so one agent cannot take over another agent's session.
 * - The envelope `sender` of what an agent publishes must be that agent; a message naming anybody
 *   else is refused (aedes then closes the connection) and counted.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger as LoggerInstance } from 'moleculer';
import { canPublish, canSubscribe, identityFromUsername, subscribePatterns, topicMatches, type Identity } from '@okno/protocol';
import { verifyPassword, type CoreMqttCredentials } from './credentials.js';
import { isFromAgent, senderOf } from './payload.js';

/** Where the broker looks agents up (the core's database). */
export interface AgentDirectory {
  credential(site: string, agent: string): Promise<{ passwordHash: string; enabled: boolean } | undefined>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0: any free port (see `port` after start). */
  port: number;
  directory: AgentDirectory;
  core: CoreMqttCredentials;
  logger: LoggerInstance;
  /** Largest payload an agent may publish (default 16 MiB + 64 KiB: the largest protocol chunk). */
  maxPayloadBytes?: number;
}

export interface BrokerCounters {
  refusedLogins: number;
  deniedPublish: number;
  deniedSubscribe: number;
  spoofedSender: number;
  deniedDelivery: number;
}

export const CORE_CLIENT_PREFIX = 'okno-core';

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export class EmbeddedBroker {
  readonly counters: BrokerCounters = { refusedLogins: 0, deniedPublish: 0, deniedSubscribe: 0, spoofedSender: 0, deniedDelivery: 0 };
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly ids = new WeakMap<Client, Identity>();
  private readonly owners = new Map<string, string>();
  private readonly users = new WeakMap<Client, string>();
  private boundPort: number;
  private readonly maxPayload: number;

  constructor(private readonly o: EmbeddedBrokerOptions) {
    this.boundPort = o.port;
    this.maxPayload = o.maxPayloadBytes ?? 16 * 1024 * 1024 + 64 * 1024;
  }

  /** The port it listens on (the real one once started). */
  get port(): number {
    return this.boundPort;
  }

  /** The URL the core's own clients use. */
  get url(): string {
    const host = this.o.host === '0.0.0.0' || this.o.host === '::' ? '127.0.0.1' : this.o.host;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  get connectedClients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /** Starts listening (again on the same port after a stop, so clients find it where it was). */
  async start(): Promise<void> {
    if (this.server) return;
    const aedes = await Aedes.createBroker({ heartbeatInterval: 60_000, drainTimeout: 30_000, concurrency: 1000, queueLimit: 1000 });
    aedes.authenticate = (client, username, password, done) => {
      this.authenticate(client, username, password).then(
        () => done(null, true),
        (err: AuthenticateError) => {
          this.counters.refusedLogins++;
          this.o.logger.warn({ username: username ?? null, clientId: client.id, reason: err.message }, 'MQTT login refused');
          done(err, false);
        },
      );
    };
    aedes.authorizePublish = (client, packet, cb) => cb(this.checkPublish(client, packet.topic, packet.payload as Buffer));
    aedes.authorizeSubscribe = (client, sub, cb) => {
      const id = this.ids.get(client);
      if (id && canSubscribe(id, sub.topic)) return cb(null, sub);
      this.counters.deniedSubscribe++;
      this.o.logger.warn({ user: this.users.get(client) ?? null, filter: sub.topic }, 'MQTT subscription denied');
      cb(null, null);
    };
    aedes.authorizeForward = (client, packet) => {
      const id = this.ids.get(client);
      if (!id) return null;
      if (id.role === 'core') return packet;
      if (subscribePatterns(id).some((p) => topicMatches(p, packet.topic))) return packet;
      this.counters.deniedDelivery++;
      return null;
    };
    aedes.on('clientError', (client, err) => this.o.logger.debug({ clientId: client?.id, err: err.message }, 'MQTT client error'));
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (err: Error) => {
      await new Promise<void>((r) => aedes.close(() => r()));
      throw new Error(`the embedded MQTT broker cannot listen on ${this.o.host}:${this.boundPort}: ${err.message} (set mqtt.embedded.port / OKNO_MQTT_PORT, or OKNO_MQTT_URL for an external broker)`);
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.aedes = aedes;
    this.server = server;
    this.o.logger.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  /** Closes the listener, every connection and the broker (sessions kept in memory are gone). */
  async stop(): Promise<void> {
    const { server, aedes } = this;
    this.server = undefined;
    this.aedes = undefined;
    if (!server || !aedes) return;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.owners.clear();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => aedes.close(() => r()));
  }

  /** Disconnects every client of one user (an agent that was disabled or got a new password). */
  disconnectUser(username: string): number {
    let n = 0;
    const clients = (this.aedes as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    for (const client of Object.values(clients)) {
      if (this.users.get(client) === username) {
        client.close();
        n++;
      }
    }
    return n;
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<void> {
    const id = identityFromUsername(username, [this.o.core.username]);
    if (!id || password === undefined) {
      await verifyPassword(password, undefined);
      throw authError('unknown user or no password', 4);
    }
    if (id.role === 'core') {
      if (!(await verifyCorePassword(password, this.o.core.password))) throw authError('wrong password', 4);
    } else {
      if (client.id.startsWith(CORE_CLIENT_PREFIX)) throw authError(`client id ${client.id} is reserved for the core`, 2);
      const cred = await this.o.directory.credential(id.site, id.agent);
      const ok = await verifyPassword(password, cred?.passwordHash);
      if (!cred || !ok) throw authError('unknown agent or wrong password', 4);
      if (!cred.enabled) throw authError('agent disabled', 5);
    }
    const owner = this.owners.get(client.id);
    if (owner !== undefined && owner !== username) throw authError(`client id ${client.id} belongs to another user`, 2);
    this.owners.set(client.id, username!);
    this.ids.set(client, id);
    this.users.set(client, username!);
  }

  /** null when allowed; an Error (aedes closes the connection) when not. */
  private checkPublish(client: Client | null, topic: string, payload: Buffer): Error | null {
    if (!client) return null; // a will aedes publishes for a client that is gone: it was checked when that client set it
    const id = this.ids.get(client);
    const user = this.users.get(client) ?? null;
    if (!id || !canPublish(id, topic)) {
      this.counters.deniedPublish++;
      this.o.logger.warn({ user, topic }, 'MQTT publish denied');
      return new Error(`publish to ${topic} denied`);
    }
    if (id.role === 'core') return null;
    if (payload.length > this.maxPayload) {
      this.counters.deniedPublish++;
      this.o.logger.warn({ user, topic, bytes: payload.length }, 'MQTT publish denied: payload too large');
      return new Error('payload too large');
    }
    const sender = senderOf(payload);
    if (sender && !isFromAgent(sender, id.site, id.agent)) {
      this.counters.spoofedSender++;
      this.o.logger.warn({ user, topic }, 'MQTT publish refused: the message names another sender');
      return new Error('sender does not match the publishing agent');
    }
    return null;
  }
}

async function verifyCorePassword(given: Buffer, expected: string): Promise<boolean> {
  const a = Buffer.from(expected, 'utf8');
  return given.length === a.length && timingSafeEqual(given, a);
}
