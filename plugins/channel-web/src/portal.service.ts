/**
 * `channel.portal`: the web portal channel. The channel contract (capabilities, send, health), the
 * public endpoints under /api/portal (submit an appeal, check its status, the registry's services,
 * the form's limits), the operators' chat actions, and the page at /portal/.
 *
 *   POST /api/portal/appeals        public   the form (JSON, or multipart/form-data with files) -> 201
 *   POST /api/portal/status         public   { regNumber, secret } -> status and the portal box
 *   POST /api/portal/attachment     public   { regNumber, secret, attachmentId } -> a file of an answer
 *   GET  /api/portal/services       public   services of the registry for the form
 *   GET  /api/portal/config         public   the form's limits (for the page)
 *   GET  /api/portal/chats                    open chats (operators, supervisors)
 *   GET  /api/portal/chats/:chatId            one chat with its transcript (audited)
 *   POST /api/portal/chats/:chatId/join       take the chat (assigns the appeal)
 *   POST /api/portal/chats/:chatId/messages   { text, clientMsgId? }
 *   POST /api/portal/chats/:chatId/typing
 *   POST /api/portal/chats/:chatId/close
 *   WS   /api/portal/chat            public   the citizen's chat (see chat/chat-socket.ts)
 *   GET  /portal/                    public   the embeddable page
 */
import type { Readable } from 'node:stream';
import type { Context, ServiceSchema } from 'moleculer';
import { LessThan } from 'typeorm';
import type {} from 'moleculer-web'; // its typings add `rest` to service settings and actions
import {
  Appeal, DomainError, Organisation, Service, actorOf, apiAction, channelService, conflict, forbidden, notFound, parseRegNumber,
  ROLES_DESK, type ApiContext, type ChannelCapabilities, type ChannelHealth, type OutboundMessage, type PluginContext, type SendResult,
} from '@okno/core';
import type { PortalConfig } from './config.js';
import type { IdentityVerifier } from './identity.js';
import { RateLimits, clientKey } from './rate-limit.js';
import { submitForm, removeStaleUploads, PORTAL_CHANNEL, type SubmitAnswer } from './form.js';
import { deliverToBox, readBox, type BoxItem } from './box.js';
import { STATUS_NAMES, fieldErrors, langOf } from './messages.js';
import { ChatStore } from './chat/chat-store.js';
import { ChatHub, DESK_ROLES, lineFrame, type ChatFrame, type ConsolePush } from './chat/chat-socket.js';
import { attachPage } from './gateway-attach.js';
import { PortalSubmission } from './entities.js';
import { assetHeaders, loadAssets } from './page.js';

export const SERVICE = channelService(PORTAL_CHANNEL);

type Limits = 'submit' | 'status' | 'chatOpen' | 'chatMessage';

const chatIdParam = { type: 'string', pattern: /^[0-9a-fA-F-]{36}$/ };

export interface PortalServiceOptions {
  identity: IdentityVerifier;
  /** Whether identified sessions are possible (an identity provider is configured). */
  identified: boolean;
}

