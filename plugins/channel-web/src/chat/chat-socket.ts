/**
 * The citizen's side of the live chat: a WebSocket at /api/portal/chat on the core's HTTP server.
 * Frames are JSON. From the browser:
 *
 *   { type: "open", chatId, resumeToken, name, email?, text, lang?, identityToken? }
 *   { type: "resume", chatId, resumeToken, afterSeq }     after a reconnect
 *   { type: "message", text, clientMsgId }                 idempotent by clientMsgId
 *   { type: "typing" } | { type: "close" } | { type: "ping" }
 *
 * To the browser: opened, resumed, message (seq, from, text, at, clientMsgId), ack, joined, typing,
 * notice (a notice or answer put in the portal box), closed, pong, error (code, message, fields?).
 * Frames for a chat reach every node through a Moleculer broadcast, so operator actions on any node
 * reach the citizen's socket wherever it is; the transcript in the database is what resume reads.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { isEmail } from '@okno/core';
import type { PortalConfig } from '../config.js';
import { identityOf, type IdentityVerifier } from '../identity.js';
import { clientKey, type RateDecision } from '../rate-limit.js';
import { fieldErrors, langOf, text as say, type FieldIssue, type Lang } from '../messages.js';
import type { BoxItem } from '../box.js';
import type { PortalChat } from '../entities.js';
import type { ChatLine, ChatStore } from './chat-store.js';

export const CHAT_PATH = '/api/portal/chat';

export type ChatFrame = Record<string, unknown> & { type: string };

export interface ConsolePush {
  userIds?: number[];
  roles?: string[];
  frame: Record<string, unknown>;
}

export interface HubDeps {
  store: ChatStore;
  config: PortalConfig;
  limits: { hit(kind: 'chatOpen' | 'chatMessage', key: string): RateDecision };
  identity: IdentityVerifier;
  /** Sends a frame to every socket of the chat, on every node. */
  publish(chatId: string, frame: ChatFrame): void;
  toConsole(push: ConsolePush): void;
  logger: { warn(...a: unknown[]): void; debug(...a: unknown[]): void };
}

interface Conn {
  ws: WebSocket;
  ip: string;
  chat: PortalChat | null;
  lang: Lang;
  alive: boolean;
  lastTyping: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_RE = /^[A-Za-z0-9_-]{32,128}$/;
const CLIENT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f]/;
const IDLE_MS = 30_000;
const MAX_BUFFERED = 1024 * 1024;
const MAX_CONNECTIONS_PER_CLIENT = 20;

export const DESK_ROLES = ['operator', 'supervisor'];

export const lineFrame = (chatId: string, l: ChatLine): ChatFrame => ({ type: 'message', chatId, ...l });

function str(v: unknown): string {
  return typeof v === 'string' ? v.normalize('NFC').trim() : '';
}

