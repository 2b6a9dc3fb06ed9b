/**
 * Text for full-text search that finds Russian words in their other forms: words are lower-cased,
 * ё is folded to е, and each word is reduced to its Snowball stem (Russian for Cyrillic words,
 * English for Latin ones). Documents are indexed by stems and queries match stems as prefixes, so
 * «документов», «документы» and «документ» meet, and «жилья» finds «жилищной».
 */
import snowball from 'snowball-stemmers';

const ru = snowball.newStemmer('russian');
const en = snowball.newStemmer('english');

/** Shorter search terms are ignored: MySQL's InnoDB full-text index does not store them. */
export const MIN_TERM_LENGTH = 3;

export function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/ё/g, 'е');
}

export function tokenize(text: string): string[] {
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).map(normalizeWord);
}

export function stemWord(word: string): string {
  const w = normalizeWord(word);
  if (/^\p{N}+$/u.test(w)) return w;
  return /[а-я]/.test(w) ? ru.stem(w) : en.stem(w);
}

/** The stems of a text, in order, for the index. */
export function stems(text: string): string[] {
  return tokenize(text).map(stemWord);
}

/** The distinct stems of a query that the index can match. */
export function queryTerms(query: string): string[] {
  return [...new Set(stems(query).filter((s) => s.length >= MIN_TERM_LENGTH))];
}

/** An FTS5 MATCH expression: every term as a quoted prefix. */
export function fts5Query(terms: string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' AND ');
}

/** A MySQL boolean-mode expression: every term required, as a prefix. */
export function mysqlBooleanQuery(terms: string[]): string {
  return terms.map((t) => `+${t}*`).join(' ');
}

/** A short excerpt of `body` around the first place a term occurs. */
export function snippet(body: string, terms: string[], width = 160): string {
  const lower = normalizeWord(body);
  let at = -1;
  for (const t of terms) {
    const m = new RegExp(`(^|[^\\p{L}\\p{N}])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'u').exec(lower);
    if (m && (at < 0 || m.index < at)) at = m.index + m[1]!.length;
  }
  if (at < 0) return body.slice(0, width).trim() + (body.length > width ? '…' : '');
  const start = Math.max(0, at - Math.floor(width / 3));
  const text = body.slice(start, start + width).trim();
  return (start > 0 ? '…' : '') + text + (start + width < body.length ? '…' : '');
}
