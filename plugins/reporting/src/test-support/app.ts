/** A core with the reporting plugin for the tests, and a console stream client. */
import { startTestApp, type TestApp } from '@okno/core/testing';
import { lastJournalSeq, type PluginDefinition } from '@okno/core';
import { waitFor } from '@okno/testkit';
import plugin from '../index.js';
import type { ReportingConfig } from '../config.js';

export async function startReportingApp(config: Partial<ReportingConfig> = {}, opts: { dbUrl?: string; extraPlugins?: Record<string, { definition: PluginDefinition; config?: Record<string, unknown> }> } = {}): Promise<TestApp> {
  const extra = opts.extraPlugins ?? {};
  return startTestApp({
    plugins: { reporting: plugin as unknown as PluginDefinition, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.definition])) },
    config: {
      plugins: [{ name: 'reporting', config: { pollMs: 50, pushIntervalMs: 200, ...config } }, ...Object.entries(extra).map(([name, v]) => ({ name, config: v.config ?? {} }))],
    },
    ...(opts.dbUrl ? { dbUrl: opts.dbUrl } : {}),
  });
}

/** Waits until reporting has counted the whole journal. */
export async function caughtUp(app: TestApp): Promise<void> {
  const token = await app.token('supervisor');
  const head = await lastJournalSeq(app.app.db);
  await waitFor('reporting to count the journal', async () => {
    const r = await app.req('GET', '/api/reporting/status', { token });
    return r.status === 200 && r.body.position >= head;
  }, 20_000);
}

/** The console's WebSocket stream, signed in; collects frames. */
export async function consoleStream(app: TestApp, login: string): Promise<{ frames: Record<string, any>[]; close: () => void }> {
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/stream`);
  const frames: Record<string, any>[] = [];
  ws.addEventListener('message', (m) => frames.push(JSON.parse(String(m.data))));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('the console stream did not open')));
  });
  ws.send(JSON.stringify({ type: 'auth', token: await app.token(login) }));
  await waitFor('the console stream to be ready', () => frames.some((f) => f.type === 'ready'));
  return { frames, close: () => ws.close() };
}
