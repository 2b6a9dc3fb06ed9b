/** Parsing real-world and hostile mail: charsets, transfer encodings, broken MIME, huge headers, HTML. */
import t from 'tap';
import { parseMail, UnparseableMailError } from './parse-mail.js';
import { rawMessage, baseHeaders, encodeSingleByte, quotedPrintable, base64Lines, bounceReport } from '../test-support/fixtures.js';

const RU = 'Прошу отремонтировать подъезд: щели, сквозняк, ёлки-палки. "Срочно"!';

t.test('KOI8-R and windows-1251 bodies, in quoted-printable and base64, come out as the same Russian text', async (t) => {
  for (const charset of ['koi8-r', 'windows-1251']) {
    const bytes = encodeSingleByte(RU, charset);
    for (const [cte, body] of [['quoted-printable', quotedPrintable(bytes)], ['base64', base64Lines(bytes)], ['8bit', bytes]] as const) {
      const raw = rawMessage({ ...baseHeaders('Подъезд', `<${charset}-${cte}@example.ru>`), 'Content-Type': `text/plain; charset=${charset}`, 'Content-Transfer-Encoding': cte }, body as string | Buffer);
      const mail = await parseMail(raw);
      t.equal(mail.text, RU, `${charset} ${cte}`);
    }
  }
  // A subject encoded word in KOI8-R too.
  const subj = `=?KOI8-R?B?${encodeSingleByte('Жалоба', 'koi8-r').toString('base64')}?=`;
  const mail = await parseMail(rawMessage({ ...baseHeaders('x', '<s@x>'), Subject: subj, 'Content-Type': 'text/plain; charset=utf-8' }, 'x'));
  t.equal(mail.subject, 'Жалоба');
});

