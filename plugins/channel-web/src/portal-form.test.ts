/**
 * The public form and status check over real HTTP against a started core with the plugin: what the
 * citizen's browser does, and what a hostile client tries.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { Appeal, Applicant, Attachment, ContactPoint, Interaction, InteractionAttachment, formatRegNumber } from '@okno/core';
import { signIdentityToken } from './identity.js';
import { uploadsDir } from './form.js';
import { IDENTITY, answer, newSubmissionId, startPortal, submitMultipart } from './test-support/portal-app.js';

const app = await startPortal({
  replyByEmail: true,
  limits: { maxFiles: 3, maxFileBytes: 64 * 1024, maxTotalBytes: 100 * 1024 },
  rateLimits: { submit: { limit: 1000, windowSeconds: 60 }, status: { limit: 1000, windowSeconds: 60 } },
  identity: { hmacSecret: IDENTITY.secret, issuer: IDENTITY.issuer, audience: IDENTITY.audience },
});
t.teardown(() => app.stop());

const db = app.app.db;
const appealByNumber = (regNumber: string) => db.read((em) => em.findOneByOrFail(Appeal, { regNumber }));
const submit = (body: unknown, query = '') => app.req('POST', `/api/portal/appeals${query}`, { body });
const base = () => ({ submissionId: newSubmissionId(), fullName: 'Смирнова Ольга Ивановна', email: 'olga@example.ru', text: 'Прошу починить фонарь у дома 5.' });
const fieldsOf = (body: any) => (body?.error?.fields ?? []).map((f: { field: string; type: string }) => `${f.field}:${f.type}`);

t.test('a JSON submit registers the appeal and answers 201 with the number and the status secret', async (t) => {
  const r = await submit({ ...base(), phone: '+7 (495) 123-45-67', subject: 'Фонарь', lang: 'ru' });
  t.equal(r.status, 201);
  t.match(r.body.regNumber, /^\d{2}-\d{6}-\d$/);
  t.match(r.body.statusSecret, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  t.equal(r.body.type, 'electronic', 'an anonymous portal appeal is electronic, not an electronic document');
  t.equal(r.body.replyBy, 'email');
  t.equal(r.body.duplicate, false);
  t.equal(r.headers.get('cache-control'), 'no-store', 'the secret is not cached');
  t.equal(r.headers.get('location'), '/api/portal/status');
  const appeal = await appealByNumber(r.body.regNumber);
  t.equal(appeal.channel, 'portal');
  t.equal(appeal.type, 'electronic');
  t.equal(appeal.status, 'registered');
  t.equal(appeal.subject, 'Фонарь');
  t.same([appeal.replyChannel, appeal.replyAddress], ['email', 'olga@example.ru'], 'answers go by e-mail when one is given (59-FZ art. 10)');
  t.ok(appeal.statusSecretHash, 'the secret is kept only as a hash');
  const applicant = await db.read((em) => em.findOneByOrFail(Applicant, { id: appeal.applicantId }));
  t.equal(applicant.fullName, 'Смирнова Ольга Ивановна');
  const contacts = await db.read((em) => em.findBy(ContactPoint, { applicantId: appeal.applicantId }));
  t.same(contacts.map((c) => c.kind).sort(), ['email', 'phone']);
  const inter = await db.read((em) => em.findBy(Interaction, { appealId: appeal.id, direction: 'in' }));
  t.equal(inter.length, 1);
  t.equal(inter[0]!.body, 'Прошу починить фонарь у дома 5.');
  t.equal(inter[0]!.channel, 'portal');
});

t.test('a multipart submit stores its files on the appeal', async (t) => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20_000, 7)]);
  const photo = Buffer.alloc(30_000, 9);
  const r = await submitMultipart(app, { submissionId: newSubmissionId(), fullName: 'Петров Пётр', postalAddress: '101000, Москва, ул. Мясницкая, д. 1, кв. 2', text: 'С документами' },
    [{ name: 'заявление.pdf', type: 'application/pdf', content: pdf }, { name: 'photo.jpg', type: 'image/jpeg', content: photo }]);
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.attachments, 2);
  t.equal(r.body.replyBy, 'post');
  const appeal = await appealByNumber(r.body.regNumber);
  t.same([appeal.replyChannel, appeal.replyAddress], ['portal', '101000, Москва, ул. Мясницкая, д. 1, кв. 2'], 'a paper answer: kept in the portal box, the address shown');
  const inter = await db.read((em) => em.findOneByOrFail(Interaction, { appealId: appeal.id, direction: 'in' }));
  const links = await db.read((em) => em.find(InteractionAttachment, { where: { interactionId: inter.id }, order: { filename: 'ASC' } }));
  t.same(links.map((l) => l.filename), ['photo.jpg', 'заявление.pdf']);
  const stored = await Promise.all(links.map((l) => app.app.core.attachments.read(l.attachmentId)));
  t.ok(stored.find((s) => s.meta.mime === 'application/pdf')!.content.equals(pdf), 'the PDF is stored byte for byte');
  t.ok(stored.find((s) => s.meta.mime === 'image/jpeg')!.content.equals(photo), 'the photo too');
});

t.test('an identified portal session files an electronic document; a bad token is a field error', async (t) => {
  const documents = () => db.read((em) => em.countBy(Appeal, { type: 'electronic_document' }));
  const before = await documents();
  const token = await signIdentityToken(IDENTITY, { subject: 'esia-77001', fullName: 'Кузнецов Иван', email: 'ivan@example.ru' });
  const r = await submit({ ...base(), identityToken: token });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.type, 'electronic_document');
  const appeal = await appealByNumber(r.body.regNumber);
  t.equal(appeal.type, 'electronic_document', '547-FZ: only identified electronic appeals are electronic documents');
  const portal = await db.read((em) => em.findOneBy(ContactPoint, { applicantId: appeal.applicantId, kind: 'portal' }));
  t.equal(portal?.value, 'city-idp:esia-77001', 'the identity is a contact of the applicant');

  const expired = await signIdentityToken(IDENTITY, { subject: 'esia-77001', expiresInSeconds: -300 });
  const e = await submit({ ...base(), identityToken: expired });
  t.equal(e.status, 422);
  t.same(fieldsOf(e.body), ['identityToken:identityExpired']);
  const forged = await signIdentityToken({ ...IDENTITY, secret: 'someone-else-secret-0123456789abcdefgh' }, { subject: 'esia-1' });
  const f = await submit({ ...base(), identityToken: forged });
  t.same(fieldsOf(f.body), ['identityToken:identityInvalid']);
  t.equal(await documents(), before + 1, 'no appeal from the refused tokens');
});

t.test('validation errors name each field, in Russian by default and in English on request', async (t) => {
  const r = await submit({ submissionId: 'short', fullName: '', email: 'not-an-email', text: '   ', replyBy: 'pigeon', serviceId: 'x', phone: 'call me', lang: 'ru' });
  t.equal(r.status, 422);
  t.equal(r.body.error.code, 'VALIDATION_ERROR');
  t.same(fieldsOf(r.body).sort(), ['email:email', 'fullName:required', 'phone:phone', 'replyBy:oneOf', 'serviceId:number', 'submissionId:submissionId', 'text:required'].sort());
  const name = r.body.error.fields.find((f: any) => f.field === 'fullName');
  t.equal(name.message, 'Заполните это поле');
  t.same(name.messages, { ru: 'Заполните это поле', en: 'This field is required' });
  t.equal(name.key, 'portal.required');
  const en = await submit({ ...base(), text: '', lang: 'en' });
  t.equal(en.body.error.fields[0].message, 'This field is required');
  const viaQuery = await submit({ ...base(), fullName: '' }, '?lang=en');
  t.equal(viaQuery.body.error.fields[0].message, 'This field is required', 'the language may come in the query string');

  const unknownService = await submit({ ...base(), serviceId: 999_999 });
  t.same(fieldsOf(unknownService.body), ['serviceId:unknownService']);
  const list = await app.req('GET', '/api/portal/services');
  t.equal(list.status, 200, 'the registry\'s services are public for the form');
  t.ok(list.body.length > 0 && list.body[0].name);
  const withService = await submit({ ...base(), serviceId: list.body[0].id });
  t.equal(withService.status, 201);
  t.equal((await appealByNumber(withService.body.regNumber)).serviceId, list.body[0].id);

  const post = await submit({ ...base(), replyBy: 'post' });
  t.same(fieldsOf(post.body), ['postalAddress:replyByPostNeedsAddress'], 'a paper answer needs a postal address');
  const extra = await submit({ ...base(), isAdmin: true });
  t.same(fieldsOf(extra.body), ['isAdmin:unknownField']);
});

t.test('an appeal without any address for the answer is refused (59-FZ art. 7)', async (t) => {
  const { email: _e, ...noContact } = base();
  const r = await submit({ ...noContact, phone: '+74951234567' });
  t.equal(r.status, 422);
  t.same(fieldsOf(r.body), ['email:contactRequired', 'postalAddress:contactRequired'], 'a phone is not an address for the answer');
  t.match(r.body.error.fields[0].message, /почтовый адрес/);
  const blank = await submit({ ...noContact, email: '  ', postalAddress: '' });
  t.same(fieldsOf(blank.body), ['email:contactRequired', 'postalAddress:contactRequired']);
});

t.test('attachments over the limits: 413 for size, 422 for count and type; nothing is stored', async (t) => {
  const before = await db.read(async (em) => ({ appeals: await em.count(Appeal), files: await em.count(Attachment) }));
  const fields = () => ({ ...base(), submissionId: newSubmissionId() });
  const big = await submitMultipart(app, fields(), [{ name: 'big.pdf', type: 'application/pdf', content: Buffer.alloc(64 * 1024 + 1, 1) }]);
  t.equal(big.status, 413);
  t.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  t.match(big.body.error.message, /big\.pdf/);
  t.equal(big.body.error.data.limit, 64 * 1024);
  const exact = await submitMultipart(app, fields(), [{ name: 'exact.pdf', type: 'application/pdf', content: Buffer.alloc(64 * 1024, 1) }]);
  t.equal(exact.status, 201, 'a file of exactly the limit is taken');
  const total = await submitMultipart(app, fields(), [0, 1].map((i) => ({ name: `part${i}.pdf`, type: 'application/pdf', content: Buffer.alloc(60 * 1024, i) })));
  t.equal(total.status, 413, 'the files together over the total');
  t.match(total.body.error.message, /вместе/);
  const many = await submitMultipart(app, fields(), [0, 1, 2, 3].map((i) => ({ name: `f${i}.txt`, type: 'text/plain', content: Buffer.from(`file ${i}`) })));
  t.equal(many.status, 422);
  t.same(fieldsOf(many.body), ['files:tooManyFiles']);
  const exe = await submitMultipart(app, fields(), [{ name: 'setup.exe', type: 'application/x-msdownload', content: Buffer.from('MZ') }]);
  t.same(fieldsOf(exe.body), ['files:fileType']);
  const after = await db.read(async (em) => ({ appeals: await em.count(Appeal), files: await em.count(Attachment) }));
  t.same(after, { appeals: before.appeals + 1, files: before.files + 1 }, 'only the appeal within the limits and its one file');
});

t.test('a double submit is one appeal, with the same number and secret', async (t) => {
  const form = base();
  const first = await submit(form);
  const again = await submit(form);
  t.equal(first.status, 201);
  t.equal(again.status, 200);
  t.equal(again.body.duplicate, true);
  t.equal(again.body.regNumber, first.body.regNumber);
  t.equal(again.body.statusSecret, first.body.statusSecret, 'the secret is given again (a lost answer is the usual cause)');
  const twice = newSubmissionId();
  const files = [{ name: 'a.txt', type: 'text/plain', content: Buffer.from('один и тот же файл') }];
  const both = await Promise.all([0, 1].map(() => submitMultipart(app, { ...base(), submissionId: twice, text: 'одновременно' }, files)));
  t.same(both.map((b) => b.status).sort(), [200, 201], 'two at once: one created, one the same');
  t.equal(both[0]!.body.regNumber, both[1]!.body.regNumber);
  t.equal(both[0]!.body.statusSecret, both[1]!.body.statusSecret);
  const appeal = await appealByNumber(both[0]!.body.regNumber);
  t.equal(await db.read((em) => em.countBy(Interaction, { appealId: appeal.id, direction: 'in' })), 1);
});

t.test('status by number and secret; a wrong secret and an unknown number get the same 404', async (t) => {
  const r = await submit({ ...base(), email: undefined, postalAddress: 'Москва, Тверская ул., 13' });
  const ok = await app.req('POST', '/api/portal/status', { body: { regNumber: r.body.regNumber, secret: r.body.statusSecret } });
  t.equal(ok.status, 200);
  t.equal(ok.body.regNumber, r.body.regNumber);
  t.equal(ok.body.status, 'registered');
  t.equal(ok.body.statusText, 'Зарегистрировано');
  t.ok(ok.body.answerBy, 'the answer deadline is shown');
  const lower = await app.req('POST', '/api/portal/status', { body: { regNumber: r.body.regNumber, secret: r.body.statusSecret.toLowerCase().replace('-', ' '), lang: 'en' } });
  t.equal(lower.status, 200, 'the secret is read without regard to case, dashes or spaces');
  t.equal(lower.body.statusText, 'Registered');

  const wrong = await app.req('POST', '/api/portal/status', { body: { regNumber: r.body.regNumber, secret: 'AAAAA-AAAAA' } });
  // A well-formed number (right check digit) that does not exist.
  const unknown = await app.req('POST', '/api/portal/status', { body: { regNumber: formatRegNumber(999_999, new Date(), 'Europe/Moscow'), secret: r.body.statusSecret } });
  t.equal(wrong.status, 404);
  t.equal(unknown.status, 404);
  t.equal(wrong.body.error.code, unknown.body.error.code);
  t.same(Object.keys(wrong.body.error).sort(), Object.keys(unknown.body.error).sort(), 'the same shape: nothing tells the two apart');
  t.equal(wrong.body.error.message.replace(/\d{2}-\d{6}-\d/, 'N'), unknown.body.error.message.replace(/\d{2}-\d{6}-\d/, 'N'));
  const bad = await app.req('POST', '/api/portal/status', { body: { regNumber: 'abc', secret: '' } });
  t.equal(bad.status, 422);
  t.same(fieldsOf(bad.body), ['regNumber:regNumber', 'secret:required']);
});

t.test('answers kept in the portal box are read on the status page, with their files', async (t) => {
  const r = await submit({ ...base(), email: undefined, postalAddress: 'Москва, Тверская ул., 15' });
  const appeal = await appealByNumber(r.body.regNumber);
  const op = await app.token('operator');
  const fd = new FormData();
  fd.set('file', new Blob([Buffer.from('Ответ на бланке')], { type: 'application/pdf' }), 'ответ.pdf');
  const up = await answer(await fetch(`${app.url}/api/attachments`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${op}` } }));
  t.equal(up.status, 200, JSON.stringify(up.body));
  const reply = await app.req('POST', `/api/appeals/${appeal.id}/reply`, { token: op, body: { body: 'Фонарь починят до пятницы.', final: true, attachmentIds: [up.body.id] } });
  t.equal(reply.status, 200);
  let status: any;
  for (let i = 0; i < 200; i++) {
    status = await app.req('POST', '/api/portal/status', { body: { regNumber: r.body.regNumber, secret: r.body.statusSecret } });
    if (status.body.messages.some((m: any) => m.kind === 'reply')) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  t.equal(status.body.status, 'answered');
  const kinds = status.body.messages.map((m: any) => m.noticeKind ?? m.kind);
  t.same(kinds, ['received', 'reply'], 'the "received" notice and the answer (sent once: the answer is the "answered" notice)');
  const answerMsg = status.body.messages.find((m: any) => m.kind === 'reply');
  t.equal(answerMsg.text, 'Фонарь починят до пятницы.');
  t.equal(answerMsg.attachments.length, 1);
  const file = await fetch(`${app.url}/api/portal/attachment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ regNumber: r.body.regNumber, secret: r.body.statusSecret, attachmentId: answerMsg.attachments[0].attachmentId }) });
  t.equal(file.status, 200);
  t.equal(Buffer.from(await file.arrayBuffer()).toString(), 'Ответ на бланке');
  t.match(file.headers.get('content-disposition'), /attachment/);
  const foreign = await app.req('POST', '/api/portal/attachment', { body: { regNumber: r.body.regNumber, secret: r.body.statusSecret, attachmentId: 1 } });
  t.equal(foreign.status, 404, 'only files of this appeal\'s answers');
  const noSecret = await app.req('POST', '/api/portal/attachment', { body: { regNumber: r.body.regNumber, secret: 'WRONG-WRONG', attachmentId: answerMsg.attachments[0].attachmentId } });
  t.equal(noSecret.status, 404);
});

t.test('hostile input: markup is stored as text, oversized and malformed bodies are refused clearly', async (t) => {
  const script = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';
  const r = await submit({ ...base(), fullName: `Иван ${'<b>'}Бобров</b>`, subject: script, text: `${script}\n\nи ещё текст` });
  t.equal(r.status, 201);
  const appeal = await appealByNumber(r.body.regNumber);
  t.equal(appeal.subject, script, 'the subject is kept exactly as typed (the console shows it as text)');
  const inter = await db.read((em) => em.findOneByOrFail(Interaction, { appealId: appeal.id, direction: 'in' }));
  t.equal(inter.body, `${script}\n\nи ещё текст`);
  const status = await fetch(`${app.url}/api/portal/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ regNumber: r.body.regNumber, secret: r.body.statusSecret }) });
  t.match(status.headers.get('content-type'), /^application\/json/, 'answers are JSON, never HTML');

  const long = await submit({ ...base(), text: 'я'.repeat(20_001) });
  t.same(fieldsOf(long.body), ['text:tooLong']);
  t.equal(long.body.error.fields[0].params.max, 20_000);
  const longName = await submit({ ...base(), fullName: 'И'.repeat(301) });
  t.same(fieldsOf(longName.body), ['fullName:tooLong']);
  const nul = await submit({ ...base(), fullName: 'Иван\u0000Петров' });
  t.same(fieldsOf(nul.body), ['fullName:controlChars']);
  const newline = await submit({ ...base(), email: 'a@b.ru\r\nBcc: victim@example.ru' });
  t.equal(newline.status, 422, 'no header injection through the e-mail field');
  const huge = await app.req('POST', '/api/portal/appeals', { body: JSON.stringify({ ...base(), text: 'x'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
  t.equal(huge.status, 413, 'a JSON body over the gateway limit');
  const badJson = await app.req('POST', '/api/portal/appeals', { body: '{"fullName": "Иван", ', headers: { 'content-type': 'application/json' } });
  t.equal(badJson.status, 400);
  const wrongType = await app.req('POST', '/api/portal/appeals', { body: 'fullName=Иван&text=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(wrongType.status, 415);
  t.equal(wrongType.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  const noType = await app.req('POST', '/api/portal/appeals', { body: 'hello', headers: { 'content-type': 'text/plain' } });
  t.equal(noType.status, 415);
  const arrayBody = await submit([1, 2, 3]);
  t.ok([400, 422].includes(arrayBody.status), `an array is not a form (${arrayBody.status})`);
  const objects = await submit({ ...base(), fullName: { $ne: null }, text: ['a'] });
  t.same(fieldsOf(objects.body).sort(), ['fullName:notText', 'text:notText']);

  const broken = await fetch(`${app.url}/api/portal/appeals`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=XYZ' }, body: '--XYZ\r\nContent-Disposition: form-data; name="text"\r\n\r\nunterminated' });
  const b = await answer(broken);
  t.equal(b.status, 400, `a broken multipart body is refused (${JSON.stringify(b.body)})`);
  t.equal(b.body.error.code, 'BAD_REQUEST');
  const hugeField = await submitMultipart(app, { ...base(), text: 'ж'.repeat(90_000) });
  t.equal(hugeField.status, 422);
  t.same(fieldsOf(hugeField.body), ['text:tooLong']);
  const health = await app.req('GET', '/api/health');
  t.equal(health.status, 200, 'the server is still well');
});

t.test('a client that goes away in the middle of an upload leaves nothing behind', async (t) => {
  const temps = () => readdirSync(uploadsDir(app.app.core)).length;
  const before = { temps: temps(), appeals: await db.read((em) => em.count(Appeal)) };
  const { hostname, port } = new URL(app.url);
  await new Promise<void>((resolve) => {
    const req = request({ hostname, port, method: 'POST', path: '/api/portal/appeals', headers: { 'content-type': 'multipart/form-data; boundary=CUT', 'content-length': '100000' } });
    req.on('error', () => resolve());
    req.write('--CUT\r\nContent-Disposition: form-data; name="fullName"\r\n\r\nИван\r\n--CUT\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n');
    req.write(Buffer.alloc(20_000, 1), async () => {
      for (let i = 0; i < 100 && temps() === before.temps; i++) await new Promise((r) => setTimeout(r, 20));
      t.equal(temps(), before.temps + 1, 'the upload was being received into a temporary folder');
      req.destroy();
      resolve();
    });
  });
  let now = temps();
  for (let i = 0; i < 100 && now > before.temps; i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = temps();
  }
  t.equal(now, before.temps, 'the temporary files are removed');
  t.equal(await db.read((em) => em.count(Appeal)), before.appeals, 'no appeal');
  const ok = await submit(base());
  t.equal(ok.status, 201, 'and the next citizen is served');
});
