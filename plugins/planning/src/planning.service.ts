/**
 * The `planning` Moleculer service, under /api/planning:
 *   POST /erlang-c, /erlang-a, /erlang-b, /trunks, /modems     the instant calculator
 *   GET  /forecast, /accuracy                                  forecasts from reporting's history; accuracy on held-out weeks
 *   POST /plan, /what-if, /backlog                             staffing per interval for a day or a week (with heatmap), what-if, deferred work
 *   POST /plans, GET /plans, GET /plans/:id, DELETE /plans/:id  saved plans
 * Planners compute and save; supervisors may read forecasts and saved plans. The math's RangeErrors
 * become 422 naming what is wrong; too little history is a 409 that says how much there is.
 */
import type { ServiceSchema } from 'moleculer';
import type {} from 'moleculer-web';
import {
  actorOf, apiAction, calendarOf, checkDeadlineConfig, invalid, notFound,
  type ApiContext, type PluginContext, type Role,
} from '@okno/core';
import type { PlanningConfig } from './config.js';
import { erlangACalc, erlangBCalc, erlangCCalc, modemsCalc, trunksCalc, type CalcDefaults } from './calculator.js';
import { accuracy, backlog, forecast, plan, planWhatIf, type PlanningDeps } from './plans.js';
import { PLAN_KINDS, SavedPlan, type PlanKind } from './entities.js';

export const SERVICE = 'planning';
const PLANNERS: readonly Role[] = ['planner', 'admin'];
const READERS: readonly Role[] = ['planner', 'supervisor', 'admin'];

/** Runs the math; a RangeError (a number out of its range) becomes 422. */
async function checked<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RangeError) throw invalid(['input', err.message]);
    throw err;
  }
}

const num = (extra = '') => `number|optional|convert${extra}`;
const target = {
  type: 'object', optional: true, strict: true,
  props: {
    serviceLevel: 'number|optional|min:0|max:0.9999', withinSeconds: 'number|optional|min:0', maxAsaSeconds: 'number|optional|positive',
    maxOccupancy: 'number|optional|positive|max:1', maxAbandonRate: 'number|optional|positive|max:0.99',
  },
};
const queue = {
  calls: num('|min:0'), intervalMinutes: num('|positive'), load: num('|min:0'), ahtSeconds: 'number|positive|convert', target,
  shrinkage: num('|min:0|max:0.95'), agents: 'number|integer|optional|min:0|convert', patienceSeconds: num('|positive'),
};
const scope = {
  groupBy: { type: 'enum', values: ['all', 'queue', 'channel', 'site', 'service'], optional: true },
  key: { type: 'string', optional: true, max: 120 },
};
const date = { type: 'string', optional: true, pattern: /^\d{4}-\d\d-\d\d$/ };
const intervalMinutes = 'number|integer|optional|convert';
const window = { ...scope, from: date, days: 'number|integer|optional|min:1|max:14|convert', intervalMinutes, historyWeeks: 'number|integer|optional|min:1|max:56|convert' };
const demand = { type: 'array', optional: true, max: 14 * 96, items: { type: 'object', strict: true, props: { start: 'string|max:40', volume: 'number|min:0', aht: 'number|min:0' } } };
const planParams = {
  ...window, demand, target, shrinkage: num('|min:0|max:0.95'), model: { type: 'enum', values: ['erlangC', 'erlangA'], optional: true },
  patienceSeconds: num('|positive'), minAgents: 'number|integer|optional|min:0',
};
const change = {
  type: 'object', strict: true,
  props: {
    volumePercent: 'number|optional|min:-100', ahtPercent: 'number|optional|gt:-100', ahtSeconds: 'number|optional', target, shrinkage: 'number|optional|min:0|max:0.95',
    model: { type: 'enum', values: ['erlangC', 'erlangA'], optional: true }, patienceSeconds: 'number|optional|positive', minAgents: 'number|integer|optional|min:0',
  },
};
const backlogParams = {
  ...window, arrivals: { type: 'array', optional: true, max: 14 * 96, items: 'number|min:0' }, handleSeconds: num('|positive'),
  deadline: {
    type: 'multi', optional: true,
    rules: [{ type: 'enum', values: ['register', 'redirect', 'answer', 'secondLine', 'courtReturn'] }, { type: 'object', strict: true, props: { minutes: 'number|positive', clock: { type: 'enum', values: ['calendar', 'working'] } } }],
  },
  waiting: { type: 'array', optional: true, max: 1000, items: { type: 'object', strict: true, props: { items: 'number|min:0', dueByEndOf: 'number|integer|min:0' } } },
  utilisation: num('|positive|max:1'), shrinkage: num('|min:0|max:0.95'), working: { type: 'enum', values: ['calendar', 'always'], optional: true },
  endBacklogItems: num('|min:0'),
};