export function portalService(ctx: PluginContext<PortalConfig>, opts: PortalServiceOptions): ServiceSchema {
  const { core, config, logger } = ctx;
  const limits = new RateLimits<Limits>(config.rateLimits, () => core.clock().getTime());
  const maxFileBytes = Math.min(config.limits.maxFileBytes, core.config.attachments.maxBytes);
  const assets = loadAssets();
  const call = <R>(action: string, params: object) => core.broker.call<R, object>(action, params);
  const store = new ChatStore({ core, config, call });
  const publish = (chatId: string, frame: ChatFrame) => void core.broker.broadcast('portal.chat.frame', { chatId, frame });
  const toConsole = (push: ConsolePush) => void core.broker.broadcast('console.push', push);
  const hub = new ChatHub({ store, config, limits, identity: opts.identity, publish, toConsole, logger });
  let served = false;
  let sweeper: NodeJS.Timeout | null = null;

  /** null when the client may go on; else the 429 answer (with Retry-After). */
  const limited = (c: ApiContext, kind: Limits) => {
    const d = limits.hit(kind, clientKey(c.meta.ip));
    if (d.ok) return null;
    c.meta.$statusCode = 429;
    c.meta.$responseHeaders = { 'Retry-After': String(d.retryAfterSeconds), 'Cache-Control': 'no-store' };
    return { error: { code: 'RATE_LIMITED', message: `too many requests from this address; try again in ${d.retryAfterSeconds} s`, data: { retryAfter: d.retryAfterSeconds } } };
  };

  const publicStatus = async (regNumber: unknown, secret: unknown, lang: ReturnType<typeof langOf>) => {
    const issues = [];
    if (typeof regNumber !== 'string' || !regNumber.trim()) issues.push({ field: 'regNumber', key: 'required' as const });
    else if (!parseRegNumber(regNumber)) issues.push({ field: 'regNumber', key: 'regNumber' as const });
    if (typeof secret !== 'string' || !secret.trim()) issues.push({ field: 'secret', key: 'required' as const });
    else if (secret.length > 40) issues.push({ field: 'secret', key: 'tooLong' as const, params: { max: 40 } });
    if (issues.length) throw fieldErrors(issues, lang);
    return call<{ regNumber: string; status: string; receivedAt: Date; registeredAt: Date | null; answerBy: Date | null; extended: boolean; answeredAt: Date | null; redirectedTo: string | null }>(
      'appeals.publicStatus', { regNumber, secret });
  };

  const chatOf = async (c: ApiContext<{ chatId: string }>, own: boolean) => {
    const actor = actorOf(c);
    const chat = await store.getOrFail(c.params.chatId.toLowerCase());
    if (own && chat.operatorUserId !== actor.userId && !actor.roles.includes('supervisor')) throw forbidden('join the chat first (or be a supervisor)');
    return { actor, chat };
  };

  return {
    name: SERVICE,
    settings: { rest: '/portal' },
    actions: {
      capabilities: (): ChannelCapabilities => ({
        channel: PORTAL_CHANNEL, inbound: true, outbound: true, attachments: config.limits.maxFiles > 0, maxAttachmentBytes: maxFileBytes,
        realtime: config.chat.enabled, identified: opts.identified, addressKind: 'portal',
      }),

      health: async (): Promise<ChannelHealth> => {
        const services = (core.broker.registry.getServiceList({ onlyAvailable: true }) as { name: string }[]).map((s) => s.name);
        const emailRunning = services.includes(channelService('email'));
        const problems: string[] = [];
        if (config.replyByEmail && !emailRunning) problems.push('replyByEmail is on but the e-mail channel is not running: answers to e-mail addresses wait');
        if (!served) problems.push('no API gateway on this node: the page and the chat socket are not served here');
        return { status: problems.length ? 'degraded' : 'ok', details: { problems, chatConnections: hub.size, replyByEmail: config.replyByEmail, emailChannel: emailRunning, identified: opts.identified } };
      },

      send: {
        visibility: 'public',
        handler: async (c: Context<OutboundMessage>): Promise<SendResult> => {
          const { result, item } = await deliverToBox(core.db, c.params, core.clock());
          if (item) void core.broker.broadcast('portal.box.delivered', { appealId: c.params.appealId, item });
          return result;
        },
      },

      services: apiAction({
        rest: 'GET /services', auth: 'public', summary: 'Services of the registry the portal form offers (active ones)', params: { $$strict: true },
        handler: async () => core.db.read(async (em) => {
          const services = await em.find(Service, { where: { active: true }, order: { name: 'ASC' }, select: { id: true, code: true, name: true, organisationId: true, topic: true } });
          const orgs = await em.find(Organisation, { select: { id: true, name: true, shortName: true } });
          const org = new Map(orgs.map((o) => [o.id, o.shortName ?? o.name]));
          return services.map((s) => ({ id: s.id, code: s.code, name: s.name, organisation: org.get(s.organisationId) ?? null, topic: s.topic }));
        }),
      }),

      config: apiAction({
        rest: 'GET /config', auth: 'public', summary: 'The portal form\'s limits and features (for the page)', params: { $$strict: true },
        handler: () => ({
          maxFiles: config.limits.maxFiles, maxFileBytes, maxTotalBytes: config.limits.maxTotalBytes, maxTextLength: config.limits.maxTextLength,
          maxSubjectLength: config.limits.maxSubjectLength, allowedTypes: config.limits.allowedTypes, chat: config.chat.enabled,
          maxChatMessageLength: config.chat.maxMessageLength, identified: opts.identified,
        }),
      }),

      submit: {
        ...apiAction({
          rest: 'POST /appeals', auth: 'public',
          summary: 'Submit an appeal (59-FZ): JSON, or multipart/form-data with files; 201 with the registration number and the status secret',
          handler: async (c: ApiContext) => {
            const body = (c as unknown as { stream: Readable | null }).stream ?? null;
            const refused = limited(c, 'submit');
            if (refused) {
              body?.resume();
              return refused;
            }
            const answer: SubmitAnswer = await submitForm({ core, config, identity: opts.identity, call: (a, p) => c.call(a, p) }, { contentType: c.meta.contentType ?? null, params: c.params as Record<string, unknown>, body });
            c.meta.$statusCode = answer.duplicate ? 200 : 201;
            // Where the new appeal's status is read (POST with the number and the secret).
            (c.meta as { $location?: string }).$location = '/api/portal/status';
            c.meta.$responseHeaders = { 'Cache-Control': 'no-store' };
            return answer;
          },
        }),
        // The raw body is streamed to the action (multipart is read here, with all files of one appeal).
        rest: { method: 'POST', path: '/appeals', type: 'stream' } as { method: 'POST'; path: string },
      },

      status: apiAction<{ regNumber?: unknown; secret?: unknown; lang?: unknown }>({
        rest: 'POST /status', auth: 'public', summary: 'Status of an appeal by registration number and status secret, with the answers in the portal box (same 404 for an unknown number and a wrong secret)',
        handler: async (c) => {
          const refused = limited(c, 'status');
          if (refused) return refused;
          const lang = langOf(c.params.lang);
          const s = await publicStatus(c.params.regNumber, c.params.secret, lang);
          const appeal = await core.db.read((em) => em.findOneOrFail(Appeal, { where: { regNumber: s.regNumber }, select: { id: true, type: true, channel: true } }));
          c.meta.$responseHeaders = { 'Cache-Control': 'no-store' };
          const messages: BoxItem[] = await readBox(core.db, appeal.id);
          return { ...s, statusText: STATUS_NAMES[s.status]?.[lang] ?? s.status, type: appeal.type, channel: appeal.channel, messages };
        },
      }),

      attachment: apiAction<{ regNumber?: unknown; secret?: unknown; attachmentId?: unknown; lang?: unknown }>({
        rest: 'POST /attachment', auth: 'public', summary: 'A file of an answer in the portal box (registration number and status secret required)',
        handler: async (c) => {
          const refused = limited(c, 'status');
          if (refused) return refused;
          const s = await publicStatus(c.params.regNumber, c.params.secret, langOf(c.params.lang));
          const appeal = await core.db.read((em) => em.findOneOrFail(Appeal, { where: { regNumber: s.regNumber }, select: { id: true } }));
          const wanted = Number(c.params.attachmentId);
          const file = (await readBox(core.db, appeal.id)).flatMap((m) => m.attachments).find((a) => a.attachmentId === wanted);
          if (!file) throw notFound('attachment of this appeal', c.params.attachmentId);
          const { meta, stream } = await core.attachments.open(file.attachmentId);
          c.meta.$responseType = meta.mime;
          c.meta.$responseHeaders = {
            'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`, 'Content-Length': String(meta.size),
            'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox", 'Cache-Control': 'no-store',
          };
          return stream;
        },
      }),

      // Served by the /portal route only (it has no REST alias under /api).
      asset: {
        auth: 'public',
        params: { file: { type: 'string', optional: true, max: 64 } },
        handler: (c: ApiContext<{ file?: string }>) => {
          const name = c.params.file || 'index.html';
          const asset = assets.get(name);
          if (!asset) throw new DomainError(`no such file: ${name.slice(0, 64)}`, 404, 'NOT_FOUND');
          c.meta.$responseType = asset.type;
          c.meta.$responseHeaders = assetHeaders(name, asset, config.page.frameAncestors);
          return asset.body;
        },
      },

      chats: apiAction({
        rest: 'GET /chats', auth: ROLES_DESK, summary: 'Open portal chats (waiting and active) with their appeals', params: { $$strict: true },
        handler: async () => {
          const now = core.clock().getTime();
          return (await store.listOpen()).map((c) => ({ ...c, waitingSeconds: c.status === 'waiting' ? Math.round((now - c.openedAt.getTime()) / 1000) : null }));
        },
      }),

      chat: apiAction<{ chatId: string }>({
        rest: 'GET /chats/:chatId', auth: ROLES_DESK, summary: 'One chat with the citizen\'s name and the transcript (audited read)', params: { $$strict: true, chatId: chatIdParam },
        handler: async (c) => {
          const v = await store.view(c.params.chatId.toLowerCase(), actorOf(c));
          return { chatId: v.chat.chatId, appealId: v.chat.appealId, regNumber: v.regNumber, status: v.chat.status, operatorUserId: v.chat.operatorUserId, citizenName: v.citizenName, openedAt: v.chat.openedAt, closedAt: v.chat.closedAt, closedBy: v.chat.closedBy, lines: v.lines };
        },
      }),

      join: apiAction<{ chatId: string; takeOver?: boolean }>({
        rest: 'POST /chats/:chatId/join', auth: ROLES_DESK, summary: 'Take the chat: it becomes yours and its appeal is assigned to you (a supervisor may take over)',
        params: { $$strict: true, chatId: chatIdParam, takeOver: 'boolean|optional' },
        handler: async (c) => {
          const actor = actorOf(c);
          const { chat, changed, before } = await store.join(c.params.chatId.toLowerCase(), actor, Boolean(c.params.takeOver));
          if (changed) {
            try {
              await c.call('appeals.assign', { id: chat.appealId });
            } catch (err) {
              await store.unjoin(before, actor);
              throw err;
            }
            const operatorName = await store.operatorName(actor.userId);
            publish(chat.chatId, { type: 'joined', chatId: chat.chatId, operatorName });
            if (before.operatorUserId && before.operatorUserId !== actor.userId) toConsole({ userIds: [before.operatorUserId], frame: { type: 'portal.chat.taken', chatId: chat.chatId, byUserId: actor.userId } });
            toConsole({ roles: DESK_ROLES, frame: { type: 'portal.chat.joined', chatId: chat.chatId, appealId: chat.appealId, userId: actor.userId } });
          }
          const v = await store.view(chat.chatId, actor);
          return { chatId: chat.chatId, appealId: chat.appealId, regNumber: v.regNumber, status: 'active', citizenName: v.citizenName, lines: v.lines };
        },
      }),

      say: apiAction<{ chatId: string; text: string; clientMsgId?: string }>({
        rest: 'POST /chats/:chatId/messages', auth: ROLES_DESK, summary: 'Write to the citizen in the chat (idempotent with clientMsgId)',
        params: { $$strict: true, chatId: chatIdParam, text: { type: 'string', min: 1, max: config.chat.maxMessageLength, trim: true }, clientMsgId: { type: 'string', optional: true, pattern: /^[A-Za-z0-9_-]{1,64}$/ } },
        handler: async (c) => {
          const { actor, chat } = await chatOf(c, true);
          if (chat.status !== 'active') throw conflict(chat.status === 'closed' ? 'the chat has ended' : 'join the chat first', { status: chat.status });
          const line = await store.operatorMessage(chat, actor, c.params.text, c.params.clientMsgId ?? null);
          const frame = lineFrame(chat.chatId, line);
          publish(chat.chatId, frame);
          toConsole({ userIds: [actor.userId!], frame: { ...frame, type: 'portal.chat.message', appealId: chat.appealId } });
          return line;
        },
      }),

      typing: apiAction<{ chatId: string }>({
        rest: 'POST /chats/:chatId/typing', auth: ROLES_DESK, summary: 'Show the citizen that the operator is typing', params: { $$strict: true, chatId: chatIdParam },
        handler: async (c) => {
          const { chat } = await chatOf(c, true);
          if (chat.status === 'active') publish(chat.chatId, { type: 'typing', chatId: chat.chatId, from: 'operator' });
          return { ok: true };
        },
      }),

      close: apiAction<{ chatId: string }>({
        rest: 'POST /chats/:chatId/close', auth: ROLES_DESK, summary: 'End the chat (the appeal stays open until it is answered or closed)', params: { $$strict: true, chatId: chatIdParam },
        handler: async (c) => {
          const { actor, chat } = await chatOf(c, true);
          const closed = await store.close(chat.chatId, 'operator', actor.userId);
          if (closed) {
            publish(chat.chatId, { type: 'closed', chatId: chat.chatId, by: 'operator' });
            toConsole({ roles: DESK_ROLES, frame: { type: 'portal.chat.closed', chatId: chat.chatId, appealId: chat.appealId, by: 'operator' } });
          }
          return { chatId: chat.chatId, status: 'closed', closedNow: Boolean(closed) };
        },
      }),
    },

    events: {
      'portal.chat.frame': { handler: (c: Context<{ chatId: string; frame: ChatFrame }>) => hub.deliverLocal(c.params.chatId, c.params.frame) },
      'portal.box.delivered': { handler: (c: Context<{ appealId: number; item: BoxItem }>) => hub.deliverBox(c.params.appealId, c.params.item) },
    },

    started() {
      const server = attachPage(core.broker, `${SERVICE}.asset`);
      if (server) {
        hub.attach(server);
        served = true;
      } else {
        logger.info('no API gateway on this node: /portal/ and the chat socket are served by the nodes that run one');
      }
      const sweep = async () => {
        limits.prune();
        // Kept secrets for repeated submits live only as long as a repeat is plausible.
        const keptUntil = new Date(core.clock().getTime() - config.resubmitWindowHours * 3600_000);
        await core.db.transaction((em) => em.delete(PortalSubmission, { createdAt: LessThan(keptUntil) }));
        await removeStaleUploads(core);
        for (const chat of await store.abandoned()) {
          const closed = await store.close(chat.chatId, 'timeout', null);
          if (!closed) continue;
          publish(chat.chatId, { type: 'closed', chatId: chat.chatId, by: 'timeout' });
          toConsole({ ...(chat.operatorUserId ? { userIds: [chat.operatorUserId] } : { roles: DESK_ROLES }), frame: { type: 'portal.chat.closed', chatId: chat.chatId, appealId: chat.appealId, by: 'timeout' } });
        }
      };
      sweeper = setInterval(() => void sweep().catch((err) => logger.warn({ err: String(err) }, 'chat sweep failed')), Math.min(60_000, config.chat.resumeWindowSeconds * 250));
      sweeper.unref();
    },

    async stopped() {
      if (sweeper) clearInterval(sweeper);
      await hub.close();
    },
  };
}
