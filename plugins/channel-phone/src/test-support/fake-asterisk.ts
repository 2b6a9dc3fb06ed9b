/**
 * A fake Asterisk for the phone channel's tests: an HTTP server with the part of ARI the channel
 * uses and the events WebSocket, on a free port, plus a scripted telephone network.
 *
 * Why a fake: Asterisk cannot be installed here (Debian 12 has no `asterisk` package; it left
 * Debian after bullseye), so the tests cannot start the real one. The fake follows Asterisk's own
 * API descriptions (rest-api/api-docs/*.json, copies in shared/reference/ari):
 *
 * - REST under /ari with HTTP basic auth or `?api_key=user:password`; 401 without them.
 * - Resources, methods, parameters and the status codes the descriptions list, with Asterisk's
 *   error body `{ "message": "..." }`: 404 unknown channel/bridge/playback, 409 a channel not in a
 *   Stasis application (channel operations) or a bridge id taken, 400 a missing required parameter
 *   or (addChannel/removeChannel) an unknown channel, 422 (addChannel) a channel not in Stasis or
 *   (removeChannel) not in that bridge, 400 a hangup reason outside the documented list.
 * - `GET /ari/events?app=<app>` upgrades to the events WebSocket; while one is open the app is
 *   registered, and calls sent to Stasis(<app>) enter it (otherwise the call fails, as Stasis()
 *   fails in the dialplan for an app nobody is connected to). A second connection for the same app
 *   replaces the first (ApplicationReplaced), as Asterisk does.
 * - Events as in events.json: `type`, `application`, `timestamp` (Asterisk's format,
 *   2025-03-05T11:07:00.000+0000), whole Channel objects (id, name, state, caller, connected,
 *   dialplan, creationtime, language...). A channel the app originated is subscribed from its
 *   creation (ChannelStateChange Ringing, ChannelDestroyed when nobody answers); it enters Stasis
 *   (StasisStart with the appArgs) when answered. A remote hang-up is ChannelHangupRequest,
 *   ChannelLeftBridge, StasisEnd, ChannelDestroyed; a hang-up asked over REST has no
 *   ChannelHangupRequest.
 * - Playbacks: PlaybackStarted, then PlaybackFinished (state `done`) at once, or when stopped
 *   (`playbackMs` to let them run for a while); media with an unknown scheme finish `failed`.
 *
 * Where the descriptions say nothing the fake is stricter than Asterisk might be: adding a channel
 * that is in another bridge is refused (409), so the channel must take it out first.
 *
 * The telephone network: `placeCall` (an inbound call reaching Stasis), `press` (DTMF),
 * `hangupRemote` (the far side hangs up), and for channels the app originates (the operator's
 * phone, a callback) `dialed`, `answer`, `reject` (busy, no answer, declined). `goAway()` /
 * `comeBack()` take ARI away and back with the calls kept (the HTTP server and WebSocket stop,
 * the channels stay), and events of that time are lost as they are with Asterisk. `failNext`
 * makes REST requests fail (e.g. 500) and `sendRaw` sends any frame on the events WebSocket.
 * `tamper` rewrites the answers of `GET /channels` / `GET /bridges` (entries that are not a Channel
 * or Bridge), and `stall` holds matching requests unanswered until `releaseStalled()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { freePort } from '@okno/testkit';
import type { AriBridge, AriChannel, AriPlayback, ChannelState } from '../ari/types.js';

interface FakeChannel {
  ch: AriChannel;
  /** The app subscribed to the channel's events. */
  app: string | null;
  stasis: boolean;
  bridgeId: string | null;
  hangingUp: boolean;
  /** Media played to it, in order. */
  heard: string[];
  ringing: boolean;
  originated: { endpoint: string; appArgs: string[]; callerId: string | null; timeout: number } | null;
  timer: NodeJS.Timeout | null;
}

interface FakeBridge {
  bridge: AriBridge;
  moh: string | null;
  app: string;
}

interface FakePlayback {
  pb: AriPlayback;
  channelId: string;
  app: string | null;
  timer: NodeJS.Timeout | null;
}

export interface Dialed {
  channelId: string;
  endpoint: string;
  appArgs: string[];
  callerId: string | null;
  timeout: number;
}

export interface RequestLog {
  method: string;
  path: string;
  status: number;
}

