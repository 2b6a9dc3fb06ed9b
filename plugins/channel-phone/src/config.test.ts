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

t.test('a user or password in the url is refused; they go in user and password', async (t) => {
  t.same(configProblems(validate({ url: 'http://okno:secret@pbx.city.example:8088' })), ['url must not contain a user name or password; put them in "user" and "password"']);
  t.same(configProblems(validate({ url: 'https://okno@pbx.city.example:8089' })), ['url must not contain a user name or password; put them in "user" and "password"']);
  t.same(configProblems(validate({ url: 'https://pbx.city.example:8089' })), []);
  const { stripUserinfo } = await import('./config.js');
  t.equal(stripUserinfo('http://okno:s3cr@t@pbx:8088/ari'), 'http://pbx:8088/ari');
  t.equal(stripUserinfo('failed: wss://a:b@pbx:8089/ari/events and https://pbx'), 'failed: wss://pbx:8089/ari/events and https://pbx');
});

t.test('a REST request must end before another node can take the line', async (t) => {
  t.ok(DEFAULTS.requestTimeoutMs < DEFAULTS.lease.guardMs, 'the defaults pass');
  t.same(configProblems(validate({ requestTimeoutMs: 5_000 })), ['requestTimeoutMs (5000) must be less than lease.guardMs (5000), so a REST request ends before another node can take the line']);
  t.same(configProblems(validate({ requestTimeoutMs: 9_000, lease: { ttlMs: 30_000, renewMs: 5_000, guardMs: 10_000 } })), []);
});

t.test('only letters, digits, ".", "_" and "-" are put into the operator\'s dial string', async (t) => {
  t.equal(operatorEndpoint('PJSIP/{login}', { id: 7, login: 'i.ivanova_2-x' }), 'PJSIP/i.ivanova_2-x');
  for (const login of ['x/sip:+79161234567@attacker.example', 'a&PJSIP/b', 'a,b', 'a b', 'иванова', '']) {
    t.throws(() => operatorEndpoint('PJSIP/{login}', { id: 7, login }), /operator's login .* cannot be put into operatorEndpoint: only letters, digits/, JSON.stringify(login));
  }
  t.equal(operatorEndpoint('PJSIP/op-{userId}', { id: 7, login: 'a/b@c' }), 'PJSIP/op-7', 'a login not in the template does not matter');
});
