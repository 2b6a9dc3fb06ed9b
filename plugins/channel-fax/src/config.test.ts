import t from 'tap';
import { validatePluginConfig } from '@okno/core';
import plugin, { DEFAULTS, agentRef } from './index.js';

t.test('the defaults are a valid config', async (t) => {
  t.same(validatePluginConfig(plugin as never, undefined), DEFAULTS);
});

t.test('a default agent is "<site>/<agent>" with the protocol\'s ids', async (t) => {
  t.equal(validatePluginConfig(plugin as never, { defaultAgent: 'cao-arbat/fax_1' }).defaultAgent, 'cao-arbat/fax_1');
  t.same(agentRef('cao-arbat/fax_1'), { site: 'cao-arbat', agent: 'fax_1' });
  t.equal(agentRef(null), null);
  for (const bad of ['cao-arbat.fax-1', 'CAO/fax', 'a/b/c', '/fax']) t.throws(() => validatePluginConfig(plugin as never, { defaultAgent: bad }), /defaultAgent/, bad);
});

t.test('unknown and wrong settings are refused by name', async (t) => {
  t.throws(() => validatePluginConfig(plugin as never, { pollMs: 0 }), /pollMs/);
  t.throws(() => validatePluginConfig(plugin as never, { previews: { timeoutMs: 1000, maxHeapMb: 8 } }), /maxHeapMb/);
  t.throws(() => validatePluginConfig(plugin as never, { faxNumber: '123' }), /faxNumber/);
});
