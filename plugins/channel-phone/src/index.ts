/**
 * @okno/channel-phone — the city's phone number through Asterisk's REST Interface (ARI): calls are
 * answered, offered a DTMF menu, registered as oral appeals, queued in routing with music on hold,
 * and joined with the operator routing assigns; callbacks keep the caller's place.
 *
 *   plugins: [{ name: '@okno/channel-phone', config: { url: 'http://pbx:8088', user: 'okno', password: '...' } }]
 *
 * See docs/channels/phone.md for the Asterisk side (ari.conf, http.conf, extensions.conf) and the flow.
 */
import { definePlugin } from '@okno/core';
import { DEFAULTS, configProblems, configSchema, type PhoneConfig } from './config.js';
import { phoneService } from './service.js';

export { DEFAULTS, configSchema, configProblems, operatorEndpoint, callbackEndpoint, dialable, type PhoneConfig, type MenuChoice } from './config.js';
export { phoneService, NOT_DELIVERABLE } from './service.js';
export { PhoneLine, type LineOptions, type LineStatus } from './line.js';
export { AriClient, AriError, AriUnavailable, NotLineHolder, ariStatus, isGone, type PbxAdapter, type OriginateParams, type AriClientOptions, type AriLinkStatus } from './ari/client.js';
export { parseAriMessage, type ParsedMessage } from './ari/messages.js';
export type * from './ari/types.js';
export { CallFlow, callerNumber, type CallFlowDeps, type EnqueueParams, type CallbackSource } from './calls/call-flow.js';
export { CHANNEL, CALL_ENDED, recordCall, callSummary, callText, type CallRecord, type CallSummary } from './calls/call-record.js';

export default definePlugin<PhoneConfig>({
  name: 'channel-phone',
  kind: 'channel',
  version: '0.1.0',
  description: "Phone channel: the city's number through Asterisk (ARI): IVR, registration, routing with music on hold, operator bridging, callbacks",
  configSchema,
  defaults: DEFAULTS as Partial<PhoneConfig>,
  services: (ctx) => {
    const problems = configProblems(ctx.config);
    if (problems.length) throw new Error(`config: ${problems.join('; ')}`);
    return [phoneService(ctx)];
  },
});
