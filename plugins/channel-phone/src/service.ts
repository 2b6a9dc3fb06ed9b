/**
 * The `channel.phone` service of the channel contract (capabilities, send, health), and taking
 * routing's assignments of calls (`contact.answered` for `call-*` and `cb-*` contacts). It runs on
 * every core node; the node holding the phone line's lease (`line.ts`) holds the ARI connection and
 * a call flow, made anew each time it takes the line (the calls are then taken over from Asterisk and
 * the database). A standby passes `send` and `health` on to the holder's node.
 */
import type { Context, ServiceSchema } from 'moleculer';
import {
  Appeal, Interaction, JournalEntry, Lease, User, channelService, redactSecrets,
  type ChannelCapabilities, type ChannelHealth, type IntakeInput, type IntakeResult, type JournalEvent, type OutboundMessage, type PluginContext, type SendResult,
} from '@okno/core';
import { AriClient, AriUnavailable, NotLineHolder, isGone, type PbxAdapter } from './ari/client.js';
import { PhoneLine, type LineStatus } from './line.js';
import type { AriEvent } from './ari/types.js';
import { operatorEndpoint, stripUserinfo, type PhoneConfig } from './config.js';
import { CallFlow, type CallbackSource, type EnqueueParams } from './calls/call-flow.js';
import { CHANNEL, recordCall, type CallSummary } from './calls/call-record.js';
import { callIdOfCallback, callIdOfContact, choiceOf, contactTrails, type ContactEvent, type DurableCall } from './calls/durable.js';

/** How far back the journal is read for calls still open at a start (a call lasts hours at most). */
const OPEN_CALLS_WINDOW_MS = 24 * 3_600_000;

/** Why `send` refuses: what the phone channel cannot deliver. */
export const NOT_DELIVERABLE = 'not deliverable by phone';

