/**
 * Built-in reply templates in Russian and English. Placeholders in braces are filled from the appeal:
 * {name} the applicant, {regNumber}, {operator} the operator's name, {organisation} the competent one.
 */
export type TemplateId = 'greeting' | 'documents' | 'clarify' | 'answer' | 'redirected' | 'chatHello';

export interface ReplyTemplate {
  id: TemplateId;
  ru: { title: string; text: string };
  en: { title: string; text: string };
}

export const TEMPLATES: readonly ReplyTemplate[] = [
  {
    id: 'greeting',
    ru: { title: 'Приветствие и подпись', text: 'Здравствуйте, {name}!\n\n\n\nС уважением,\n{operator}\nКонтактный центр, обращение № {regNumber}' },
    en: { title: 'Greeting and signature', text: 'Dear {name},\n\n\n\nKind regards,\n{operator}\nContact centre, appeal No. {regNumber}' },
  },
  {
    id: 'documents',
    ru: { title: 'Перечень документов', text: 'Для получения услуги понадобятся следующие документы:\n- \n\nЗаявление можно подать в любом центре госуслуг «Мои документы» или на портале.' },
    en: { title: 'List of documents', text: 'You will need the following documents:\n- \n\nYou can apply at any public services centre or on the portal.' },
  },
  {
    id: 'clarify',
    ru: { title: 'Запрос уточнения', text: 'Чтобы ответить по существу, уточните, пожалуйста:\n- \n\nОтветьте на это сообщение, указав номер обращения {regNumber}.' },
    en: { title: 'Ask for details', text: 'To answer your appeal we need a few details:\n- \n\nPlease reply to this message quoting appeal No. {regNumber}.' },
  },
  {
    id: 'answer',
    ru: { title: 'Ответ по существу', text: 'Здравствуйте, {name}!\n\nПо Вашему обращению № {regNumber} сообщаем:\n\n\nС уважением,\n{operator}' },
    en: { title: 'Answer on substance', text: 'Dear {name},\n\nConcerning your appeal No. {regNumber}:\n\n\nKind regards,\n{operator}' },
  },
  {
    id: 'redirected',
    ru: { title: 'Разъяснение о переадресации', text: 'Вопрос относится к компетенции: {organisation}. Ваше обращение № {regNumber} направлено туда, ответ Вы получите от этой организации.' },
    en: { title: 'Explain the redirection', text: 'Your question falls within the competence of {organisation}. Appeal No. {regNumber} has been sent there; they will answer you.' },
  },
  {
    id: 'chatHello',
    ru: { title: 'Чат: приветствие', text: 'Здравствуйте! Меня зовут {operator}, чем могу помочь?' },
    en: { title: 'Chat: hello', text: 'Hello! My name is {operator}. How can I help?' },
  },
];

/** Replaces {placeholders} with values; unknown or empty ones become an empty string. */
export function fillTemplate(text: string, vars: Record<string, string | null | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (_m, k: string) => vars[k] ?? '');
}

export function templateText(t: ReplyTemplate, lang: string): { title: string; text: string } {
  return lang.startsWith('en') ? t.en : t.ru;
}

/** Wrap-up codes offered when an appeal is closed (the API takes any code up to 64 characters). */
export const WRAP_UP_CODES = ['consultation', 'info_provided', 'documents_explained', 'redirected', 'complaint', 'callback_needed', 'spam', 'other'] as const;
export type WrapUpCode = (typeof WRAP_UP_CODES)[number];
