/** A core with the routing plugin for the tests, console streams, and demo data helpers. */
import { startTestApp, type TestApp } from '@okno/core/testing';
import type { PluginDefinition } from '@okno/core';
import { waitFor } from '@okno/testkit';
import plugin from '../index.js';
import type { RoutingConfig } from '../config.js';

export interface RoutingAppOptions {
  dbUrl?: string;
  demo?: boolean;
  config?: Partial<RoutingConfig>;
  /** Extra core config (transporter, nodeId...). */
  core?: Record<string, unknown>;
  broker?: Record<string, unknown>;
}

export async function startRoutingApp(opts: RoutingAppOptions = {}): Promise<TestApp> {
  return startTestApp({
    plugins: { routing: plugin as unknown as PluginDefinition },
    config: { plugins: [{ name: 'routing', config: { pollMs: 50, skipSeconds: 1, ...opts.config } }], ...opts.core },
    ...(opts.dbUrl ? { dbUrl: opts.dbUrl } : {}),
    ...(opts.demo !== undefined ? { demo: opts.demo } : {}),
    ...(opts.broker ? { broker: opts.broker } : {}),
  } as Parameters<typeof startTestApp>[0]);
}

export type Frame = Record<string, any>;

/** The console's WebSocket stream, signed in; collects the frames it receives. */
export async function consoleStream(app: TestApp, login: string): Promise<{ frames: Frame[]; close: () => void }> {
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/stream`);
  const frames: Frame[] = [];
  ws.addEventListener('message', (m) => frames.push(JSON.parse(String(m.data)) as Frame));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('the console stream did not open')));
  });
  ws.send(JSON.stringify({ type: 'auth', token: await app.token(login) }));
  await waitFor('the console stream to be ready', () => frames.some((f) => f.type === 'ready'));
  return { frames, close: () => ws.close() };
}

export async function siteId(app: TestApp, code: string): Promise<number> {
  const r = await app.req('GET', '/api/sites', { token: await app.token('admin') });
  const site = (r.body as { id: number; code: string }[]).find((s) => s.code === code);
  if (!site) throw new Error(`no site ${code}`);
  return site.id;
}

export async function userId(app: TestApp, login: string): Promise<number> {
  const r = await app.req('GET', '/api/users', { token: await app.token('admin') });
  const user = (r.body as { id: number; login: string }[]).find((u) => u.login === login);
  if (!user) throw new Error(`no user ${login}`);
  return user.id;
}

/** A new operator (password as the demo users'). */
export async function addOperator(app: TestApp, login: string, site: string, skills: { skill: string; proficiency: number }[] = []): Promise<number> {
  const r = await app.req('POST', '/api/users', {
    token: await app.token('admin'),
    body: { login, fullName: `Operator ${login}`, password: 'okno-demo-2026', roles: ['operator'], siteId: await siteId(app, site), skills },
  });
  if (r.status >= 300) throw new Error(`user ${login}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as number;
}

/** The demo's waiting contacts are taken by hand from the work list (routing retires them). */
export async function clearWaiting(app: TestApp): Promise<void> {
  const sup = await app.token('supervisor');
  const me = await userId(app, 'supervisor');
  await waitFor('the demo contacts to be queued', async () => (await app.req('GET', '/api/routing/contacts', { token: sup })).body.length > 0, 10_000);
  const waiting = (await app.req('GET', '/api/routing/contacts', { token: sup })).body as { contactId: string; appealId: number | null }[];
  for (const c of waiting) {
    const r = c.appealId === null ? { status: 0 } : await app.req('POST', `/api/appeals/${c.appealId}/assign`, { token: sup, body: { userId: me } });
    // Not assignable (a fax not yet registered, an appeal redirected): ended as handled.
    if (r.status !== 200) await app.app.broker.call('routing.end', { contactId: c.contactId, reason: 'handled' });
  }
  await waitFor('the demo contacts to be retired', async () => (await app.req('GET', '/api/routing/contacts', { token: sup })).body.length === 0, 10_000);
}

/** An e-mail appeal taken in by the core (as channel-email would). */
export async function emailAppeal(app: TestApp, n: string, extra: Record<string, unknown> = {}): Promise<number> {
  const r = await app.app.broker.call<{ appealId: number }, object>('appeals.intake', {
    channel: 'email', messageId: `<routing-${n}@example.ru>`, applicant: { contacts: [{ kind: 'email', value: `a${n}@example.ru` }] }, subject: `Test ${n}`, body: 'text', ...extra,
  });
  return r.appealId;
}

export const waitForFrame = async (frames: Frame[], what: string, pick: (f: Frame) => boolean, ms = 15_000): Promise<Frame> => {
  let found: Frame | undefined;
  await waitFor(what, () => Boolean((found = frames.find(pick))), ms);
  return found!;
};
