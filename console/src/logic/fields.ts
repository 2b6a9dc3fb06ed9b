/**
 * Per-field validation errors from the API ({ error: { fields: [{ field, message }] } }) keyed for a
 * form. The API names nested fields like "requiredDocuments[2]" or "applicant.fullName"; the form gets
 * both the exact name and its top-level field, so a list shows the error on the item and on the list.
 * The API words its messages in English; the common ones are said in the console's language.
 */
import type { FieldError } from '../api/http.ts';

type Translate = (key: string, values?: Record<string, unknown>) => string;

/** Message patterns of the core's validators (core/src/domain/text-fields.ts and friends) and their keys. */
const KNOWN: [RegExp, string][] = [
  [/^is required\b|^The '.+' field is required\.?$/, 'validation.required'],
  [/^is empty$/, 'validation.empty'],
  [/^is longer than ([\d,]+) characters$/, 'validation.tooLong'],
  [/^"(.+)" is taken$/, 'validation.taken'],
  [/^is not an e-mail address$/, 'validation.email'],
  [/^may hold only letters, digits/, 'validation.code'],
  [/^must list at least one document/, 'validation.documents'],
  [/^must be at least (\d+) characters$/, 'validation.tooShort'],
  [/^must name at least one role$/, 'validation.roles'],
  [/^(?:organisation|service|site) \d+ does not exist$/, 'validation.missing'],
];

/** The message in the console's language when it is a known one, else as the API said it. */
export function localizeMessage(message: string, t?: Translate): string {
  if (!t) return message;
  for (const [re, key] of KNOWN) {
    const m = re.exec(message);
    if (m) return t(key, { n: m[1] ?? '', value: m[1] ?? '' });
  }
  return message;
}

export function fieldMessages(fields: readonly FieldError[], t?: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const name = f.field.replace(/^(body|params)\./, '');
    const message = localizeMessage(f.message, t);
    out[name] ??= message;
    const top = name.split(/[.[]/)[0]!;
    out[top] ??= message;
  }
  return out;
}