export function phoneService(ctx: PluginContext<PhoneConfig>): ServiceSchema {
  const { config: cfg, core, logger } = ctx;
  const node = core.broker.nodeID;
  /** The call flow of this node's hold of the line (a new one at every take-over); null while it stands by. */
  let flow: CallFlow | null = null;
  let latest: CallFlow | null = null;
  const line = new PhoneLine({
    db: core.db, clock: core.clock, name: `phone-line:${cfg.app}`, node, ...cfg.lease, logger,
    activate: () => {
      flow = latest = newFlow();
      client.start();
    },
    deactivate: async () => {
      const was = flow;
      flow = null;
      was?.stop();
      await client.close();
      await was?.idle();
    },
  });
  /** Every side effect on calls (Asterisk, routing, the appeal) is made only while this node holds the line. */
  const acting = <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (!line.mayAct()) return Promise.reject(new NotLineHolder(what));
    return fn();
  };
  /** Within the record's transaction: the lease row is still this node's (locked against a take-over on MySQL). */
  const leaseFence = async (em: Parameters<Parameters<typeof core.db.transaction>[0]>[0]) => {
    const q = em.getRepository(Lease).createQueryBuilder('l')
      .where('l.name = :name AND l.holder = :holder AND l.expiresAt > :now', { name: `phone-line:${cfg.app}`, holder: node, now: core.clock().getTime() });
    if (core.db.kind !== 'sqlite') q.setLock('pessimistic_write');
    if (!(await q.getOne())) throw new NotLineHolder('record a call');
  };
  const deliver = (e: AriEvent) => flow?.handle(e);
  const client = new AriClient({
    url: cfg.url, user: cfg.user, password: cfg.password, app: cfg.app, reconnect: cfg.reconnect, pingMs: cfg.pingMs, requestTimeoutMs: cfg.requestTimeoutMs,
    onEvent: deliver,
    // resync() never rejects; the catch is a last guard so nothing here can end the process.
    onConnected: () => void flow?.resync().catch((err: unknown) => logger.error({ err: stripUserinfo(String((err as Error)?.message ?? err)) }, 'phone: comparing the calls with Asterisk failed')),
    onBadMessage: (error) => logger.warn({ error }, 'phone: a frame from Asterisk is not a valid ARI message; passed over'),
    mayAct: () => line.mayAct(),
    timeLeft: () => line.timeLeft(),
    logger,
  });
  const pbx: PbxAdapter = client;

  /** Routing's journal events of recent contacts whose id is like `like` (`call-%`, `cb-%`). */
  const recentContacts = (like: string): Promise<ContactEvent[]> => {
    const since = new Date(core.clock().getTime() - OPEN_CALLS_WINDOW_MS);
    return core.db.read((em) => em.getRepository(JournalEntry).createQueryBuilder('j')
      .where('j.aggregateType = :type', { type: 'contact' })
      .andWhere('j.aggregateId LIKE :like', { like })
      .andWhere('j.at >= :since', { since: since.getTime() }) // an instant column holds epoch milliseconds
      .orderBy('j.seq', 'ASC')
      .getMany());
  };
  /**
   * A core action on a call, while this node holds the line: it times out (60 s at most) when this
   * node may no longer act, so its answer is never acted on after another node could take the line.
   */
  const call = <R>(action: string, params: object) => acting(action, () => {
    const left = line.timeLeft();
    if (left <= 0) return Promise.reject(new NotLineHolder(action));
    return core.broker.call<R, object>(action, params, { timeout: Math.max(1, Math.floor(Math.min(60_000, left))) });
  });
  const newFlow = () => new CallFlow({
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
      await recordCall(core.db, r, leaseFence);
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
      const rows = await recentContacts('call-%');
      const ids = new Set(rows.map((r) => callIdOfContact(r.aggregateId)).filter((id): id is string => id !== null));
      return [...ids].filter((id) => {
        const call = contactTrails(rows, id).call;
        return call !== null && call.state !== 'ended';
      });
    },
    openCallbacks: async () => {
      const rows = await recentContacts('cb-%');
      const ids = new Set(rows.map((r) => callIdOfCallback(r.aggregateId)).filter((id): id is string => id !== null));
      return [...ids].filter((id) => contactTrails(rows, id).callback?.state === 'answered');
    },
  });

  const capabilities = (): ChannelCapabilities => ({
    channel: CHANNEL, inbound: true, outbound: false, attachments: false, maxAttachmentBytes: null, realtime: true, identified: false, addressKind: 'phone',
  });

  /** Asterisk's address as health and the log show it: never a user or password (the URL's userinfo is stripped). */
  const asteriskShown = () => redactSecrets({ url: stripUserinfo(cfg.url), user: cfg.user, app: cfg.app });

  const lineDown = (status: LineStatus): ChannelHealth => {
    const takeOver = cfg.lease.ttlMs + cfg.lease.renewMs;
    const reason = status.holder === null
      ? `no core node holds the phone line (the lease phone-line:${cfg.app}); a node running the phone channel takes it within ${takeOver} ms`
      : `node ${status.holder} holds the phone line`;
    return { status: 'down', details: { asterisk: asteriskShown(), line: status, connected: false, reason } };
  };

  /**
   * On the node holding the line: the link and the calls. On a standby: the holder's health (asked on
   * the holder's node), or down when no node holds the line. `details.line` says which node holds it.
   */
  const health = async (forwarded: boolean): Promise<ChannelHealth> => {
    const status = await line.status();
    const calls = flow;
    if (!calls || !line.mayAct()) {
      if (forwarded || !status.holder || status.holder === node) return lineDown(status);
      try {
        const h = await core.broker.call<ChannelHealth, object>(`${channelService(CHANNEL)}.health`, { forwarded: true }, { nodeID: status.holder, timeout: 5_000 });
        return { ...h, details: { ...h.details, askedOn: node } };
      } catch (err) {
        const down = lineDown(status);
        return { ...down, details: { ...down.details, reason: `node ${status.holder} holds the phone line but does not answer: ${(err as Error).message}` } };
      }
    }
    const link = client.status();
    const connected = link.connected;
    const details: Record<string, unknown> = {
      asterisk: asteriskShown(), line: status, ...link, connected, calls: calls.active(), stats: { ...calls.stats },
    };
    if (!connected) details.reason = `the events WebSocket to Asterisk is not open${link.lastError ? `: ${link.lastError}` : ''}; calls to Stasis(${cfg.app}) fail until it is`;
    return { status: connected ? (calls.stats.failures || link.badMessages || link.badEntries ? 'degraded' : 'ok') : 'down', details };
  };

  /**
   * The phone delivers one thing: the "received" notice, read out (the registration number's digits)
   * to a caller still on the line. Replies and other notices are refused for good: the phone channel
   * places no calls with recorded messages (no speech synthesis here); answers go by e-mail or post.
   */
  const send = async (m: OutboundMessage, forwarded: boolean): Promise<SendResult> => {
    if (m.kind !== 'notice' || m.noticeKind !== 'received' || !m.regNumber) {
      return { ok: false, permanent: true, error: `${NOT_DELIVERABLE}: the phone channel reads out only the registration number during the call; send answers and notices by e-mail or post` };
    }
    const calls = flow;
    if (!calls || !line.mayAct()) {
      // The caller is on the line of the node holding it: the notice is read out there.
      const holder = forwarded ? null : await line.holder();
      if (!holder || holder === node) return { ok: false, permanent: false, error: 'no core node holds the phone line at the moment; tried again later' };
      try {
        return await core.broker.call<SendResult, object>(`${channelService(CHANNEL)}.send`, { ...m, forwarded: true }, { nodeID: holder, timeout: cfg.requestTimeoutMs });
      } catch (err) {
        return { ok: false, permanent: false, error: `node ${holder} holds the phone line but did not answer: ${(err as Error).message}` };
      }
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
      health: { visibility: 'public', handler: (c: Context<{ forwarded?: boolean } | undefined>) => health(c.params?.forwarded === true) },
      send: {
        visibility: 'public',
        handler: (c: Context<OutboundMessage & { forwarded?: boolean }>) => {
          const { forwarded, ...m } = c.params;
          return send(m as OutboundMessage, forwarded === true);
        },
      },
    },
    events: {
      'contact.answered': {
        handler: (c: Context<JournalEvent>) => {
          const contactId = String(c.params?.data?.contactId ?? '');
          const operatorId = c.params?.data?.operatorId;
          if (/^(call|cb)-/.test(contactId) && operatorId !== undefined) {
            void flow?.assigned(contactId, String(operatorId))?.catch((err: unknown) => logger.error({ contactId, err: (err as Error)?.message }, 'phone: taking an assignment failed'));
          }
        },
      },
    },
    started() {
      logger.info({ asterisk: asteriskShown(), node, lease: `phone-line:${cfg.app}` }, 'phone: the phone channel runs; the node holding the phone line connects to Asterisk (ARI)');
      line.start();
    },
    async stopped() {
      await line.stop();
    },
    methods: {
      /** This node's latest call flow, null before it first held the line (tests reach it through broker.getLocalService('channel.phone')). */
      flow: () => latest,
      /** The phone line's lease on this node. */
      line: () => line,
    },
  };
}
