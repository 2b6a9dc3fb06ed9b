/**
 * Texts of the notices to applicants, in Russian and English. Variables: {regNumber}, {answerBy},
 * {organisation}, {reason}, {message}. Dates are shown in the city's time zone.
 */
import type { NoticeKind } from '../persistence/entities/index.js';

type Lang = 'ru' | 'en';
interface Template {
  subject: string;
  text: string;
}

export const NOTICE_TEMPLATES: Record<Lang, Record<NoticeKind, Template>> = {
  ru: {
    received: {
      subject: 'Ваше обращение зарегистрировано: № {regNumber}',
      text: 'Здравствуйте!\n\nВаше обращение зарегистрировано под номером {regNumber}.\nОтвет будет дан не позднее {answerBy}.\nСохраните номер: по нему можно узнать состояние обращения.\n\nЕдиный контактный центр',
    },
    redirected: {
      subject: 'Обращение № {regNumber} направлено в {organisation}',
      text: 'Здравствуйте!\n\nВаше обращение № {regNumber} направлено для рассмотрения по компетенции в {organisation}.\nПричина: {reason}\nОтвет вам направит эта организация.\n\nЕдиный контактный центр',
    },
    extended: {
      subject: 'Срок рассмотрения обращения № {regNumber} продлён',
      text: 'Здравствуйте!\n\nСрок рассмотрения вашего обращения № {regNumber} продлён до {answerBy}.\nПричина: {reason}\n\nЕдиный контактный центр',
    },
    answered: {
      subject: 'Ответ на обращение № {regNumber}',
      text: 'Здравствуйте!\n\nНа ваше обращение № {regNumber} дан ответ.\n\nЕдиный контактный центр',
    },
    ready_early: {
      subject: 'Результат по обращению № {regNumber} готов досрочно',
      text: 'Здравствуйте!\n\nПо вашему обращению № {regNumber}: {message}\n\nЕдиный контактный центр',
    },
    suspended: {
      subject: 'Работа по обращению № {regNumber} приостановлена',
      text: 'Здравствуйте!\n\nРабота по вашему обращению № {regNumber} приостановлена.\nПричина: {reason}\nМы сообщим, когда она возобновится.\n\nЕдиный контактный центр',
    },
  },
  en: {
    received: {
      subject: 'Your appeal is registered: No. {regNumber}',
      text: 'Hello,\n\nyour appeal is registered under number {regNumber}.\nYou will receive an answer no later than {answerBy}.\nKeep the number: it lets you check the status of your appeal.\n\nCity contact centre',
    },
    redirected: {
      subject: 'Appeal No. {regNumber} was sent to {organisation}',
      text: 'Hello,\n\nyour appeal No. {regNumber} was sent to {organisation}, which is competent to consider it.\nReason: {reason}\nThat organisation will answer you.\n\nCity contact centre',
    },
    extended: {
      subject: 'The term for appeal No. {regNumber} is extended',
      text: 'Hello,\n\nthe term for considering your appeal No. {regNumber} is extended until {answerBy}.\nReason: {reason}\n\nCity contact centre',
    },
    answered: {
      subject: 'Answer to appeal No. {regNumber}',
      text: 'Hello,\n\nyour appeal No. {regNumber} has been answered.\n\nCity contact centre',
    },
    ready_early: {
      subject: 'The result for appeal No. {regNumber} is ready early',
      text: 'Hello,\n\nregarding your appeal No. {regNumber}: {message}\n\nCity contact centre',
    },
    suspended: {
      subject: 'Work on appeal No. {regNumber} is suspended',
      text: 'Hello,\n\nwork on your appeal No. {regNumber} is suspended.\nReason: {reason}\nWe will let you know when it resumes.\n\nCity contact centre',
    },
  },
};

export function formatDue(iso: unknown, lang: string, timeZone: string): string {
  if (typeof iso !== 'string') return lang === 'en' ? 'the legal term' : 'установленного срока';
  // Russian dates end in "г." ("3 апреля 2026 г."); the templates end sentences themselves.
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ru-RU', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(new Date(iso)).replace(/\s*г\.$/, '');
}

/** The subject and text of a notice, with the variables filled in. */
export function renderNotice(kind: NoticeKind, lang: string, data: Record<string, unknown>, timeZone: string): { subject: string; text: string } {
  const l: Lang = lang === 'en' ? 'en' : 'ru';
  const tpl = NOTICE_TEMPLATES[l][kind];
  const vars: Record<string, string> = {
    regNumber: String(data.regNumber ?? '—'),
    answerBy: formatDue(data.answerBy, l, timeZone),
    organisation: String(data.organisation ?? ''),
    reason: String(data.reason ?? ''),
    message: String(data.message ?? ''),
  };
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
  return { subject: fill(tpl.subject), text: fill(tpl.text) };
}
