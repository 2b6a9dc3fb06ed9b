/** Exit codes of okno-edge (documented in docs/technician-guide.md and `okno-edge --help`). */
export const EXIT = {
  OK: 0,
  /** A check or an operation failed (doctor found a problem, a fax was not sent). */
  FAILED: 1,
  /** Wrong usage or an invalid configuration. */
  USAGE: 2,
  /** The broker cannot be reached or refused the credentials. */
  BROKER: 3,
  /** Stopped by Ctrl-C before finishing. */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a check or an operation failed
  2    wrong usage or invalid configuration
  3    the broker cannot be reached or refused the credentials
  130  interrupted (Ctrl-C)`;

/** An error that ends the program with a given exit code and a message for the technician. */
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}
