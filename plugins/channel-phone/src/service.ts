/**
 * The `channel.phone` service of the channel contract (capabilities, send, health), running the ARI
 * connection and the call flow while the service runs, and taking routing's assignments of calls
 * (`contact.answered` for `call-*` and `cb-*` contacts).
 */
import type { Context, ServiceSchema } from 'moleculer';
import {
  Appeal, Interaction, JournalEntry, User, channelService, redactSecrets,
  type ChannelCapabilities, type ChannelHealth, type IntakeInput, type IntakeResult, type JournalEvent, type OutboundMessage, type PluginContext, type SendResult,
} from '@okno/core';
import { AriClient, AriUnavailable, isGone, type PbxAdapter } from './ari/client.js';
import type { AriEvent } from './ari/types.js';
import { operatorEndpoint, type PhoneConfig } from './config.js';
import { CallFlow, type CallbackSource, type EnqueueParams } from './calls/call-flow.js';
import { CHANNEL, recordCall, type CallSummary } from './calls/call-record.js';
import { callIdOfContact, choiceOf, contactTrails, type ContactEvent, type DurableCall } from './calls/durable.js';

/** How far back the journal is read for calls still open at a start (a call lasts hours at most). */
const OPEN_CALLS_WINDOW_MS = 24 * 3_600_000;

/** Why `send` refuses: what the phone channel cannot deliver. */
export const NOT_DELIVERABLE = 'not deliverable by phone';

