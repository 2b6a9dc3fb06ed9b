/** Starts a core with this plugin for the tests, and small clients for its HTTP and WebSocket ends. */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { startTestApp, type TestApp } from '@okno/core/testing';
import type { PluginDefinition } from '@okno/core';
import plugin from '../index.js';
import type { PortalConfig } from '../config.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

export const IDENTITY = { secret: 'portal-identity-secret-0123456789abcdef', issuer: 'city-idp', audience: 'okno-portal' };

export async function startPortal(config: DeepPartial<PortalConfig> = {}, opts: { core?: Record<string, unknown>; plugin?: PluginDefinition; clock?: () => Date; dbUrl?: string } = {}): Promise<TestApp> {
  return startTestApp({
    plugins: { 'channel-web': (opts.plugin ?? plugin) as PluginDefinition },
    config: { plugins: [{ name: 'channel-web', config }], ...(opts.core ?? {}) },
    deliveryPollMs: 100,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.dbUrl ? { dbUrl: opts.dbUrl } : {}),
  });
}

export const newSubmissionId = () => `sub-${randomUUID()}`;

/** A JSON answer from a fetch Response. */
export async function answer(res: Response): Promise<{ status: number; body: any; headers: Headers }> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

/** Submits the form as multipart/form-data, with files. */
export async function submitMultipart(app: TestApp, fields: Record<string, string>, files: { name: string; type: string; content: Buffer }[] = [], query = '') {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  for (const f of files) fd.append('files', new Blob([new Uint8Array(f.content)], { type: f.type }), f.name);
  return answer(await fetch(`${app.url}/api/portal/appeals${query}`, { method: 'POST', body: fd }));
}

/** A WebSocket client that collects JSON frames and waits for them (the chat page, the console). */
export class FrameSocket {
  readonly frames: any[] = [];
  closeCode: number | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => this.frames.push(JSON.parse(String(m))));
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(url: string): Promise<FrameSocket> {
    const ws = new WebSocket(url);
    const c = new FrameSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  async waitFor(pred: (f: any) => boolean, what = 'a frame', ms = 10_000): Promise<any> {
    const end = Date.now() + ms;
    for (;;) {
      const f = this.frames.find(pred);
      if (f) return f;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async closed(ms = 10_000): Promise<number> {
    const end = Date.now() + ms;
    while (this.closeCode === null) {
      if (Date.now() > end) throw new Error('the socket did not close');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closeCode;
  }

  close(): void {
    this.ws.close();
  }
}

/** The citizen's chat socket. */
export const chatSocket = (app: TestApp, query = '') => FrameSocket.open(`${app.url.replace('http', 'ws')}/api/portal/chat${query}`);

/** An operator's console stream (journal events and console.push frames), signed in. */
export async function consoleStream(app: TestApp, login: string): Promise<FrameSocket> {
  const s = await FrameSocket.open(`${app.url.replace('http', 'ws')}/api/stream`);
  s.send({ type: 'auth', token: await app.token(login) });
  await s.waitFor((f) => f.type === 'ready', 'the console stream to be ready');
  return s;
}
