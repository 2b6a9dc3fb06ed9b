/**
 * The `routing` Moleculer service: REST under /api/routing (the operator's state and offers, queue
 * and rule administration, supervisors' views), internal actions for channels (`routing.enqueue`,
 * `routing.end`), and the journal nudges. Every route names who may call it.
 *
 * Several nodes: an operator is served by the node where they last set their state (stored in
 * routing_operators.nodeId). A call reaching another node is forwarded there (`routing.operatorCall`);
 * when that node is gone the calling node takes the operator over.
 */
import type { Context, ServiceSchema } from 'moleculer';
import type {} from 'moleculer-web';
import { In } from 'typeorm';
import { DomainError, HEADSET_EVENT, User, UserSkill, actorOf, apiAction, conflict, invalid, notFound, type ApiContext, type HeadsetEventPayload, type PluginContext, type Role } from '@okno/core';
import { CHANNELS, RoutingError, type Channel } from './engine/index.js';
import type { RoutingConfig } from './config.js';
import { RoutingOperator, RoutingQueue, RoutingRule } from './entities.js';
import { checkQueue, checkRules, type QueueInput } from './queue-config.js';
import { RoutingRuntime, type OperatorStatus } from './runtime.js';
import { queueInputOf } from './settings.js';
import { headsetDecision } from './headset.js';

export const SERVICE = 'routing';
const OPERATORS: readonly Role[] = ['operator', 'supervisor'];
const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];
const ADMINS: readonly Role[] = ['admin'];
const SETTINGS_CHANGED = 'routing.settingsChanged';
const PROFILE_CHANGED = 'routing.profileChanged';

const idParam = { type: 'number', integer: true, positive: true, convert: true };
const offerParam = { type: 'string', min: 1, max: 100 };

type OperatorOp =
  | { op: 'status' }
  | { op: 'setState'; state: 'ready' | 'paused' | 'logged_out'; reason: string | null }
  | { op: 'accept'; offerId: string }
  | { op: 'reject'; offerId: string }
  | { op: 'endWrapUp' }
  | { op: 'completeNow'; contactId: string };

/** RoutingError codes as HTTP answers. */
function apiError(err: unknown): unknown {
  if (!(err instanceof RoutingError)) return err;
  if (err.code === 'unknown-offer' || err.code === 'unknown-contact') return new DomainError(err.message, 404, 'NOT_FOUND');
  if (err.code === 'no-profile' || err.code.startsWith('invalid-') && err.code !== 'invalid-transition') return invalid(['user', err.message]);
  return conflict(err.message, { code: err.code });
}

