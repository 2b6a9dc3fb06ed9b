/** Line statistics per modem, for telemetry and the technician pages. */
export interface LineStats {
  callsOut: number;
  callsOutOk: number;
  callsIn: number;
  callsInOk: number;
  pagesSent: number;
  pagesReceived: number;
  /** Pages the remote answered with RTN (sent again at a lower rate). */
  retransmits: number;
  /** Pages we rejected on receive (bad copy quality). */
  pagesRejected: number;
  /** Failures by reason: "busy", "no-answer", "hangup:2.0:50", "timeout", "modem-gone", … */
  failures: Record<string, number>;
  lastError: { at: string; reason: string; message: string } | null;
  lastCallAt: string | null;
}

export function emptyLineStats(): LineStats {
  return {
    callsOut: 0,
    callsOutOk: 0,
    callsIn: 0,
    callsInOk: 0,
    pagesSent: 0,
    pagesReceived: 0,
    retransmits: 0,
    pagesRejected: 0,
    failures: {},
    lastError: null,
    lastCallAt: null,
  };
}

export function recordFailure(stats: LineStats, reason: string, message: string, at: Date): void {
  stats.failures[reason] = (stats.failures[reason] ?? 0) + 1;
  stats.lastError = { at: at.toISOString(), reason, message };
}
