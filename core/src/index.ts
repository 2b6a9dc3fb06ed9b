/**
 * @okno/core — the public API for plugins, integrators and embedders.
 *
 *   definePlugin({ name, kind, version, configSchema, entities, migrations, services(ctx) })
 *   apiAction({ rest, auth, summary, params, handler })     publish an action over REST with a role policy
 *   OknoApp.start({ config })                                run a core (tests, embedding)
 *   CoreContext: db (Database), deadlines, attachments, clock, broker, logger, journalCommitted()
 *   Domain errors (invalid, notFound, conflict, ...), the journal (appendJournal, readJournal,
 *   JournalFollower), leases, the business calendar and 59-FZ deadlines, entities and the
 *   migration vocabulary for writing one migration for SQLite and MySQL.
 */
export { definePlugin, isPluginDefinition, PLUGIN_KINDS, type PluginDefinition, type PluginContext, type PluginKind, type EntityClass } from './kernel/plugin.js';
export { validatePluginConfig, PluginLoadError, type LoadedPlugin } from './kernel/plugin-loader.js';
export type { CoreContext } from './kernel/context.js';
export { OknoApp, CORE_VERSION, type AppOptions } from './kernel/app.js';
export { Deadlines, calendarOf } from './kernel/deadlines.js';
export { loadConfig, ConfigError, DEFAULTS as CONFIG_DEFAULTS, ENV_VARS, type OknoConfig, type PluginRef } from './config/config.js';
export { apiAction, actorOf, allowed, ROLES_DESK, ROLES_ADMIN, ROLES_CONTENT, type ApiContext, type ApiMeta, type AuthPolicy, type SessionUser } from './api/action.js';
export { TokenIssuer } from './api/tokens.js';
export * from './domain/errors.js';
export { systemActor, hasRole, type Actor } from './domain/actor.js';
export { systemClock, type Clock } from './domain/clock.js';
export { appendJournal, readJournal, lastJournalSeq, toJournalEvent, type JournalEvent, type JournalInput } from './domain/journal.js';
export { JournalFollower, type FollowerOptions } from './domain/journal-follower.js';
export { LeaseKeeper } from './domain/lease.js';
export { recordAudit, type AuditInput } from './domain/audit.js';
export { AttachmentStore, safeFilename } from './domain/attachments.js';
export { normalizeContact, isEmail } from './domain/contacts.js';
export { formatRegNumber, parseRegNumber, luhnDigit } from './domain/appeals/regnumber.js';
export type { IntakeInput, IntakeResult } from './domain/appeals/intake.js';
export type { DeadlinePort, AppealDeadlines as AppealDeadlineSet } from './domain/appeals/deadline-port.js';
export { Database, isUniqueViolation, isDatabaseUnavailable, parseDbUrl, redactUrl, type DbKind } from './persistence/database.js';
export * from './persistence/entities/index.js';
export { columns, createTable, isMysql, coreMigrations } from './persistence/migrations/index.js';
export { InstantColumn, JsonColumn, BigNumberColumn } from './persistence/columns.js';
export * from './calendar/index.js';
export * from './channels/contract.js';
export { renderNotice, NOTICE_TEMPLATES } from './channels/notice-templates.js';
export { edgeService, edgeRuntime, EdgeRuntime, agentProvisioning, mosquittoFiles, ROLES_FLEET, ROLES_FLEET_READ, HEADSET_EVENT, type CommandView, type HeadsetEventPayload, type BindingView, type SignalOutcome, type HeadsetSignalKind } from './edge/index.js';
export { SeededRandom } from './util/seeded-random.js';
export { redactSecrets } from './util/redact.js';
