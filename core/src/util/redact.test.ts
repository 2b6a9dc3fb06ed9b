/** Secrets are hidden wherever they sit in a config, and nothing else is. */
import t from 'tap';
import { redactSecrets } from './redact.js';

t.test('passwords, keys, tokens and secrets are hidden at any depth, arrays included', async (t) => {
  const config = {
    smtp: { host: 'mail.city', port: 25, tls: { key: '-----BEGIN PRIVATE KEY-----', cert: 'CERT' }, auth: { users: [{ user: 'relay', password: 'hunter2' }] } },
    imap: { user: 'inbox', password: 's3cret', passwordFile: null },
    auth: { jwtSecret: 'x'.repeat(40), accessTokenTtl: 900 },
    empty: { password: '' },
  };
  const shown = redactSecrets(config);
  const text = JSON.stringify(shown);
  for (const secret of ['-----BEGIN PRIVATE KEY-----', 'hunter2', 's3cret', 'x'.repeat(40)]) t.notOk(text.includes(secret), `${secret.slice(0, 12)} hidden`);
  t.equal(shown.smtp.tls.cert, 'CERT', 'a certificate is public');
  t.equal(shown.smtp.host, 'mail.city');
  t.equal(shown.smtp.auth.users[0]?.user, 'relay', 'user names stay');
  t.equal(shown.imap.passwordFile, null, 'an absent secret stays absent');
  t.equal(shown.empty.password, '', 'an empty one stays empty (so "not set" is visible)');
  t.equal(shown.auth.accessTokenTtl, '***', 'a name that looks secret is hidden even if it is not: safe side');
  t.equal(config.imap.password, 's3cret', 'the original is untouched');
});

t.test('passwords written into URLs are hidden, the rest of the URL stays', async (t) => {
  const shown = redactSecrets({ ari: { url: 'http://okno:S3cret@pbx.city:8088/ari' }, db: 'mysql://root:hunter2@127.0.0.1:3306/okno', list: ['smtp://relay:pw@mail.city:587'], plain: 'http://pbx.city:8088', user: 'http://okno@pbx.city' });
  const text = JSON.stringify(shown);
  for (const secret of ['S3cret', 'hunter2', ':pw@']) t.notOk(text.includes(secret), `${secret} hidden`);
  t.equal(shown.ari.url, 'http://okno:***@pbx.city:8088/ari');
  t.equal(shown.db, 'mysql://root:***@127.0.0.1:3306/okno');
  t.equal(shown.plain, 'http://pbx.city:8088', 'a URL without credentials is untouched');
  t.equal(shown.user, 'http://okno@pbx.city', 'a user name alone is not a secret');
  t.equal(redactSecrets('not a url: a:b@c'), 'not a url: a:b@c', 'text that only looks like it is left alone');
});
