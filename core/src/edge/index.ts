/**
 * The core side of the edge: the embedded MQTT broker, the fleet registry and consumer, commands,
 * file transfers, provisioning (agent configuration, Mosquitto files) and the `edge` service.
 */
export { edgeService, ROLES_FLEET, ROLES_FLEET_READ, type EdgeServiceOptions } from './edge.service.js';
export { EdgeRuntime, CONSUMER_CLIENT_ID, CONSUMER_LEASE, HEADSET_EVENT, type HeadsetEventPayload } from './runtime.js';
export { HeadsetBindings, bindDenial, headsetName, stateAfterEvent, ROLES_HEADSET, ROLES_HEADSET_ANY, ROLES_HEADSET_USER, type BindingView, type AvailableHeadset, type SignalOutcome, type HeadsetSignalKind, type HeadsetProblem } from './headsets.js';
export { EmbeddedBroker, type AgentDirectory, type BrokerCounters } from './broker.js';
export { FleetStore, type AgentRef } from './fleet-store.js';
export { FleetConsumer, type ConsumerCounters, MAX_JSON_BYTES, MAX_FILE_FRAME_BYTES } from './consumer.js';
export { CommandCenter, COMMAND_TIMEOUTS, commandView, type CommandView } from './commands.js';
export { sendFile, type SendFileInput } from './downloads.js';
export { agentProvisioning, agentClientId, mosquittoFiles, type MosquittoFiles } from './provisioning.js';
export { coreMqttCredentials, hashPassword, verifyPassword, EDGE_PBKDF2_ITERATIONS, CORE_MQTT_USERNAME } from './credentials.js';
export { edgeEntities, EdgeAgentRecord, EdgeEventRecord, EdgeCommandRecord, EdgeFileRecord, EdgeHeadsetBinding } from './entities.js';

import type { ServiceBroker } from 'moleculer';
import type { EdgeRuntime } from './runtime.js';

/** The edge runtime of a core node (tests and tools): `edgeRuntime(app.broker)`. */
export function edgeRuntime(broker: ServiceBroker): EdgeRuntime {
  const svc = broker.getLocalService('edge') as unknown as { edge?: EdgeRuntime } | undefined;
  if (!svc?.edge) throw new Error('the edge service is not running on this node');
  return svc.edge;
}
