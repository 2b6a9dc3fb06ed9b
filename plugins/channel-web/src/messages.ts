/**
 * What the portal tells citizens, in Russian (the default) and English: field problems by a stable
 * key (the widget and other clients may show their own text for a key) and status names.
 */
import { DomainError } from '@okno/core';

export type Lang = 'ru' | 'en';
export const LANGS: readonly Lang[] = ['ru', 'en'];

export function langOf(v: unknown): Lang {
  return typeof v === 'string' && v.trim().toLowerCase().startsWith('en') ? 'en' : 'ru';
}

type Text = Record<Lang, string>;

export const FIELD_MESSAGES = {
  required: { ru: 'Заполните это поле', en: 'This field is required' },
  tooLong: { ru: 'Не длиннее {max} символов', en: 'At most {max} characters' },
  notText: { ru: 'Должно быть текстом', en: 'Must be text' },
  controlChars: { ru: 'Содержит недопустимые символы', en: 'Contains characters that are not allowed' },
  unknownField: { ru: 'Форма не знает такого поля', en: 'The form has no such field' },
  email: { ru: 'Это не адрес электронной почты', en: 'This is not an e-mail address' },
  phone: { ru: 'Это не номер телефона', en: 'This is not a phone number' },
  contactRequired: {
    ru: 'Укажите адрес электронной почты (для ответа в электронной форме) или почтовый адрес (для ответа в письменной форме)',
    en: 'Give an e-mail address (for an electronic answer) or a postal address (for a paper answer)',
  },
  replyByEmailNeedsEmail: { ru: 'Для ответа по электронной почте укажите её адрес', en: 'Give an e-mail address to get the answer by e-mail' },
  replyByPostNeedsAddress: { ru: 'Для ответа по почте укажите почтовый адрес', en: 'Give a postal address to get the answer by post' },
  oneOf: { ru: 'Выберите одно из значений: {values}', en: 'Choose one of: {values}' },
  number: { ru: 'Должно быть целым положительным числом', en: 'Must be a positive whole number' },
  unknownService: { ru: 'Такой услуги нет в реестре', en: 'There is no such service in the registry' },
  submissionId: {
    ru: 'Идентификатор отправки формы: от 16 до 100 латинских букв, цифр, «-» и «_»; обновите страницу',
    en: 'The form submission id must be 16 to 100 Latin letters, digits, "-" and "_"; reload the page',
  },
  badId: { ru: 'Идентификатор от браузера неверен; обновите страницу', en: 'The id sent by the browser is not valid; reload the page' },
  identityInvalid: { ru: 'Подтверждение личности недействительно; войдите на портал снова', en: 'The proof of identity is not valid; sign in on the portal again' },
  identityExpired: { ru: 'Срок подтверждения личности истёк; войдите на портал снова', en: 'The proof of identity has expired; sign in on the portal again' },
  identityDisabled: { ru: 'Вход через портал здесь не настроен', en: 'Signing in through the portal is not set up here' },
  tooManyFiles: { ru: 'Не больше {max} файлов', en: 'At most {max} files' },
  fileType: { ru: 'Файлы типа {mime} не принимаются', en: 'Files of type {mime} are not accepted' },
  fileTooLarge: { ru: 'Файл «{filename}» больше {max}', en: 'File "{filename}" is larger than {max}' },
  totalTooLarge: { ru: 'Файлы вместе больше {max}', en: 'The files together are larger than {max}' },
  emptyFile: { ru: 'Файл «{filename}» пуст', en: 'File "{filename}" is empty' },
  regNumber: { ru: 'Номер обращения выглядит так: 25-000123-4', en: 'A registration number looks like 25-000123-4' },
  chatClosed: { ru: 'Чат завершён', en: 'The chat has ended' },
} satisfies Record<string, Text>;

export type MessageKey = keyof typeof FIELD_MESSAGES;

export function fill(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => (params[k] === undefined ? `{${k}}` : String(params[k])));
}

export function text(key: MessageKey, lang: Lang, params?: Record<string, unknown>): string {
  return fill(FIELD_MESSAGES[key][lang], params);
}

/** A problem with one field, by message key. */
export interface FieldIssue {
  field: string;
  key: MessageKey;
  params?: Record<string, unknown>;
}

/** 422 naming each field, with the key, the text in the citizen's language and the other language. */
export function fieldErrors(issues: FieldIssue[], lang: Lang): DomainError {
  const fields = issues.map((i) => ({
    field: i.field,
    type: i.key,
    key: `portal.${i.key}`,
    message: text(i.key, lang, i.params),
    messages: { ru: text(i.key, 'ru', i.params), en: text(i.key, 'en', i.params) },
    ...(i.params ? { params: i.params } : {}),
  }));
  return new DomainError(`invalid input: ${fields.map((f) => `${f.field}: ${f.messages.en}`).join('; ')}`, 422, 'VALIDATION_ERROR', { fields });
}

export function humanBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export const STATUS_NAMES: Record<string, Text> = {
  received: { ru: 'Получено, ожидает регистрации', en: 'Received, awaiting registration' },
  registered: { ru: 'Зарегистрировано', en: 'Registered' },
  in_progress: { ru: 'Рассматривается', en: 'Being considered' },
  deferred: { ru: 'Рассматривается специалистом', en: 'With a specialist' },
  suspended: { ru: 'Рассмотрение приостановлено', en: 'Consideration suspended' },
  redirected: { ru: 'Направлено по компетенции', en: 'Sent to the competent body' },
  answered: { ru: 'Дан ответ', en: 'Answered' },
  closed: { ru: 'Рассмотрение завершено', en: 'Closed' },
};
