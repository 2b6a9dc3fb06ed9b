/**
 * The journal stream for the console: a WebSocket at /api/stream. The client signs in with its first
 * message `{ "type": "auth", "token": "<access token>" }` (browsers cannot set headers on WebSockets,
 * and a token in the URL would end up in logs), may ask to `{ "type": "resume", "afterSeq": n }` to
 * get what it missed from the journal, and then receives every journal event as
 * `{ "type": "event", "event": {...} }`. Journal events carry no personal data. Other services
 * may push live frames to users with the Moleculer event `console.push` ({ userIds?, roles?, frame }).
 */
import type { Server, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { TokenIssuer } from './tokens.js';
import type { SessionUser } from './action.js';
import type { CoreContext } from '../kernel/context.js';
import { readJournal, type JournalEvent } from '../domain/journal.js';

interface Client {
  ws: WebSocket;
  user: SessionUser | null;
  alive: boolean;
  /** Events held back while a resume is read from the journal. */
  backlog: JournalEvent[] | null;
  lastSeq: number;
}

const AUTH_TIMEOUT_MS = 10_000;
export const STREAM_PATH = '/api/stream';
const MAX_BUFFERED = 4 * 1024 * 1024;

export interface ConsolePush {
  userIds?: number[];
  roles?: string[];
  frame: Record<string, unknown>;
}

export class JournalStream {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly server: Server;
  private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(server: Server, private readonly opts: { tokens: TokenIssuer; logger: { warn: (...a: unknown[]) => void; debug: (...a: unknown[]) => void }; core: CoreContext }) {
    // noServer: the HTTP server's upgrades are shared with plugins (e.g. the portal chat socket);
    // only /api/stream is taken here, other paths are left to their own listeners.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.wss.on('connection', (ws, req) => this.accept(ws, req));
    this.onUpgrade = (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === STREAM_PATH) {
        this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
      } else if (server.listenerCount('upgrade') === 1) {
        // Nobody else serves WebSockets here: refuse rather than leave the socket hanging.
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    };
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) {
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        c.ws.ping();
      }
    }, 30_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  private accept(ws: WebSocket, _req: IncomingMessage): void {
    const client: Client = { ws, user: null, alive: true, backlog: null, lastSeq: 0 };
    this.clients.add(client);
    const authTimer = setTimeout(() => {
      if (!client.user) ws.close(4401, 'sign in with {"type":"auth","token":...} first');
    }, AUTH_TIMEOUT_MS);
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => {
      clearTimeout(authTimer);
      this.clients.delete(client);
    });
    ws.on('error', () => ws.terminate());
    // Messages are handled one after another, so a resume sent right after auth waits for it.
    let queue: Promise<unknown> = Promise.resolve();
    ws.on('message', (raw) => {
      queue = queue.then(() => this.handle(client, ws, raw, authTimer)).catch((err) => this.opts.logger.warn({ err: String(err) }, 'stream message failed'));
    });
  }

  private async handle(client: Client, ws: WebSocket, raw: unknown, authTimer: NodeJS.Timeout): Promise<void> {
    let msg: { type?: string; token?: string; afterSeq?: number };
    try {
      msg = JSON.parse(String(raw));
    } catch {
      return this.send(client, { type: 'error', code: 'BAD_MESSAGE', message: 'messages must be JSON' });
    }
    if (msg.type === 'auth') {
      const user = await this.opts.tokens.verify(String(msg.token ?? ''));
      if (!user) return ws.close(4401, 'invalid or expired token');
      client.user = user;
      clearTimeout(authTimer);
      return this.send(client, { type: 'ready', user: { id: user.id, login: user.login, roles: user.roles } });
    }
    if (!client.user) return ws.close(4401, 'sign in first');
    if (msg.type === 'resume') return this.resume(client, Number(msg.afterSeq ?? 0));
    if (msg.type === 'ping') return this.send(client, { type: 'pong' });
    this.send(client, { type: 'error', code: 'UNKNOWN_TYPE', message: `unknown message type ${String(msg.type)}` });
  }

  /** Sends what the client missed (from the journal), then what arrived meanwhile, in order. */
  private async resume(client: Client, afterSeq: number): Promise<void> {
    client.backlog = [];
    try {
      let cursor = afterSeq;
      for (let page = 0; page < 20; page++) {
        const events = await readJournal(this.opts.core.db, cursor, 500);
        for (const e of events) this.deliver(client, e);
        if (events.length < 500) break;
        cursor = events[events.length - 1]!.seq;
      }
    } finally {
      const held = client.backlog ?? [];
      client.backlog = null;
      for (const e of held) this.deliver(client, e);
      this.send(client, { type: 'resumed', lastSeq: client.lastSeq });
    }
  }

  private deliver(client: Client, e: JournalEvent): void {
    if (e.seq <= client.lastSeq) return;
    client.lastSeq = e.seq;
    this.send(client, { type: 'event', event: e });
  }

  private send(client: Client, frame: unknown): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount > MAX_BUFFERED) {
      // A client that does not read is cut off rather than let memory grow; it resumes on reconnect.
      client.ws.close(4408, 'too slow; reconnect and resume');
      return;
    }
    client.ws.send(JSON.stringify(frame));
  }

  onEvent(name: string, payload: unknown): void {
    if (name === 'console.push') return this.push(payload as ConsolePush);
    const e = payload as JournalEvent;
    if (!e || typeof e.seq !== 'number' || e.type !== name) return;
    for (const c of this.clients) {
      if (!c.user) continue;
      if (c.backlog) c.backlog.push(e);
      else this.deliver(c, e);
    }
  }

  private push(p: ConsolePush): void {
    if (!p?.frame) return;
    for (const c of this.clients) {
      if (!c.user) continue;
      if (p.userIds && !p.userIds.includes(c.user.id)) continue;
      if (p.roles && !p.roles.some((r) => c.user!.roles.includes(r as never))) continue;
      this.send(c, p.frame);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.server.off('upgrade', this.onUpgrade);
    for (const c of this.clients) c.ws.close(1001, 'server stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
