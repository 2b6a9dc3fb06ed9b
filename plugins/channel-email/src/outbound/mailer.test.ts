/** Outbound mail through a real SMTP server (the sink): what is sent, and how failures are classified. */
import t from 'tap';
import type { OutboundMessage } from '@okno/core';
import { freePort } from '@okno/testkit';
import { Mailer, classifySendError } from './mailer.js';
import { DEFAULTS, type OutboundConfig } from '../config.js';
import { SmtpSink } from '../test-support/sink.js';

const sink = await SmtpSink.start();
t.teardown(() => sink.stop());
const cfg = (over: Partial<OutboundConfig> = {}): OutboundConfig => ({ ...DEFAULTS.outbound, from: 'centre@city.test', host: '127.0.0.1', port: sink.port, secure: false, timeoutMs: 5000, ...over });
const files = new Map([[7, Buffer.from('%PDF-1.4 ответ')]]);
const mailer = new Mailer(cfg(), async (id) => files.get(id) ?? Promise.reject(new Error(`no file ${id}`)));
t.teardown(() => mailer.close());

const msg = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  kind: 'reply', appealId: 1, regNumber: '25-000001-8', interactionId: 5, to: 'maria@example.ru', subject: 'Ответ на ваше обращение', text: 'Яму засыпали.',
  lang: 'ru', attachments: [], threadKeys: ['<first-1@example.ru>', 'notice-3-no-brackets', '<okno.notice-3@city.test>'], deliveryId: 'reply-5', ...over,
});

t.test('a reply: From the centre, the number in the subject, our Message-ID, threading and attachments', async (t) => {
  const r = await mailer.send(msg({ attachments: [{ attachmentId: 7, filename: 'Ответ.pdf', mime: 'application/pdf', size: 17 }] }));
  t.same(r, { ok: true, externalId: '<okno.reply-5@city.test>' });
  const got = sink.mails.at(-1)!;
  t.same(got.envelope, { from: 'centre@city.test', to: ['maria@example.ru'] });
  t.equal(got.parsed.from?.text, '"Единый контактный центр" <centre@city.test>');
  t.equal(got.subject, 'Ответ на ваше обращение [№ 25-000001-8]');
  t.equal(got.text.trim(), 'Яму засыпали.');
  t.equal(got.parsed.messageId, '<okno.reply-5@city.test>');
  t.equal(got.parsed.inReplyTo, '<okno.notice-3@city.test>');
  t.same(got.parsed.references, ['<first-1@example.ru>', '<okno.notice-3@city.test>']);
  t.equal(got.parsed.headers.get('auto-submitted'), undefined, "an operator's reply is not automatic");
  t.equal(got.parsed.attachments[0]?.filename, 'Ответ.pdf');
  t.same(got.parsed.attachments[0]?.content, files.get(7));
  const again = await mailer.send(msg({ subject: 'Ответ на обращение № 25-000001-8' }));
  t.equal(again.ok && again.externalId, '<okno.reply-5@city.test>', 'a retry of the same delivery has the same Message-ID');
  t.equal(sink.mails.at(-1)!.subject, 'Ответ на обращение № 25-000001-8', 'the number is not repeated');
});

t.test('notices say they are automatic', async (t) => {
  await mailer.send(msg({ kind: 'notice', noticeKind: 'extended', deliveryId: 'notice-9', interactionId: null }));
  t.equal(sink.mails.at(-1)!.parsed.headers.get('auto-submitted'), 'auto-generated');
});

t.test('failures: 5xx permanent, 4xx and connection trouble temporary', async (t) => {
  const gone = await mailer.send(msg({ to: 'nobody@fail.invalid', deliveryId: 'reply-6' }));
  t.match(gone, { ok: false, permanent: true, error: /550 .*no such mailbox/ });
  sink.tempFail = true;
  const later = await mailer.send(msg({ deliveryId: 'reply-7' }));
  sink.tempFail = false;
  t.match(later, { ok: false, permanent: false, error: /451/ });
  t.match(await mailer.send(msg({ to: 'not an address' })), { ok: false, permanent: true });
  const deadPort = await freePort();
  const dead = new Mailer(cfg({ port: deadPort }), async () => Buffer.alloc(0));
  t.match(await dead.send(msg()), { ok: false, permanent: false, error: /ECONNECTION|ECONNREFUSED/ });
  dead.close();
  const unconfigured = new Mailer(DEFAULTS.outbound, async () => Buffer.alloc(0));
  t.match(await unconfigured.send(msg()), { ok: false, permanent: false, error: /not configured/ });
  t.match(await mailer.send(msg({ attachments: [{ attachmentId: 99, filename: 'x', mime: 'text/plain', size: 1 }] })), { ok: false, permanent: false, error: /no file 99/ });
  t.same(classifySendError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 })).permanent, false, 'our relay password is our problem, not the message\'s');
});

t.test('verify: the relay is checked and the answer kept for verifyCacheMs', async (t) => {
  const s2 = await SmtpSink.start();
  const m = new Mailer(cfg({ port: s2.port, verifyCacheMs: 60_000 }), async () => Buffer.alloc(0));
  t.same(await m.verify(1_000_000), { at: 1_000_000, ok: true, error: null });
  await s2.stop();
  m.close();
  t.equal((await m.verify(1_000_000 + 59_000)).ok, true, 'cached');
  const after = await m.verify(1_000_000 + 61_000);
  t.equal(after.ok, false, 'checked again after the cache time: the relay is gone');
  t.match(after.error, /ECONNREFUSED|ECONNECTION/);
  m.close();
});
