/** Checks shared by the domain's validators. */
export type Problem = [field: string, message: string];

/** The trimmed text, or a problem when it is empty or too long. */
export function requireText(problems: Problem[], field: string, value: unknown, max = 100_000): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) problems.push([field, 'is required']);
  else if (v.length > max) problems.push([field, `is longer than ${max} characters`]);
  return v;
}

export function optionalText(problems: Problem[], field: string, value: unknown, max = 100_000): string | null {
  if (value == null || value === '') return null;
  if (typeof value !== 'string') {
    problems.push([field, 'must be text']);
    return null;
  }
  const v = value.trim();
  if (v.length > max) problems.push([field, `is longer than ${max} characters`]);
  return v || null;
}

export const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A short code (letters, digits, ".", "_", "-"), or a problem. */
export function requireCode(problems: Problem[], field: string, value: unknown, max = 64): string {
  const code = requireText(problems, field, value, max);
  if (code && !CODE_RE.test(code)) problems.push([field, 'may hold only letters, digits, ".", "_" and "-"']);
  return code;
}