t.test('an unknown or wrong charset gives readable text, never an error', async (t) => {
  const unknown = await parseMail(rawMessage({ ...baseHeaders('Неизвестная кодировка', '<unk@x>'), 'Content-Type': 'text/plain; charset=x-klingon-42' }, 'Plain ASCII text survives'));
  t.match(unknown.text, /Plain ASCII text survives/);
  // Declared UTF-8, really windows-1251: not valid UTF-8, still no crash, replacement characters at worst.
  const wrong = await parseMail(rawMessage({ ...baseHeaders('Не та кодировка', '<wrong@x>'), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': '8bit' }, Buffer.concat([Buffer.from('Number 42: '), encodeSingleByte('Привет', 'windows-1251')])));
  t.match(wrong.text, /^Number 42: /);
  t.equal(wrong.subject, 'Не та кодировка');
});

t.test('HTML mail is reduced to text without script, style or javascript links', async (t) => {
  const html = '<html><head><style>body{display:none}</style><script>steal(document.cookie)</script></head><body>' +
    '<p>Текст <b>обращения</b></p><script type="text/javascript">alert("xss")</script><a href="javascript:alert(1)">нажми</a> ' +
    '<a href="https://www.mos.ru/">портал</a><img src="x" onerror="alert(2)"><iframe src="https://evil.example/">frame</iframe></body></html>';
  const mail = await parseMail(rawMessage({ ...baseHeaders('HTML', '<html@x>'), 'Content-Type': 'text/html; charset=utf-8' }, html));
  t.match(mail.text, /Текст обращения/);
  t.match(mail.text, /портал <https:\/\/www\.mos\.ru\/>/);
  t.notMatch(mail.text, /steal|alert|xss|display:none|javascript|onerror|frame/);
});

t.test('multipart: the plain alternative is the text, attachments come with their names and bytes', async (t) => {
  const pdf = Buffer.from('%PDF-1.4 fake but bytes are bytes\n');
  const raw = rawMessage({ ...baseHeaders('С вложением', '<mp@x>'), 'Content-Type': 'multipart/mixed; boundary="outer"' }, [
    '--outer', 'Content-Type: multipart/alternative; boundary="alt"', '',
    '--alt', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(Buffer.from('Простой текст')),
    '--alt', 'Content-Type: text/html; charset=utf-8', '', '<p>HTML <script>x()</script>текст</p>', '--alt--',
    '--outer', 'Content-Type: application/pdf', `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent('Справка.pdf')}`, 'Content-Transfer-Encoding: base64', '', base64Lines(pdf),
    '--outer--', '',
  ].join('\n'));
  const mail = await parseMail(raw);
  t.equal(mail.text, 'Простой текст');
  t.equal(mail.attachments.length, 1);
  t.equal(mail.attachments[0]!.filename, 'Справка.pdf');
  t.equal(mail.attachments[0]!.contentType, 'application/pdf');
  t.same(mail.attachments[0]!.content, pdf);
});

t.test('broken MIME (a boundary that never comes, a missing end, garbage between parts) still gives the text', async (t) => {
  const noEnd = await parseMail(rawMessage({ ...baseHeaders('Без конца', '<noend@x>'), 'Content-Type': 'multipart/mixed; boundary="b1"' }, ['--b1', 'Content-Type: text/plain; charset=utf-8', '', 'Часть без закрывающей границы'].join('\n')));
  t.match(noEnd.text, /Часть без закрывающей границы/);
  const wrongBoundary = await parseMail(rawMessage({ ...baseHeaders('Не та граница', '<wb@x>'), 'Content-Type': 'multipart/mixed; boundary="declared"' }, ['--other', 'Content-Type: text/plain', '', 'Текст под чужой границей', '--other--'].join('\n')));
  t.type(wrongBoundary.text, 'string', 'parsed, whatever the text is');
  const noBoundaryParam = await parseMail(rawMessage({ ...baseHeaders('Нет параметра', '<nb@x>'), 'Content-Type': 'multipart/mixed' }, 'Просто текст без частей'));
  t.type(noBoundaryParam.text, 'string');
  const badBase64 = await parseMail(rawMessage({ ...baseHeaders('Плохой base64', '<b64@x>'), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': 'base64' }, '!!!not*base64@@@\n0J/RgNC40LLQtdGC'));
  t.type(badBase64.text, 'string');
});

t.test('a header block over 1 MB is refused as unparseable (a clear permanent error)', async (t) => {
  const raw = rawMessage({ ...baseHeaders('Огромный заголовок', '<huge@x>'), 'X-Junk': 'a'.repeat(1024 * 1024 + 10) }, 'text');
  const err = await parseMail(raw).catch((e: unknown) => e);
  t.ok(err instanceof UnparseableMailError, 'an UnparseableMailError');
  t.match((err as Error).message, /header size/i);
});

t.test('threading keys, reply address and an id when the mail has none', async (t) => {
  const mail = await parseMail(rawMessage({
    ...baseHeaders('Re: Ответ на обращение № 25-000012-3', '<reply@x>'), 'In-Reply-To': '<okno.reply-7@city.test>',
    References: '<first@example.ru> <okno.notice-3@city.test>\r\n <okno.reply-7@city.test>', 'Reply-To': 'Другой адрес <other@example.ru>',
  }, 'Спасибо'));
  t.same(mail.threadKeys, ['<okno.reply-7@city.test>', '<okno.notice-3@city.test>', '<first@example.ru>']);
  t.equal(mail.replyAddress, 'other@example.ru', 'Reply-To wins for answers');
  t.same(mail.from, { name: 'Пётр Сидоров', address: 'petr@example.ru' });
  const headers: Record<string, string> = { ...baseHeaders('no id', 'x') };
  delete headers['Message-ID'];
  const a = await parseMail(rawMessage(headers, 'same bytes'));
  const b = await parseMail(rawMessage(headers, 'same bytes'));
  t.match(a.messageId, /^<sha256\.[0-9a-f]{64}@okno\.invalid>$/);
  t.equal(a.messageId, b.messageId, 'the same bytes are the same message (a resend after 451 is one appeal)');
  const noFrom = await parseMail(rawMessage({ To: 'x@y', Subject: 'x' }, 'x'), { mailFrom: 'env@example.ru' });
  t.equal(noFrom.from.address, 'env@example.ru', 'without From, the envelope sender');
  const badFrom = await parseMail(rawMessage({ From: 'not an address', Subject: 'x' }, 'x'));
  t.same(badFrom.from.address, null);
});

t.test('automatic mail and delivery reports are recognised', async (t) => {
  for (const [h, v] of [['Auto-Submitted', 'auto-replied'], ['X-Autoreply', 'yes'], ['Precedence', 'bulk'], ['Precedence', 'list'], ['List-Id', '<news.example.ru>']]) {
    const m = await parseMail(rawMessage({ ...baseHeaders('Нет на месте', '<ooo@x>'), [h!]: v! }, 'I am away'));
    t.ok(m.autoSubmitted, `${h}: ${v}`);
  }
  t.equal((await parseMail(rawMessage({ ...baseHeaders('Человек', '<h@x>'), 'Auto-Submitted': 'no' }, 'x'))).autoSubmitted, null);
  t.ok((await parseMail(rawMessage(baseHeaders('x', '<n@x>'), 'x'), { mailFrom: '' })).autoSubmitted, 'the null sender');
  const dsn = await parseMail(bounceReport({ originalMessageId: '<okno.notice-9@city.test>', recipient: 'gone@example.ru' }));
  t.equal(dsn.bounce?.action, 'failed');
  t.equal(dsn.bounce?.status, '5.1.1');
  t.equal(dsn.bounce?.recipient, 'gone@example.ru');
  t.match(dsn.bounce?.diagnostic, /User unknown/);
  t.same(dsn.bounce?.originalMessageIds, ['<okno.notice-9@city.test>']);
  t.equal((await parseMail(bounceReport({ originalMessageId: '<a@b>', recipient: 'x@y', action: 'delayed', status: '4.4.1' }))).bounce?.action, 'delayed');
  t.equal((await parseMail(rawMessage(baseHeaders('x', '<plain@x>'), 'x'))).bounce, null);
});
