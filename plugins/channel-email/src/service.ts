/**
 * The `channel.email` service of the channel contract: capabilities, send and health, with the
 * inbound SMTP server and the IMAP poller running while the service runs.
 */
import type { ServiceSchema, Context } from 'moleculer';
import { Interaction, channelService, type ChannelCapabilities, type ChannelHealth, type OutboundMessage, type PluginContext, type SendResult } from '@okno/core';
import { configProblems, redactConfig, type EmailConfig } from './config.js';
import { MailAcceptor, type AcceptorDeps } from './inbound/accept.js';
import { SmtpListener } from './inbound/smtp-listener.js';
import { ImapPoller } from './inbound/imap-poller.js';
import { Mailer, createPooledTransport, type MailTransport } from './outbound/mailer.js';
import { createPickupTransport } from './outbound/pickup.js';
import { resolve } from 'node:path';

export const CHANNEL = 'email';

export interface EmailServiceOptions {
  /** Replaces the pooled SMTP transport (embedding; tests use the real one against a real server). */
  transport?: (cfg: EmailConfig['outbound']) => MailTransport;
}

export function emailService(ctx: PluginContext<EmailConfig>, opts: EmailServiceOptions = {}): ServiceSchema {
  const { config: cfg, core, logger } = ctx;
  const problems = configProblems(cfg);
  if (problems.length) throw new Error(`channel-email config: ${problems.join('; ')}`);
  const maxAttachmentBytes = cfg.maxAttachmentBytes ?? core.config.attachments.maxBytes;

  const deps: AcceptorDeps = {
    call: (action, params) => core.broker.call(action, params, { timeout: 60_000 }),
    storeAttachment: (content, meta, maxBytes) => core.attachments.put(content, meta, maxBytes),
    attachmentTypeAllowed: (mime) => {
      try {
        core.attachments.checkType(mime);
        return true;
      } catch {
        return false;
      }
    },
    findOutbound: (ids) => core.db.read((em) => em.findOne(Interaction, { where: ids.slice(0, 20).map((externalId) => ({ channel: CHANNEL, direction: 'out' as const, externalId })), select: { id: true } })),
    logger,
  };
  const acceptor = new MailAcceptor(deps, { channel: CHANNEL, siteCode: cfg.siteCode, maxAttachmentBytes, maxAttachments: cfg.maxAttachments });
  const smtp = cfg.smtp.enabled ? new SmtpListener(cfg.smtp, { addresses: cfg.addresses, domains: cfg.domains }, cfg.maxMessageBytes, acceptor, logger) : null;
  const imap = cfg.imap.enabled ? new ImapPoller(cfg.imap, acceptor, logger) : null;
  const pickupDir = cfg.outbound.pickupDir ? resolve(core.config.dataDir, cfg.outbound.pickupDir) : null;
  const transport = opts.transport ?? (pickupDir ? () => createPickupTransport(pickupDir) : createPooledTransport);
  const mailer = new Mailer(cfg.outbound, async (id) => (await core.attachments.read(id)).content, transport);

  const capabilities = (): ChannelCapabilities => ({
    channel: CHANNEL, inbound: Boolean(smtp || imap), outbound: mailer.enabled, attachments: true, maxAttachmentBytes,
    realtime: false, identified: false, addressKind: 'email',
  });

  const health = async (): Promise<ChannelHealth> => {
    const parts: { name: string; ok: boolean | null }[] = [];
    const details: Record<string, unknown> = {};
    if (smtp) {
      details.smtp = { listening: smtp.listening, port: smtp.port };
      parts.push({ name: 'smtp', ok: smtp.listening });
    }
    if (imap) {
      const last = imap.last;
      details.imap = last ? { lastPollAt: last.at.toISOString(), ok: last.ok, error: last.error, found: last.found, deferred: last.deferred, uidValidity: last.uidValidity } : { lastPollAt: null };
      parts.push({ name: 'imap', ok: last ? last.ok : null });
    }
    if (mailer.enabled) {
      const v = await mailer.verify();
      details.outbound = v;
      parts.push({ name: 'outbound', ok: v.ok });
    }
    const known = parts.filter((p) => p.ok !== null);
    const failing = known.filter((p) => !p.ok);
    const status = !failing.length ? 'ok' : failing.length === known.length ? 'down' : 'degraded';
    return { status, details };
  };

  return {
    name: channelService(CHANNEL),
    actions: {
      capabilities: { visibility: 'public', handler: capabilities },
      health: { visibility: 'public', handler: health },
      send: {
        visibility: 'public',
        handler: (c: Context<OutboundMessage>): Promise<SendResult> => mailer.send(c.params),
      },
      /** Polls the IMAP mailbox now (admins, tests). */
      pollNow: {
        visibility: 'public',
        handler: async () => (imap ? imap.pollNow() : { ok: false, error: 'mailbox mode is not enabled' }),
      },
    },
    async started() {
      logger.info({ config: redactConfig(cfg) }, 'e-mail channel starting');
      if (smtp) await smtp.start();
      imap?.start();
    },
    async stopped() {
      await imap?.stop();
      await smtp?.stop();
      mailer.close();
    },
  };
}
