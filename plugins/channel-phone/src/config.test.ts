import t from 'tap';
import { validatePluginConfig } from '@okno/core';
import plugin, { DEFAULTS, callbackEndpoint, configProblems, operatorEndpoint, type PhoneConfig } from './index.js';

const required = { url: 'http://pbx.city.example:8088', user: 'okno', password: 'secret' };
const validate = (c: Record<string, unknown>) => validatePluginConfig(plugin as never, { ...required, ...c }) as unknown as PhoneConfig;

t.test('the defaults with the connection are a valid config', async (t) => {
  t.same(validate({}), { ...DEFAULTS, ...required });
  t.same(configProblems(validate({})), []);
});

t.test('the connection is required; wrong settings are refused by name', async (t) => {
  t.throws(() => validatePluginConfig(plugin as never, undefined), /url/);
  t.throws(() => validate({ password: '' }), /password/);
  t.throws(() => validate({ url: 'not a url' }), /url/);
  t.throws(() => validate({ app: 'okno app' }), /app/);
  t.throws(() => validate({ operatorEndpoint: 'PJSIP/operator' }), /operatorEndpoint/, 'the template must name the operator');
  t.throws(() => validate({ ivr: { ...DEFAULTS.ivr, menu: { '12': { label: 'x' } } } }), /menu/);
  t.throws(() => validate({ ivr: { ...DEFAULTS.ivr, menu: { '1': { label: 'x', queue: 'a' } } } }), /queue/);
  t.throws(() => validate({ ivr: { ...DEFAULTS.ivr, greeting: 'okno-greeting.wav' } }), /greeting/, 'media are URIs (sound:...)');
  t.throws(() => validate({ trunk: 'x' }), /trunk/);
  t.same(configProblems(validate({ ivr: { ...DEFAULTS.ivr, menu: { '9': { label: 'x' } } }, callback: { ...DEFAULTS.callback, digit: '9' } })), ['callback.digit "9" is also a menu choice']);
  t.throws(() => validate({ lease: { ttlMs: 500, renewMs: 100, guardMs: 100 } }), /ttlMs/, 'a lease shorter than a second is refused');
  t.same(configProblems(validate({ lease: { ttlMs: 10_000, renewMs: 3_000, guardMs: 5_000 } })), ['lease: the holder must be able to renew twice before it stops acting (renewMs * 2 <= ttlMs - guardMs)']);
});

t.test('endpoint templates', async (t) => {
  t.equal(operatorEndpoint('PJSIP/op-{userId}', { id: 7, login: 'ivanova' }), 'PJSIP/op-7');
  t.equal(operatorEndpoint('PJSIP/{login}', { id: 7, login: 'ivanova' }), 'PJSIP/ivanova');
  t.equal(callbackEndpoint('PJSIP/{number}@city-trunk', '+7 (916) 555-12-34'), 'PJSIP/+79165551234@city-trunk');
  t.equal(callbackEndpoint('PJSIP/{number}@city-trunk', '8 916 555-12-34'), 'PJSIP/89165551234@city-trunk');
});
