/** Starts a whole core (API included) on a free port for integration tests. */
import { join } from 'node:path';
import { tempDir, freePort } from '@okno/testkit';
import { OknoApp, type AppOptions } from '../kernel/app.js';
import { loadConfig, type OknoConfig } from '../config/config.js';
import { DEMO_PASSWORD } from '../demo/seed.js';

export interface TestApp {
  app: OknoApp;
  url: string;
  /** An access token for a demo user. */
  token(login: string): Promise<string>;
  /** JSON request; returns status and parsed body. */
  req(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestApp(opts: { dbUrl?: string; demo?: boolean; config?: Record<string, unknown> } & Omit<AppOptions, 'config'> = {}): Promise<TestApp> {
  const dir = tempDir('okno-app-');
  const port = await freePort();
  const config: OknoConfig = loadConfig({
    env: {},
    cwd: dir.dir,
    overrides: {
      dataDir: dir.dir,
      db: { url: opts.dbUrl ?? `sqlite:${join(dir.dir, 'okno.sqlite')}` },
      http: { port, host: '127.0.0.1' },
      demo: opts.demo ?? true,
      console: { enabled: false },
      log: { level: 'warn' },
      auth: { jwtSecret: 'test-secret-test-secret-test-secret-0123456789' },
      // the embedded MQTT broker on a free port, so test apps running side by side do not collide
      mqtt: { url: null, embedded: { enabled: true, host: '127.0.0.1', port: 0 } },
      ...(opts.config ?? {}),
    } as Partial<OknoConfig>,
  });
  const app = await OknoApp.start({ ...opts, config, relayPollMs: opts.relayPollMs ?? 50 });
  const url = app.url;
  const tokens = new Map<string, string>();
  const req: TestApp['req'] = async (method, path, o = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.headers ?? {}) },
      body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers };
  };
  return {
    app,
    url,
    req,
    async token(login) {
      if (!tokens.has(login)) {
        const r = await req('POST', '/api/auth/login', { body: { login, password: DEMO_PASSWORD } });
        if (r.status !== 200) throw new Error(`login ${login} failed: ${r.status} ${JSON.stringify(r.body)}`);
        tokens.set(login, r.body.accessToken);
      }
      return tokens.get(login)!;
    },
    async stop() {
      await app.stop();
      dir.cleanup();
    },
  };
}
