/**
 * The plugin contract. A plugin is an npm package whose default export is `definePlugin({...})`.
 * The core loads the plugins named in its config (no directory scanning), validates each plugin's
 * config against its schema, runs its migrations after the core's, and starts the Moleculer
 * services it returns.
 */
import type { ServiceSchema, Logger } from 'moleculer';
import type { CoreContext } from './context.js';

export type PluginKind = 'channel' | 'routing' | 'reporting' | 'planning' | 'integration';
export const PLUGIN_KINDS: readonly PluginKind[] = ['channel', 'routing', 'reporting', 'planning', 'integration'];

export interface PluginContext<C> {
  /** The plugin's config: its defaults merged with the config file's, validated. */
  config: C;
  core: CoreContext;
  logger: Logger;
  plugin: { name: string; version: string };
}

export interface PluginDefinition<C = Record<string, unknown>> {
  /** Short name, unique in an installation (e.g. "channel-email"). */
  name: string;
  kind: PluginKind;
  version: string;
  description?: string;
  /** fastest-validator schema of the config object (the props of one object). */
  configSchema?: Record<string, unknown>;
  defaults?: Partial<C>;
  /** TypeORM entity classes the plugin persists. */
  entities?: EntityClass[];
  /** TypeORM migration classes, run after the core's. */
  migrations?: EntityClass[];
  /** The Moleculer services this plugin runs. */
  services(ctx: PluginContext<C>): ServiceSchema[] | Promise<ServiceSchema[]>;
  /**
   * Demo data of the plugin, loaded once with the core's (`demo: true` and an empty database), after
   * the core's demo data and before any service starts. Returns what it loaded, for the log.
   */
  demo?(ctx: PluginContext<C>): Promise<Record<string, number> | void>;
}

/** A class (TypeORM entity or migration). */
export type EntityClass = new (...args: any[]) => unknown;

const MARK = Symbol.for('okno.plugin');

export function definePlugin<C = Record<string, unknown>>(def: PluginDefinition<C>): PluginDefinition<C> {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,63}$/.test(def?.name ?? '')) problems.push('name must be lower-case letters, digits and "-"');
  if (!PLUGIN_KINDS.includes(def?.kind)) problems.push(`kind must be one of ${PLUGIN_KINDS.join(', ')}`);
  if (!/^\d+\.\d+\.\d+/.test(def?.version ?? '')) problems.push('version must be semver (x.y.z)');
  if (typeof def?.services !== 'function') problems.push('services must be a function returning Moleculer service schemas');
  if (problems.length) throw new Error(`invalid plugin definition "${def?.name ?? '?'}": ${problems.join('; ')}`);
  return Object.freeze(Object.assign(Object.create(null), def, { [MARK]: true })) as PluginDefinition<C>;
}

export function isPluginDefinition(x: unknown): x is PluginDefinition {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[MARK] === true;
}
