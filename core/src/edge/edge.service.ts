/**
 * The `edge` service: the fleet of edge agents over REST (technicians and administrators run it,
 * supervisors may look), internal actions for other services (`edge.command`, `edge.sendFax`,
 * `edge.file`, `edge.event`), and the lifecycle of the node's MQTT side (EdgeRuntime).
 */
import type { ActionSchema, Service, ServiceSchema } from 'moleculer';
import { agentUsername, commandSupported, type AgentAddress } from '@okno/protocol';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_ADMIN, type ApiContext } from '../api/action.js';
import { systemActor } from '../domain/actor.js';
import { conflict, invalid, notFound, unavailable } from '../domain/errors.js';
import type { Role } from '../persistence/entities/index.js';
import { id, limit } from '../services/params.js';
import { COMMAND_TIMEOUTS, MAX_COMMAND_TIMEOUT_MS, type CommandView } from './commands.js';
import { sendFile } from './downloads.js';
import { EdgeEventRecord, EdgeFileRecord, type EdgeAgentRecord } from './entities.js';
import { agentProvisioning, mosquittoFiles } from './provisioning.js';
import { EdgeRuntime, type EdgeRuntimeOptions } from './runtime.js';
import { agentDetail, agentSummary, eventView } from './views.js';
import { ROLES_HEADSET, ROLES_HEADSET_ANY, ROLES_HEADSET_USER, type HeadsetSignalKind } from './headsets.js';

/** Who may look at the fleet, and who may act on it. */
export const ROLES_FLEET_READ: readonly Role[] = ['technician', 'admin', 'supervisor'];
export const ROLES_FLEET: readonly Role[] = ['technician', 'admin'];

const agentRef = { agentRowId: { ...id, optional: true }, site: 'string|optional|max:32', agent: 'string|optional|max:64' };
type AgentRefParams = { agentRowId?: number; site?: string; agent?: string };
const LEVELS = ['info', 'warn', 'error', 'problems'];

/** An action whose calls may take longer than the broker's request timeout (Moleculer honours `timeout`; its types omit it). */
function slow(ms: number, action: ActionSchema | Record<string, unknown>): ActionSchema {
  return { ...action, timeout: ms } as unknown as ActionSchema;
}

export type EdgeServiceOptions = Partial<Omit<EdgeRuntimeOptions, 'broadcast'>>;

