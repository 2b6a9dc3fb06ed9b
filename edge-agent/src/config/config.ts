/**
 * Agent configuration: a JSON file plus OKNO_EDGE_* environment variables (which win), validated
 * with zod so that mistakes are reported with the field and the fix.
 *
 * | variable                          | config field                 |
 * |-----------------------------------|------------------------------|
 * | OKNO_EDGE_CONFIG                  | path of the JSON file        |
 * | OKNO_EDGE_SITE / OKNO_EDGE_AGENT  | site / agent                 |
 * | OKNO_EDGE_BROKER_URL              | broker.url                   |
 * | OKNO_EDGE_USERNAME                | broker.username              |
 * | OKNO_EDGE_PASSWORD                | broker.password              |
 * | OKNO_EDGE_PASSWORD_FILE           | broker.passwordFile          |
 * | OKNO_EDGE_CLIENT_ID               | broker.clientId              |
 * | OKNO_EDGE_TLS_CA / _CERT / _KEY   | broker.tls.ca / cert / key (file paths) |
 * | OKNO_EDGE_SPOOL_DIR               | spool.dir                    |
 * | OKNO_EDGE_SPOOL_MAX_BYTES         | spool.maxBytes               |
 * | OKNO_EDGE_SPOOL_HARD_MAX_BYTES    | spool.hardMaxBytes           |
 * | OKNO_EDGE_TELEMETRY_INTERVAL_MS   | telemetry.intervalMs         |
 * | OKNO_EDGE_FAX_PORTS               | fax.ports (comma-separated)  |
 * | OKNO_EDGE_LOG_LEVEL               | logLevel                     |
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { agentUsername, AgentId, SiteId } from '@okno/protocol';

const Ms = z.number().int().positive();

export const EdgeConfigSchema = z
  .object({
    site: SiteId,
    agent: AgentId,
    broker: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\//, 'broker.url must start with mqtt://, mqtts://, ws:// or wss://').default('mqtt://127.0.0.1:1883'),
        /** Defaults to `<site>.<agent>`, the name the core's ACL expects. */
        username: z.string().min(1).optional(),
        password: z.string().optional(),
        /** Read the password from this file (first line), so it stays out of the config. */
        passwordFile: z.string().optional(),
        /** Fixed client id: the broker keeps the session (subscriptions, queued commands) under it. */
        clientId: z.string().min(1).max(128).optional(),
        tls: z
          .object({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(), rejectUnauthorized: z.boolean().default(true) })
          .optional(),
        keepaliveSec: z.number().int().min(5).max(3600).default(30),
        connectTimeoutMs: Ms.default(10_000),
        reconnect: z.object({ minMs: Ms.default(1000), maxMs: Ms.default(60_000) }).prefault({}),
      })
      .prefault({}),
    spool: z
      .object({
        dir: z.string().min(1).default('/var/lib/okno-edge/spool'),
        /** Soft limits: above them the oldest telemetry is dropped. */
        maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
        maxCount: z.number().int().positive().default(100_000),
        /** Hard limits: above them new events, results and fax files are refused (error event). */
        hardMaxBytes: z.number().int().positive().default(256 * 1024 * 1024),
        hardMaxCount: z.number().int().positive().default(400_000),
        segmentBytes: z.number().int().positive().default(4 * 1024 * 1024),
        /** Messages published and not yet acknowledged at most. */
        inflight: z.number().int().min(1).max(1000).default(32),
      })
      .prefault({}),
    telemetry: z.object({ intervalMs: Ms.min(1000).default(5000) }).prefault({}),
    commands: z.object({ defaultTimeoutMs: Ms.default(30_000) }).prefault({}),
    transfer: z
      .object({ chunkSize: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024), window: z.number().int().min(1).max(64).default(8), ackTimeoutMs: Ms.default(10_000) })
      .prefault({}),
    fax: z.object({ ports: z.array(z.string()).optional() }).catchall(z.unknown()).prefault({}),
    headsets: z.object({ enabled: z.boolean().default(true) }).catchall(z.unknown()).prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.spool.hardMaxBytes < c.spool.maxBytes) ctx.addIssue({ code: 'custom', path: ['spool', 'hardMaxBytes'], message: 'must be at least spool.maxBytes' });
    if (c.spool.hardMaxCount < c.spool.maxCount) ctx.addIssue({ code: 'custom', path: ['spool', 'hardMaxCount'], message: 'must be at least spool.maxCount' });
    if (c.broker.reconnect.maxMs < c.broker.reconnect.minMs) ctx.addIssue({ code: 'custom', path: ['broker', 'reconnect', 'maxMs'], message: 'must be at least broker.reconnect.minMs' });
  });