export class ChatHub {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Conn>();
  private readonly byChat = new Map<string, Set<Conn>>();
  private readonly perClient = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private server: Server | null = null;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== CHAT_PATH) return;
    if (!this.deps.config.chat.enabled) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  };

  constructor(private readonly deps: HubDeps) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.chat.maxMessageLength * 4 + 8192 });
  }

  get size(): number {
    return this.conns.size;
  }

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    const every = Math.min(30_000, Math.max(1000, (this.deps.config.chat.resumeWindowSeconds * 1000) / 3));
    this.heartbeat = setInterval(() => void this.beat(), every);
    this.heartbeat.unref();
  }

  private async beat(): Promise<void> {
    for (const c of this.conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
    await this.deps.store.touch([...this.byChat.keys()]).catch((err) => this.deps.logger.warn({ err: String(err) }, 'chat heartbeat could not be recorded'));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const ip = clientKey(req.socket.remoteAddress);
    const n = (this.perClient.get(ip) ?? 0) + 1;
    if (n > MAX_CONNECTIONS_PER_CLIENT) {
      ws.close(4429, 'too many chat connections from this address');
      return;
    }
    this.perClient.set(ip, n);
    const conn: Conn = { ws, ip, chat: null, lang: langOf(new URL(req.url ?? '/', 'http://x').searchParams.get('lang')), alive: true, lastTyping: 0 };
    this.conns.add(conn);
    const idle = setTimeout(() => {
      if (!conn.chat) ws.close(4408, 'open or resume a chat first');
    }, IDLE_MS);
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearTimeout(idle);
      this.conns.delete(conn);
      const left = (this.perClient.get(ip) ?? 1) - 1;
      if (left > 0) this.perClient.set(ip, left);
      else this.perClient.delete(ip);
      this.detach(conn);
    });
    let queue: Promise<unknown> = Promise.resolve();
    ws.on('message', (raw) => {
      conn.alive = true;
      queue = queue.then(() => this.handle(conn, raw)).catch((err) => {
        const frame = this.errorFrame(err, conn.lang);
        if (frame.code === 'INTERNAL') this.deps.logger.warn({ err: String((err as Error)?.message ?? err) }, 'chat frame failed');
        this.send(conn, frame);
      });
    });
  }

  private errorFrame(err: unknown, lang: Lang): ChatFrame {
    const e = err as { code?: number; type?: string; message?: string; data?: { fields?: unknown[]; status?: string } };
    if (e?.type === 'VALIDATION_ERROR') return { type: 'error', code: 'VALIDATION_ERROR', message: e.message ?? 'invalid', fields: e.data?.fields ?? [] };
    if (e?.data?.status === 'closed') return { type: 'error', code: 'CHAT_CLOSED', message: say('chatClosed', lang) };
    if (typeof e?.code === 'number' && e.code >= 400 && e.code < 500) return { type: 'error', code: e.type ?? `HTTP_${e.code}`, message: e.message ?? 'error' };
    return { type: 'error', code: 'INTERNAL', message: 'something went wrong on our side; try again' };
  }

  private async handle(conn: Conn, raw: unknown): Promise<void> {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(String(raw));
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new Error('not an object');
    } catch {
      return this.send(conn, { type: 'error', code: 'BAD_FRAME', message: 'frames must be JSON objects' });
    }
    if (msg.lang !== undefined) conn.lang = langOf(msg.lang);
    switch (msg.type) {
      case 'open':
        return this.open(conn, msg);
      case 'resume':
        return this.resume(conn, msg);
      case 'ping':
        return this.send(conn, { type: 'pong' });
    }
    if (!['message', 'typing', 'close'].includes(msg.type as string)) {
      return this.send(conn, { type: 'error', code: 'UNKNOWN_TYPE', message: `unknown frame type ${String(msg.type).slice(0, 40)}` });
    }
    if (!conn.chat) return this.send(conn, { type: 'error', code: 'NO_CHAT', message: 'open or resume a chat first' });
    if (msg.type === 'message') return this.message(conn, msg);
    if (msg.type === 'typing') return this.typing(conn);
    return this.closeByCitizen(conn);
  }

  private async open(conn: Conn, msg: Record<string, unknown>): Promise<void> {
    if (conn.chat) return this.send(conn, { type: 'error', code: 'ALREADY_OPEN', message: 'this connection already has a chat' });
    const issues: FieldIssue[] = [];
    const chatId = str(msg.chatId).toLowerCase();
    const resumeToken = str(msg.resumeToken);
    const name = str(msg.name);
    const email = str(msg.email) || null;
    const text = typeof msg.text === 'string' ? msg.text.trim() : '';
    const max = this.deps.config.chat.maxMessageLength;
    if (!UUID_RE.test(chatId)) issues.push({ field: 'chatId', key: 'badId' });
    if (!TOKEN_RE.test(resumeToken)) issues.push({ field: 'resumeToken', key: 'badId' });
    if (!name) issues.push({ field: 'name', key: 'required' });
    else if (name.length > 300) issues.push({ field: 'name', key: 'tooLong', params: { max: 300 } });
    else if (CONTROL.test(name)) issues.push({ field: 'name', key: 'controlChars' });
    if (email && !isEmail(email)) issues.push({ field: 'email', key: 'email' });
    if (!text) issues.push({ field: 'text', key: 'required' });
    else if (text.length > max) issues.push({ field: 'text', key: 'tooLong', params: { max } });
    else if (text.includes('\u0000')) issues.push({ field: 'text', key: 'controlChars' });
    const identity = await identityOf(this.deps.identity, str(msg.identityToken) || null, issues);
    if (issues.length) throw fieldErrors(issues, conn.lang);

    // A repeated open (same chat id and token) is not a new chat and is not counted.
    const known = await this.deps.store.get(chatId);
    if (!known) {
      const rl = this.deps.limits.hit('chatOpen', conn.ip);
      if (!rl.ok) return this.send(conn, { type: 'error', code: 'RATE_LIMITED', message: 'too many chats opened from this address; try again later', retryAfter: rl.retryAfterSeconds });
    }
    const opened = await this.deps.store.open({ chatId, resumeToken, name, email, text, lang: conn.lang, identity });
    if (!opened) {
      conn.ws.close(4404, 'no such chat');
      return;
    }
    this.attachConn(conn, opened.chat);
    this.send(conn, { type: 'opened', chatId, regNumber: opened.regNumber, statusSecret: opened.statusSecret, status: opened.chat.status, identified: Boolean(identity) });
    this.send(conn, lineFrame(chatId, opened.first));
    if (opened.chat.status === 'closed') this.send(conn, { type: 'closed', chatId, by: opened.chat.closedBy });
    if (opened.created) {
      this.deps.toConsole({ roles: DESK_ROLES, frame: { type: 'portal.chat.waiting', chatId, appealId: opened.chat.appealId, regNumber: opened.regNumber } });
    }
  }

  private async resume(conn: Conn, msg: Record<string, unknown>): Promise<void> {
    const chat = await this.deps.store.verifyResume(str(msg.chatId).toLowerCase(), str(msg.resumeToken));
    if (!chat) {
      conn.ws.close(4404, 'no such chat, or the token does not fit');
      return;
    }
    if (conn.chat && conn.chat.chatId !== chat.chatId) this.detach(conn);
    const afterSeq = Number.isSafeInteger(msg.afterSeq) && (msg.afterSeq as number) > 0 ? (msg.afterSeq as number) : 0;
    this.attachConn(conn, chat);
    for (const line of await this.deps.store.transcript(chat.appealId, afterSeq)) this.send(conn, lineFrame(chat.chatId, line));
    const operatorName = chat.status === 'active' ? await this.deps.store.operatorName(chat.operatorUserId) : null;
    this.send(conn, { type: 'resumed', chatId: chat.chatId, status: chat.status, operatorName });
    if (chat.status === 'closed') this.send(conn, { type: 'closed', chatId: chat.chatId, by: chat.closedBy });
  }

  private async message(conn: Conn, msg: Record<string, unknown>): Promise<void> {
    const chat = conn.chat!;
    const clientMsgId = str(msg.clientMsgId);
    const text = typeof msg.text === 'string' ? msg.text.trim() : '';
    const max = this.deps.config.chat.maxMessageLength;
    const issues: FieldIssue[] = [];
    if (!CLIENT_ID_RE.test(clientMsgId)) issues.push({ field: 'clientMsgId', key: 'badId' });
    if (!text) issues.push({ field: 'text', key: 'required' });
    else if (text.length > max) issues.push({ field: 'text', key: 'tooLong', params: { max } });
    else if (text.includes('\u0000')) issues.push({ field: 'text', key: 'controlChars' });
    if (issues.length) throw fieldErrors(issues, conn.lang);
    const rl = this.deps.limits.hit('chatMessage', chat.chatId);
    if (!rl.ok) return this.send(conn, { type: 'error', code: 'RATE_LIMITED', message: 'too many messages; wait a moment', retryAfter: rl.retryAfterSeconds, clientMsgId });
    const line = await this.deps.store.citizenMessage(chat, text, clientMsgId);
    this.send(conn, { type: 'ack', chatId: chat.chatId, clientMsgId, seq: line.seq });
    this.deps.publish(chat.chatId, lineFrame(chat.chatId, line));
    const fresh = await this.deps.store.get(chat.chatId);
    if (fresh?.operatorUserId) this.deps.toConsole({ userIds: [fresh.operatorUserId], frame: { ...lineFrame(chat.chatId, line), type: 'portal.chat.message', appealId: chat.appealId } });
    else this.deps.toConsole({ roles: DESK_ROLES, frame: { type: 'portal.chat.activity', chatId: chat.chatId, appealId: chat.appealId, seq: line.seq } });
  }

  private async typing(conn: Conn): Promise<void> {
    const now = Date.now();
    if (now - conn.lastTyping < 2000) return;
    conn.lastTyping = now;
    const fresh = await this.deps.store.get(conn.chat!.chatId);
    if (fresh?.operatorUserId && fresh.status === 'active') this.deps.toConsole({ userIds: [fresh.operatorUserId], frame: { type: 'portal.chat.typing', chatId: fresh.chatId, from: 'citizen' } });
  }

  private async closeByCitizen(conn: Conn): Promise<void> {
    const closed = await this.deps.store.close(conn.chat!.chatId, 'citizen', null);
    if (!closed) return this.send(conn, { type: 'closed', chatId: conn.chat!.chatId, by: conn.chat!.closedBy ?? 'citizen' });
    this.deps.publish(closed.chatId, { type: 'closed', chatId: closed.chatId, by: 'citizen' });
    this.deps.toConsole({ ...(closed.operatorUserId ? { userIds: [closed.operatorUserId] } : { roles: DESK_ROLES }), frame: { type: 'portal.chat.closed', chatId: closed.chatId, appealId: closed.appealId, by: 'citizen' } });
  }

  private attachConn(conn: Conn, chat: PortalChat): void {
    conn.chat = chat;
    let set = this.byChat.get(chat.chatId);
    const first = !set;
    if (!set) this.byChat.set(chat.chatId, (set = new Set()));
    set.add(conn);
    if (first && chat.operatorUserId && chat.status !== 'closed') this.deps.toConsole({ userIds: [chat.operatorUserId], frame: { type: 'portal.chat.presence', chatId: chat.chatId, online: true } });
  }

  private detach(conn: Conn): void {
    const chat = conn.chat;
    if (!chat) return;
    conn.chat = null;
    const set = this.byChat.get(chat.chatId);
    set?.delete(conn);
    if (set && !set.size) {
      this.byChat.delete(chat.chatId);
      void this.deps.store.touch([chat.chatId]).catch(() => undefined);
      void this.deps.store.get(chat.chatId).then((fresh) => {
        if (fresh?.operatorUserId && fresh.status !== 'closed') this.deps.toConsole({ userIds: [fresh.operatorUserId], frame: { type: 'portal.chat.presence', chatId: chat.chatId, online: false } });
      }).catch(() => undefined);
    }
  }

  /** A frame published for a chat: to this node's sockets of it. */
  deliverLocal(chatId: string, frame: ChatFrame): void {
    for (const c of this.byChat.get(chatId) ?? []) {
      if (frame.type === 'closed' && c.chat) c.chat = { ...c.chat, status: 'closed' };
      if (frame.type === 'joined' && c.chat) c.chat = { ...c.chat, status: 'active' };
      this.send(c, frame);
    }
  }

  /** Something was put in the portal box of this appeal: show it in its open chats here. */
  deliverBox(appealId: number, item: BoxItem): void {
    for (const [chatId, set] of this.byChat) {
      for (const c of set) if (c.chat?.appealId === appealId) this.send(c, { type: 'notice', chatId, subject: item.subject, text: item.text, at: item.at, kind: item.kind });
    }
  }

  private send(conn: Conn, frame: ChatFrame): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED) {
      conn.ws.close(4408, 'too slow; reconnect and resume');
      return;
    }
    conn.ws.send(JSON.stringify(frame));
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.server?.off('upgrade', this.onUpgrade);
    for (const c of this.conns) c.ws.close(1001, 'server stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
