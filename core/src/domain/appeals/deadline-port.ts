/** What the appeals domain needs from the deadline policy (59-FZ on the business calendar). */
export interface AppealDeadlines {
  registerBy: Date;
  redirectBy: Date | null;
  answerBy: Date | null;
  secondLineBy: Date | null;
}

export interface DeadlinePort {
  /** Deadlines of an appeal received at `receivedAt` and registered at `registeredAt` (null: not yet). */
  compute(input: { receivedAt: Date; registeredAt: Date | null; category: string | null }): AppealDeadlines;
  /** The answer deadline after one extension by `days`; throws a clear error when the rules forbid it. */
  extend(input: { answerBy: Date; registeredAt: Date; extensionDays: number | null; days: number; reason: string; category: string | null; now: Date }): Date;
  /** Second-line deadline for a deferred appeal. */
  secondLine(registeredAt: Date): Date;
  /** Whether `due` is close enough to warn about at `now`. */
  nearDueFrom(now: Date): Date;
  /** The city's time zone (registration numbers carry the local year). */
  timeZone: string;
}