export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof EdgeConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path.at(-1)!] = value;
}

function intFromEnv(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${name}="${v}" is not a whole number`);
  return n;
}

const ENV_MAP: [string, string[], 'string' | 'int' | 'list'][] = [
  ['OKNO_EDGE_SITE', ['site'], 'string'],
  ['OKNO_EDGE_AGENT', ['agent'], 'string'],
  ['OKNO_EDGE_BROKER_URL', ['broker', 'url'], 'string'],
  ['OKNO_EDGE_USERNAME', ['broker', 'username'], 'string'],
  ['OKNO_EDGE_PASSWORD', ['broker', 'password'], 'string'],
  ['OKNO_EDGE_PASSWORD_FILE', ['broker', 'passwordFile'], 'string'],
  ['OKNO_EDGE_CLIENT_ID', ['broker', 'clientId'], 'string'],
  ['OKNO_EDGE_TLS_CA', ['broker', 'tls', 'ca'], 'string'],
  ['OKNO_EDGE_TLS_CERT', ['broker', 'tls', 'cert'], 'string'],
  ['OKNO_EDGE_TLS_KEY', ['broker', 'tls', 'key'], 'string'],
  ['OKNO_EDGE_SPOOL_DIR', ['spool', 'dir'], 'string'],
  ['OKNO_EDGE_SPOOL_MAX_BYTES', ['spool', 'maxBytes'], 'int'],
  ['OKNO_EDGE_SPOOL_HARD_MAX_BYTES', ['spool', 'hardMaxBytes'], 'int'],
  ['OKNO_EDGE_TELEMETRY_INTERVAL_MS', ['telemetry', 'intervalMs'], 'int'],
  ['OKNO_EDGE_FAX_PORTS', ['fax', 'ports'], 'list'],
  ['OKNO_EDGE_LOG_LEVEL', ['logLevel'], 'string'],
];
export const ENV_VARIABLES = ['OKNO_EDGE_CONFIG', ...ENV_MAP.map((e) => e[0])];

/** Validates a raw configuration object (file contents merged with the environment). */
export function parseConfig(raw: unknown, source = 'configuration'): EdgeConfig {
  const r = EdgeConfigSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`);
  }
  return r.data;
}

/** The configuration from an optional JSON file and the environment (environment wins). */
export function loadConfig(opts: { file?: string; env?: Env } = {}): EdgeConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.OKNO_EDGE_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read the config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`the config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`the config file ${file} must hold a JSON object`);
  }
  for (const [name, path, type] of ENV_MAP) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    setPath(raw, path, type === 'int' ? intFromEnv(name, v) : type === 'list' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);
  }
  const sources = [file ? `config file ${file}` : undefined, 'environment'].filter(Boolean).join(' + ');
  return parseConfig(raw, `configuration (${sources})`);
}

/** The broker credentials to use: user name defaults to `<site>.<agent>`; password from file if set. */
export function brokerCredentials(c: EdgeConfig): { username: string; password?: string } {
  const username = c.broker.username ?? agentUsername({ site: c.site, agent: c.agent });
  let password = c.broker.password;
  if (c.broker.passwordFile) {
    try {
      password = readFileSync(c.broker.passwordFile, 'utf8').split(/\r?\n/)[0];
    } catch (err) {
      throw new ConfigError(`cannot read broker.passwordFile ${c.broker.passwordFile}: ${(err as Error).message}`);
    }
  }
  return password === undefined ? { username } : { username, password };
}

/** Fixed client id: the broker keeps this agent's session under it. */
export function clientIdOf(c: EdgeConfig): string {
  // `.` joins site and agent as in the broker user name and occurs in neither, so two agents never share a session.
  return c.broker.clientId ?? `okno-edge-${c.site}.${c.agent}`;
}

/** TLS material for the broker connection, read from the configured PEM files. */
export function brokerTls(c: EdgeConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } | undefined {
  const tls = c.broker.tls;
  if (!tls) return undefined;
  const read = (what: string, path: string | undefined) => {
    if (!path) return {};
    try {
      return { [what]: readFileSync(path) };
    } catch (err) {
      throw new ConfigError(`cannot read broker.tls.${what} ${path}: ${(err as Error).message}`);
    }
  };
  return { rejectUnauthorized: tls.rejectUnauthorized, ...read('ca', tls.ca), ...read('cert', tls.cert), ...read('key', tls.key) };
}
