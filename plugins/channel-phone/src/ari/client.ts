/**
 * The PBX adapter: Asterisk's REST Interface (ARI) over HTTP (fetch) and its events WebSocket (ws).
 *
 * - REST calls are `/ari/...` requests with HTTP basic auth (the ari.conf user). Errors come back as
 *   `AriError` with the HTTP status and Asterisk's `{ "message" }`, or `AriUnavailable` when Asterisk
 *   cannot be reached (refused, reset, timed out).
 * - The events WebSocket is `/ari/events?app=<app>`; while it is open the Stasis application is
 *   registered and calls can enter it. When it closes (Asterisk restarted, network), it is opened
 *   again with a doubling delay (`reconnect.minMs` .. `maxMs`); a connection that does not answer a
 *   ping within `pingMs` is dropped and opened again. Every (re)connection is reported to
 *   `onConnected`, which re-reads the channels (`GET /channels`), because events sent while the link
 *   was down are gone.
 * - Frames that are not valid ARI messages are reported to `onBadMessage` and counted; they never
 *   throw into the caller.
 *
 * The call flow sees only the `PbxAdapter` interface, so it can be driven by any other PBX adapter.
 */
import { WebSocket } from 'ws';
import { parseAriMessage } from './messages.js';
import type { AriBridge, AriChannel, AriEvent, AriPlayback } from './types.js';

export interface OriginateParams {
  endpoint: string;
  app: string;
  appArgs?: string;
  callerId?: string;
  /** Seconds the endpoint rings before Asterisk gives up (ARI default 30; -1 none). */
  timeout?: number;
  channelId?: string;
}

/** What the call flow needs of a PBX: a small part of ARI. */
export interface PbxAdapter {
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected'): Promise<void>;
  ring(channelId: string): Promise<void>;
  play(channelId: string, media: string, playbackId?: string): Promise<AriPlayback>;
  stopPlayback(playbackId: string): Promise<void>;
  originate(p: OriginateParams): Promise<AriChannel>;
  getChannel(channelId: string): Promise<AriChannel>;
  listChannels(): Promise<AriChannel[]>;
  createBridge(type: string, bridgeId: string, name?: string): Promise<AriBridge>;
  getBridge(bridgeId: string): Promise<AriBridge>;
  listBridges(): Promise<AriBridge[]>;
  addChannel(bridgeId: string, channelId: string, role?: string): Promise<void>;
  removeChannel(bridgeId: string, channelId: string): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  startBridgeMoh(bridgeId: string, mohClass?: string): Promise<void>;
}

/** Asterisk answered a REST request with an error status. */
export class AriError extends Error {
  constructor(readonly status: number, readonly operation: string, readonly reason: string) {
    super(`Asterisk answered ${status} to ${operation}: ${reason}`);
    this.name = 'AriError';
  }
}

/** Asterisk could not be reached (connection refused or reset, time limit). */
export class AriUnavailable extends Error {
  constructor(readonly operation: string, cause: unknown) {
    super(`Asterisk is unreachable (${operation}): ${cause instanceof Error ? causeText(cause) : String(cause)}`);
    this.name = 'AriUnavailable';
  }
}

