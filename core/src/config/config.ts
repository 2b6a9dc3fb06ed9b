/**
 * Okno's configuration: defaults, then a JSON file (`--config` or OKNO_CONFIG, else ./okno.config.json
 * when present), then environment variables. Validated at start with errors that name the field.
 */
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { createValidator } from '../util/validator.js';

export interface PluginRef {
  /** npm package name (or a path to the package folder). */
  name: string;
  config?: Record<string, unknown>;
  enabled?: boolean;
}

export interface OknoConfig {
  nodeId: string | null;
  /** Where the embedded database, attachments and secrets live. */
  dataDir: string;
  publicUrl: string | null;
  db: { url: string; logging: boolean; poolSize: number };
  http: { host: string; port: number; bodyLimit: string };
  /** Moleculer transporter for several core nodes, e.g. nats://127.0.0.1:4222; null = one process. */
  transporter: string | null;
  mqtt: { url: string | null; embedded: { enabled: boolean; host: string; port: number } };
  auth: { jwtSecret: string | null; accessTtlSeconds: number; refreshTtlDays: number };
  calendar: {
    timeZone: string;
    workWeek: number[];
    workingHours: { start: string; end: string };
    /** Load the built-in Russian production calendar (holidays, transferred days) for known years. */
    builtinRussianHolidays: boolean;
  };
  /** 59-FZ terms; see DeadlinePolicyConfig in core/src/calendar (checked by it, with errors naming each field). */
  deadlines: Record<string, unknown>;
  attachments: { dir: string | null; maxBytes: number; allowedTypes: string[] };
  intake: { defaultSiteCode: string | null };
  demo: boolean;
  console: { dir: string | null; enabled: boolean };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' };
  plugins: PluginRef[];
}

export const DEFAULTS: OknoConfig = {
  nodeId: null,
  dataDir: 'data',
  publicUrl: null,
  db: { url: '', logging: false, poolSize: 10 },
  http: { host: '127.0.0.1', port: 8080, bodyLimit: '2MB' },
  transporter: null,
  mqtt: { url: null, embedded: { enabled: true, host: '127.0.0.1', port: 1884 } },
  auth: { jwtSecret: null, accessTtlSeconds: 900, refreshTtlDays: 30 },
  calendar: { timeZone: 'Europe/Moscow', workWeek: [1, 2, 3, 4, 5], workingHours: { start: '09:00', end: '18:00' }, builtinRussianHolidays: true },
  deadlines: {},
  attachments: { dir: null, maxBytes: 25 * 1024 * 1024, allowedTypes: [] },
  intake: { defaultSiteCode: null },
  demo: false,
  console: { dir: null, enabled: true },
  log: { level: 'info' },
  plugins: [],
};

/** Environment variables and where they go. Documented in the README's configuration table. */
export const ENV_VARS: { name: string; path: string; type: 'string' | 'number' | 'boolean'; help: string }[] = [
  { name: 'OKNO_DATA_DIR', path: 'dataDir', type: 'string', help: 'folder for the SQLite file, attachments and generated secrets (default ./data)' },
  { name: 'OKNO_DB_URL', path: 'db.url', type: 'string', help: 'sqlite:<file> (default <dataDir>/okno.sqlite) or mysql://user:pass@host:3306/db' },
  { name: 'OKNO_HTTP_HOST', path: 'http.host', type: 'string', help: 'address the API and console listen on (default 127.0.0.1)' },
  { name: 'OKNO_HTTP_PORT', path: 'http.port', type: 'number', help: 'HTTP port (default 8080)' },
  { name: 'OKNO_PUBLIC_URL', path: 'publicUrl', type: 'string', help: 'the URL people open, for links in notices (default http://<host>:<port>)' },
  { name: 'OKNO_TRANSPORTER', path: 'transporter', type: 'string', help: 'Moleculer transporter joining several core nodes, e.g. nats://127.0.0.1:4222' },
  { name: 'OKNO_NODE_ID', path: 'nodeId', type: 'string', help: 'this core node\'s id (default host name + pid)' },
  { name: 'OKNO_MQTT_URL', path: 'mqtt.url', type: 'string', help: 'external MQTT broker for edge agents (Mosquitto); unset = embedded aedes' },
  { name: 'OKNO_MQTT_PORT', path: 'mqtt.embedded.port', type: 'number', help: 'port of the embedded MQTT broker (default 1884)' },
  { name: 'OKNO_MQTT_HOST', path: 'mqtt.embedded.host', type: 'string', help: 'address of the embedded MQTT broker (default 127.0.0.1)' },
  { name: 'OKNO_JWT_SECRET', path: 'auth.jwtSecret', type: 'string', help: 'secret for signing access tokens (default: generated once into <dataDir>/jwt-secret)' },
  { name: 'OKNO_TIME_ZONE', path: 'calendar.timeZone', type: 'string', help: 'the city\'s time zone for deadlines (default Europe/Moscow)' },
  { name: 'OKNO_ATTACHMENT_MAX_BYTES', path: 'attachments.maxBytes', type: 'number', help: 'largest attachment accepted (default 26214400 = 25 MiB)' },
  { name: 'OKNO_DEMO', path: 'demo', type: 'boolean', help: 'load demo data into an empty database (default false; true in okno.config.json)' },
  { name: 'OKNO_LOG_LEVEL', path: 'log.level', type: 'string', help: 'fatal, error, warn, info, debug or trace (default info)' },
];

