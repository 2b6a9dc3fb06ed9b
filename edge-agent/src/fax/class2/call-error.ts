/** Why a fax call failed, in terms the job queue and telemetry use. */
import type { HangupInfo } from './hangup-codes.js';

export type FailureReason =
  | 'busy'
  | 'no-answer'
  | 'no-carrier'
  | 'no-dialtone'
  | 'dial-error'
  | 'hangup'
  | 'rtn'
  | 'timeout'
  | 'protocol'
  | 'ring-collision'
  | 'modem-gone'
  | 'aborted'
  | 'bad-document';

const RETRYABLE: ReadonlySet<FailureReason> = new Set(['busy', 'no-answer', 'no-carrier', 'rtn', 'timeout', 'protocol', 'ring-collision', 'dial-error']);

export class FaxCallError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly hangup?: HangupInfo,
  ) {
    super(message);
    this.name = 'FaxCallError';
    this.retryable = reason === 'hangup' ? (hangup?.retryable ?? false) : RETRYABLE.has(reason);
  }

  /** Telemetry key: the reason, or "hangup:<class>:<code>". */
  get key(): string {
    return this.reason === 'hangup' && this.hangup ? `hangup:${this.hangup.faxClass}:${this.hangup.code}` : this.reason;
  }
}
