/**
 * @okno/routing — one queue across channels and sites.
 *
 *   plugins: [{ name: '@okno/routing', config: { skipSeconds: 60, maxMissedOffers: 3 } }]
 *
 * The engine (`@okno/routing/engine`) decides; this plugin feeds it from the journal (e-mails,
 * faxes, portal forms, chats; calls and callbacks through `routing.enqueue`), offers contacts to
 * operators over the console's WebSocket, assigns the appeal on accept, journals every routing event,
 * keeps several core nodes honest through a SQL reservation store, and rebuilds the line from the
 * journal after a restart. Queues and assignment rules are edited over REST. See docs/routing.md.
 */
import { definePlugin, type PluginDefinition } from '@okno/core';
import { DEFAULTS, configSchema, type RoutingConfig } from './config.js';
import { routingEntities, routingMigrations } from './entities.js';
import { routingService } from './routing.service.js';

export { DEFAULTS, configSchema, type RoutingConfig } from './config.js';
export { routingEntities, routingMigrations, ROUTING_TABLES, RoutingQueue, RoutingRule, RoutingOperator, RoutingCheckpoint } from './entities.js';
export { CheckpointStore, CHECKPOINT_FORMAT, CHECKPOINT_PART_CHARS, type Checkpoint, type CheckpointContent, type LoadResult } from './checkpoint.js';
export { SqlReservationStore } from './sql-store.js';
export { ContactBook, STALE_MS, type Intent, type EndReason, type Route, type BookState, type BookSize } from './contact-book.js';
export { RoutingSettings } from './settings.js';
export { RoutingRuntime, type OfferView, type OperatorStatus, type RecoveryInfo } from './runtime.js';
export { checkQueue, checkRules, ruleMatches, engineQueue, QUEUE_DEFAULTS, type QueueInput, type RuleInput, type RuleMatch, type WorkFacts } from './queue-config.js';
export { routingService, SERVICE } from './routing.service.js';

export const plugin: PluginDefinition<RoutingConfig> = definePlugin<RoutingConfig>({
  name: 'routing',
  kind: 'routing',
  version: '0.1.0',
  description: 'Routing: one queue across channels and sites, offers to operators, several nodes on one store',
  configSchema,
  defaults: DEFAULTS,
  entities: routingEntities,
  migrations: routingMigrations,
  services: (ctx) => [routingService(ctx).schema],
});

export default plugin;
