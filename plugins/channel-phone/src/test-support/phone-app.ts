/**
 * Test support: a whole core on SQLite with the routing plugin and the phone channel connected to a
 * fake Asterisk, a queue taking calls and callbacks, and an operator who takes only calls.
 */
import { startTestApp, type TestApp } from '@okno/core/testing';
import { Appeal, Interaction, readJournal, type JournalEvent, type PluginDefinition } from '@okno/core';
import routing from '@okno/routing';
import { join } from 'node:path';
import { tempDir, waitFor } from '@okno/testkit';
import phone from '../index.js';
import type { PhoneConfig } from '../config.js';
import type { CallFlow } from '../calls/call-flow.js';
import type { PhoneLine } from '../line.js';
import { FakeAsterisk } from './fake-asterisk.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface PhoneApp {
  app: TestApp;
  pbx: FakeAsterisk;
  /** The queue (id) that takes voice and callback contacts. */
  queueId: number;
  /** The user id of the demo "operator" (their phone is PJSIP/op-<id>). */
  operatorId: number;
  operatorToken: string;
  /** This node's call flow (the latest one: a node makes a new one each time it takes the line). */
  readonly flow: CallFlow;
  /** This node's phone line lease. */
  readonly line: PhoneLine;
  /** Places a call and waits until it waits in the line (registered, queued). */
  callIn(from: string, digit?: string): Promise<{ channelId: string; appealId: number }>;
  /** The operator's open offer, once there is one. */
  offer(): Promise<{ id: string; channel: string; appealId: number | null }>;
  accept(offerId: string): Promise<{ status: number; body: any }>;
  setState(state: 'ready' | 'paused' | 'logged_out', reason?: string): Promise<void>;
  appeal(id: number): Promise<Appeal>;
  callInteraction(channelId: string, prefix?: 'call' | 'callback'): Promise<Interaction | null>;
  journal(type: string): Promise<JournalEvent[]>;
  stop(): Promise<void>;
}

export const TEST_CONFIG = (url: string): DeepPartial<PhoneConfig> => ({
  url, user: 'okno', password: 'secret-ari-password', app: 'okno',
  ivr: {
    greeting: 'sound:okno-greeting',
    menu: { '1': { label: 'ЖКХ' }, '2': { label: 'Справки', priority: 5 } },
    menuTimeoutMs: 60_000,
    invalidChoice: 'sound:option-is-invalid',
  },
  callback: { digit: '9', confirm: 'sound:okno-callback-confirm', endpoint: 'PJSIP/{number}@city-trunk', callerId: '"Окно" <122>' },
  failureMedia: 'sound:okno-sorry',
  reconnect: { minMs: 50, maxMs: 200 },
  pingMs: 1000,
  requestTimeoutMs: 800, // less than lease.guardMs
  answerRetry: { attempts: 3, delayMs: 20 },
  lease: { ttlMs: 3000, renewMs: 300, guardMs: 1000 },
});

/** The plugins and their config of a test node (also used by the node run in a child process). */
export function phoneAppOptions(config: DeepPartial<PhoneConfig>, o: { dbUrl?: string; demo?: boolean; core?: Record<string, unknown>; broker?: Record<string, unknown> } = {}) {
  return {
    plugins: { routing: routing as unknown as PluginDefinition, 'channel-phone': phone as unknown as PluginDefinition },
    deliveryPollMs: 100,
    ...(o.dbUrl ? { dbUrl: o.dbUrl } : {}),
    ...(o.demo !== undefined ? { demo: o.demo } : {}),
    ...(o.broker ? { broker: o.broker } : {}),
    config: { ...o.core, plugins: [{ name: 'routing', config: { pollMs: 50, skipSeconds: 1, settingsRefreshMs: 300 } }, { name: 'channel-phone', config }] },
  };
}

/** The test config with overrides (ivr and callback merged). */
export function phoneConfig(url: string, over: DeepPartial<PhoneConfig> = {}): DeepPartial<PhoneConfig> {
  const base = TEST_CONFIG(url);
  return { ...base, ...over, ivr: { ...base.ivr, ...over.ivr }, callback: { ...base.callback, ...over.callback } };
}

