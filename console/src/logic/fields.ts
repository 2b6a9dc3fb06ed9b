/**
 * Per-field validation errors from the API ({ error: { fields: [{ field, message }] } }) keyed for a
 * form. The API names nested fields like "requiredDocuments[2]" or "applicant.fullName"; the form gets
 * both the exact name and its top-level field, so a list shows the error on the item and on the list.
 */
import type { FieldError } from '../api/http.ts';

export function fieldMessages(fields: readonly FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const name = f.field.replace(/^(body|params)\./, '');
    out[name] ??= f.message;
    const top = name.split(/[.[]/)[0]!;
    out[top] ??= f.message;
  }
  return out;
}