const SCHEMA = {
  $$strict: true,
  nodeId: { type: 'string', nullable: true, optional: true },
  dataDir: 'string|empty:false',
  publicUrl: { type: 'url', nullable: true, optional: true },
  db: { type: 'object', strict: true, props: { url: 'string', logging: 'boolean', poolSize: 'number|integer|positive' } },
  http: { type: 'object', strict: true, props: { host: 'string|empty:false', port: 'number|integer|min:0|max:65535', bodyLimit: 'string' } },
  transporter: { type: 'string', nullable: true, optional: true },
  mqtt: { type: 'object', strict: true, props: { url: { type: 'string', nullable: true, optional: true }, embedded: { type: 'object', strict: true, props: { enabled: 'boolean', host: 'string', port: 'number|integer|min:0|max:65535' } } } },
  auth: { type: 'object', strict: true, props: { jwtSecret: { type: 'string', nullable: true, optional: true, min: 32 }, accessTtlSeconds: 'number|integer|min:30', refreshTtlDays: 'number|positive' } },
  calendar: {
    type: 'object', strict: true,
    props: {
      timeZone: 'string', workWeek: { type: 'array', items: 'number|integer|min:1|max:7' },
      workingHours: { type: 'object', props: { start: { type: 'string', pattern: /^\d{2}:\d{2}$/ }, end: { type: 'string', pattern: /^\d{2}:\d{2}$/ } } },
      builtinRussianHolidays: 'boolean',
    },
  },
  deadlines: { type: 'object' },
  attachments: { type: 'object', strict: true, props: { dir: { type: 'string', nullable: true, optional: true }, maxBytes: 'number|integer|positive', allowedTypes: { type: 'array', items: 'string' } } },
  intake: { type: 'object', strict: true, props: { defaultSiteCode: { type: 'string', nullable: true, optional: true } } },
  demo: 'boolean',
  console: { type: 'object', strict: true, props: { dir: { type: 'string', nullable: true, optional: true }, enabled: 'boolean' } },
  log: { type: 'object', strict: true, props: { level: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] } } },
  plugins: { type: 'array', items: { type: 'object', strict: true, props: { name: 'string|empty:false', config: { type: 'object', optional: true }, enabled: 'boolean|optional' } } },
};

export class ConfigError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(problems.length ? `${message}:\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'ConfigError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for plain objects; arrays and scalars are replaced. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isObject(base) || !isObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

export function envOverrides(env: NodeJS.ProcessEnv): { overrides: Record<string, unknown>; problems: string[] } {
  const overrides: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const v of ENV_VARS) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (v.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) problems.push(`${v.name} must be a number, got "${raw}"`);
    } else if (v.type === 'boolean') {
      if (!/^(1|0|true|false|yes|no)$/i.test(raw)) problems.push(`${v.name} must be true or false, got "${raw}"`);
      value = /^(1|true|yes)$/i.test(raw);
    }
    setPath(overrides, v.path, value);
  }
  return { overrides, problems };
}

export interface LoadOptions {
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  overrides?: Partial<OknoConfig> | Record<string, unknown>;
}

/** Reads, merges and checks the configuration; relative paths are resolved against the config file's folder (or cwd). */
export function loadConfig(opts: LoadOptions = {}): OknoConfig & { configFile: string | null } {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const named = opts.file ?? env.OKNO_CONFIG ?? null;
  const file = named ? resolve(cwd, named) : existsSync(join(cwd, 'okno.config.json')) ? join(cwd, 'okno.config.json') : null;
  let fromFile: unknown = {};
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (isObject(fromFile)) delete fromFile.$schema;
  }
  const { overrides, problems } = envOverrides(env);
  if (problems.length) throw new ConfigError('invalid environment', problems);
  const merged = deepMerge(deepMerge(deepMerge(structuredClone(DEFAULTS), fromFile), overrides), opts.overrides ?? {});
  const check = createValidator({ haltOnFirstError: false }).compile(SCHEMA);
  const result = check(merged);
  if (result !== true) {
    throw new ConfigError(`invalid configuration${file ? ` in ${file} or the environment` : ''}`, (result as { field: string; message: string }[]).map((e) => `${e.field}: ${e.message}`));
  }
  const base = file ? dirname(file) : cwd;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  merged.dataDir = abs(merged.dataDir);
  if (!merged.db.url) merged.db.url = `sqlite:${join(merged.dataDir, 'okno.sqlite')}`;
  else if (merged.db.url.startsWith('sqlite:') && !merged.db.url.startsWith('sqlite::memory:')) merged.db.url = `sqlite:${abs(merged.db.url.slice(7).replace(/^\/\//, ''))}`;
  merged.attachments.dir = abs(merged.attachments.dir ?? join(merged.dataDir, 'attachments'));
  if (merged.console.dir) merged.console.dir = abs(merged.console.dir);
  return { ...merged, configFile: file };
}

/** The JWT secret: configured, or generated once and kept in the data folder (mode 0600). */
export function jwtSecretOf(config: OknoConfig): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