function causeText(err: Error): string {
  const c = (err as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? err.message;
}

/** This node does not hold the phone line (its lease): nothing is sent to Asterisk. */
export class NotLineHolder extends AriUnavailable {
  constructor(operation: string) {
    super(operation, new Error('this core node does not hold the phone line'));
    this.name = 'NotLineHolder';
  }
}

/** The status of an ARI error, or null for any other error. */
export const ariStatus = (err: unknown): number | null => (err instanceof AriError ? err.status : null);
/** Not found (404), or for bridges/addChannel "channel not found" (400): the object is gone. */
export const isGone = (err: unknown): boolean => ariStatus(err) === 404;

export interface AriClientOptions {
  /** http(s)://host:port of Asterisk's HTTP server (ARI lives under /ari). */
  url: string;
  user: string;
  password: string;
  app: string;
  reconnect?: { minMs: number; maxMs: number };
  pingMs?: number;
  requestTimeoutMs?: number;
  onEvent(e: AriEvent): void;
  /** The events WebSocket is open (first time and after every reconnection). */
  onConnected?(info: { reconnect: boolean }): void;
  onDisconnected?(reason: string): void;
  onBadMessage?(error: string): void;
  /**
   * Whether this node may act on Asterisk now (it holds the phone line's lease). When it says no,
   * REST requests are refused before they are sent (`NotLineHolder`), and events are dropped.
   */
  mayAct?(): boolean;
  logger?: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
}

export interface AriLinkStatus {
  connected: boolean;
  since: string | null;
  reconnects: number;
  lastError: string | null;
  badMessages: number;
  lastBadMessage: string | null;
}

export class AriClient implements PbxAdapter {
  private ws: WebSocket | null = null;
  private closed = true;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private everConnected = false;
  private readonly base: string;
  private readonly auth: string;
  private readonly state: AriLinkStatus = { connected: false, since: null, reconnects: 0, lastError: null, badMessages: 0, lastBadMessage: null };

  constructor(private readonly o: AriClientOptions) {
    this.base = `${o.url.replace(/\/+$/, '')}/ari`;
    this.auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
  }

  status(): AriLinkStatus {
    return { ...this.state };
  }

  // ---- the events WebSocket

  /** Opens the events WebSocket and keeps it open until close(). */
  start(): void {
    if (!this.closed) return;
    this.closed = false;
    this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    this.timer = this.pinger = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
    this.state.connected = false;
  }

  private open(): void {
    if (this.o.mayAct && !this.o.mayAct()) return;
    const url = `${this.base.replace(/^http/, 'ws')}/events?app=${encodeURIComponent(this.o.app)}&subscribeAll=false`;
    const ws = new WebSocket(url, { headers: { authorization: this.auth }, handshakeTimeout: this.o.requestTimeoutMs ?? 10_000 });
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      this.attempt = 0;
      this.state.connected = true;
      this.state.since = new Date().toISOString();
      this.state.lastError = null;
      const reconnect = this.everConnected;
      if (reconnect) this.state.reconnects++;
      this.everConnected = true;
      if (this.o.pingMs) {
        this.pinger = setInterval(() => {
          if (!alive) {
            ws.terminate();
            return;
          }
          alive = false;
          ws.ping();
        }, this.o.pingMs);
      }
      this.o.logger?.info({ app: this.o.app, reconnect }, 'ARI events connected');
      this.o.onConnected?.({ reconnect });
    });
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data, isBinary) => {
      alive = true;
      if (this.o.mayAct && !this.o.mayAct()) return; // the line was lost: events are the next holder's
      const parsed = isBinary ? { kind: 'invalid' as const, error: 'a binary frame' } : parseAriMessage(data.toString());
      if (parsed.kind === 'event') this.o.onEvent(parsed.event);
      else if (parsed.kind === 'invalid') {
        this.state.badMessages++;
        this.state.lastBadMessage = parsed.error;
        this.o.onBadMessage?.(parsed.error);
      }
    });
    let refused = false;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      this.state.lastError = `the events WebSocket was refused with HTTP ${res.statusCode}${res.statusCode === 401 ? ' (check user and password in ari.conf)' : ''}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!refused) this.state.lastError = causeText(err) || err.message;
    });
    ws.on('close', () => {
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = null;
      const was = this.state.connected;
      this.state.connected = false;
      if (this.ws === ws) this.ws = null;
      if (was) this.o.onDisconnected?.(this.state.lastError ?? 'the events WebSocket closed');
      if (this.closed) return;
      const r = this.o.reconnect ?? { minMs: 500, maxMs: 30_000 };
      const delay = Math.min(r.maxMs, r.minMs * 2 ** Math.min(this.attempt++, 20));
      if (was || this.attempt === 1) this.o.logger?.warn({ app: this.o.app, err: this.state.lastError, retryInMs: delay }, 'ARI events disconnected; reconnecting');
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.closed) this.open();
      }, delay);
    });
  }

  // ---- REST

  private async request<T>(method: string, path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const operation = `${method} ${path}`;
    if (this.o.mayAct && !this.o.mayAct()) throw new NotLineHolder(operation);
    const url = `${this.base}${path}${qs.size ? `?${qs}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers: { authorization: this.auth, accept: 'application/json' }, signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 10_000) });
    } catch (err) {
      throw new AriUnavailable(operation, err);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new AriUnavailable(operation, err);
    }
    if (!res.ok) {
      let reason = text.slice(0, 300) || res.statusText;
      try {
        const body = JSON.parse(text) as { message?: unknown; error?: unknown };
        reason = String(body.message ?? body.error ?? reason);
      } catch {
        /* not JSON: keep the text */
      }
      throw new AriError(res.status, operation, reason);
    }
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AriError(res.status, operation, `the answer is not JSON: ${text.slice(0, 100)}`);
    }
  }

  private static id(id: string): string {
    return encodeURIComponent(id);
  }

  answer(channelId: string): Promise<void> {
    return this.request('POST', `/channels/${AriClient.id(channelId)}/answer`);
  }

  hangup(channelId: string, reason?: string): Promise<void> {
    return this.request('DELETE', `/channels/${AriClient.id(channelId)}`, { reason });
  }

  ring(channelId: string): Promise<void> {
    return this.request('POST', `/channels/${AriClient.id(channelId)}/ring`);
  }

  play(channelId: string, media: string, playbackId?: string): Promise<AriPlayback> {
    return this.request('POST', `/channels/${AriClient.id(channelId)}/play`, { media, playbackId });
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.request('DELETE', `/playbacks/${AriClient.id(playbackId)}`);
  }

  originate(p: OriginateParams): Promise<AriChannel> {
    return this.request('POST', '/channels', { endpoint: p.endpoint, app: p.app, appArgs: p.appArgs, callerId: p.callerId, timeout: p.timeout, channelId: p.channelId });
  }

  getChannel(channelId: string): Promise<AriChannel> {
    return this.request('GET', `/channels/${AriClient.id(channelId)}`);
  }

  listChannels(): Promise<AriChannel[]> {
    return this.request('GET', '/channels');
  }

  createBridge(type: string, bridgeId: string, name?: string): Promise<AriBridge> {
    return this.request('POST', '/bridges', { type, bridgeId, name });
  }

  listBridges(): Promise<AriBridge[]> {
    return this.request('GET', '/bridges');
  }

  getBridge(bridgeId: string): Promise<AriBridge> {
    return this.request('GET', `/bridges/${AriClient.id(bridgeId)}`);
  }

  addChannel(bridgeId: string, channelId: string, role?: string): Promise<void> {
    return this.request('POST', `/bridges/${AriClient.id(bridgeId)}/addChannel`, { channel: channelId, role });
  }

  removeChannel(bridgeId: string, channelId: string): Promise<void> {
    return this.request('POST', `/bridges/${AriClient.id(bridgeId)}/removeChannel`, { channel: channelId });
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.request('DELETE', `/bridges/${AriClient.id(bridgeId)}`);
  }

  startBridgeMoh(bridgeId: string, mohClass?: string): Promise<void> {
    return this.request('POST', `/bridges/${AriClient.id(bridgeId)}/moh`, { mohClass });
  }
}
