/** Why a fax call failed, in terms the job queue and telemetry use. */
import type { HangupInfo } from './hangup-codes.js';
import type { FaxPage } from '../tiff/tiff-f.js';
import type { LimitName } from '../call-limits.js';

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

/** What an incoming call had received when it failed: the accepted pages are kept. */
export interface PartialReceive {
  remoteId: string;
  pages: FaxPage[];
  rejectedPages: number;
}

export class FaxCallError extends Error {
  readonly retryable: boolean;
  /** The call limit that ended the call, if one did. */
  readonly limit: LimitName | undefined;
  /** Set by a receive session: the pages accepted before the failure. */
  partial: PartialReceive | undefined;
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly hangup?: HangupInfo,
    extra: { limit?: LimitName; retryable?: boolean } = {},
  ) {
    super(message);
    this.name = 'FaxCallError';
    this.retryable = extra.retryable ?? (reason === 'hangup' ? (hangup?.retryable ?? false) : RETRYABLE.has(reason));
    this.limit = extra.limit;
  }

  /** Telemetry key: "limit:<name>", "hangup:<class>:<code>", or the reason. */
  get key(): string {
    if (this.limit) return `limit:${this.limit}`;
    return this.reason === 'hangup' && this.hangup ? `hangup:${this.hangup.faxClass}:${this.hangup.code}` : this.reason;
  }
}