const HANGUP_REASONS: Record<string, number> = {
  normal: 16, busy: 17, congestion: 34, no_answer: 19, timeout: 19, rejected: 21, unallocated: 1, normal_unspecified: 31,
  number_incomplete: 28, codec_mismatch: 58, interworking: 127, failure: 38, answered_elsewhere: 26,
};
const CAUSE_TEXT: Record<number, string> = { 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy', 19: 'No answer', 21: 'Call Rejected', 26: 'Answered elsewhere', 31: 'Normal, unspecified', 34: 'Circuit/channel congestion', 38: 'Network out of order' };
const MEDIA = /^(sound|recording|number|digits|characters|tone):\S+$/;

/** Asterisk's time format: 2025-03-05T11:07:00.000+0000. */
const stamp = (d = new Date()) => d.toISOString().replace('Z', '+0000');

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface FakeAsteriskOptions {
  user?: string;
  password?: string;
  /** How long a playback plays before PlaybackFinished (0: at once). */
  playbackMs?: number;
}

export class FakeAsterisk {
  readonly user: string;
  readonly password: string;
  readonly channels = new Map<string, FakeChannel>();
  /** Channels hung up, kept for what they heard. */
  private readonly gone = new Map<string, FakeChannel>();
  readonly bridges = new Map<string, FakeBridge>();
  readonly playbacks = new Map<string, FakePlayback>();
  readonly dialed: Dialed[] = [];
  readonly requests: RequestLog[] = [];
  /** Every frame sent on an events WebSocket, parsed. */
  readonly sent: Record<string, unknown>[] = [];
  private readonly apps = new Map<string, WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private server: Server | null = null;
  private seq = 0;
  private failures: { method: string; path: RegExp; status: number; message: string; times: number }[] = [];
  private readonly tampers = new Map<'channels' | 'bridges', (list: Record<string, unknown>[]) => unknown[]>();
  private stalls: { method: string; path: RegExp }[] = [];
  private stalled: (() => void)[] = [];
  private playbackMs: number;

  private constructor(readonly port: number, o: FakeAsteriskOptions) {
    this.user = o.user ?? 'okno';
    this.password = o.password ?? 'secret-ari-password';
    this.playbackMs = o.playbackMs ?? 0;
  }

  static async start(o: FakeAsteriskOptions = {}): Promise<FakeAsterisk> {
    const fake = new FakeAsterisk(await freePort(), o);
    await fake.comeBack();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Whether an events WebSocket of the app is open. */
  connected(app: string): boolean {
    return this.apps.get(app)?.readyState === WebSocket.OPEN;
  }

  // ---- the telephone network

  /** A call from `from` reaches Stasis(app): StasisStart. Fails like Stasis() when the app is not connected. */
  placeCall(o: { from: string; name?: string; app?: string; exten?: string; args?: string[]; channelId?: string }): string {
    const app = o.app ?? 'okno';
    if (!this.connected(app)) throw new Error(`Stasis(${app}) failed: the application is not registered`);
    const n = ++this.seq;
    const id = o.channelId ?? `${Math.floor(Date.now() / 1000)}.${n}`;
    if (this.channels.has(id)) throw new Error(`channel ${id} exists`);
    const c = this.newChannel(id, `PJSIP/city-trunk-${n.toString(16).padStart(8, '0')}`, 'Ring', { name: o.name ?? '', number: o.from }, { context: 'from-city', exten: o.exten ?? '122', priority: 1, app_name: 'Stasis', app_data: [app, ...(o.args ?? [])].join(',') });
    c.app = app;
    c.stasis = true;
    this.emit(app, { type: 'StasisStart', args: o.args ?? [], channel: c.ch });
    return id;
  }

  /** The caller presses a key (only heard once the channel is answered). */
  press(channelId: string, digit: string): void {
    const c = this.mustChannel(channelId);
    if (c.ch.state !== 'Up') throw new Error(`channel ${channelId} is not answered (${c.ch.state})`);
    if (c.app) this.emit(c.app, { type: 'ChannelDtmfReceived', digit, duration_ms: 120, channel: c.ch });
  }

  /** The far side hangs up. */
  hangupRemote(channelId: string, cause = 16): void {
    const c = this.mustChannel(channelId);
    if (c.app) this.emit(c.app, { type: 'ChannelHangupRequest', cause, channel: c.ch });
    this.destroy(c, cause);
  }

  /** The dialed phone answers: the channel enters Stasis with the originate's appArgs. */
  answer(channelId: string): void {
    const c = this.mustChannel(channelId);
    if (!c.originated || c.stasis) throw new Error(`channel ${channelId} is not a ringing originated channel`);
    if (c.timer) clearTimeout(c.timer);
    this.setState(c, 'Up');
    c.stasis = true;
    c.ch.dialplan = { ...c.ch.dialplan, app_name: 'Stasis', app_data: [c.app, ...c.originated.appArgs].join(',') };
    if (c.app) this.emit(c.app, { type: 'StasisStart', args: c.originated.appArgs, channel: c.ch });
  }

  /** The dialed phone does not take the call: busy (17), no answer (19), declined (21). */
  reject(channelId: string, cause: 17 | 19 | 21 = 17): void {
    const c = this.mustChannel(channelId);
    if (!c.originated || c.stasis) throw new Error(`channel ${channelId} is not a ringing originated channel`);
    this.destroy(c, cause);
  }

  /** Waits for the app to dial an endpoint matching `endpoint` (the n-th such call, from 0). */
  async waitForDial(endpoint: string | RegExp, n = 0, ms = 15_000): Promise<Dialed> {
    const end = Date.now() + ms;
    const match = (d: Dialed) => (typeof endpoint === 'string' ? d.endpoint === endpoint : endpoint.test(d.endpoint));
    for (;;) {
      const found = this.dialed.filter(match)[n];
      if (found) return found;
      if (Date.now() > end) throw new Error(`nobody dialed ${String(endpoint)} (dialed: ${this.dialed.map((d) => d.endpoint).join(', ') || 'nothing'})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** What a channel heard: media played to it, and "moh:<class>" while it waits in a holding bridge with music. */
  heard(channelId: string): string[] {
    return (this.channels.get(channelId) ?? this.gone.get(channelId))?.heard ?? [];
  }

  /** The bridge a channel is in, with the other channels in it. */
  bridgeOf(channelId: string): { id: string; type: string; moh: string | null; channels: string[] } | null {
    const b = [...this.bridges.values()].find((x) => x.bridge.channels.includes(channelId));
    return b ? { id: b.bridge.id, type: b.bridge.bridge_type, moh: b.moh, channels: [...b.bridge.channels] } : null;
  }

  // ---- faults

  /** The next `times` requests matching fail with `status` (Asterisk's error body). */
  failNext(method: string, path: RegExp, status = 500, message = 'Internal Server Error', times = 1): void {
    this.failures.push({ method, path, status, message, times });
  }

  /** `GET /channels` or `GET /bridges` answers what `fn` makes of the list (null: as it is). */
  tamper(resource: 'channels' | 'bridges', fn: ((list: Record<string, unknown>[]) => unknown[]) | null): void {
    if (fn) this.tampers.set(resource, fn);
    else this.tampers.delete(resource);
  }

  /** Requests matching are held unanswered until `releaseStalled()` (the next ones too, until then). */
  stall(method: string, path: RegExp): void {
    this.stalls.push({ method, path });
  }

  /** How many requests are held now. */
  get stalledCount(): number {
    return this.stalled.length;
  }

  /** Requests held by `stall` are answered now, and no more are held. */
  releaseStalled(): void {
    this.stalls = [];
    const held = this.stalled;
    this.stalled = [];
    for (const go of held) go();
  }

  /** Sends any text frame on every open events WebSocket. */
  sendRaw(text: string): void {
    for (const ws of this.apps.values()) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  /** ARI goes away: the events WebSockets drop and HTTP stops answering; the calls stay up. */
  async goAway(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const ws of this.apps.values()) ws.terminate();
    this.apps.clear();
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  /** ARI is back on the same port, with the calls as they are now. */
  async comeBack(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    this.releaseStalled();
    for (const c of this.channels.values()) if (c.timer) clearTimeout(c.timer);
    for (const p of this.playbacks.values()) if (p.timer) clearTimeout(p.timer);
    await this.goAway();
    this.wss.close();
  }

  // ---- internals: channels and events

  private newChannel(id: string, name: string, state: ChannelState, caller: { name: string; number: string }, dialplan: AriChannel['dialplan']): FakeChannel {
    const c: FakeChannel = {
      ch: { id, protocol_id: '', name, state, caller, connected: { name: '', number: '' }, accountcode: '', dialplan, creationtime: stamp(), language: 'en' },
      app: null, stasis: false, bridgeId: null, hangingUp: false, heard: [], ringing: false, originated: null, timer: null,
    };
    this.channels.set(id, c);
    return c;
  }

  private mustChannel(id: string): FakeChannel {
    const c = this.channels.get(id);
    if (!c) throw new Error(`no channel ${id}`);
    return c;
  }

  private emit(app: string, event: Record<string, unknown>): void {
    const frame = { ...event, timestamp: stamp(), application: app, asterisk_id: '02:42:ac:11:00:02' };
    const ws = this.apps.get(app);
    if (ws?.readyState !== WebSocket.OPEN) return; // nobody listening: the event is gone
    this.sent.push(JSON.parse(JSON.stringify(frame)) as Record<string, unknown>);
    ws.send(JSON.stringify(frame));
  }

  private setState(c: FakeChannel, state: ChannelState): void {
    if (c.ch.state === state) return;
    c.ch.state = state;
    if (c.app) this.emit(c.app, { type: 'ChannelStateChange', channel: c.ch });
  }

  private leaveBridge(c: FakeChannel): void {
    const b = c.bridgeId ? this.bridges.get(c.bridgeId) : undefined;
    c.bridgeId = null;
    if (!b) return;
    b.bridge.channels = b.bridge.channels.filter((x) => x !== c.ch.id);
    this.emit(b.app, { type: 'ChannelLeftBridge', bridge: b.bridge, channel: c.ch });
  }

  private destroy(c: FakeChannel, cause: number): void {
    if (c.hangingUp) return;
    c.hangingUp = true;
    if (c.timer) clearTimeout(c.timer);
    for (const [id, p] of this.playbacks) {
      if (p.channelId !== c.ch.id) continue;
      if (p.timer) clearTimeout(p.timer);
      this.playbacks.delete(id);
    }
    this.leaveBridge(c);
    if (c.stasis && c.app) this.emit(c.app, { type: 'StasisEnd', channel: c.ch });
    c.stasis = false;
    this.channels.delete(c.ch.id);
    this.gone.set(c.ch.id, c);
    if (c.app) this.emit(c.app, { type: 'ChannelDestroyed', cause, cause_txt: CAUSE_TEXT[cause] ?? 'Unknown', channel: c.ch });
  }

  private finishPlayback(p: FakePlayback, state: 'done' | 'failed'): void {
    if (p.timer) clearTimeout(p.timer);
    this.playbacks.delete(p.pb.id);
    p.pb.state = state;
    if (p.app) this.emit(p.app, { type: 'PlaybackFinished', playback: p.pb });
  }

  // ---- internals: HTTP

  private authorized(req: IncomingMessage, url: URL): boolean {
    const want = `${this.user}:${this.password}`;
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ') && Buffer.from(header.slice(6), 'base64').toString() === want) return true;
    return url.searchParams.get('api_key') === want;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message: text })}`);
    };
    if (url.pathname !== '/ari/events') return refuse(404, 'Resource not found');
    if (!this.authorized(req, url)) return refuse(401, 'Authentication required');
    const apps = (url.searchParams.get('app') ?? '').split(',').filter(Boolean);
    if (!apps.length) return refuse(400, 'Missing param app');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      for (const app of apps) {
        const old = this.apps.get(app);
        if (old && old.readyState === WebSocket.OPEN) old.send(JSON.stringify({ type: 'ApplicationReplaced', application: app, timestamp: stamp() }));
        this.apps.set(app, ws);
      }
      ws.on('close', () => {
        for (const app of apps) if (this.apps.get(app) === ws) this.apps.delete(app);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const send = (status: number, body?: unknown) => {
      this.requests.push({ method, path: url.pathname, status });
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    for await (const _ of req) {
      /* drain the body (the fake reads parameters from the query) */
    }
    if (!this.authorized(req, url)) {
      res.setHeader('www-authenticate', 'Basic realm="Asterisk REST Interface"');
      return send(401, { message: 'Authentication required' });
    }
    if (this.stalls.some((x) => x.method === method && x.path.test(url.pathname))) await new Promise<void>((go) => this.stalled.push(go));
    const failure = this.failures.find((f) => f.method === method && f.path.test(url.pathname));
    if (failure) {
      if (--failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      return send(failure.status, { message: failure.message });
    }
    try {
      const out = this.route(method, url.pathname.replace(/^\/ari/, ''), url.searchParams);
      send(out === undefined ? 204 : 200, out);
    } catch (err) {
      if (err instanceof HttpError) send(err.status, { message: err.message });
      else send(500, { message: (err as Error).message });
    }
  }

  private route(method: string, path: string, q: URLSearchParams): unknown {
    const need = (name: string): string => {
      const v = q.get(name);
      if (v === null || v === '') throw new HttpError(400, `Missing required field: ${name}`);
      return v;
    };
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [res, id, sub] = parts;
    if (res === 'channels') {
      if (parts.length === 1 && method === 'GET') return this.listed('channels', [...this.channels.values()].map((c) => c.ch));
      if (parts.length === 1 && method === 'POST') return this.originate(q, need);
      if (parts.length === 2 && method === 'GET') return this.channelOr404(id!).ch;
      if (parts.length === 2 && method === 'DELETE') {
        const c = this.channelOr404(id!);
        const reason = q.get('reason');
        if (reason !== null && !(reason in HANGUP_REASONS)) throw new HttpError(400, 'Invalid reason for hangup provided');
        this.destroy(c, reason ? HANGUP_REASONS[reason]! : 16);
        return undefined;
      }
      if (parts.length === 3 && method === 'POST' && sub === 'answer') {
        const c = this.inStasis(id!);
        this.setState(c, 'Up');
        return undefined;
      }
      if (parts.length === 3 && sub === 'ring' && (method === 'POST' || method === 'DELETE')) {
        this.inStasis(id!).ringing = method === 'POST';
        return undefined;
      }
      if (parts.length === 3 && method === 'POST' && sub === 'play') return this.play(id!, need('media'), q.get('playbackId'));
      if (parts.length === 4 && method === 'POST' && sub === 'play') return this.play(id!, need('media'), parts[3]!);
    }
    if (res === 'playbacks' && parts.length === 2) {
      const p = this.playbacks.get(id!);
      if (!p) throw new HttpError(404, 'The playback cannot be found');
      if (method === 'GET') return p.pb;
      if (method === 'DELETE') {
        this.finishPlayback(p, 'done');
        return undefined;
      }
    }
    if (res === 'bridges') {
      if (parts.length === 1 && method === 'GET') return this.listed('bridges', [...this.bridges.values()].map((b) => b.bridge));
      if (parts.length === 1 && method === 'POST') return this.createBridge(q.get('bridgeId') ?? `bridge-${++this.seq}`, q.get('type') ?? 'mixing', q.get('name') ?? '');
      if (parts.length === 2 && method === 'POST') return this.createBridge(id!, q.get('type') ?? 'mixing', q.get('name') ?? '');
      const b = id ? this.bridges.get(id) : undefined;
      if (parts.length >= 2 && !b) throw new HttpError(404, 'Bridge not found');
      if (parts.length === 2 && method === 'GET') return b!.bridge;
      if (parts.length === 2 && method === 'DELETE') {
        for (const cid of [...b!.bridge.channels]) {
          const c = this.channels.get(cid);
          if (c) this.leaveBridge(c);
        }
        this.bridges.delete(id!);
        this.emit(b!.app, { type: 'BridgeDestroyed', bridge: b!.bridge });
        return undefined;
      }
      if (parts.length === 3 && method === 'POST' && sub === 'addChannel') {
        const c = this.channels.get(need('channel'));
        if (!c) throw new HttpError(400, 'Channel not found');
        if (!c.stasis) throw new HttpError(422, 'Channel not in Stasis application');
        if (c.bridgeId === id) return undefined;
        if (c.bridgeId) throw new HttpError(409, 'Channel is in another bridge');
        c.bridgeId = id!;
        b!.bridge.channels.push(c.ch.id);
        if (b!.moh) c.heard.push(`moh:${b!.moh}`);
        this.emit(b!.app, { type: 'ChannelEnteredBridge', bridge: b!.bridge, channel: c.ch });
        return undefined;
      }
      if (parts.length === 3 && method === 'POST' && sub === 'removeChannel') {
        const c = this.channels.get(need('channel'));
        if (!c) throw new HttpError(400, 'Channel not found');
        if (c.bridgeId !== id) throw new HttpError(422, 'Channel not in this bridge');
        this.leaveBridge(c);
        return undefined;
      }
      if (parts.length === 3 && sub === 'moh' && (method === 'POST' || method === 'DELETE')) {
        b!.moh = method === 'POST' ? (q.get('mohClass') ?? 'default') : null;
        if (b!.moh) for (const cid of b!.bridge.channels) this.channels.get(cid)?.heard.push(`moh:${b!.moh}`);
        return undefined;
      }
    }
    throw new HttpError(404, 'Resource not found');
  }

  private listed(resource: 'channels' | 'bridges', list: (AriChannel | AriBridge)[]): unknown[] {
    const fn = this.tampers.get(resource);
    return fn ? fn(JSON.parse(JSON.stringify(list)) as Record<string, unknown>[]) : list;
  }

  private channelOr404(id: string): FakeChannel {
    const c = this.channels.get(id);
    if (!c) throw new HttpError(404, 'Channel not found');
    return c;
  }

  private inStasis(id: string): FakeChannel {
    const c = this.channelOr404(id);
    if (!c.stasis) throw new HttpError(409, 'Channel not in a Stasis application');
    if (c.hangingUp) throw new HttpError(412, 'Channel in invalid state');
    return c;
  }

  private originate(q: URLSearchParams, need: (n: string) => string): AriChannel {
    const endpoint = need('endpoint');
    const app = q.get('app');
    if (!app && !q.get('extension')) throw new HttpError(400, 'Application or extension must be specified');
    if (!/^[A-Za-z0-9]+\/.+/.test(endpoint)) throw new HttpError(400, 'Endpoint must be in the format technology/resource');
    if (!app) throw new HttpError(400, 'The fake dials only to a Stasis application');
    const id = q.get('channelId') ?? `${Math.floor(Date.now() / 1000)}.${++this.seq}`;
    if (this.channels.has(id)) throw new HttpError(409, 'Channel with given unique ID already exists');
    const n = ++this.seq;
    const timeout = q.get('timeout') === null ? 30 : Number(q.get('timeout'));
    const callerId = q.get('callerId');
    const cid = /^(?:"?([^"<]*)"?\s*)?<([^>]*)>$/.exec(callerId ?? '');
    const c = this.newChannel(id, `${endpoint.split('@')[0]}-${n.toString(16).padStart(8, '0')}`, 'Down',
      cid ? { name: cid[1]?.trim() ?? '', number: cid[2] ?? '' } : { name: '', number: callerId ?? '' },
      { context: 'default', exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    c.app = app;
    const appArgs = (q.get('appArgs') ?? '').split(',').filter((a) => a !== '');
    c.originated = { endpoint, appArgs, callerId, timeout };
    this.dialed.push({ channelId: id, endpoint, appArgs, callerId, timeout });
    const answer = JSON.parse(JSON.stringify(c.ch)) as AriChannel;
    setImmediate(() => {
      if (this.channels.get(id) === c && !c.stasis) this.setState(c, 'Ringing');
    });
    if (timeout > 0) c.timer = setTimeout(() => this.destroy(c, 19), timeout * 1000);
    return answer;
  }

  private play(channelId: string, media: string, playbackId: string | null): AriPlayback {
    const c = this.inStasis(channelId);
    const id = playbackId ?? `pb-${++this.seq}`;
    const p: FakePlayback = { pb: { id, media_uri: media, target_uri: `channel:${channelId}`, language: c.ch.language, state: 'queued' }, channelId, app: c.app, timer: null };
    this.playbacks.set(id, p);
    c.heard.push(media);
    const answer = { ...p.pb };
    setImmediate(() => {
      if (this.playbacks.get(id) !== p) return;
      if (!MEDIA.test(media)) return this.finishPlayback(p, 'failed');
      p.pb.state = 'playing';
      if (p.app) this.emit(p.app, { type: 'PlaybackStarted', playback: p.pb });
      p.timer = setTimeout(() => this.finishPlayback(p, 'done'), this.playbackMs);
    });
    return answer;
  }

  private createBridge(id: string, type: string, name: string): AriBridge {
    if (this.bridges.has(id)) throw new HttpError(409, 'Bridge with the same bridgeId already exists');
    const holding = type.split(',').includes('holding');
    const bridge: AriBridge = {
      id, technology: holding ? 'holding_bridge' : 'simple_bridge', bridge_type: holding ? 'holding' : 'mixing', bridge_class: 'stasis', creator: 'Stasis', name,
      channels: [], creationtime: stamp(), video_mode: 'none',
    };
    // The creating app is subscribed to the bridge (the one with an open WebSocket; the fake serves one app at a time).
    const app = [...this.apps.keys()][0] ?? 'okno';
    this.bridges.set(id, { bridge, moh: null, app });
    this.emit(app, { type: 'BridgeCreated', bridge });
    return bridge;
  }
}