export function planningService(ctx: PluginContext<PlanningConfig>): ServiceSchema {
  const { core, config } = ctx;
  const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const deps: PlanningDeps = {
    config, timeZone: core.deadlines.timeZone, calendar: () => calendarOf(core), deadlines: () => checkDeadlineConfig(core.config.deadlines),
    workingMinutesPerDay: hm(core.config.calendar.workingHours.end) - hm(core.config.calendar.workingHours.start), now: () => core.clock().getTime(),
  };
  const calc: CalcDefaults & { secondsPerPage: number; setupSeconds: number } = {
    target: config.target, shrinkage: config.shrinkage, intervalMinutes: config.intervalMinutes, maxBlocking: config.maxBlocking, ...config.fax,
  };
  /** The action that computes a saved plan of each kind (its params are checked as when called over REST). */
  const actionOf: Record<PlanKind, string> = { staffing: 'plan', whatIf: 'whatIf', backlog: 'backlog' };
  const summary = (p: SavedPlan) => ({ id: p.id, name: p.name, kind: p.kind, createdBy: p.createdBy, createdAt: p.createdAt.toISOString() });

  return {
    name: SERVICE,
    settings: { rest: '/planning' },
    actions: {
      erlangC: apiAction({
        rest: 'POST /erlang-c', auth: PLANNERS, summary: 'Erlang C: agents for a service-level or answer-time target with an occupancy cap and shrinkage',
        params: { $$strict: true, ...queue }, handler: (actx) => checked(() => erlangCCalc(actx.params as never, calc)),
      }),
      erlangA: apiAction({
        rest: 'POST /erlang-a', auth: PLANNERS, summary: 'Erlang A: agents with callers\' patience and abandonment',
        params: { $$strict: true, ...queue, patienceSeconds: 'number|positive|convert' }, handler: (actx) => checked(() => erlangACalc(actx.params as never, calc)),
      }),
      erlangB: apiAction({
        rest: 'POST /erlang-b', auth: PLANNERS, summary: 'Erlang B: lines for a blocking target',
        params: { $$strict: true, calls: num('|min:0'), intervalMinutes: num('|positive'), load: num('|min:0'), holdSeconds: num('|min:0'), maxBlocking: num('|positive|max:1'), lines: 'number|integer|optional|min:0|convert' },
        handler: (actx) => checked(() => erlangBCalc(actx.params as never, calc)),
      }),
      trunks: apiAction({
        rest: 'POST /trunks', auth: PLANNERS, summary: 'Trunks for a queue: callers talking and waiting, Erlang B at the blocking target',
        params: { $$strict: true, ...queue, maxBlocking: num('|positive|max:1') }, handler: (actx) => checked(() => trunksCalc(actx.params as never, calc)),
      }),
      modems: apiAction({
        rest: 'POST /modems', auth: PLANNERS, summary: 'Fax modems for a fax volume (Erlang B on set-up plus page time)',
        params: { $$strict: true, faxes: 'number|min:0|convert', intervalMinutes: num('|positive'), pagesPerFax: 'number|positive|convert', secondsPerPage: num('|positive'), setupSeconds: num('|min:0'), maxBlocking: num('|positive|max:1') },
        handler: (actx) => checked(() => modemsCalc(actx.params as never, calc)),
      }),
      forecast: apiAction({
        rest: 'GET /forecast', auth: READERS, summary: 'Forecast of interval volumes and handle times from reporting\'s history (weekly and daily seasonality, holidays), with actuals where past',
        params: { $$strict: true, ...window }, handler: (actx) => checked(() => forecast(actx, { groupBy: 'all', ...actx.params } as never, deps)),
      }),
      accuracy: apiAction({
        rest: 'GET /accuracy', auth: READERS, summary: 'Forecast accuracy on the last weeks of history, fitted on the weeks before',
        params: { $$strict: true, ...scope, intervalMinutes, holdoutWeeks: 'number|integer|optional|min:1|max:8|convert', historyWeeks: 'number|integer|optional|min:2|max:56|convert' },
        handler: (actx) => checked(() => accuracy(actx, { groupBy: 'all', ...actx.params } as never, deps)),
      }),
      plan: apiAction({
        rest: 'POST /plan', auth: PLANNERS, summary: 'Staffing per interval for a day or a week (table and heatmap) from a forecast or a given demand',
        params: { $$strict: true, ...planParams }, handler: (actx) => checked(() => plan(actx, actx.params as never, deps)),
      }),
      whatIf: apiAction({
        rest: 'POST /what-if', auth: PLANNERS, summary: 'A staffing plan before and after a change of volume, handle time, target, shrinkage or model',
        params: { $$strict: true, ...planParams, change }, handler: (actx) => checked(() => planWhatIf(actx, actx.params as never, deps)),
      }),
      backlog: apiAction({
        rest: 'POST /backlog', auth: PLANNERS, summary: 'Staff for deferred work (e-mail, fax, portal) to meet its deadline',
        params: { $$strict: true, ...backlogParams }, handler: (actx) => checked(() => backlog(actx, actx.params as never, deps)),
      }),
      savePlan: apiAction<{ name: string; kind: PlanKind; input: Record<string, unknown> }>({
        rest: 'POST /plans', auth: PLANNERS, summary: 'Compute a plan (staffing, what-if or backlog) and save it with its input',
        params: { $$strict: true, name: 'string|min:1|max:200|trim', kind: { type: 'enum', values: [...PLAN_KINDS] }, input: 'object' },
        handler: async (actx: ApiContext<{ name: string; kind: PlanKind; input: Record<string, unknown> }>) => {
          const actor = actorOf(actx);
          const result = await actx.call<Record<string, unknown>, Record<string, unknown>>(`${SERVICE}.${actionOf[actx.params.kind]}`, actx.params.input);
          const saved = await core.db.transaction((em) => em.save(SavedPlan, em.create(SavedPlan, {
            name: actx.params.name, kind: actx.params.kind, input: actx.params.input, result, createdBy: actor.userId, createdAt: core.clock(),
          })));
          actx.meta.$statusCode = 201;
          return { ...summary(saved), result };
        },
      }),
      listPlans: apiAction<{ kind?: PlanKind }>({
        rest: 'GET /plans', auth: READERS, summary: 'Saved plans, newest first',
        params: { $$strict: true, kind: { type: 'enum', values: [...PLAN_KINDS], optional: true } },
        handler: async (actx) => (await core.db.read((em) => em.find(SavedPlan, {
          where: actx.params.kind ? { kind: actx.params.kind } : {}, order: { id: 'DESC' }, select: { id: true, name: true, kind: true, createdBy: true, createdAt: true }, take: 500,
        }))).map(summary),
      }),
      getPlan: apiAction<{ id: number }>({
        rest: 'GET /plans/:id', auth: READERS, summary: 'A saved plan with its input and result',
        params: { $$strict: true, id: 'number|integer|positive|convert' },
        handler: async (actx) => {
          const p = await core.db.read((em) => em.findOne(SavedPlan, { where: { id: actx.params.id } }));
          if (!p) throw notFound('plan', actx.params.id);
          return { ...summary(p), input: p.input, result: p.result };
        },
      }),
      deletePlan: apiAction<{ id: number }>({
        rest: 'DELETE /plans/:id', auth: PLANNERS, summary: 'Delete a saved plan',
        params: { $$strict: true, id: 'number|integer|positive|convert' },
        handler: async (actx) => {
          const res = await core.db.transaction((em) => em.delete(SavedPlan, { id: actx.params.id }));
          if (!res.affected) throw notFound('plan', actx.params.id);
          return { deleted: actx.params.id };
        },
      }),
    },
  };
}
