import t from 'tap';
import { checkSubmission } from './submission.js';

const limits = { maxTextLength: 100, maxSubjectLength: 20 };
const ok = { submissionId: 'form-0123456789abcdef', fullName: '  Ёлкина   Анна ', email: 'anna@example.ru', text: 'Текст' };
const issues = (raw: Record<string, unknown>) => checkSubmission(raw, limits).issues.map((i) => `${i.field}:${i.key}`);

t.test('a good form gives the input, trimmed and normalised', async (t) => {
  const r = checkSubmission({ ...ok, fullName: 'Е\u0308лкина Анна ', serviceId: '12', lang: 'en' }, limits);
  t.same(r.issues, []);
  t.equal(r.input!.fullName, 'Ёлкина Анна', 'NFC: a decomposed Ё is one character');
  t.equal(r.input!.serviceId, 12);
  t.equal(r.input!.replyBy, 'email', 'by e-mail when one is given');
  t.equal(r.input!.lang, 'en');
  t.equal(checkSubmission({ ...ok, email: undefined, postalAddress: 'Москва' }, limits).input!.replyBy, 'post', 'by post when only an address is given');
  t.equal(checkSubmission({ ...ok, postalAddress: 'Москва', replyBy: 'post' }, limits).input!.replyBy, 'post', 'the citizen chooses');
});

t.test('the address for the answer (59-FZ art. 7)', async (t) => {
  t.same(issues({ ...ok, email: '' }), ['email:contactRequired', 'postalAddress:contactRequired']);
  t.same(issues({ ...ok, email: 'bad' }), ['email:email'], 'a bad e-mail is named, not "missing"');
  t.same(issues({ ...ok, replyBy: 'post' }), ['postalAddress:replyByPostNeedsAddress']);
  t.same(issues({ ...ok, email: undefined, postalAddress: 'Москва', replyBy: 'email' }), ['email:replyByEmailNeedsEmail']);
});

t.test('every field is checked and named', async (t) => {
  t.same(issues({}), ['submissionId:required', 'fullName:required', 'text:required', 'email:contactRequired', 'postalAddress:contactRequired']);
  t.same(issues({ ...ok, submissionId: 'short!' }), ['submissionId:submissionId']);
  t.same(issues({ ...ok, text: 'x'.repeat(101) }), ['text:tooLong']);
  t.same(issues({ ...ok, subject: 'x'.repeat(21) }), ['subject:tooLong']);
  t.same(issues({ ...ok, text: 'a\u0000b' }), ['text:controlChars']);
  t.same(issues({ ...ok, text: 'строка\nстрока\tтаб' }), [], 'new lines and tabs are fine in the text');
  t.same(issues({ ...ok, fullName: 'Анна\nПетрова' }), ['fullName:controlChars'], 'not in a name');
  t.same(issues({ ...ok, phone: '+7 (495) 000-00-00' }), []);
  t.same(issues({ ...ok, phone: '12' }), ['phone:phone']);
  t.same(issues({ ...ok, serviceId: -1 }), ['serviceId:number']);
  t.same(issues({ ...ok, serviceId: '1e3' }), ['serviceId:number']);
  t.same(issues({ ...ok, lang: 'de' }), ['lang:oneOf']);
  t.same(issues({ ...ok, fullName: 42 }), ['fullName:notText']);
  t.same(issues({ ...ok, __proto__: 'x', constructor: 'y' } as Record<string, unknown>), ['constructor:unknownField']);
  t.equal(checkSubmission({ ...ok, text: '' }, limits).lang, 'ru', 'Russian unless English is asked for');
});
