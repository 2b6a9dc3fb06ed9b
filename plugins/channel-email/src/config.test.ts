/** The plugin's config as the core validates it, and the checks the schema cannot express. */
import t from 'tap';
import { validatePluginConfig, type PluginDefinition } from '@okno/core';
import plugin from './index.js';
import { configProblems, redactConfig, DEFAULTS, type EmailConfig } from './config.js';

const def = plugin as unknown as PluginDefinition;

t.test('defaults merged with the given config pass the schema', async (t) => {
  const c = validatePluginConfig(def, { addresses: ['obrashchenie@city.test'], outbound: { from: 'centre@city.test', host: 'relay.city.test' } }) as unknown as EmailConfig;
  t.equal(c.smtp.port, 2525);
  t.equal(c.smtp.auth.enabled, false, 'AUTH off by default');
  t.equal(c.imap.enabled, false);
  t.equal(c.outbound.port, 587);
  t.same(configProblems(c), []);
});

t.test('wrong config is refused with the field named', async (t) => {
  t.throws(() => validatePluginConfig(def, { addresses: ['not-an-address'] }), /config\.addresses\[0\]/);
  t.throws(() => validatePluginConfig(def, { smtp: { port: 70000 } }), /config\.smtp\.port/);
  t.throws(() => validatePluginConfig(def, { smtp: { prot: 25 } }), /prot/, 'a misspelt key is not silently ignored');
});

t.test('combinations the schema cannot see', async (t) => {
  t.match(configProblems(DEFAULTS), [/never an open relay/], 'SMTP with no addresses or domains would take mail for nobody');
  t.match(configProblems({ ...DEFAULTS, domains: ['city.test'], outbound: { ...DEFAULTS.outbound, from: 'a@city.test' } }), [/both "from" and "host"/]);
  t.match(configProblems({ ...DEFAULTS, domains: ['city.test'], imap: { ...DEFAULTS.imap, enabled: true } }), [/imap\.user/]);
  t.match(configProblems({ ...DEFAULTS, domains: ['city.test'], smtp: { ...DEFAULTS.smtp, tls: { key: 'k', cert: null, keyFile: null, certFile: null } } }), [/key and a certificate/]);
});

t.test('secrets never appear in the redacted config', async (t) => {
  const c = { ...DEFAULTS, imap: { ...DEFAULTS.imap, password: 'imap-pass' }, outbound: { ...DEFAULTS.outbound, password: 'smtp-pass' }, smtp: { ...DEFAULTS.smtp, tls: { ...DEFAULTS.smtp.tls, key: '-----BEGIN PRIVATE KEY-----' }, auth: { enabled: true, users: [{ user: 'relay', password: 'relay-pass' }] } } };
  const text = JSON.stringify(redactConfig(c));
  for (const secret of ['imap-pass', 'smtp-pass', 'relay-pass', 'PRIVATE KEY']) t.notOk(text.includes(secret), secret);
  t.match(text, /"user":"relay"/);
});
