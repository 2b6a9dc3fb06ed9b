/** A core with its edge side for tests: agents registered over the internal action, simulated agents that clean up after themselves. */
import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from '@okno/testkit';
import { startTestApp, type TestApp } from '../../testing/app.js';
import { edgeRuntime } from '../index.js';
import type { EdgeRuntime } from '../runtime.js';
import { SimEdgeAgent, type SimEdgeAgentOptions } from '../../testing/edge-agent.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface EdgeRig {
  app: TestApp;
  rt: EdgeRuntime;
  /** The broker URL agents use. */
  url: string;
  register(site: string, agent: string): Promise<{ id: number; password: string }>;
  /** A simulated agent (not yet connected). */
  agent(site: string, agent: string, password: string, extra?: Partial<SimEdgeAgentOptions>): SimEdgeAgent;
  /** Connects a raw MQTT client (rejects when refused). */
  raw(opts: { username?: string; password?: string; clientId?: string }): Promise<MqttClient>;
}

export async function edgeRig(t: Teardown, opts: Parameters<typeof startTestApp>[0] = {}, o: { waitForConsumer?: boolean } = {}): Promise<EdgeRig> {
  const app = await startTestApp(opts);
  return rigOf(t, app, { own: true, ...o });
}

export async function rigOf(t: Teardown, app: TestApp, o: { own: boolean; waitForConsumer?: boolean }): Promise<EdgeRig> {
  const agents: SimEdgeAgent[] = [];
  const clients: MqttClient[] = [];
  t.teardown(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    if (o.own) await app.stop();
  });
  const rt = edgeRuntime(app.app.broker);
  const info = await app.app.broker.call<{ url: string | null; agentUrl: string | null }>('edge.brokerInfo');
  const url = info.agentUrl ?? info.url!;
  if (o.waitForConsumer !== false) await waitFor('the edge consumer', () => rt.consuming, 10_000);
  return {
    app,
    rt,
    url,
    async register(site, agent) {
      const r = await app.app.broker.call<{ agent: { id: number }; password: string }, object>('edge.register', { site, agent });
      return { id: r.agent.id, password: r.password };
    },
    agent(site, agent, password, extra = {}) {
      const a = new SimEdgeAgent({ url, site, agent, password, ...extra });
      agents.push(a);
      return a;
    },
    async raw(o) {
      const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...(o.clientId ? { clientId: o.clientId } : {}), ...(o.username !== undefined ? { username: o.username } : {}), ...(o.password !== undefined ? { password: o.password } : {}) });
      clients.push(c);
      return c;
    },
  };
}