export function phoneService(ctx: PluginContext<PhoneConfig>): ServiceSchema {
  const { config: cfg, core, logger } = ctx;
  let flow: CallFlow | null = null;
  const deliver = (e: AriEvent) => flow?.handle(e);
  const client = new AriClient({
    url: cfg.url, user: cfg.user, password: cfg.password, app: cfg.app, reconnect: cfg.reconnect, pingMs: cfg.pingMs, requestTimeoutMs: cfg.requestTimeoutMs,
    onEvent: deliver,
    onConnected: () => void flow?.resync(),
    onBadMessage: (error) => logger.warn({ error }, 'phone: a frame from Asterisk is not a valid ARI message; passed over'),
    logger,
  });
  const pbx: PbxAdapter = client;

  const call = <R>(action: string, params: object) => core.broker.call<R, object>(action, params, { timeout: 60_000 });
  flow = new CallFlow({
    pbx, config: cfg, logger, now: () => core.clock(),
    intake: (input) => call<IntakeResult>('appeals.intake', input satisfies IntakeInput),
    enqueue: (p: EnqueueParams) => call('routing.enqueue', { ...p, enqueuedAt: p.enqueuedAt.toISOString() }),
    endContact: (contactId, reason) => call('routing.end', { contactId, reason }),
    operatorEndpoint: async (operatorId) => {
      const user = await core.db.read((em) => em.findOne(User, { where: { id: Number(operatorId) }, select: { id: true, login: true } }));
      if (!user) throw new Error(`operator ${operatorId} is not a user`);
      return operatorEndpoint(cfg.operatorEndpoint, user);
    },
    record: async (r) => {
      await recordCall(core.db, r);
      core.journalCommitted();
    },
    callbackSource: async (callId): Promise<CallbackSource | null> => {
      const found = await core.db.read(async (em) => {
        const inter = await em.findOne(Interaction, { where: { channel: CHANNEL, externalId: `call:${callId}` } });
        const appeal = inter ? await em.findOne(Appeal, { where: { id: inter.appealId } }) : null;
        return inter && appeal ? { inter, appeal } : null;
      });
      const summary = found?.inter.meta?.call as CallSummary | undefined;
      if (!found?.appeal.replyAddress || !summary?.queuedAt) return null;
      const choice = choiceOf(cfg.ivr, summary.digit, summary.choice);
      return { appealId: found.appeal.id, number: found.appeal.replyAddress, enqueuedAt: new Date(summary.queuedAt), choice, regNumber: found.appeal.regNumber };
    },
    durable: (callId): Promise<DurableCall | null> => core.db.read(async (em) => {
      const inter = await em.findOne(Interaction, { where: { channel: CHANNEL, externalId: `call:${callId}` } });
      const appeal = inter ? await em.findOne(Appeal, { where: { id: inter.appealId } }) : null;
      if (!inter || !appeal) return null;
      // Routing's contacts of the call (call-<id>, call-<id>-r<n>) and of its callback (cb-<id>...), from the journal.
      const rows = await em.getRepository(JournalEntry).createQueryBuilder('j')
        .where('j.aggregateType = :type', { type: 'contact' })
        .andWhere('(j.aggregateId = :call OR j.aggregateId LIKE :calls OR j.aggregateId = :cb OR j.aggregateId LIKE :cbs)', { call: `call-${callId}`, calls: `call-${callId}-r%`, cb: `cb-${callId}`, cbs: `cb-${callId}-r%` })
        .orderBy('j.seq', 'ASC')
        .getMany();
      const trails = contactTrails(rows, callId);
      const meta = inter.meta ?? {};
      const digit = typeof meta.menuDigit === 'string' ? meta.menuDigit : null;
      const label = appeal.subject?.replace(/^Звонок: /, '') ?? null;
      return {
        appealId: appeal.id, regNumber: appeal.regNumber, number: appeal.replyAddress ?? null, startedAt: inter.at, choice: choiceOf(cfg.ivr, digit, label), digit,
        recorded: Boolean(meta.call), call: trails.call, callback: trails.callback,
      };
    }),
    openCalls: async () => {
      const since = new Date(core.clock().getTime() - OPEN_CALLS_WINDOW_MS);
      const rows: ContactEvent[] = await core.db.read((em) => em.getRepository(JournalEntry).createQueryBuilder('j')
        .where('j.aggregateType = :type', { type: 'contact' })
        .andWhere('j.aggregateId LIKE :calls', { calls: 'call-%' })
        .andWhere('j.at >= :since', { since: since.getTime() }) // an instant column holds epoch milliseconds
        .orderBy('j.seq', 'ASC')
        .getMany());
      const ids = new Set(rows.map((r) => callIdOfContact(r.aggregateId)).filter((id): id is string => id !== null));
      return [...ids].filter((id) => {
        const call = contactTrails(rows, id).call;
        return call !== null && call.state !== 'ended';
      });
    },
  });
  const calls = flow;

  const capabilities = (): ChannelCapabilities => ({
    channel: CHANNEL, inbound: true, outbound: false, attachments: false, maxAttachmentBytes: null, realtime: true, identified: false, addressKind: 'phone',
  });

  const health = (): ChannelHealth => {
    const link = client.status();
    const connected = link.connected;
    const details: Record<string, unknown> = {
      asterisk: redactSecrets({ url: cfg.url, user: cfg.user, app: cfg.app }), ...link, connected, calls: calls.active(), stats: { ...calls.stats },
    };
    if (!connected) details.reason = `the events WebSocket to Asterisk is not open${link.lastError ? `: ${link.lastError}` : ''}; calls to Stasis(${cfg.app}) fail until it is`;
    return { status: connected ? (calls.stats.failures || link.badMessages ? 'degraded' : 'ok') : 'down', details };
  };

  /**
   * The phone delivers one thing: the "received" notice, read out (the registration number's digits)
   * to a caller still on the line. Replies and other notices are refused for good: the phone channel
   * places no calls with recorded messages (no speech synthesis here); answers go by e-mail or post.
   */
  const send = async (m: OutboundMessage): Promise<SendResult> => {
    if (m.kind !== 'notice' || m.noticeKind !== 'received' || !m.regNumber) {
      return { ok: false, permanent: true, error: `${NOT_DELIVERABLE}: the phone channel reads out only the registration number during the call; send answers and notices by e-mail or post` };
    }
    const channelId = calls.liveCallOf(m.appealId);
    if (!channelId) return { ok: false, permanent: true, error: `${NOT_DELIVERABLE}: the caller is no longer on the line` };
    try {
      if (cfg.regNumberIntro) await pbx.play(channelId, cfg.regNumberIntro);
      const pb = await pbx.play(channelId, `digits:${m.regNumber.replace(/\D/g, '')}`);
      return { ok: true, externalId: pb.id };
    } catch (err) {
      if (isGone(err)) return { ok: false, permanent: true, error: `${NOT_DELIVERABLE}: the caller hung up` };
      return { ok: false, permanent: !(err instanceof AriUnavailable) && !((err as { status?: number }).status! >= 500), error: (err as Error).message };
    }
  };

  return {
    name: channelService(CHANNEL),
    actions: {
      capabilities: { visibility: 'public', handler: capabilities },
      health: { visibility: 'public', handler: health },
      send: { visibility: 'public', handler: (c: Context<OutboundMessage>) => send(c.params) },
    },
    events: {
      'contact.answered': {
        handler: (c: Context<JournalEvent>) => {
          const contactId = String(c.params?.data?.contactId ?? '');
          const operatorId = c.params?.data?.operatorId;
          if (/^(call|cb)-/.test(contactId) && operatorId !== undefined) void calls.assigned(contactId, String(operatorId));
        },
      },
    },
    started() {
      logger.info({ asterisk: redactSecrets({ url: cfg.url, user: cfg.user, password: cfg.password, app: cfg.app }) }, 'phone: connecting to Asterisk (ARI)');
      client.start();
    },
    async stopped() {
      calls.stop();
      await client.close();
      await calls.idle();
    },
    methods: {
      /** The call flow (tests reach it through broker.getLocalService('channel.phone')). */
      flow: () => calls,
    },
  };
}
