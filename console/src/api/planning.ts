/** The planning plugin's REST API (`/api/planning`, plugins/planning/src/planning.service.ts). */
import type { ApiClient } from './http.ts';
import type { BacklogPlan, BacklogPlanInterval, PlanTotals, PlannedInterval } from '@okno/planning/math';
import type { HeatmapData } from '../logic/planning.ts';

/** Totals over a day or a plan; an interval's plan with its start as ISO text (the API's shape). */
export type Totals = PlanTotals;
export type PlanInterval = Omit<PlannedInterval, 'start'> & { start: string };

export interface ShapedPlan {
  intervals: PlanInterval[];
  days: (Totals & { date: string })[];
  total: Totals;
  heatmap: HeatmapData;
}

export interface PlanAnswer {
  source: 'given' | 'forecast';
  options: { intervalMinutes: number; target: Record<string, number>; shrinkage: number; model: string; utcOffsetMinutes: number };
  plan: ShapedPlan;
}

export interface WhatIfAnswer {
  source: 'given' | 'forecast';
  change: Record<string, unknown>;
  before: ShapedPlan;
  after: ShapedPlan;
  delta: { intervals: { start: number; agents: number; staff: number; serviceLevel: number }[]; heatmap: HeatmapData } & Record<string, unknown>;
}

export interface ForecastAnswer {
  timeZone: string;
  intervalMinutes: number;
  from: string;
  days: number;
  history: { from: string; to: string; daysWithContacts: number };
  intervals: { start: string; volume: number; aht: number; holiday: boolean; actualVolume: number | null; actualAht: number | null }[];
  totals: { date: string; volume: number; actualVolume: number | null }[];
}

/** POST /backlog: staff per interval for deferred work (e-mail, fax, portal) to meet its deadline (plugins/planning/src/plans.ts `BacklogAnswer`). */
export type BacklogInterval = Omit<BacklogPlanInterval, 'start'> & { start: string };

export interface BacklogAnswer extends Omit<BacklogPlan, 'intervals'> {
  intervals: BacklogInterval[];
  deadline: { minutes: number; clock: 'calendar' | 'working' };
  handleSeconds: number;
  source: 'given' | 'forecast';
  heatmap: HeatmapData;
}

export interface SavedPlanSummary {
  id: number;
  name: string;
  kind: 'staffing' | 'whatIf' | 'backlog';
  createdBy: number | null;
  createdAt: string;
}

export interface SavedPlan extends SavedPlanSummary {
  input: Record<string, unknown>;
  result: Record<string, unknown>;
}

export type PlanRequest = Record<string, unknown>;

export function planningApi(api: ApiClient) {
  return {
    forecast: (q: { groupBy?: string; key?: string; intervalMinutes?: number; from?: string; days?: number }) => api.get<ForecastAnswer>('/planning/forecast', q),
    plan: (body: PlanRequest) => api.post<PlanAnswer>('/planning/plan', body),
    whatIf: (body: PlanRequest) => api.post<WhatIfAnswer>('/planning/what-if', body),
    backlog: (body: PlanRequest) => api.post<BacklogAnswer>('/planning/backlog', body),
    plans: () => api.get<SavedPlanSummary[]>('/planning/plans'),
    savedPlan: (id: number) => api.get<SavedPlan>(`/planning/plans/${id}`),
    save: (name: string, kind: SavedPlanSummary['kind'], input: PlanRequest) => api.post<SavedPlanSummary & { result: unknown }>('/planning/plans', { name, kind, input }),
    remove: (id: number) => api.del<{ deleted: number }>(`/planning/plans/${id}`),
  };
}
