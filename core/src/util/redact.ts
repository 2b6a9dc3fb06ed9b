/** Hiding secrets before a config is logged or shown (the health view, `okno config`). */

const SECRET_KEY = /(pass|secret|token|key|credential)/i;

/** A copy of a config object with the values of secret-looking keys (password, secret, token, key...) replaced by "***". */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v != null && v !== '' && typeof v !== 'object' ? '***' : redactSecrets(v)])) as T;
  }
  return value;
}
