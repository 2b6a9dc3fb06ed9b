/**
 * The Okno application: loads the plugins named in the config, opens and migrates the database,
 * builds the broker with the core's services and the plugins', starts them, and stops them all
 * gracefully (calls in flight finish first).
 */
import type { ServiceBroker, BrokerOptions, ServiceSchema } from 'moleculer';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { OknoConfig } from '../config/config.js';
import { jwtSecretOf } from '../config/config.js';
import { Database } from '../persistence/database.js';
import { coreEntities } from '../persistence/entities/index.js';
import { coreMigrations } from '../persistence/migrations/index.js';
import { AttachmentStore } from '../domain/attachments.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { createBroker } from './broker.js';
import type { CoreContext } from './context.js';
import { Deadlines } from './deadlines.js';
import { loadPlugins, type LoadedPlugin } from './plugin-loader.js';
import type { PluginDefinition } from './plugin.js';
import { TokenIssuer } from '../api/tokens.js';
import { gatewayService } from '../api/gateway.service.js';
import { authService } from '../services/auth.service.js';
import { sitesService } from '../services/sites.service.js';
import { registryService } from '../services/registry.service.js';
import { kbService } from '../services/kb.service.js';
import { applicantsService } from '../services/applicants.service.js';
import { appealsService } from '../services/appeals.service.js';
import { attachmentsService } from '../services/attachments.service.js';
import { usersService } from '../services/users.service.js';
import { auditService } from '../services/audit.service.js';
import { journalService } from '../services/journal.service.js';
import { systemService } from '../services/system.service.js';
import { calendarService, editedDays } from '../services/calendar.service.js';
import { seedDemo } from '../demo/seed.js';
import { channelsService } from '../channels/delivery.service.js';
import { edgeService } from '../edge/edge.service.js';
import { User } from '../persistence/entities/index.js';

export const CORE_VERSION = '0.1.0';
const here = dirname(fileURLToPath(import.meta.url));

export interface AppOptions {
  config: OknoConfig;
  /** Plugin definitions to use instead of importing the named packages (tests). Any config type: each is validated against its own schema. */
  plugins?: Record<string, PluginDefinition<any>>;
  clock?: Clock;
  broker?: Partial<BrokerOptions>;
  relayPollMs?: number;
  deliveryPollMs?: number;
  /** Extra services (tests, embedding). */
  services?: (core: CoreContext) => ServiceSchema[];
}

export class OknoApp {
  private constructor(
    readonly config: OknoConfig,
    readonly db: Database,
    readonly broker: ServiceBroker,
    readonly core: CoreContext,
    readonly plugins: LoadedPlugin[],
    readonly deadlines: Deadlines,
    readonly tokens: TokenIssuer,
  ) {}

  /** Where the HTTP server listens (the real port, also when 0 was asked for). */
  get url(): string {
    const api = this.broker.getLocalService('api') as unknown as { server?: { address(): { port: number } | string | null } } | undefined;
    const addr = api?.server?.address();
    const port = addr && typeof addr === 'object' ? addr.port : this.config.http.port;
    const host = this.config.http.host === '0.0.0.0' || this.config.http.host === '::' ? 'localhost' : this.config.http.host;
    return `http://${host}:${port}`;
  }

  static async start(opts: AppOptions): Promise<OknoApp> {
    const { config } = opts;
    const clock = opts.clock ?? systemClock;
    const plugins = await loadPlugins(config.plugins, { searchFrom: [process.cwd(), here], preloaded: opts.plugins });
    const db = new Database({
      url: config.db.url,
      logging: config.db.logging,
      poolSize: config.db.poolSize,
      entities: [...coreEntities, ...plugins.flatMap((p) => p.definition.entities ?? [])],
      migrations: [...coreMigrations, ...plugins.flatMap((p) => p.definition.migrations ?? [])],
    });
    await db.open();
    try {
      await db.migrate();
      const deadlines = new Deadlines(config, await editedDays({ db }));
      const broker = createBroker(config, opts.broker);
      const attachments = new AttachmentStore(db, config.attachments.dir!, { maxBytes: config.attachments.maxBytes, allowedTypes: config.attachments.allowedTypes });
      let relayNudge = () => {};
      const core: CoreContext = { config, db, deadlines, attachments, clock, broker, logger: broker.getLogger('okno'), journalCommitted: () => relayNudge() };
      const tokens = new TokenIssuer(jwtSecretOf(config), config.auth.accessTtlSeconds);
      const contexts = plugins.map((p) => ({
        config: p.config, core, logger: broker.getLogger(`plugin:${p.definition.name}`), plugin: { name: p.definition.name, version: p.definition.version },
      }));
      if (config.demo && !(await db.read((em) => em.count(User)))) {
        core.logger.info('empty database: loading demo data');
        await seedDemo(core);
        for (const [i, p] of plugins.entries()) {
          if (!p.definition.demo) continue;
          const loaded = await p.definition.demo(contexts[i]!);
          contexts[i]!.logger.info({ ...(loaded ?? {}) }, 'demo data loaded');
        }
      }
      const journal = journalService(core, { pollMs: opts.relayPollMs });
      relayNudge = () => journal.relay.nudge();
      const consoleDir = config.console.enabled ? config.console.dir ?? findConsoleDist() : null;
      const schemas: ServiceSchema[] = [
        authService(core, tokens), sitesService(core), registryService(core), kbService(core), applicantsService(core), appealsService(core),
        attachmentsService(core), usersService(core), auditService(core), journal.schema, systemService(core, plugins, CORE_VERSION), calendarService(core, deadlines), channelsService(core, { pollMs: opts.deliveryPollMs }),
        edgeService(core),
      ];
      for (const [i, p] of plugins.entries()) schemas.push(...(await p.definition.services(contexts[i]!)));
      schemas.push(...(opts.services?.(core) ?? []));
      schemas.push(gatewayService(core, { tokens, consoleDir, version: CORE_VERSION }));
      for (const s of schemas) broker.createService(s);
      await broker.start();
      (broker.getLocalService('api') as unknown as { refreshAliases(): void }).refreshAliases();
      return new OknoApp(config, db, broker, core, plugins, deadlines, tokens);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  /** Stops accepting work, lets calls in flight finish, stops services, closes the database. */
  async stop(): Promise<void> {
    await this.broker.stop();
    await this.db.close();
  }
}

/** The console's built files, when this is a checkout or an install with @okno/console beside. */
export function findConsoleDist(): string | null {
  for (const candidate of [join(here, '../../../console/dist'), join(process.cwd(), 'console/dist'), join(process.cwd(), 'node_modules/@okno/console/dist')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}
