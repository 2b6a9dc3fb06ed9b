/**
 * @okno/channel-email — the e-mail channel: inbound SMTP server, IMAP mailbox polling, outbound mail.
 *
 *   plugins: [{ name: '@okno/channel-email', config: { addresses: ['obrashchenie@city.ru'], outbound: { from, host } } }]
 *
 * See docs/channels/email.md for the configuration, DNS/MX notes and what is refused and why.
 */
import { definePlugin } from '@okno/core';
import { DEFAULTS, configSchema, type EmailConfig } from './config.js';
import { emailService } from './service.js';

export { DEFAULTS, configSchema, configProblems, redactConfig, type EmailConfig } from './config.js';
export { emailService, CHANNEL } from './service.js';
export { MailAcceptor, MailRejection, toRejection, type AcceptOutcome, type Envelope } from './inbound/accept.js';
export { parseMail, type InboundMail } from './inbound/parse-mail.js';
export { htmlToSafeText } from './inbound/html-text.js';
export { RecipientPolicy } from './inbound/recipients.js';
export { Mailer, classifySendError } from './outbound/mailer.js';
export { composeMail, messageIdFor, threadHeaders } from './outbound/compose.js';

export default definePlugin<EmailConfig>({
  name: 'channel-email',
  kind: 'channel',
  version: '0.1.0',
  description: 'E-mail channel: inbound SMTP, IMAP mailbox polling, outbound mail through an SMTP relay',
  configSchema,
  defaults: DEFAULTS,
  services: (ctx) => [emailService(ctx)],
});
