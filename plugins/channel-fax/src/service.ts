/**
 * The `channel.fax` service of the channel contract: capabilities, send and health, with the reader
 * of received faxes (edge uploads in the journal) running while the service runs.
 */
import type { Context, ServiceSchema } from 'moleculer';
import { channelService, isDatabaseUnavailable, type ChannelCapabilities, type ChannelHealth, type IntakeInput, type IntakeResult, type JournalEvent, type OutboundMessage, type PluginContext, type SendResult } from '@okno/core';
import { agentRef, type FaxConfig } from './config.js';
import { brokerEdgePort, isTransientCallError, type EdgePort, type FaxAgent } from './edge-port.js';
import { FaxIntake, CHANNEL } from './inbound/fax-intake.js';
import { FILE_RECEIVED, faxUploadOf } from './inbound/fax-upload.js';
import { JournalConsumer } from './inbound/journal-consumer.js';
import { FaxSender } from './outbound/fax-sender.js';
import { FaxOutcomes, isFaxFailure, EDGE_EVENT } from './outbound/fax-outcomes.js';
import { inspectInWorker, previewsInWorker } from './tiff/worker-client.js';

export interface FaxServiceOptions {
  /** Replaces the core's edge service (embedding without one). */
  edge?: EdgePort;
}

export function faxService(ctx: PluginContext<FaxConfig>, opts: FaxServiceOptions = {}): ServiceSchema {
  const { config: cfg, core, logger } = ctx;
  const edge = opts.edge ?? brokerEdgePort(core.broker, { timeoutMs: cfg.sendTimeoutMs });
  const intake = new FaxIntake({
    db: core.db,
    attachments: core.attachments,
    intake: (input) => core.broker.call<IntakeResult, IntakeInput>('appeals.intake', input, { timeout: 120_000 }),
    edge,
    previews: (tiff) => previewsInWorker(tiff, cfg.previews),
    timeZone: core.deadlines.timeZone,
    fallbackSiteCode: cfg.fallbackSiteCode,
    logger,
  });
  const outcomes = new FaxOutcomes({
    db: core.db, edge,
    recordDelivery: (p) => core.broker.call('appeals.recordDelivery', p),
  });
  const consumer = cfg.inbound || cfg.outbound
    ? new JournalConsumer({
        db: core.db, name: 'channel-fax', nodeId: core.broker.nodeID, logger, clock: core.clock, pollMs: cfg.pollMs, maxAttempts: cfg.maxAttempts,
        isTransient: (err) => isDatabaseUnavailable(err) || isTransientCallError(err),
        accepts: (e) => (cfg.inbound && faxUploadOf(e) !== null) || (cfg.outbound && isFaxFailure(e)),
        handle: async (e) => {
          const fax = faxUploadOf(e);
          if (fax) await intake.take(fax);
          else await outcomes.handle(e);
        },
      })
    : null;
  const sender = new FaxSender({
    db: core.db, attachments: core.attachments, inspect: (tiff) => inspectInWorker(tiff, cfg.previews), edge, enabled: cfg.outbound,
    defaultAgent: agentRef(cfg.defaultAgent), logger,
  });

  let stopping = false;
  let starting: Promise<void> | undefined;

  const capabilities = (): ChannelCapabilities => ({
    channel: CHANNEL, inbound: cfg.inbound, outbound: cfg.outbound, attachments: true, maxAttachmentBytes: core.config.attachments.maxBytes,
    realtime: false, identified: false, addressKind: 'fax',
  });

  const health = async (): Promise<ChannelHealth> => {
    const details: Record<string, unknown> = {};
    let agents: FaxAgent[] | null = null;
    try {
      agents = await edge.agents();
    } catch (err) {
      details.edge = `the edge service did not answer: ${(err as Error).message}`;
    }
    const withModems = (agents ?? []).filter((a) => a.modems > 0);
    const online = withModems.filter((a) => a.online);
    if (agents) {
      details.agentsOnline = online.map((a) => `${a.site}/${a.agent}`);
      details.agentsOffline = withModems.filter((a) => !a.online).map((a) => ({ agent: `${a.site}/${a.agent}`, lastSeen: a.lastSeen }));
      if (!online.length) details.reason = withModems.length ? 'no edge agent with a fax modem is online' : 'no edge agent has a fax modem';
    }
    const journal = consumer?.status();
    if (journal) details.journal = journal;
    const stuck = Boolean(journal && (journal.failing || journal.setAside.length));
    return { status: online.length && !stuck ? 'ok' : 'degraded', details };
  };

  return {
    name: channelService(CHANNEL),
    actions: {
      capabilities: { visibility: 'public', handler: capabilities },
      health: { visibility: 'public', handler: health },
      send: { visibility: 'public', handler: (c: Context<OutboundMessage>): Promise<SendResult> => sender.send(c.params) },
      /** Runs a received-fax journal row again (one set aside after repeated failures). */
      reprocess: {
        visibility: 'public',
        params: { seq: 'number|integer|positive|convert' },
        handler: async (c: Context<{ seq: number }>) => {
          if (!consumer) throw new Error('the fax channel reads no journal rows (inbound and outbound are off)');
          await consumer.retry(c.params.seq);
          return { ok: true };
        },
      },
    },
    events: {
      [FILE_RECEIVED]: () => consumer?.nudge(),
      [EDGE_EVENT]: (c: Context<JournalEvent>) => void (isFaxFailure(c.params) && consumer?.nudge()),
    },
    started() {
      // Read once the services the rows need are up (they start beside this one); start anyway after
      // a while, and failures are retried.
      stopping = false;
      if (consumer) {
        starting = core.broker.waitForServices(['appeals', 'edge'], 30_000).catch(() => undefined).then(() => {
          if (!stopping) consumer.start();
        });
      }
    },
    async stopped() {
      stopping = true;
      await starting;
      await consumer?.stop();
    },
  };
}
