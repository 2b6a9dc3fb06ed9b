/**
 * @okno/channel-fax — the fax channel: faxes received by the sites' edge agents become appeals for
 * operators to key in (with page images), and fax documents can be sent back through an agent.
 *
 *   plugins: [{ name: '@okno/channel-fax', config: { defaultAgent: 'msk/fax-1' } }]
 *
 * See docs/channels/fax.md for the flow, what operators see and the configuration.
 */
import { definePlugin } from '@okno/core';
import { DEFAULTS, configSchema, type FaxConfig } from './config.js';
import { faxService } from './service.js';

export { DEFAULTS, configSchema, agentRef, type FaxConfig } from './config.js';
export { faxService, type FaxServiceOptions } from './service.js';
export { CHANNEL, FaxIntake, type FaxIntakeDeps, type FaxIntakeResult } from './inbound/fax-intake.js';
export { FILE_RECEIVED, faxUploadOf, faxMessageId, withEdgeRecords, type FaxUpload } from './inbound/fax-upload.js';
export { JournalConsumer, type JournalConsumerOptions, type ConsumerStatus } from './inbound/journal-consumer.js';
export { FaxSender, REPLIES_NOT_SUPPORTED } from './outbound/fax-sender.js';
export { FaxOutcomes, faxJobId, isFaxFailure } from './outbound/fax-outcomes.js';
export { brokerEdgePort, faxAgentOf, isTransientCallError, FaxCommandError, EDGE_ACTIONS, type EdgePort, type EdgeFile, type EdgeEvent, type FaxAgent, type SendFaxArgs } from './edge-port.js';
export { inspectTiff, decodeFax, sendProblems, verticalScale, FAX_WIDTHS, FaxTiffError, type FaxPageInfo } from './tiff/fax-tiff.js';
export { renderPreviews, type FaxPreviews, type PagePreview } from './tiff/previews.js';
export { previewsInWorker, inspectInWorker, TiffWorkerError } from './tiff/worker-client.js';

export default definePlugin<FaxConfig>({
  name: 'channel-fax',
  kind: 'channel',
  version: '0.1.0',
  description: 'Fax channel: faxes received by edge agents become appeals with page images; fax documents go out through an agent',
  configSchema,
  defaults: DEFAULTS,
  services: (ctx) => [faxService(ctx)],
});
