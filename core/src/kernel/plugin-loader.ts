/**
 * Loads the plugins named in the config: imports each package, checks it is a plugin, validates its
 * config. Every failure names the plugin and says why, and stops the start.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createValidator } from '../util/validator.js';
import { deepMerge, type PluginRef } from '../config/config.js';
import { isPluginDefinition, type PluginDefinition } from './plugin.js';

export class PluginLoadError extends Error {
  constructor(readonly plugin: string, reason: string) {
    super(`plugin "${plugin}" failed to load: ${reason}`);
    this.name = 'PluginLoadError';
  }
}

export interface LoadedPlugin {
  ref: string;
  definition: PluginDefinition;
  config: Record<string, unknown>;
}

async function importPlugin(name: string, searchFrom: string[]): Promise<unknown> {
  let lastErr: unknown;
  for (const dir of searchFrom) {
    try {
      const resolved = createRequire(join(dir, 'noop.js')).resolve(name);
      return await import(pathToFileURL(resolved).href);
    } catch (err) {
      lastErr = err;
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') break;
    }
  }
  try {
    return await import(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || new RegExp(`Cannot find (package|module) '${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`).test(String((err as Error)?.message));
    if (notFound) throw new PluginLoadError(name, `package not found (is it installed? npm install ${name})`);
    throw new PluginLoadError(name, `import failed: ${(err as Error).message ?? String(lastErr)}`);
  }
}

/** Validates `config` against the plugin's schema, after merging the plugin's defaults. */
export function validatePluginConfig(def: PluginDefinition, given: Record<string, unknown> | undefined, label = def.name): Record<string, unknown> {
  const config = deepMerge(structuredClone((def.defaults ?? {}) as Record<string, unknown>), given ?? {});
  if (def.configSchema) {
    const check = createValidator({ haltOnFirstError: false }).compile({ $$root: true, type: 'object', strict: true, props: def.configSchema });
    const res = check(config);
    if (res !== true) {
      const msgs = (res as { field: string; message: string }[]).map((e) => `config.${e.field}: ${e.message.replace(/^The '([^']+)' field/, 'the field')}`);
      throw new PluginLoadError(label, msgs.join('; '));
    }
  }
  return config;
}

type AppPlugins = Record<string, PluginDefinition<any>>;

export async function loadPlugins(refs: PluginRef[], opts: { searchFrom: string[]; preloaded?: AppPlugins }): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  const names = new Set<string>();
  for (const ref of refs) {
    if (ref.enabled === false) continue;
    const definition = opts.preloaded?.[ref.name] ?? (await (async () => {
      const mod = (await importPlugin(ref.name, opts.searchFrom)) as { default?: unknown };
      const def = mod.default ?? mod;
      if (!isPluginDefinition(def)) throw new PluginLoadError(ref.name, 'its default export is not a plugin (use definePlugin from @okno/core)');
      return def;
    })());
    if (names.has(definition.name)) throw new PluginLoadError(ref.name, `another plugin is already named "${definition.name}"`);
    names.add(definition.name);
    out.push({ ref: ref.name, definition, config: validatePluginConfig(definition, ref.config, ref.name) });
  }
  return out;
}
