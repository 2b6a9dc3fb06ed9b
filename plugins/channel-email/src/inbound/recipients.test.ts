/** The recipient policy that keeps the SMTP server from ever relaying. */
import t from 'tap';
import { RecipientPolicy } from './recipients.js';

const p = new RecipientPolicy(['Obrashchenie@City.test'], ['appeals.city.test.']);

t.test('configured addresses and whole domains, case-insensitively', async (t) => {
  for (const a of ['obrashchenie@city.test', 'OBRASHCHENIE@CITY.TEST', 'anyone@appeals.city.test', 'x@APPEALS.city.test.']) t.ok(p.accepts(a), a);
});

t.test('everything else, and the old relay tricks, refused', async (t) => {
  for (const a of ['other@city.test', 'x@elsewhere.example', 'x@sub.appeals.city.test', 'x@appeals.city.test.evil.example', 'victim%evil.example@appeals.city.test',
    'evil.example!victim@appeals.city.test', '@appeals.city.test', 'appeals.city.test', 'x@', '']) t.notOk(p.accepts(a), JSON.stringify(a));
  t.equal(p.describe(), 'obrashchenie@city.test, *@appeals.city.test');
});
