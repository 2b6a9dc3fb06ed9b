/** The Moleculer broker built from the config: logger (pino, structured), transporter, graceful stop. */
import { ServiceBroker, type BrokerOptions } from 'moleculer';
import { hostname } from 'node:os';
import type { OknoConfig } from '../config/config.js';

export function brokerOptions(config: OknoConfig, overrides: Partial<BrokerOptions> = {}): BrokerOptions {
  return {
    namespace: 'okno',
    nodeID: config.nodeId ?? `${hostname()}-${process.pid}`,
    transporter: (config.transporter ?? null) as BrokerOptions['transporter'],
    logger: {
      type: 'Pino',
      options: {
        level: config.log.level,
        pino: {
          options: {
            // Secrets and personal data never reach the log.
            redact: { paths: ['*.password', '*.passwordHash', '*.token', '*.accessToken', '*.refreshToken', '*.jwtSecret', '*.authorization', 'req.headers.authorization'], censor: '***' },
          },
        },
      },
    },
    logLevel: config.log.level,
    requestTimeout: 60_000,
    // Graceful stop: wait for calls in flight before services stop.
    tracking: { enabled: true, shutdownTimeout: 15_000 },
    // The `okno start` command handles SIGINT/SIGTERM itself (OknoApp.stop: the broker, then the
    // database); Moleculer's own handlers would stop the broker and exit before the rest.
    skipProcessEventRegistration: true,
    validator: true,
    metrics: false,
    tracing: false,
    ...overrides,
  };
}

export function createBroker(config: OknoConfig, overrides: Partial<BrokerOptions> = {}): ServiceBroker {
  return new ServiceBroker(brokerOptions(config, overrides));
}
