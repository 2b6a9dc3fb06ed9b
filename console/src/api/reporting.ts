/** The reporting plugin's REST API (`/api/reporting`, docs/reporting.md). */
import { ApiError, type ApiClient, type Query } from './http.ts';

export interface ContactFigures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  overflowed: number;
  handled: number;
  serviceLevel: number | null;
  availability: number | null;
  abandonRate: number | null;
  asaSeconds: number | null;
  ahtSeconds: number | null;
  maxWaitSeconds: number | null;
  occupancy: number | null;
  /** Operators' hours in each state over the interval (summed over operators). */
  operatorHours?: { ready: number; busy: number; wrapUp: number; paused: number };
}

export interface IntervalRow extends ContactFigures {
  start: string;
  end: string;
  key: string;
}

export interface IntervalsAnswer {
  timeZone: string;
  size: number;
  groupBy: string;
  from: string;
  to: string;
  serviceLevelSeconds: number;
  rows: IntervalRow[];
}

export interface AppealFigures {
  received: number;
  registered: number;
  registeredLate: number;
  registeredOnTime: number;
  answered: number;
  answeredOnTime: number;
  answeredLate: number;
  redirected: number;
  redirectedOnTime: number;
  extended: number;
  closed: number;
  registeredOnTimeShare: number | null;
  answeredOnTimeShare: number | null;
  redirectedOnTimeShare: number | null;
}

export interface ComplianceRow extends AppealFigures {
  key: string;
  overdueNow: number;
  registrationOverdueNow: number;
}

export interface Redirection {
  fromOrganisationId: string;
  toOrganisationId: string;
  redirected: number;
  redirectedOnTime: number;
  redirectedOnTimeShare: number | null;
}

export interface Compliance {
  from: string;
  to: string;
  groupBy: string;
  timeZone: string;
  at: string;
  total: ComplianceRow;
  rows: ComplianceRow[];
  redirections: Redirection[];
}

export interface DailySummary {
  date: string;
  timeZone: string;
  at: string;
  serviceLevelSeconds: number;
  appeals: { total: ComplianceRow; byTopic: ComplianceRow[]; byService: ComplianceRow[]; byChannel: ComplianceRow[]; bySite: ComplianceRow[]; redirections: Redirection[] };
  contacts: { total: ContactFigures; byChannel: { key: string; figures: ContactFigures }[]; bySite: { key: string; figures: ContactFigures }[]; byQueue: { key: string; figures: ContactFigures }[] };
}

export interface LiveGroup {
  dim: string;
  key: string;
  today: ContactFigures;
  interval: ContactFigures;
  waitingNow: number;
  longestWaitSeconds: number;
  operators: Record<string, number> | null;
  label?: string;
}

export interface LiveSnapshot {
  at: string;
  serviceLevelSeconds: number;
  groups: Record<string, LiveGroup[]>;
}

export type ReportKind = 'intervals' | 'compliance' | 'daily';

export function reportingApi(api: ApiClient) {
  return {
    /** Today's figures per queue, site, channel and service; null when the reporting plugin is not installed. */
    async live(): Promise<LiveSnapshot | null> {
      try {
        return await api.get<LiveSnapshot>('/reporting/live');
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    intervals: (q: Query) => api.get<IntervalsAnswer>('/reporting/intervals', q),
    compliance: (q: Query) => api.get<Compliance>('/reporting/compliance', q),
    daily: (date: string) => api.get<DailySummary>('/reporting/daily', { date }),
    /** A report's file (CSV or XLSX), fetched with the session's token. */
    export: (kind: ReportKind, q: Query, format: 'csv' | 'xlsx') => api.request<Blob>('GET', `/reporting/export/${kind}`, { query: { ...q, format }, asBlob: true }),
  };
}
