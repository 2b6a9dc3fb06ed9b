#!/usr/bin/env node
/**
 * okno — run and administer an Okno core node.
 *   okno start            run the core (API, console, plugins) until stopped (SIGINT/SIGTERM stop gracefully)
 *   okno migrate          apply database migrations and exit
 *   okno config           print the effective configuration (secrets hidden) or the problems in it
 *   okno user-add         add a user (password from OKNO_NEW_PASSWORD or prompted)
 *   okno openapi          print the OpenAPI document of the REST API
 *   okno mqtt-config      write Mosquitto's password_file and acl_file for the edge agents
 */
import { Command } from 'commander';
import { loadConfig, ConfigError, ENV_VARS, type OknoConfig } from '../config/config.js';
import { OknoApp, CORE_VERSION } from '../kernel/app.js';
import { PluginLoadError } from '../kernel/plugin-loader.js';
import { Database } from '../persistence/database.js';
import { coreEntities } from '../persistence/entities/index.js';
import { coreMigrations } from '../persistence/migrations/index.js';
import { redactSecrets } from '../util/redact.js';
import { saveUser } from '../domain/users.js';
import { systemActor } from '../domain/actor.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../demo/seed.js';
import { ROLES, type Role } from '../persistence/entities/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMosquittoFiles } from '@okno/protocol/node';
import { FleetStore } from '../edge/fleet-store.js';
import { coreMqttCredentials } from '../edge/credentials.js';
import { mosquittoFiles } from '../edge/provisioning.js';

function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof PluginLoadError) console.error(`okno: ${err.message}`);
  else console.error('okno: failed:', err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
}

function config(opts: { config?: string; demo?: boolean; port?: string }): OknoConfig {
  return loadConfig({ file: opts.config, overrides: { ...(opts.demo ? { demo: true } : {}), ...(opts.port ? { http: { port: Number(opts.port) } } : {}) } as Partial<OknoConfig> });
}

const program = new Command();
program
  .name('okno')
  .description('Okno contact-centre core: API, console, plugins')
  .version(CORE_VERSION)
  .addHelpText('after', `\nEnvironment variables:\n${ENV_VARS.map((v) => `  ${v.name.padEnd(26)} ${v.help}`).join('\n')}\n`);

