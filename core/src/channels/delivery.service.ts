/**
 * The `channels` service: finds the channel plugins (`channel.<name>` services), delivers replies
 * and notices through them (see delivery.ts), and shows supervisors what failed.
 */
import type { ServiceSchema, Context } from 'moleculer';
import { In } from 'typeorm';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_DESK } from '../api/action.js';
import { Interaction, Notice, Appeal } from '../persistence/entities/index.js';
import { appendJournal } from '../domain/journal.js';
import { notFound } from '../domain/errors.js';
import { deliveryPass } from './delivery.js';
import { CHANNEL_SERVICE_PREFIX, channelService, type ChannelCapabilities, type OutboundMessage, type SendResult } from './contract.js';
import { id, limit } from '../services/params.js';

export function channelsService(core: CoreContext, opts: { pollMs?: number } = {}): ServiceSchema {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  const pollMs = opts.pollMs ?? 1000;

  const channelNames = () =>
    (core.broker.registry.getServiceList({ onlyAvailable: true }) as { name: string }[])
      .map((s) => s.name)
      .filter((n) => n.startsWith(CHANNEL_SERVICE_PREFIX))
      .map((n) => n.slice(CHANNEL_SERVICE_PREFIX.length));

  const pass = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await deliveryPass({
          db: core.db,
          now: core.clock,
          timeZone: core.deadlines.timeZone,
          send: (channel, msg) => core.broker.call<SendResult, OutboundMessage>(`${channelService(channel)}.send`, msg, { timeout: 60_000 }),
          channels: channelNames,
          onEvent: () => core.journalCommitted(),
        });
      } while (again);
    } catch (err) {
      core.logger.warn({ err: String(err) }, 'delivery pass failed; retrying');
    } finally {
      running = false;
    }
  };

  let soonTimer: NodeJS.Timeout | null = null;
  let stopping = false;
  const soon = () => {
    if (soonTimer || stopping) return;
    soonTimer = setTimeout(() => {
      soonTimer = null;
      void pass();
    }, 50);
  };

  return {
    name: 'channels',
    settings: { rest: '/' },
    actions: {
      list: apiAction({
        rest: 'GET /channels', auth: 'user', summary: 'Installed channels with their capabilities and health', params: { $$strict: true },
        handler: async (ctx: Context) => Promise.all(channelNames().map(async (name) => {
          const capabilities = await ctx.call<ChannelCapabilities>(`${channelService(name)}.capabilities`).catch(() => null);
          const health = await ctx.call<{ status: string }, object>(`${channelService(name)}.health`, {}, { timeout: 5000 }).catch((err: Error) => ({ status: 'down', details: { error: err.message } }));
          return { name, capabilities, health };
        })),
      }),
      problems: apiAction<{ limit?: number }>({
        rest: 'GET /deliveries/problems', auth: ROLES_DESK, summary: 'Notices and replies that failed or are being retried (for supervisors)',
        params: { $$strict: true, limit },
        handler: async (ctx) => core.db.read(async (em) => {
          const notices = await em.find(Notice, { where: [{ status: 'failed' }, { status: 'pending', attempts: In([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }], order: { id: 'DESC' }, take: ctx.params.limit ?? 100 });
          const replies = await em.find(Interaction, { where: [{ deliveryStatus: 'failed' }, { deliveryStatus: 'bounced' }], order: { id: 'DESC' }, take: ctx.params.limit ?? 100 });
          const appealIds = [...new Set([...notices.map((n) => n.appealId), ...replies.map((r) => r.appealId)])];
          const appeals = appealIds.length ? await em.find(Appeal, { where: { id: In(appealIds) }, select: { id: true, regNumber: true, siteId: true } }) : [];
          const reg = new Map(appeals.map((a) => [a.id, a]));
          return {
            notices: notices.map((n) => ({ id: n.id, appealId: n.appealId, regNumber: reg.get(n.appealId)?.regNumber ?? null, siteId: reg.get(n.appealId)?.siteId ?? null, kind: n.kind, channel: n.channel, status: n.status, attempts: n.attempts, lastError: n.lastError, nextAttemptAt: n.nextAttemptAt })),
            replies: replies.map((r) => ({ interactionId: r.id, appealId: r.appealId, regNumber: reg.get(r.appealId)?.regNumber ?? null, siteId: reg.get(r.appealId)?.siteId ?? null, channel: r.channel, status: r.deliveryStatus, attempts: r.attempts, error: r.deliveryError })),
          };
        }),
      }),
      retryNotice: apiAction<{ id: number }>({
        rest: 'POST /notices/:id/retry', auth: ['supervisor'], summary: 'Try a failed notice again now', params: { $$strict: true, id },
        handler: async (ctx) => {
          await core.db.transaction(async (em) => {
            const n = await em.findOneBy(Notice, { id: ctx.params.id });
            if (!n) throw notFound('notice', ctx.params.id);
            await em.update(Notice, { id: n.id }, { status: 'pending', nextAttemptAt: core.clock(), attempts: 0 });
            await appendJournal(em, { type: 'notice.retry_requested', aggregateType: 'appeal', aggregateId: n.appealId, actorId: actorOf(ctx).userId, data: { noticeId: n.id } });
          });
          core.journalCommitted();
          void pass();
          return { ok: true };
        },
      }),
      deliverNow: {
        visibility: 'public',
        handler: async () => {
          await pass();
          return { ok: true };
        },
      },
    },
    events: {
      // New work to deliver: do not wait for the next poll (passes close together are merged).
      'appeals.reply_written': { handler: () => soon() },
      'notice.recorded': { handler: () => soon() },
    },
    started() {
      stopping = false;
      const loop = async () => {
        await pass();
        // A stop that came during the pass must not be undone by re-arming the timer.
        if (!stopping) timer = setTimeout(loop, pollMs);
      };
      timer = setTimeout(loop, 50);
    },
    async stopped() {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (soonTimer) clearTimeout(soonTimer);
      while (running) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
