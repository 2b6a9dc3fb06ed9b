/** What the core shares with its services and with plugins. */
import type { ServiceBroker, Logger } from 'moleculer';
import type { Database } from '../persistence/database.js';
import type { OknoConfig } from '../config/config.js';
import type { DeadlinePort } from '../domain/appeals/deadline-port.js';
import type { AttachmentStore } from '../domain/attachments.js';
import type { Clock } from '../domain/clock.js';

export interface CoreContext {
  config: OknoConfig;
  db: Database;
  deadlines: DeadlinePort;
  attachments: AttachmentStore;
  clock: Clock;
  broker: ServiceBroker;
  logger: Logger;
  /** Tell the journal relay that something was committed (events go out without waiting a poll). */
  journalCommitted(): void;
}
