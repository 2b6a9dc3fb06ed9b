/**
 * @okno/protocol: the edge <-> core MQTT contract. Pure TypeScript (runs in Node and browsers);
 * Node-only helpers are in `@okno/protocol/node`.
 */
export * from './version.js';
export * from './ids.js';
export * from './topics.js';
export * from './clock.js';
export * from './hash.js';
export * from './errors.js';
export * from './schemas/envelope.js';
export * from './schemas/presence.js';
export * from './schemas/inventory.js';
export * from './schemas/telemetry.js';
export * from './schemas/events.js';
export * from './schemas/commands.js';
export * from './codec.js';
export * from './acl.js';
export * from './files/messages.js';
export * from './files/sender.js';
export * from './files/receiver.js';
export * from './files/store.js';