program
  .command('start')
  .description('run the core until SIGINT/SIGTERM (then finish work in flight and stop)')
  .option('-c, --config <file>', 'configuration file (default ./okno.config.json when present)')
  .option('--demo', 'load demo data into an empty database')
  .option('-p, --port <port>', 'HTTP port')
  .action(async (opts) => {
    let app: OknoApp;
    try {
      const cfg = config(opts);
      console.log(`okno ${CORE_VERSION}: starting (database ${cfg.db.url.replace(/:[^:@/]*@/, ':***@')}, ${cfg.plugins.filter((p) => p.enabled !== false).length} plugins)…`);
      app = await OknoApp.start({ config: cfg });
    } catch (err) {
      fail(err);
    }
    const url = app.url;
    console.log(`\n  Okno is running.\n  Console:  ${url}/\n  API:      ${url}/api  (OpenAPI: ${url}/api/openapi.json)\n`);
    if (app.config.demo) {
      console.log(`  Demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.login} (${u.roles.join(',')})`).join(', ')}\n`);
    }
    let stopping = false;
    const stop = async (signal: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      console.log(`okno: ${signal} received, finishing work in flight…`);
      try {
        await app.stop();
        console.log('okno: stopped');
        process.exit(code);
      } catch (err) {
        console.error('okno: stop failed:', err);
        process.exit(1);
      }
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    // A bug that escaped every handler: said in the structured log, then the same graceful stop
    // (work in flight finished, nothing acknowledged is lost) and exit code 1 for the supervisor to restart.
    const fatal = (kind: string) => (err: unknown) => {
      app.broker.getLogger('okno').fatal({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, kind);
      void stop(kind, 1);
    };
    process.on('unhandledRejection', fatal('unhandled promise rejection'));
    process.on('uncaughtException', fatal('uncaught exception'));
  });

program
  .command('migrate')
  .description('apply pending database migrations (core and configured plugins are migrated by start too)')
  .option('-c, --config <file>', 'configuration file')
  .action(async (opts) => {
    try {
      const cfg = config(opts);
      const db = await new Database({ url: cfg.db.url, entities: coreEntities, migrations: coreMigrations }).open();
      const applied = await db.migrate();
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      await db.close();
    } catch (err) {
      fail(err);
    }
  });

program
  .command('config')
  .description('check the configuration and print it with secrets hidden')
  .option('-c, --config <file>', 'configuration file')
  .action((opts) => {
    try {
      console.log(JSON.stringify(redactSecrets(config(opts)), null, 2));
    } catch (err) {
      fail(err);
    }
  });

program
  .command('user-add')
  .description('add a user; the password is read from OKNO_NEW_PASSWORD')
  .requiredOption('-l, --login <login>', 'login')
  .requiredOption('-n, --name <name>', 'full name')
  .requiredOption('-r, --roles <roles>', `comma-separated roles: ${ROLES.join(', ')}`)
  .option('-c, --config <file>', 'configuration file')
  .action(async (opts) => {
    try {
      const password = process.env.OKNO_NEW_PASSWORD;
      if (!password) throw new Error('set OKNO_NEW_PASSWORD to the new user\'s password (at least 10 characters)');
      const cfg = config(opts);
      const db = await new Database({ url: cfg.db.url, entities: coreEntities, migrations: coreMigrations }).open();
      await db.migrate();
      const user = await saveUser(db, systemActor('cli'), { login: opts.login, fullName: opts.name, password, roles: String(opts.roles).split(',').map((r) => r.trim()) as Role[] });
      console.log(`user ${user.login} added (id ${user.id}, roles ${user.roles.join(', ')})`);
      await db.close();
    } catch (err) {
      fail(err);
    }
  });

program
  .command('openapi')
  .description('print the OpenAPI document (starts the core on a free port with an in-memory database)')
  .option('-c, --config <file>', 'configuration file (for the plugins to include)')
  .action(async (opts) => {
    try {
      const cfg = config(opts);
      const app = await OknoApp.start({ config: { ...cfg, db: { ...cfg.db, url: 'sqlite::memory:' }, http: { ...cfg.http, port: 0 }, mqtt: { url: null, embedded: { ...cfg.mqtt.embedded, enabled: false } }, demo: false, log: { level: 'warn' } } });
      const res = await fetch(`${app.url}/api/openapi.json`);
      console.log(JSON.stringify(await res.json(), null, 2));
      await app.stop();
    } catch (err) {
      fail(err);
    }
  });

program
  .command('mqtt-config')
  .description('write okno.passwd and okno.acl for a production Mosquitto (every enabled edge agent and the core), and mosquitto-okno.conf using them')
  .requiredOption('-o, --out <dir>', 'folder to write to (the password file gets mode 0600)')
  .option('-c, --config <file>', 'configuration file')
  .action(async (opts) => {
    try {
      const cfg = config(opts);
      const db = await new Database({ url: cfg.db.url, entities: coreEntities, migrations: coreMigrations }).open();
      await db.migrate();
      const agents = await new FleetStore(db).list();
      await db.close();
      const files = mosquittoFiles(agents, coreMqttCredentials(cfg), opts.out);
      const { passwordPath, aclPath } = await writeMosquittoFiles(opts.out, files);
      writeFileSync(join(opts.out, 'mosquitto-okno.conf'), files.conf);
      console.log(`wrote ${passwordPath} and ${aclPath} (${agents.filter((a) => a.enabled).length} enabled agents of ${agents.length}) and ${join(opts.out, 'mosquitto-okno.conf')}; reload Mosquitto to apply`);
    } catch (err) {
      fail(err);
    }
  });

program.parseAsync().catch(fail);
