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
 *   throw into the caller. Frames over 1 MiB close the connection (it is opened again). REST answers
 *   the channel reads are checked the same way: a `GET /channels` or `GET /bridges` entry that is not
 *   a Channel or Bridge is left out of the list (its id, when readable, is named in `unreadable`) and
 *   counted (`badEntries`); a single object that is not what was asked for is an `AriError`.
 * - Every REST request ends within `requestTimeoutMs` and within the time this node may still act
 *   (`timeLeft`), and `close()` aborts the requests in flight: nothing this node asked for is acted on
 *   after it lost the phone line. Error messages name the method and path, never the URL.
 *
 * The call flow sees only the `PbxAdapter` interface, so it can be driven by any other PBX adapter.
 */
import { WebSocket } from 'ws';
import { MAX_REASON, bridgeProblem, channelProblem, cut, idOf, parseAriMessage, playbackProblem } from './messages.js';
import { stripUserinfo } from '../config.js';
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

/** A list from Asterisk: the entries that passed the checks, and the ids of those that did not (when readable). */
export interface Listed<T> {
  items: T[];
  unreadable: string[];
}

/** The largest events frame accepted; a larger one closes the connection (ws closes it with 1009). */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** What the call flow needs of a PBX: a small part of ARI. */
export interface PbxAdapter {
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected'): Promise<void>;
  ring(channelId: string): Promise<void>;
  play(channelId: string, media: string, playbackId?: string): Promise<AriPlayback>;
  stopPlayback(playbackId: string): Promise<void>;
  originate(p: OriginateParams): Promise<AriChannel>;
  getChannel(channelId: string): Promise<AriChannel>;
  listChannels(): Promise<Listed<AriChannel>>;
  createBridge(type: string, bridgeId: string, name?: string): Promise<AriBridge>;
  getBridge(bridgeId: string): Promise<AriBridge>;
  listBridges(): Promise<Listed<AriBridge>>;
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

/**
 * Asterisk could not be reached (connection refused or reset, time limit). The message names the
 * operation (method and path) and the error's code or kind, never the error's own message: fetch's
 * messages may quote the whole URL.
 */
export class AriUnavailable extends Error {
  constructor(readonly operation: string, cause: unknown) {
    super(`Asterisk is unreachable (${operation}): ${typeof cause === 'string' ? cause : causeText(cause)}`);
    this.name = 'AriUnavailable';
  }
}

/** The code or kind of a network error, without its message (which may quote the URL). */
function causeText(err: unknown): string {
  if (!(err instanceof Error)) return 'failed';
  if (err.name === 'TimeoutError') return 'timed out';
  if (err instanceof LineLost) return err.message;
  const code = (err as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return err.name === 'AbortError' ? 'aborted' : `${err.name.slice(0, 40)}`;
}

/** Why requests in flight were aborted: the connection was closed (the line was lost, or the node stops). */
class LineLost extends Error {
  constructor() {
    super('aborted: the connection to Asterisk was closed (this node no longer holds the phone line, or stops)');
    this.name = 'LineLost';
  }
}

/** This node does not hold the phone line (its lease): nothing is sent to Asterisk. */
export class NotLineHolder extends AriUnavailable {
  constructor(operation: string) {
    super(operation, 'this core node does not hold the phone line');
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
  /**
   * How long (ms) this node may still act: no REST request runs longer (Infinity: no bound). A
   * request is refused when nothing is left.
   */
  timeLeft?(): number;
  logger?: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
}

export interface AriLinkStatus {
  connected: boolean;
  since: string | null;
  reconnects: number;
  lastError: string | null;
  badMessages: number;
  lastBadMessage: string | null;
  /** Entries of `GET /channels` / `GET /bridges` answers that were not a Channel / Bridge (left out). */
  badEntries: number;
  lastBadEntry: string | null;
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
  private readonly state: AriLinkStatus = { connected: false, since: null, reconnects: 0, lastError: null, badMessages: 0, lastBadMessage: null, badEntries: 0, lastBadEntry: null };
  /** REST requests in flight, aborted by close(). */
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly o: AriClientOptions) {
    // A user and password in the URL are refused by the config; they are never sent or shown here either.
    this.base = `${stripUserinfo(o.url).replace(/\/+$/, '')}/ari`;
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
    for (const c of this.inflight) c.abort(new LineLost());
    this.inflight.clear();
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
    const ws = new WebSocket(url, { headers: { authorization: this.auth }, handshakeTimeout: this.o.requestTimeoutMs ?? 10_000, maxPayload: MAX_FRAME_BYTES });
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
      if (parsed.kind === 'event') {
        try {
          this.o.onEvent(parsed.event);
        } catch (err) {
          this.badMessage(`${parsed.event.type}: handling it failed (${err instanceof Error ? err.name : 'error'})`);
        }
      } else if (parsed.kind === 'invalid') this.badMessage(parsed.error);
    });
    let refused = false;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      this.state.lastError = `the events WebSocket was refused with HTTP ${res.statusCode}${res.statusCode === 401 ? ' (check user and password in ari.conf)' : ''}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!refused) this.state.lastError = cut(stripUserinfo(wsErrorText(err)), MAX_REASON);
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

  private badMessage(error: string): void {
    const reason = cut(error);
    this.state.badMessages++;
    this.state.lastBadMessage = reason;
    this.o.onBadMessage?.(reason);
  }

  // ---- REST

  private async request<T>(method: string, path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const operation = `${method} ${path}`;
    if (this.o.mayAct && !this.o.mayAct()) throw new NotLineHolder(operation);
    const limit = this.o.requestTimeoutMs ?? 10_000;
    const left = this.o.timeLeft?.() ?? Infinity;
    if (left <= 0) throw new NotLineHolder(operation);
    const ms = Math.max(1, Math.floor(Math.min(limit, left)));
    const url = `${this.base}${path}${qs.size ? `?${qs}` : ''}`;
    const abort = new AbortController();
    this.inflight.add(abort);
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(ms)]);
    const unavailable = (err: unknown) => new AriUnavailable(operation, err instanceof Error && err.name === 'TimeoutError' ? `timed out after ${ms} ms${ms < limit ? ' (the time this node may still act on the phone line)' : ''}` : err);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers: { authorization: this.auth, accept: 'application/json' }, signal });
      text = await res.text();
    } catch (err) {
      throw unavailable(signal.aborted ? signal.reason : err);
    } finally {
      this.inflight.delete(abort);
    }
    if (!res.ok) {
      let reason = text.slice(0, 300) || res.statusText;
      try {
        const body = JSON.parse(text) as { message?: unknown; error?: unknown };
        reason = String(body.message ?? body.error ?? reason);
      } catch {
        /* not JSON: keep the text */
      }
      throw new AriError(res.status, operation, cut(reason));
    }
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AriError(res.status, operation, 'the answer is not JSON');
    }
  }

  /** One object, checked: an answer that is not what was asked for is an AriError. */
  private async checked<T>(method: string, path: string, problem: (v: unknown) => string | null, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    const v = await this.request<unknown>(method, path, query);
    const p = problem(v);
    if (p) throw new AriError(200, `${method} ${path}`, `the answer is not valid: ${p}`);
    return v as T;
  }

  /** A list, checked entry by entry: entries that fail are left out, counted and logged. */
  private async list<T>(path: string, problem: (v: unknown) => string | null): Promise<Listed<T>> {
    const v = await this.request<unknown>('GET', path);
    if (!Array.isArray(v)) throw new AriError(200, `GET ${path}`, 'the answer is not a list');
    const items: T[] = [];
    const unreadable: string[] = [];
    let first: string | null = null;
    for (const e of v) {
      const p = problem(e);
      if (!p) {
        items.push(e as T);
        continue;
      }
      const id = idOf(e);
      if (id) unreadable.push(id);
      first ??= p;
      this.state.badEntries++;
    }
    if (first) {
      this.state.lastBadEntry = cut(`GET ${path}: ${first}`);
      this.o.logger?.warn({ path, skipped: v.length - items.length, problem: this.state.lastBadEntry }, 'ARI: entries of a list are not valid; left out');
    }
    return { items, unreadable };
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
    return this.checked('POST', `/channels/${AriClient.id(channelId)}/play`, playbackProblem, { media, playbackId });
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.request('DELETE', `/playbacks/${AriClient.id(playbackId)}`);
  }

  originate(p: OriginateParams): Promise<AriChannel> {
    return this.request('POST', '/channels', { endpoint: p.endpoint, app: p.app, appArgs: p.appArgs, callerId: p.callerId, timeout: p.timeout, channelId: p.channelId });
  }

  getChannel(channelId: string): Promise<AriChannel> {
    return this.checked('GET', `/channels/${AriClient.id(channelId)}`, channelProblem);
  }

  listChannels(): Promise<Listed<AriChannel>> {
    return this.list('/channels', channelProblem);
  }

  createBridge(type: string, bridgeId: string, name?: string): Promise<AriBridge> {
    return this.request('POST', '/bridges', { type, bridgeId, name });
  }

  listBridges(): Promise<Listed<AriBridge>> {
    return this.list('/bridges', bridgeProblem);
  }

  getBridge(bridgeId: string): Promise<AriBridge> {
    return this.checked('GET', `/bridges/${AriClient.id(bridgeId)}`, bridgeProblem);
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

/** A WebSocket error as text: its code, or its message (ws's messages quote no URL; userinfo is stripped anyway). */
function wsErrorText(err: Error): string {
  const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) ? code : err.message;
}
