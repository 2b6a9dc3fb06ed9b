/** Structured logging for the headset code: a pino logger (or anything with the same four methods). */
import { pino, type Logger } from 'pino';

export type HeadsetLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Used when the caller injects none: silent, so library use never writes to stdout by surprise. */
export function defaultLogger(): HeadsetLogger {
  return pino({ name: 'okno-headset', level: 'silent' });
}