export function routingService(ctx: PluginContext<RoutingConfig>): { schema: ServiceSchema; runtime: RoutingRuntime } {
  const { core } = ctx;
  const runtime = new RoutingRuntime(core, ctx.config, ctx.logger);
  const db = core.db;
  const now = () => core.clock().getTime();

  /** Runs an operator operation on the node serving the operator. */
  const onOperatorNode = async (actx: Context<unknown>, userId: number, op: OperatorOp): Promise<unknown> => {
    const row = await db.read((em) => em.findOne(RoutingOperator, { where: { userId } }));
    const owner = row?.nodeId;
    const alive = owner && owner !== runtime.nodeId && row?.state !== 'logged_out' && core.broker.registry.nodes.get(owner)?.available;
    if (alive) return actx.call('routing.operatorCall', { userId, ...op }, { nodeID: owner });
    return local(userId, op);
  };

  const local = async (userId: number, op: OperatorOp): Promise<unknown> => {
    try {
      switch (op.op) {
        case 'status': return await runtime.status(userId);
        case 'setState': return await runtime.setState(userId, op.state, op.reason);
        case 'accept': return await runtime.accept(userId, op.offerId);
        case 'reject': runtime.reject(userId, op.offerId); return { rejected: true };
        case 'endWrapUp': return { ended: runtime.endWrapUp(userId) };
        case 'completeNow': runtime.completeNow(op.contactId); return { completed: true };
      }
    } catch (err) {
      throw apiError(err);
    }
  };

  const me = (actx: ApiContext<unknown>) => actorOf(actx).userId!;

  /**
   * Accepts an offer for the operator and assigns its appeal to them (the console's Accept button
   * and the headset's hook both come here). `asUser`: the operator's session when the call does not
   * come from them over REST (a headset event).
   */
  const acceptOffer = async (actx: Context<unknown>, userId: number, offerId: string, asUser?: Record<string, unknown>) => {
    const r = (await onOperatorNode(actx, userId, { op: 'accept', offerId })) as { contactId: string; appealId: number | null };
    if (r.appealId !== null) {
      try {
        await actx.call('appeals.assign', { id: r.appealId }, asUser ? { meta: { user: asUser } } : {});
      } catch (err) {
        await onOperatorNode(actx, userId, { op: 'completeNow', contactId: r.contactId });
        throw conflict(`the appeal could not be assigned: ${err instanceof Error ? err.message : String(err)}`, { appealId: r.appealId });
      }
    }
    return { appealId: r.appealId, contactId: r.contactId };
  };

  /**
   * A hook or button of an operator's headset (core event `edge.headsetEvent`, heard on every node):
   * the node holding the operator's open offer accepts or rejects it as the console would
   * (headset.ts); anything else, a stale event or one without an open offer, does nothing.
   */
  const headsetEvent = async (actx: Context<HeadsetEventPayload>) => {
    const p = actx.params;
    const offer = runtime.openOffer(p.userId);
    if (!offer) return;
    const decision = headsetDecision({ event: p.event, at: p.at }, offer, ctx.config.headsetClockToleranceMs);
    const log = { userId: p.userId, headset: `${p.site}.${p.agent}/${p.headsetId}`, eventId: p.eventId, event: p.event.type };
    if (decision.action === 'none') {
      if (decision.why === 'stale') ctx.logger.info({ ...log, offerId: offer.offerId, at: new Date(p.at).toISOString() }, 'routing: a stale headset event was ignored');
      return;
    }
    try {
      if (decision.action === 'reject') {
        await onOperatorNode(actx, p.userId, { op: 'reject', offerId: decision.offerId });
      } else {
        const user = await db.read((em) => em.findOne(User, { where: { id: p.userId } }));
        if (!user?.active) return;
        await acceptOffer(actx, p.userId, decision.offerId, { id: user.id, login: user.login, name: user.fullName, roles: user.roles, siteId: user.siteId });
      }
      ctx.logger.info({ ...log, offerId: decision.offerId, action: decision.action }, 'routing: the offer was answered on the headset');
    } catch (err) {
      // the offer ended meanwhile, or the appeal could not be assigned: the console shows what is left
      ctx.logger.warn({ ...log, offerId: decision.offerId, action: decision.action, err: String(err) }, 'routing: the headset could not answer the offer');
    }
  };

  /** Offered and held counts per queue, in one pass over this node's contacts. */
  const heldCounts = () => {
    const out = new Map<string, { offered: number; assigned: number }>();
    for (const c of runtime.engine.allContacts()) {
      let n = out.get(c.queueId);
      if (!n) out.set(c.queueId, (n = { offered: 0, assigned: 0 }));
      if (c.state === 'offered') n.offered++;
      else if (c.state === 'assigned' || c.state === 'wrapping' || c.state === 'elsewhere') n.assigned++;
    }
    return out;
  };

  const queueView = (q: { id: number } & QueueInput, held = heldCounts()) => {
    const stats = { waiting: 0, longestWaitSeconds: 0, offered: 0, assigned: 0, ...held.get(String(q.id)) };
    if (runtime.settings.queues.has(q.id)) {
      try {
        const s = runtime.engine.queueStats(String(q.id));
        stats.waiting = s.waiting;
        stats.longestWaitSeconds = s.oldestEnqueuedAt !== undefined ? Math.max(0, Math.round((now() - s.oldestEnqueuedAt) / 1000)) : 0;
      } catch {
        /* not in the engine (its settings could not be applied; logged) */
      }
    }
    return { ...q, stats };
  };

  /** This node applies the change before answering; the others on the broadcast. */
  const settingsChanged = async () => {
    await runtime.reloadSettings();
    await core.broker.broadcast(SETTINGS_CHANGED, {});
  };

  const contactsIn = (queueId: number) => runtime.engine.allContacts().filter((c) => c.queueId === String(queueId) && c.state !== 'gone');

  const schema: ServiceSchema = {
    name: SERVICE,
    settings: { rest: '/routing' },
    actions: {
      me: apiAction({
        rest: 'GET /me', auth: OPERATORS, summary: "The operator's routing state and open offer",
        params: { $$strict: true },
        handler: (actx) => onOperatorNode(actx, me(actx), { op: 'status' }),
      }),
      setState: apiAction<{ state: 'ready' | 'paused' | 'logged_out'; reason?: string }>({
        rest: 'POST /state', auth: OPERATORS, summary: 'Log in (ready), pause with a reason, or log out of routing',
        params: { $$strict: true, state: { type: 'enum', values: ['ready', 'paused', 'logged_out'] }, reason: { type: 'string', optional: true, min: 1, max: 64 } },
        handler: (actx) => onOperatorNode(actx, me(actx), { op: 'setState', state: actx.params.state, reason: actx.params.reason ?? null }),
      }),
      accept: apiAction<{ id: string }>({
        rest: 'POST /offers/:id/accept', auth: OPERATORS, summary: "Accept an offer: the contact's appeal becomes the operator's",
        params: { $$strict: true, id: offerParam },
        handler: (actx) => acceptOffer(actx, me(actx), actx.params.id),
      }),
      reject: apiAction<{ id: string }>({
        rest: 'POST /offers/:id/reject', auth: OPERATORS, summary: 'Reject an offer (it goes to someone else)',
        params: { $$strict: true, id: offerParam },
        handler: (actx) => onOperatorNode(actx, me(actx), { op: 'reject', offerId: actx.params.id }),
      }),
      endWrapUp: apiAction({
        rest: 'POST /wrap-up/end', auth: OPERATORS, summary: 'End the wrap-up now',
        params: { $$strict: true },
        handler: (actx) => onOperatorNode(actx, me(actx), { op: 'endWrapUp' }),
      }),

      queues: apiAction({
        rest: 'GET /queues', auth: SUPERVISORS, summary: 'Queues with their settings and live figures',
        params: { $$strict: true },
        handler: async () => {
          const rows = await db.read((em) => em.find(RoutingQueue, { order: { id: 'ASC' } }));
          const held = heldCounts();
          return rows.map((r) => queueView({ id: r.id, ...queueInputOf(r) }, held));
        },
      }),
      createQueue: apiAction<Record<string, unknown>>({
        rest: 'POST /queues', auth: ADMINS, summary: 'Create a queue',
        handler: async (actx) => {
          await runtime.settings.load();
          const q = checkQueue(actx.params, null, runtime.settings.siteIds());
          const saved = await saveQueue(null, q);
          actx.meta.$statusCode = 201;
          (actx.meta as { $location?: string }).$location = `/api/routing/queues/${saved.id}`;
          return queueView({ id: saved.id, ...queueInputOf(saved) });
        },
      }),
      updateQueue: apiAction<Record<string, unknown> & { id: number }>({
        rest: 'PUT /queues/:id', auth: ADMINS, summary: 'Change a queue (fields left out keep their values)',
        handler: async (actx) => {
          const id = Number(actx.params.id);
          const row = await db.read((em) => em.findOne(RoutingQueue, { where: { id } }));
          if (!row) throw notFound('queue', actx.params.id);
          await runtime.settings.load();
          const { id: _id, ...body } = actx.params;
          const q = checkQueue(body, queueInputOf(row), runtime.settings.siteIds());
          const gone = contactsIn(id).find((c) => !q.channels.includes(c.channel));
          if (gone) throw conflict(`contacts on ${gone.channel} are in this queue; keep that channel until they are handled`, { field: 'channels' });
          const saved = await saveQueue(id, q);
          return queueView({ id: saved.id, ...queueInputOf(saved) });
        },
      }),
      deleteQueue: apiAction<{ id: number }>({
        rest: 'DELETE /queues/:id', auth: ADMINS, summary: 'Delete a queue (refused while contacts are in it or rules point at it)',
        params: { $$strict: true, id: idParam },
        handler: async (actx) => {
          const id = actx.params.id;
          const row = await db.read((em) => em.findOne(RoutingQueue, { where: { id } }));
          if (!row) throw notFound('queue', id);
          const rules = await db.read((em) => em.count(RoutingRule, { where: { queueId: id } }));
          if (rules) throw conflict(`${rules} rule(s) send work to this queue; change them first`, { rules });
          const contacts = contactsIn(id).length;
          if (contacts) throw conflict(`${contacts} contact(s) are in this queue`, { contacts });
          await db.transaction((em) => em.delete(RoutingQueue, { id }));
          await settingsChanged();
          return { deleted: id };
        },
      }),
      rules: apiAction({
        rest: 'GET /rules', auth: ADMINS, summary: 'The assignment rules in order (first match wins)',
        params: { $$strict: true },
        handler: async () => (await db.read((em) => em.find(RoutingRule, { order: { position: 'ASC' } }))).map(ruleView),
      }),
      setRules: apiAction<{ rules?: unknown } & Record<string, unknown>>({
        rest: 'PUT /rules', auth: ADMINS, summary: 'Replace the whole ordered list of assignment rules',
        handler: async (actx) => {
          // moleculer-web merges a JSON array body into the params as "0", "1", ...; { rules: [...] } is taken too.
          const p = actx.params as Record<string, unknown>;
          const indexed = Object.keys(p).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
          const body = 'rules' in p ? p.rules : indexed.length === Object.keys(p).length ? indexed.map((k) => p[k]) : p;
          await runtime.settings.load();
          const rules = checkRules(body, new Set(runtime.settings.queues.keys()), runtime.settings.siteIds());
          await db.transaction(async (em) => {
            await em.clear(RoutingRule);
            await em.save(RoutingRule, rules.map((r, i) => Object.assign(new RoutingRule(), { match: r.match, queueId: r.queueId, priority: r.priority ?? null, skills: r.skills ?? [], position: i })));
          });
          await settingsChanged();
          return (await db.read((em) => em.find(RoutingRule, { order: { position: 'ASC' } }))).map(ruleView);
        },
      }),

      operators: apiAction({
        rest: 'GET /operators', auth: SUPERVISORS, summary: 'Operators: state, skills, capacity and the contacts they hold (over every node)',
        params: { $$strict: true },
        handler: async () => {
          const users = (await db.read((em) => em.find(User, { where: { active: true } }))).filter((u) => u.roles.includes('operator'));
          const ids = users.map((u) => u.id);
          const [rows, skills, claims] = await Promise.all([
            db.read((em) => em.find(RoutingOperator, { where: { userId: In(ids) } })),
            db.read((em) => em.find(UserSkill, { where: { userId: In(ids) } })),
            runtime.store.claimsOf(ids.map(String)),
          ]);
          const byId = new Map(rows.map((r) => [r.userId, r]));
          return users.map((u) => {
            const r = byId.get(u.id);
            return {
              userId: u.id, name: u.fullName, siteId: u.siteId, state: r?.state ?? 'logged_out', reason: r?.reason ?? null, since: r ? new Date(r.since).toISOString() : null,
              skills: Object.fromEntries(skills.filter((s) => s.userId === u.id).map((s) => [s.skill, s.proficiency])),
              capacity: { ...runtime.engine.policy.capacity, ...(r?.capacity ?? {}) },
              contacts: claims.filter((c) => c.operatorId === String(u.id)).map((c) => ({
                contactId: c.contactId, appealId: appealOf(runtime, c.contactId), channel: c.channel, state: c.state === 'reserved' ? 'offered' : c.state,
              })),
            };
          });
        },
      }),
      setCapacity: apiAction<{ userId: number; capacity: Partial<Record<Channel, number>> }>({
        rest: 'PUT /operators/:userId', auth: ADMINS, summary: "Set an operator's capacity per channel (0 = never that channel)",
        params: {
          $$strict: true, userId: idParam,
          capacity: { type: 'object', strict: true, props: Object.fromEntries(CHANNELS.map((c) => [c, { type: 'number', integer: true, min: 0, max: 100, optional: true }])) },
        },
        handler: async (actx) => {
          const { userId, capacity } = actx.params;
          const user = await db.read((em) => em.findOne(User, { where: { id: userId } }));
          if (!user) throw notFound('user', userId);
          await db.transaction(async (em) => {
            const row = await em.findOne(RoutingOperator, { where: { userId } });
            if (row) await em.update(RoutingOperator, { userId }, { capacity });
            else await em.insert(RoutingOperator, { userId, capacity, state: 'logged_out', reason: null, since: now(), nodeId: null });
          });
          await core.broker.broadcast(PROFILE_CHANGED, { userId });
          return { userId, capacity: { ...runtime.engine.policy.capacity, ...capacity } };
        },
      }),
      contacts: apiAction<{ queueId?: number }>({
        rest: 'GET /contacts', auth: SUPERVISORS, summary: 'Contacts waiting, with their place, priority and age',
        params: { $$strict: true, queueId: { ...idParam, optional: true } },
        handler: (actx) => {
          const t = now();
          return runtime.engine
            .waiting()
            .filter((c) => actx.params.queueId === undefined || c.queueId === String(actx.params.queueId))
            .map((c) => ({
              contactId: c.id, appealId: c.appealId !== undefined ? Number(c.appealId) : null, channel: c.channel, queueId: Number(c.queueId), queue: runtime.queueCode(c.queueId),
              siteId: Number(c.homeSiteId), position: runtime.engine.position(c.id) ?? null, priority: c.priority, ageSeconds: Math.round((t - c.enqueuedAt) / 1000),
              enqueuedAt: new Date(c.enqueuedAt).toISOString(), heldForOperatorId: c.heldForOperatorId !== undefined ? Number(c.heldForOperatorId) : null,
            }))
            .sort((a, b) => a.queueId - b.queueId || (a.position ?? 0) - (b.position ?? 0));
        },
      }),

      // ---- internal (no REST): channels and nodes
      enqueue: {
        visibility: 'public',
        params: {
          $$strict: true,
          contactId: { type: 'string', min: 1, max: 64 },
          channel: { type: 'enum', values: ['voice', 'callback', 'chat', 'email', 'fax', 'portal'] },
          queueId: { ...idParam, optional: true },
          siteId: { ...idParam, optional: true },
          serviceId: { ...idParam, optional: true },
          appealId: { ...idParam, optional: true },
          priority: { type: 'number', integer: true, min: -100, max: 100, optional: true },
          enqueuedAt: { type: 'date', convert: true, optional: true },
          availableAt: { type: 'date', convert: true, optional: true },
          skills: { type: 'record', optional: true, key: { type: 'string', max: 64 }, value: { type: 'number', integer: true, min: 1, max: 5 } },
        },
        async handler(actx: Context<{ contactId: string; channel: Channel; queueId?: number; siteId?: number; serviceId?: number; appealId?: number; priority?: number; enqueuedAt?: Date; availableAt?: Date; skills?: Record<string, number> }>) {
          const p = actx.params;
          let queueId = p.queueId !== undefined ? String(p.queueId) : undefined;
          let priority = p.priority;
          let skills = p.skills;
          if (queueId === undefined) {
            const route = runtime.settings.route({ channel: p.channel, serviceId: p.serviceId ?? null, organisationId: null, siteIds: runtime.settings.siteChain(p.siteId ?? null) });
            if (!route) throw conflict('no queue takes this contact (check the routing rules)');
            queueId = route.queueId;
            priority ??= route.priority;
            skills = { ...route.skills, ...skills };
          } else if (!runtime.settings.queues.get(Number(queueId))?.channels.includes(p.channel)) {
            throw invalid(['queueId', `queue ${queueId} does not exist or does not take ${p.channel}`]);
          }
          const recorded = await runtime.enqueue({
            id: p.contactId, channel: p.channel, queueId,
            enqueuedAt: (p.enqueuedAt ?? new Date(now())).getTime(),
            ...(priority !== undefined ? { priority } : {}),
            ...(skills && Object.keys(skills).length ? { skills } : {}),
            ...(p.appealId !== undefined ? { appealId: String(p.appealId) } : {}),
            ...(p.availableAt ? { availableAt: p.availableAt.getTime() } : {}),
          });
          return { contactId: p.contactId, queueId: Number(queueId), created: recorded };
        },
      },
      /** Writes the contact book's checkpoint now (after reading the journal to its head), e.g. before maintenance. */
      checkpoint: {
        visibility: 'public',
        params: { $$strict: true },
        async handler() {
          await runtime.caughtUp();
          const written = await runtime.saveCheckpoint();
          return { written, position: runtime.position, recovery: runtime.recovery };
        },
      },
      end: {
        visibility: 'public',
        params: { $$strict: true, contactId: { type: 'string', min: 1, max: 64 }, reason: { type: 'enum', values: ['applicant-left', 'handled'] } },
        async handler(actx: Context<{ contactId: string; reason: 'applicant-left' | 'handled' }>) {
          await actx.broadcast('routing.contactEnded', actx.params);
          return { ended: actx.params.contactId };
        },
      },
      operatorCall: {
        visibility: 'public',
        handler: (actx: Context<{ userId: number } & OperatorOp>) => {
          const { userId, ...op } = actx.params;
          return local(userId, op as OperatorOp);
        },
      },
    },
    events: {
      'appeal.*': { handler: () => runtime.nudge() },
      'chat.*': { handler: () => runtime.nudge() },
      'contact.*': { handler: () => runtime.nudge() },
      [SETTINGS_CHANGED]: { handler: () => runtime.reloadSettings().catch((err: unknown) => ctx.logger.warn({ err: String(err) }, 'routing: settings reload failed')) },
      [PROFILE_CHANGED]: { handler: (actx: Context<{ userId: number }>) => runtime.refreshProfile(actx.params.userId).catch((err: unknown) => ctx.logger.warn({ err: String(err) }, 'routing: profile reload failed')) },
      [HEADSET_EVENT]: { handler: (actx: Context<HeadsetEventPayload>) => headsetEvent(actx) },
      'routing.contactEnded': {
        handler: (actx: Context<{ contactId: string; reason: 'applicant-left' | 'handled' }>) =>
          runtime.end(actx.params.contactId, actx.params.reason).catch((err: unknown) => ctx.logger.warn({ err: String(err) }, 'routing: contact not ended')),
      },
    },
    methods: {
      /** This node's runtime (tests and tools reach it through broker.getLocalService('routing')). */
      runtime: () => runtime,
    },
    async started() {
      await runtime.start();
    },
    async stopped() {
      await runtime.stop();
    },
  };

  async function saveQueue(id: number | null, q: QueueInput): Promise<RoutingQueue> {
    const saved = await db.transaction(async (em) => {
      const clash = await em.findOne(RoutingQueue, { where: { code: q.code } });
      if (clash && clash.id !== id) throw invalid(['code', `queue ${q.code} exists`]);
      const row = Object.assign(new RoutingQueue(), id === null ? {} : { id }, q, { updatedAt: now() });
      return em.save(RoutingQueue, row);
    });
    await settingsChanged();
    return saved;
  }

  return { schema, runtime };
}

function ruleView(r: RoutingRule) {
  return { id: r.id, match: r.match, queueId: r.queueId, priority: r.priority, skills: r.skills };
}

function appealOf(runtime: RoutingRuntime, contactId: string): number | null {
  const known = runtime.engine.contact(contactId)?.appealId;
  if (known !== undefined) return Number(known);
  const m = /^appeal-(\d+)/.exec(contactId);
  return m ? Number(m[1]) : null;
}

export type { OperatorStatus };
