/**
 * Errors raised by the calendar module. Both carry enough for an API layer to answer with a 4xx that
 * names what is wrong, without parsing messages.
 */

/** A BusinessCalendar or DeadlinePolicy config that cannot be used; `issues` lists every problem found. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** What was being configured: 'BusinessCalendar' or 'DeadlinePolicy'. */
    readonly subject: string,
    /** One line per problem, each starting with the path of the offending field. */
    readonly issues: readonly string[],
  ) {
    super(`invalid ${subject} config: ${issues.join('; ')}`);
  }
}

/** Why a deadline operation was refused. */
export type DeadlineErrorCode =
  | 'EXTENSION_LIMIT_REACHED'
  | 'EXTENSION_TOO_LONG'
  | 'EXTENSION_INVALID_DAYS'
  | 'EXTENSION_REASON_REQUIRED'
  | 'EXTENSION_AFTER_DUE';

/** A deadline rule refused the request (for example a second extension of the answer term). */
export class DeadlineRuleError extends Error {
  override readonly name = 'DeadlineRuleError';
  constructor(
    readonly code: DeadlineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws a TypeError naming `what` unless `value` is a Date holding a real instant. */
export function assertInstant(value: unknown, what: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new TypeError(`${what} must be a valid Date, got ${value instanceof Date ? 'Invalid Date' : typeof value}`);
  }
}
