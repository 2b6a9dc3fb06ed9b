/** What to tell people about a failed request, in their language. */
import { ApiError } from '../api/http.ts';

type T = (key: string, values?: Record<string, unknown>) => string;

export function errorText(err: Error, t: T): string {
  if (!(err instanceof ApiError)) return err.message || t('errors.unknown');
  switch (err.status) {
    case 0:
      return t('errors.network');
    case 401:
      return t('errors.unauthorized');
    case 403:
      return t('errors.forbidden');
    case 404:
      return t('errors.notFound');
    case 409:
      return `${t('errors.conflict')}: ${err.message}`;
    case 413:
      return `${t('errors.tooLarge')}: ${err.message}`;
    case 422:
      return t('errors.validation');
    case 429:
      return t('errors.tooMany');
    case 503:
      return t('errors.unavailable');
    default:
      return err.status >= 500 ? t('errors.server') : err.message;
  }
}
