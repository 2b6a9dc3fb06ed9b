/**
 * End to end over SMTP: nodemailer sends to our server, a whole core takes the appeal, the outbound
 * side talks to a real SMTP sink. What the sender is told (250, 451, 550, 552) and what is committed.
 */
import t from 'tap';
import { Appeal, Interaction, Notice, ContactPoint } from '@okno/core';
import { startEmailApp, until, CITY_ADDRESS } from './test-support/harness.js';

const e = await startEmailApp();
t.teardown(() => e.stop());
const db = e.app.app.db;
const appealBy = (subject: string) => db.read((em) => em.findOneBy(Appeal, { subject }));

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
  t.equal(appeal!.replyChannel, 'email');
  t.equal(appeal!.replyAddress, 'maria@example.ru');
  const contacts = await db.read((em) => em.findBy(ContactPoint, { applicantId: appeal!.applicantId }));
  t.same(contacts.map((c) => c.value), ['maria@example.ru']);
  const inter = await db.read((em) => em.findOneBy(Interaction, { appealId: appeal!.id, direction: 'in' }));
  t.equal(inter!.externalId, '<first-1@example.ru>');
  t.match(inter!.body, /яма глубиной полметра/);
  const notice = await until('the received notice at the sink', () => e.sink.mails.find((m) => m.subject.includes(appeal!.regNumber!)));
  t.equal(notice.envelope.to[0], 'maria@example.ru');
  t.equal(notice.parsed.headers.get('auto-submitted'), 'auto-replied', 'the notice says it is automatic (no autoresponder loop)');
  t.equal(notice.parsed.inReplyTo, '<first-1@example.ru>', 'it threads under the applicant\'s mail');
  const sent = await until('notice marked sent', () => db.read((em) => em.findOneBy(Notice, { appealId: appeal!.id, kind: 'received', status: 'sent' })));
  t.ok(sent.interactionId);
});
