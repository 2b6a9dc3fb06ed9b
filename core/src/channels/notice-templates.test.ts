import t from 'tap';
import { renderNotice, NOTICE_TEMPLATES } from './notice-templates.js';

t.test('every notice kind has a Russian and an English text with the number filled in', async (t) => {
  for (const lang of ['ru', 'en'] as const) {
    for (const kind of Object.keys(NOTICE_TEMPLATES.ru) as (keyof typeof NOTICE_TEMPLATES.ru)[]) {
      const r = renderNotice(kind, lang, { regNumber: '26-000123-4', answerBy: '2026-04-03T20:59:59.999Z', organisation: 'Росреестр', reason: 'причина', message: 'готово' }, 'Europe/Moscow');
      t.match(r.subject, /26-000123-4/, `${lang} ${kind} subject`);
      t.notMatch(r.text, /\{\w+\}/, `${lang} ${kind}: no variable left unfilled`);
    }
  }
});

t.test('dates are in the city time zone and read well', async (t) => {
  const ru = renderNotice('received', 'ru', { regNumber: '26-000123-4', answerBy: '2026-04-03T20:59:59.999Z' }, 'Europe/Moscow');
  t.match(ru.text, /не позднее 3 апреля 2026\.\n/, 'one period after the date');
  const en = renderNotice('extended', 'en', { regNumber: '26-000123-4', answerBy: '2026-05-04T20:59:59.999Z', reason: 'x' }, 'Europe/Moscow');
  t.match(en.text, /until 4 May 2026\./);
  const unknown = renderNotice('received', 'ru', { regNumber: '26-000123-4' }, 'Europe/Moscow');
  t.match(unknown.text, /установленного срока/, 'a missing date says "the legal term"');
});
