/**
 * What the operator reads on a received fax's appeal (in Russian, like the rest of the desk): who sent
 * it, how many pages, when and where it came in, and what to do when the pages could not be drawn.
 */
import { normalizeContact } from '@okno/core';

export interface FaxTextInput {
  remoteId: string | null;
  pages: number | null;
  receivedAt: Date;
  timeZone: string;
  siteName: string | null;
  agent: string;
  modemId: string | null;
  /** Why no page could be shown (the file could not be read or was not found). */
  fileProblem: string | null;
  /** Pages that could not be drawn, and why. */
  pageProblems: string[];
  /** The agent's site is not a site of the core (the appeal went to another one). */
  unknownSite: string | null;
  /** The call was cut short by the agent's receive limits, and why. */
  incomplete?: string | null;
}

/** The sender's fax number as a contact, when the station id looks like one. */
export function faxContact(remoteId: string | null): { kind: 'fax'; value: string } | null {
  return remoteId && normalizeContact('fax', remoteId).length >= 5 ? { kind: 'fax', value: remoteId } : null;
}

function when(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d).replace(',', '');
}

const sender = (remoteId: string | null) => (remoteId ? remoteId : 'неизвестного отправителя (номер не передан)');

export function faxSubject(i: Pick<FaxTextInput, 'remoteId' | 'pages'>): string {
  return `Факс от ${i.remoteId ?? 'неизвестного отправителя'}${i.pages ? `, ${i.pages} стр.` : ''}`;
}

export function faxBody(i: FaxTextInput): string {
  const where = [i.siteName, `агент ${i.agent}`, i.modemId ? `модем ${i.modemId}` : null].filter(Boolean).join(', ');
  const lines = [`Входящий факс от ${sender(i.remoteId)}, ${i.pages ?? '?'} стр., принят ${when(i.receivedAt, i.timeZone)} (${where}).`];
  if (i.fileProblem) {
    lines.push(`Изображения страниц построить не удалось (техническая причина: ${i.fileProblem}). Исходный файл факса приложен к обращению как есть; если он не открывается, сообщите технику площадки.`);
  } else {
    lines.push('Страницы факса приложены как изображения PNG (и исходный файл TIFF).');
  }
  if (i.incomplete) lines.push(`Факс принят не полностью: приём прерван (${i.incomplete}). Приложены страницы, принятые до этого; остальные попросите отправителя прислать ещё раз.`);
  if (i.pageProblems.length) lines.push(`Некоторые страницы показать не удалось (техническая причина: ${i.pageProblems.join('; ')}); они есть в исходном файле TIFF.`);
  if (i.unknownSite) lines.push(`Площадка агента «${i.unknownSite}» не найдена в справочнике площадок; обращение отнесено к площадке по умолчанию.`);
  lines.push('Обращение не зарегистрировано: внесите с изображения фамилию, имя, адрес для ответа и суть обращения и зарегистрируйте его.');
  return lines.join('\n');
}
