/** Hiding secrets before a config is logged or shown (the health view, `okno config`). */

const SECRET_KEY = /(pass|secret|token|key|credential)/i;

/** A URL with credentials in it (scheme://user:password@host...), anywhere a string starts. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@/i;

/** A string that is a URL with a password has the password replaced by "***"; any other string is returned as it is. */
export function hideUrlPassword(value: string): string {
  if (!URL_WITH_PASSWORD.test(value)) return value;
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return value.replace(/(:\/\/[^/?#@\s:]*:)[^/?#@\s]*@/, '$1***@');
  }
}

/**
 * A copy of a config object with the values of secret-looking keys (password, secret, token, key...)
 * replaced by "***", and passwords written into URLs (mysql://user:pass@host, http://u:p@pbx) hidden.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (typeof value === 'string') return hideUrlPassword(value) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v != null && v !== '' && typeof v !== 'object' ? '***' : redactSecrets(v)])) as T;
  }
  return value;
}