export function edgeService(core: CoreContext, opts: EdgeServiceOptions = {}): ServiceSchema {
  let rt: EdgeRuntime;

  const agentOf = async (p: AgentRefParams): Promise<EdgeAgentRecord> => {
    if (p.agentRowId) return rt.store.get(p.agentRowId);
    if (p.site && p.agent) return rt.store.find(p.site, p.agent);
    throw invalid(['agentRowId', 'name the agent by agentRowId, or by site and agent']);
  };
  const changed = (ctx: ApiContext, r: EdgeAgentRecord) => ctx.broadcast('edge.agentChanged', { username: agentUsername({ site: r.siteCode, agent: r.agentId }) });

  return {
    name: 'edge',
    settings: { rest: '/edge' },
    created(this: Service & { edge?: EdgeRuntime }) {
      rt = new EdgeRuntime(core, { ...opts, broadcast: (event, payload) => void core.broker.broadcast(event, payload) });
      this.edge = rt;
    },
    async started() {
      await rt.start();
    },
    async stopped() {
      await rt.stop();
    },
    events: {
      'edge.commandSettled': { handler: (ctx: { params: CommandView }) => rt.settled(ctx.params) },
      'edge.agentChanged': { handler: (ctx: { params: { username: string } }) => rt.agentChanged(ctx.params.username) },
    },
    actions: {
      agents: apiAction<{ site?: string; online?: boolean }>({
        rest: 'GET /agents', auth: ROLES_FLEET_READ, summary: 'Edge agents: online or offline, last seen, site, versions, device counts',
        params: { $$strict: true, site: 'string|optional|max:32', online: 'boolean|optional|convert' },
        handler: async (ctx) => (await rt.store.list(ctx.params)).map((r) => agentSummary(r)),
      }),
      agent: apiAction<{ id: number }>({
        rest: 'GET /agents/:id', auth: ROLES_FLEET_READ, summary: 'One agent: modems with state and line statistics, headsets with state, host and spool, recent events, errors and commands',
        params: { $$strict: true, id },
        handler: async (ctx) => {
          const r = await rt.store.get(ctx.params.id);
          const [events, errors, commands, bound] = await Promise.all([
            rt.store.events({ agentRowId: r.id, limit: 20 }),
            rt.store.events({ agentRowId: r.id, level: 'problems', limit: 20 }),
            rt.commands.list({ agentRowId: r.id, limit: 20 }),
            rt.headsets.boundOnAgent(r.id),
          ]);
          const detail = agentDetail(r);
          const headsets = detail.headsets.map((h) => ({ ...h, boundTo: bound.get(h.id) ?? null }));
          return { ...detail, headsets, events: events.map(eventView), errors: errors.map(eventView), recentCommands: commands };
        },
      }),
      create: apiAction<{ site: string; agent: string; label?: string }>({
        rest: 'POST /agents', auth: ROLES_ADMIN, summary: 'Register an edge agent: returns its password (shown once) and a ready configuration for it',
        params: { $$strict: true, site: 'string|min:1|max:32', agent: 'string|min:1|max:64', label: 'string|optional|max:200' },
        handler: async (ctx) => {
          const { record, password } = await rt.store.create(ctx.params, actorOf(ctx));
          ctx.meta.$statusCode = 201;
          return { agent: agentSummary(record), ...agentProvisioning(record, password, rt.agentBroker()) };
        },
      }),
      update: apiAction<{ id: number; label?: string; enabled?: boolean }>({
        rest: 'PUT /agents/:id', auth: ROLES_ADMIN, summary: 'Rename, enable or disable an agent (a disabled agent is refused by the broker and disconnected)',
        params: { $$strict: true, id, label: 'string|optional|min:1|max:200', enabled: 'boolean|optional' },
        handler: async (ctx) => {
          const { id: rowId, ...change } = ctx.params;
          const r = await rt.store.update(rowId, change, actorOf(ctx));
          changed(ctx, r);
          return agentSummary(r);
        },
      }),
      rotatePassword: apiAction<{ id: number }>({
        rest: 'POST /agents/:id/password', auth: ROLES_ADMIN, summary: 'A new password for an agent (shown once; the old one stops working and the agent is disconnected)',
        params: { $$strict: true, id },
        handler: async (ctx) => {
          const { record, password } = await rt.store.rotatePassword(ctx.params.id, actorOf(ctx));
          changed(ctx, record);
          return { agent: agentSummary(record), ...agentProvisioning(record, password, rt.agentBroker()) };
        },
      }),
      sendCommand: slow(MAX_COMMAND_TIMEOUT_MS + 10_000, apiAction<{ id: number; kind: string; args?: Record<string, unknown>; timeoutMs?: number }>({
          rest: 'POST /agents/:id/commands', auth: ROLES_FLEET, summary: 'Send a command (ping, modems.probe, fax.test, headset.ring, ...) and wait for its result or timeout',
          params: { $$strict: true, id, kind: 'string|min:1|max:64', args: { type: 'object', optional: true }, timeoutMs: { type: 'number', integer: true, min: 1000, max: MAX_COMMAND_TIMEOUT_MS, optional: true } },
          handler: async (ctx) => {
            const agent = await rt.store.get(ctx.params.id);
            return rt.commands.run({ agent, kind: ctx.params.kind, args: ctx.params.args ?? {}, timeoutMs: ctx.params.timeoutMs, requestedBy: actorOf(ctx).userId });
          },
        })),
      commands: apiAction<{ id: number; limit?: number }>({
        rest: 'GET /agents/:id/commands', auth: ROLES_FLEET_READ, summary: 'Recent commands of an agent and their outcomes',
        params: { $$strict: true, id, limit },
        handler: async (ctx) => rt.commands.list({ agentRowId: (await rt.store.get(ctx.params.id)).id, limit: ctx.params.limit ?? 50 }),
      }),
      agentEvents: apiAction<{ id: number; limit?: number; level?: 'info' | 'warn' | 'error' | 'problems'; beforeId?: number }>({
        rest: 'GET /agents/:id/events', auth: ROLES_FLEET_READ, summary: 'Recent events of an agent (level=problems: warnings and errors)',
        params: { $$strict: true, id, limit, level: { type: 'enum', values: LEVELS, optional: true }, beforeId: { ...id, optional: true } },
        handler: async (ctx) => {
          const a = await rt.store.get(ctx.params.id);
          return (await rt.store.events({ agentRowId: a.id, limit: ctx.params.limit ?? 50, level: ctx.params.level, beforeId: ctx.params.beforeId })).map(eventView);
        },
      }),
      events: apiAction<{ limit?: number; level?: 'info' | 'warn' | 'error' | 'problems'; site?: string; type?: string; beforeId?: number }>({
        rest: 'GET /events', auth: ROLES_FLEET_READ, summary: 'Recent events across the fleet (filter by site, level, type)',
        params: { $$strict: true, limit, level: { type: 'enum', values: LEVELS, optional: true }, site: 'string|optional|max:32', type: 'string|optional|max:64', beforeId: { ...id, optional: true } },
        handler: async (ctx) => (await rt.store.events({ ...ctx.params, limit: ctx.params.limit ?? 50 })).map(eventView),
      }),
      headsets: apiAction<{ siteId?: number }>({
        rest: 'GET /headsets', auth: ROLES_HEADSET, summary: 'Headsets of the online agents of a site, with whom each is bound to (operators see their own site)',
        params: { $$strict: true, siteId: { ...id, optional: true } },
        handler: (ctx) => {
          const actor = actorOf(ctx);
          const any = ROLES_HEADSET_ANY.some((r) => actor.roles.includes(r));
          return rt.headsets.available(any ? (ctx.params.siteId ?? null) : (actor.siteId ?? -1));
        },
      }),
      headsetBindings: apiAction<{ site?: string; agentRowId?: number }>({
        rest: 'GET /headset-bindings', auth: ROLES_FLEET_READ, summary: 'Operators and their headsets, with each headset\'s state',
        params: { $$strict: true, site: 'string|optional|max:32', agentRowId: { ...id, optional: true } },
        handler: (ctx) => rt.headsets.list(ctx.params),
      }),
      myHeadset: apiAction({
        rest: 'GET /headset-bindings/me', auth: ROLES_HEADSET_USER, summary: 'The signed-in operator\'s headset and its state ({ headset: null } when none is bound)',
        params: { $$strict: true },
        handler: async (ctx) => ({ headset: await rt.headsets.viewOf(actorOf(ctx).userId!) }),
      }),
      bindHeadset: apiAction<{ userId: number; agentRowId: number; headsetId: string }>({
        rest: 'PUT /headset-bindings/:userId', auth: ROLES_HEADSET, summary: 'Bind an operator to a headset (operators: only themselves, a headset of an online agent at their site)',
        params: { $$strict: true, userId: id, agentRowId: id, headsetId: 'string|min:1|max:256' },
        handler: (ctx) => rt.headsets.bind(ctx.params, actorOf(ctx)),
      }),
      unbindHeadset: apiAction<{ userId: number }>({
        rest: 'DELETE /headset-bindings/:userId', auth: ROLES_HEADSET, summary: 'Unbind an operator\'s headset (operators: only their own)',
        params: { $$strict: true, userId: id },
        handler: (ctx) => rt.headsets.unbind(ctx.params.userId, actorOf(ctx)),
      }),
      /**
       * Internal: ring (or stop), light the Off-Hook LED or the Mute LED of a user's bound headset.
       * Resolves with the outcome once the agent answered or the command timed out; an unbound user
       * is `{ bound: false }`, an offline agent or a failed command is an outcome, never an error.
       */
      headsetSignal: slow(COMMAND_TIMEOUTS['headset.ring'] + 10_000, {
        visibility: 'public',
        params: { userId: id, kind: { type: 'enum', values: ['ring', 'offHook', 'mute'] }, on: 'boolean' },
        handler: (ctx: ApiContext<{ userId: number; kind: HeadsetSignalKind; on: boolean }>) => rt.headsets.signal(ctx.params.userId, ctx.params.kind, ctx.params.on),
      }),
      sites: apiAction({
        rest: 'GET /sites', auth: ROLES_FLEET_READ, summary: 'Sites with their agents online and offline and device counts',
        params: { $$strict: true },
        handler: async () => {
          const bySite = new Map<string, { site: string; siteId: number | null; agents: number; online: number; offline: number; stale: number; disabled: number; modems: number; headsets: number; modemsInError: number }>();
          for (const r of await rt.store.list()) {
            const a = agentSummary(r);
            const s = bySite.get(a.site) ?? { site: a.site, siteId: a.siteId, agents: 0, online: 0, offline: 0, stale: 0, disabled: 0, modems: 0, headsets: 0, modemsInError: 0 };
            s.agents++;
            if (!a.enabled) s.disabled++;
            if (a.online) s.online++;
            else s.offline++;
            if (a.stale) s.stale++;
            s.modems += a.devices.modems;
            s.headsets += a.devices.headsets;
            s.modemsInError += a.devices.modemsInError;
            bySite.set(a.site, s);
          }
          return [...bySite.values()];
        },
      }),
      status: apiAction({
        rest: 'GET /status', auth: ROLES_FLEET_READ, summary: 'The MQTT side: broker, which node consumes, message counters (refused, duplicates, ...)',
        params: { $$strict: true },
        handler: async () => ({
          node: rt.nodeId,
          broker: { embedded: !!rt.embedded, agentUrl: rt.agentBroker().url, clients: rt.embedded?.connectedClients ?? null, counters: rt.embedded?.counters ?? null },
          connected: rt.publisher?.connected ?? false,
          consumerNode: await rt.consumerNode(),
          consumer: rt.leader ? { counters: rt.consumer.counters, lastRefusals: rt.consumer.lastRefusals, filesStored: rt.uploads.stored } : null,
        }),
      }),
      mosquitto: apiAction({
        rest: 'GET /mosquitto', auth: ROLES_ADMIN, summary: 'Mosquitto password_file and acl_file for production (every enabled agent, per-agent topics)',
        params: { $$strict: true },
        handler: async () => mosquittoFiles(await rt.store.list(), rt.credentials),
      }),

      /** Internal: send a command to an agent (by row id or site + agent) and wait for its outcome. */
      command: slow(MAX_COMMAND_TIMEOUT_MS + 10_000, {
        visibility: 'public',
        params: { ...agentRef, kind: 'string|min:1|max:64', args: { type: 'object', optional: true }, timeoutMs: { type: 'number', integer: true, optional: true }, requestedBy: { ...id, optional: true } },
        handler: async (ctx: ApiContext<AgentRefParams & { kind: string; args?: Record<string, unknown>; timeoutMs?: number; requestedBy?: number }>) => {
          const agent = await agentOf(ctx.params);
          return rt.commands.run({ agent, kind: ctx.params.kind, args: ctx.params.args ?? {}, timeoutMs: ctx.params.timeoutMs, requestedBy: ctx.params.requestedBy ?? null });
        },
      }),
      /**
       * Internal: send a document (a TIFF Class F attachment) to an agent and queue it for faxing:
       * the file goes down first (files/down/<transferId>), then the `fax.send` command names it.
       * The outcome follows as edge.event rows (fax.sent / fax.failed with the returned jobId).
       */
      sendFax: slow(15 * 60_000, {
        visibility: 'public',
        params: { ...agentRef, number: 'string|min:1|max:64', attachmentId: id, modemId: 'string|optional|max:256', localId: 'string|optional|max:20', maxAttempts: 'number|optional|integer|min:1|max:10' },
        handler: async (ctx: ApiContext<AgentRefParams & { number: string; attachmentId: number; modemId?: string; localId?: string; maxAttempts?: number }>) => {
          const agent = await agentOf(ctx.params);
          if (!agent.online) throw conflict(`edge agent ${agent.siteCode}.${agent.agentId} is offline`);
          if (agent.protocolVersion && !commandSupported('fax.send', agent.protocolVersion)) throw conflict(`edge agent ${agent.siteCode}.${agent.agentId} cannot send faxes`);
          const publisher = rt.publisher;
          if (!publisher?.connected) throw unavailable('the core is not connected to the MQTT broker');
          const { meta, content } = await core.attachments.read(ctx.params.attachmentId);
          if (!/^image\/tiff$/i.test(meta.mime)) throw invalid(['attachmentId', `a fax is sent from a TIFF Class F file, not ${meta.mime}`]);
          const to: AgentAddress = { site: agent.siteCode, agent: agent.agentId };
          const out = await sendFile({ nodeId: rt.nodeId, client: publisher }, { to, data: content, name: meta.filename, contentType: meta.mime, meta: { attachmentId: meta.id } });
          if (!out.ok) throw unavailable(`the document did not reach the agent: ${out.reason ?? 'failed'}`);
          const { number, modemId, localId, maxAttempts } = ctx.params;
          const command = await rt.commands.run({
            agent, kind: 'fax.send', requestedBy: null,
            args: { number, transferId: out.transferId, ...(modemId ? { modemId } : {}), ...(localId ? { localId } : {}), ...(maxAttempts ? { maxAttempts } : {}) },
          });
          return { transferId: out.transferId, command };
        },
      }),
      /** Internal: a file an agent uploaded (with the full offer meta, e.g. the remote fax id). */
      file: {
        visibility: 'public',
        params: { transferId: 'string|min:1|max:40' },
        handler: async (ctx: ApiContext<{ transferId: string }>) => {
          const f = await core.db.read((em) => em.findOne(EdgeFileRecord, { where: { transferId: ctx.params.transferId } }));
          if (!f) throw notFound('edge file', ctx.params.transferId);
          const a = await rt.store.get(f.agentRowId);
          return { ...f, receivedAt: f.receivedAt.toISOString(), site: a.siteCode, agent: a.agentId, siteId: a.siteId };
        },
      },
      /** Internal: one event in full (fax numbers unmasked), e.g. fax.received for the fax channel. */
      event: {
        visibility: 'public',
        params: { id },
        handler: async (ctx: ApiContext<{ id: number }>) => {
          const e = await core.db.read((em) => em.findOne(EdgeEventRecord, { where: { id: ctx.params.id } }));
          if (!e) throw notFound('edge event', ctx.params.id);
          const a = await rt.store.get(e.agentRowId);
          return { id: e.id, site: a.siteCode, agent: a.agentId, siteId: a.siteId, type: e.type, level: e.level, deviceId: e.deviceId, at: e.at.toISOString(), data: e.data };
        },
      },
      /** Internal: where this node's MQTT side is (tests, tools). */
      brokerInfo: {
        visibility: 'public',
        handler: () => ({ embedded: !!rt.embedded, url: rt.brokerUrl, port: rt.embedded?.port ?? null, agentUrl: rt.agentBroker().url }),
      },
      /** Internal: register an agent without a signed-in user (CLI, provisioning scripts). */
      register: {
        visibility: 'public',
        params: { site: 'string|min:1|max:32', agent: 'string|min:1|max:64', label: 'string|optional|max:200' },
        handler: async (ctx: ApiContext<{ site: string; agent: string; label?: string }>) => {
          const { record, password } = await rt.store.create(ctx.params, systemActor('edge'));
          return { agent: agentSummary(record), ...agentProvisioning(record, password, rt.agentBroker()) };
        },
      },
    },
  };
}
