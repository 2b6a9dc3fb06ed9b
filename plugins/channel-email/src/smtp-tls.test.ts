/**
 * STARTTLS with a certificate from the config (self-signed here, made with openssl) and the optional
 * SMTP AUTH for a trusted relay: offered only over TLS, and never a way around the recipient check.
 */
import t from 'tap';
import nodemailer from 'nodemailer';
import { Appeal } from '@okno/core';
import { tempDir, needsTools } from '@okno/testkit';
import { startEmailApp, CITY_ADDRESS } from './test-support/harness.js';
import { selfSignedCert } from './test-support/tls.js';
import { smtpDialog } from './test-support/fixtures.js';

t.test('STARTTLS and AUTH', { skip: needsTools('openssl') }, async (t) => {
  const dir = tempDir('okno-tls-');
  t.teardown(dir.cleanup);
  const cert = selfSignedCert(dir.dir);
  const e = await startEmailApp({ config: { smtp: { tls: { keyFile: cert.keyFile, certFile: cert.certFile }, auth: { enabled: true, users: [{ user: 'relay', password: 'relay-secret' }] } } } });
  t.teardown(() => e.stop());
  const client = (extra: object) => nodemailer.createTransport({ host: '127.0.0.1', port: e.smtpPort, secure: false, requireTLS: true, tls: { ca: cert.cert, servername: 'localhost' }, ...extra });

  const [, ehlo, auth] = await smtpDialog(e.smtpPort, ['EHLO client.example', `AUTH PLAIN ${Buffer.from('\0relay\0relay-secret').toString('base64')}`]);
  t.match(ehlo, /STARTTLS/, 'STARTTLS is offered');
  t.match(auth, /^538 /, 'AUTH in clear text is refused: STARTTLS first');

  const plain = client({});
  const info = await plain.sendMail({ from: 'tls@example.ru', to: CITY_ADDRESS, subject: 'По TLS', text: 'Зашифровано' });
  plain.close();
  t.match(info.response, /^250 /);
  t.ok(await e.app.app.db.read((em) => em.findOneBy(Appeal, { subject: 'По TLS' })), 'taken over TLS, the certificate checked by the client');

  const good = client({ auth: { user: 'relay', pass: 'relay-secret' } });
  t.match((await good.sendMail({ from: 'relay@city.test', to: CITY_ADDRESS, subject: 'С входом', text: 'x' })).response, /^250 /);
  const relayed = await good.sendMail({ from: 'relay@city.test', to: 'victim@elsewhere.example', subject: 'relay', text: 'x' }).catch((err: { responseCode?: number }) => err);
  good.close();
  t.equal((relayed as { responseCode?: number }).responseCode, 550, 'a logged-in client still cannot relay');

  const bad = client({ auth: { user: 'relay', pass: 'wrong' } });
  const denied = await bad.sendMail({ from: 'relay@city.test', to: CITY_ADDRESS, subject: 'bad', text: 'x' }).catch((err: { responseCode?: number }) => err);
  bad.close();
  t.equal((denied as { responseCode?: number }).responseCode, 535, 'a wrong password is refused');
});