export async function startPhoneApp(o: { phone?: DeepPartial<PhoneConfig>; pbx?: FakeAsterisk; dbUrl?: string; demo?: boolean; core?: Record<string, unknown>; broker?: Record<string, unknown> } = {}): Promise<PhoneApp> {
  const pbx = o.pbx ?? (await FakeAsterisk.start());
  const app = await startTestApp(phoneAppOptions(phoneConfig(pbx.url, o.phone), o));
  const admin = await app.token('admin');
  const users = (await app.req('GET', '/api/users', { token: admin })).body as { id: number; login: string; siteId: number }[];
  const op = users.find((u) => u.login === 'operator')!;
  const existing = ((await app.req('GET', '/api/routing/queues', { token: admin })).body as { id: number; code: string }[]).find((x) => x.code === 'phone-test');
  const q = existing ? { status: 201, body: existing } : await app.req('POST', '/api/routing/queues', { token: admin, body: { code: 'phone-test', name: 'Телефон (тест)', siteId: op.siteId, channels: ['voice', 'callback'], wrapUpSeconds: 0, offerTimeoutSeconds: 600 } });
  if (q.status !== 201) throw new Error(`queue: ${q.status} ${JSON.stringify(q.body)}`);
  if (!existing) {
    const rules = (await app.req('GET', '/api/routing/rules', { token: admin })).body as unknown[];
    const put = await app.req('PUT', '/api/routing/rules', { token: admin, body: [{ match: { channels: ['voice', 'callback'] }, queueId: q.body.id }, ...rules] });
    if (put.status !== 200) throw new Error(`rules: ${put.status} ${JSON.stringify(put.body)}`);
  }
  // This operator takes calls only, so the demo's e-mails and faxes are never offered to them.
  const cap = await app.req('PUT', `/api/routing/operators/${op.id}`, { token: admin, body: { capacity: { email: 0, fax: 0, portal: 0, chat: 0 } } });
  if (cap.status !== 200) throw new Error(`capacity: ${cap.status} ${JSON.stringify(cap.body)}`);
  const operatorToken = await app.token('operator');
  const service = app.app.broker.getLocalService('channel.phone') as unknown as { flow(): CallFlow | null; line(): PhoneLine };
  const db = app.app.db;
  await waitFor('the phone channel connected to the fake Asterisk', () => pbx.connected('okno'));

  const self: PhoneApp = {
    app, pbx, queueId: q.body.id as number, operatorId: op.id, operatorToken,
    get flow() {
      const f = service.flow();
      if (!f) throw new Error('this node has not held the phone line yet');
      return f;
    },
    get line() {
      return service.line();
    },
    async callIn(from, digit = '1') {
      const channelId = pbx.placeCall({ from });
      await waitFor('the greeting', () => pbx.heard(channelId).includes('sound:okno-greeting'));
      pbx.press(channelId, digit);
      const inter = await waitFor('the call registered', () => self.callInteraction(channelId));
      await waitFor('the caller on hold', () => pbx.bridgeOf(channelId)?.type === 'holding');
      return { channelId, appealId: inter!.appealId };
    },
    async offer() {
      let offer: { id: string; channel: string; appealId: number | null } | null = null;
      await waitFor('an offer to the operator', async () => (offer = (await app.req('GET', '/api/routing/me', { token: operatorToken })).body.offer ?? null));
      return offer!;
    },
    accept: (offerId) => app.req('POST', `/api/routing/offers/${offerId}/accept`, { token: operatorToken }),
    async setState(state, reason) {
      const r = await app.req('POST', '/api/routing/state', { token: operatorToken, body: { state, ...(reason ? { reason } : {}) } });
      if (r.status !== 200) throw new Error(`state ${state}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    appeal: async (id) => (await db.read((em) => em.findOneBy(Appeal, { id })))!,
    callInteraction: (channelId, prefix = 'call') => db.read((em) => em.findOneBy(Interaction, { channel: 'phone', externalId: `${prefix}:${channelId}` })),
    journal: async (type) => (await readJournal(db, 0, 100_000)).filter((e) => e.type === type),
    async stop() {
      await app.stop();
      if (!o.pbx) await pbx.stop();
    },
  };
  return self;
}

/**
 * A phone app on a SQLite file and a fake Asterisk that outlive it, so the test can restart the core
 * (`restart()`: stop, then start on the same database and Asterisk). Everything is stopped at teardown.
 */
export async function restartablePhoneApp(t: { teardown(fn: () => unknown): void }, prefix: string): Promise<{ pbx: FakeAsterisk; app(): PhoneApp; stop(): Promise<void>; start(): Promise<PhoneApp>; restart(): Promise<PhoneApp> }> {
  const pbx = await FakeAsterisk.start();
  t.teardown(() => pbx.stop());
  const dir = tempDir(prefix);
  t.teardown(() => dir.cleanup());
  const dbUrl = `sqlite:${join(dir.dir, 'okno.sqlite')}`;
  let p: PhoneApp | null = await startPhoneApp({ pbx, dbUrl });
  t.teardown(() => p?.stop());
  const self = {
    pbx,
    app: () => p!,
    async stop() {
      const was = p;
      p = null;
      await was?.stop();
    },
    async start() {
      p = await startPhoneApp({ pbx, dbUrl });
      return p;
    },
    async restart() {
      await self.stop();
      return self.start();
    },
  };
  return self;
}
