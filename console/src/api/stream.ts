/**
 * The live stream (WebSocket /api/stream). Protocol, from core/src/api/stream.ts:
 *   -> { type: 'auth', token }            first message (no token in the URL: it would be logged)
 *   <- { type: 'ready', user }
 *   -> { type: 'resume', afterSeq }        what was missed since the last seen journal sequence
 *   <- { type: 'event', event: { seq, type, aggregateId, siteId, data, ... } } ... { type: 'resumed', lastSeq }
 *   <- any frame other services push to this user (routing.offer, portal.chat.message, ...)
 *   -> { type: 'ping' }  <- { type: 'pong' }
 * Close code 4401: the token was refused (sign in or refresh, then reconnect).
 *
 * The client reconnects with back-off and, after the first connection, resumes from the last
 * journal sequence it saw, so a reconnect loses no journal event.
 */
import type { JournalEvent } from './types.ts';

export type StreamFrame =
  | { type: 'ready'; user: { id: number; login: string; roles: string[] } }
  | { type: 'event'; event: JournalEvent }
  | { type: 'resumed'; lastSeq: number }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string }
  | ({ type: string } & Record<string, unknown>);

export type StreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StreamOptions {
  /** ws:// or wss:// URL of /api/stream. */
  url: string;
  /** A fresh access token (the REST client's token(): it refreshes when needed). */
  token: () => Promise<string>;
  /** A new access token after the server refused `stale` (close code 4401). */
  refresh: (stale: string) => Promise<string>;
  WebSocketImpl?: typeof WebSocket;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The WebSocket URL of the stream for a page served by the core. */
export function streamUrl(location: { protocol: string; host: string }, path = '/api/stream'): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

export class LiveStream {
  status: StreamStatus = 'idle';
  /** The highest journal sequence seen (resume point). */
  lastSeq = 0;
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private refused: string | null = null;
  private readonly frameListeners = new Set<(f: StreamFrame) => void>();
  private readonly statusListeners = new Set<(s: StreamStatus) => void>();
  private readonly opts: Required<Omit<StreamOptions, 'WebSocketImpl'>> & { WebSocketImpl: typeof WebSocket };

  constructor(opts: StreamOptions) {
    this.opts = { minDelayMs: 500, maxDelayMs: 15_000, WebSocketImpl: opts.WebSocketImpl ?? WebSocket, ...opts } as LiveStream['opts'];
  }

  onFrame(cb: (f: StreamFrame) => void): () => void {
    this.frameListeners.add(cb);
    return () => this.frameListeners.delete(cb);
  }

  onStatus(cb: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(cb);
    return () => this.statusListeners.delete(cb);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, 'bye');
    this.setStatus('closed');
  }

  /** Sends a frame if the socket is open. */
  send(frame: Record<string, unknown>): boolean {
    if (this.ws?.readyState !== 1 || this.status !== 'open') return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private setStatus(s: StreamStatus): void {
    if (this.status === s) return;
    this.status = s;
    for (const cb of this.statusListeners) cb(s);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let token: string;
    try {
      token = this.refused ? await this.opts.refresh(this.refused) : await this.opts.token();
      this.refused = null;
    } catch {
      // Signed out: nothing to connect for; whoever signs in again starts a new stream.
      this.stop();
      return;
    }
    if (this.stopped) return;
    const ws = new this.opts.WebSocketImpl(this.opts.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
    ws.onmessage = (m: MessageEvent) => {
      if (this.ws !== ws) return;
      let frame: StreamFrame;
      try {
        frame = JSON.parse(String(m.data)) as StreamFrame;
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.attempt = 0;
        if (this.lastSeq > 0) ws.send(JSON.stringify({ type: 'resume', afterSeq: this.lastSeq }));
        this.setStatus('open');
      } else if (frame.type === 'event') {
        const seq = (frame as { event: JournalEvent }).event?.seq;
        if (typeof seq === 'number') {
          if (seq <= this.lastSeq) return;
          this.lastSeq = seq;
        }
      }
      for (const cb of this.frameListeners) cb(frame);
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (e.code === 4401) this.refused = token;
      if (this.stopped) return;
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private scheduleReconnect(): void {
    this.setStatus('reconnecting');
    const delay = Math.min(this.opts.maxDelayMs, this.opts.minDelayMs * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}
