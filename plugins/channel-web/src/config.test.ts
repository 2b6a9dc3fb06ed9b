import t from 'tap';
import { PluginLoadError, validatePluginConfig, type PluginDefinition } from '@okno/core';
import channelWeb, { DEFAULTS } from './index.js';

// The loader sees every plugin as a definition over a plain config object.
const plugin = channelWeb as unknown as PluginDefinition;

t.test('the defaults pass the schema and fill what is not given', async (t) => {
  t.same(validatePluginConfig(plugin, {}), DEFAULTS);
  const c = validatePluginConfig(plugin, { rateLimits: { submit: { limit: 10, windowSeconds: 60 } } });
  t.same(c.rateLimits, { ...DEFAULTS.rateLimits, submit: { limit: 10, windowSeconds: 60 } }, 'a partial section keeps the other defaults');
});

t.test('a bad config stops the start and names the field', async (t) => {
  const bad = (config: Record<string, unknown>) => {
    try {
      validatePluginConfig(plugin, config);
      return 'accepted';
    } catch (err) {
      return err instanceof PluginLoadError ? err.message : `other: ${err}`;
    }
  };
  t.match(bad({ rateLimits: { submit: { limit: 0, windowSeconds: 60 } } }), /config\.rateLimits\.submit\.limit/);
  t.match(bad({ identity: { hmacSecret: 'too-short' } }), /config\.identity\.hmacSecret/);
  t.match(bad({ page: { frameAncestors: ["https://ok.example 'unsafe-inline'"] } }), /config\.page\.frameAncestors/, 'no CSP injection through the config');
  t.match(bad({ limits: { maxFiles: 100 } }), /config\.limits\.maxFiles/);
  t.match(bad({ replyByEmail: 'yes' }), /config\.replyByEmail/);
  t.match(bad({ colour: 'blue' }), /colour/, 'unknown settings are refused');
});
