/**
 * @okno/channel-web — the web portal channel: the public appeal form with attachments, the status
 * check by registration number and secret, live chat over WebSocket, and an embeddable page.
 *
 *   plugins: [{ name: '@okno/channel-web', config: { identity: { hmacSecret: '...' }, page: { frameAncestors: ['https://www.city.ru'] } } }]
 *
 * An installation with its own identity provider builds the plugin with its verifier:
 *
 *   export default createChannelWebPlugin({ identity: (config) => new MyEsiaVerifier(config) });
 *
 * See docs/channels/portal.md (embedding, fields, identity, limits).
 */
import { definePlugin, type PluginDefinition } from '@okno/core';
import { DEFAULTS, configSchema, type PortalConfig } from './config.js';
import { HmacIdentityVerifier, noIdentityProvider, type IdentityVerifier } from './identity.js';
import { portalEntities, portalMigrations } from './entities.js';
import { portalService } from './portal.service.js';

export { DEFAULTS, configSchema, type PortalConfig, type WindowLimit } from './config.js';
export { HmacIdentityVerifier, IdentityError, noIdentityProvider, signIdentityToken, type IdentityVerifier, type PortalIdentity, type HmacIdentityOptions } from './identity.js';
export { SlidingWindowLimiter, RateLimits, clientKey, type RateDecision } from './rate-limit.js';
export { checkSubmission, SUBMISSION_FIELDS, type SubmissionInput } from './submission.js';
export { FIELD_MESSAGES, STATUS_NAMES, type MessageKey, type Lang } from './messages.js';
export { PortalChat, PortalMessage, PortalSubmission, portalEntities, portalMigrations } from './entities.js';
export { portalService, SERVICE } from './portal.service.js';
export { PORTAL_CHANNEL, replyTarget, type SubmitAnswer } from './form.js';
export { CHAT_CHANNEL, type ChatLine } from './chat/chat-store.js';
export { CHAT_PATH } from './chat/chat-socket.js';

export interface ChannelWebOptions {
  /** Makes the identity verifier from the plugin's config (default: HMAC tokens when identity.hmacSecret is set). */
  identity?: (config: PortalConfig) => IdentityVerifier | null;
}

function defaultVerifier(config: PortalConfig): IdentityVerifier | null {
  const i = config.identity;
  return i.hmacSecret ? new HmacIdentityVerifier({ secret: i.hmacSecret, issuer: i.issuer, audience: i.audience, clockToleranceSeconds: i.clockToleranceSeconds }) : null;
}

export function createChannelWebPlugin(options: ChannelWebOptions = {}): PluginDefinition<PortalConfig> {
  return definePlugin<PortalConfig>({
    name: 'channel-web',
    kind: 'channel',
    version: '0.1.0',
    description: 'Web portal channel: public appeal form with attachments, status check, live chat, embeddable page',
    configSchema,
    defaults: DEFAULTS,
    entities: portalEntities,
    migrations: portalMigrations,
    services: (ctx) => {
      const verifier = (options.identity ?? defaultVerifier)(ctx.config);
      return [portalService(ctx, { identity: verifier ?? noIdentityProvider, identified: Boolean(verifier) })];
    },
  });
}

export default createChannelWebPlugin();
