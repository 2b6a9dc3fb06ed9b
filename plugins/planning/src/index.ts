/**
 * @okno/planning — capacity planning: the instant Erlang calculator, forecasts from reporting's
 * history with their accuracy, staffing plans per interval for a day or a week, what-if changes,
 * deferred-work staffing from 59-FZ deadlines, trunk and fax-modem sizing, saved plans.
 *
 *   plugins: [{ name: '@okno/reporting' }, { name: '@okno/planning', config: { shrinkage: 0.3 } }]
 *
 * The math alone (no server, runs in the browser too) is `@okno/planning/math`.
 */
import { definePlugin, type PluginDefinition } from '@okno/core';
import { DEFAULTS, configSchema, type PlanningConfig } from './config.js';
import { planningEntities, planningMigrations } from './entities.js';
import { planningService } from './planning.service.js';

export { DEFAULTS, configSchema, type PlanningConfig } from './config.js';
export { SavedPlan, PLAN_KINDS, planningEntities, planningMigrations, type PlanKind } from './entities.js';
export { planningService, SERVICE } from './planning.service.js';
export { erlangCCalc, erlangACalc, erlangBCalc, trunksCalc, modemsCalc, type QueueInput, type LinesInput, type ModemsInput } from './calculator.js';
export { forecast, accuracy, plan, planWhatIf, backlog, termMinutes, type ForecastRequest, type PlanRequest, type BacklogRequest } from './plans.js';
export { heatmap, type Heatmap } from './heatmap.js';

export const plugin: PluginDefinition<PlanningConfig> = definePlugin<PlanningConfig>({
  name: 'planning',
  kind: 'planning',
  version: '0.1.0',
  description: 'Capacity planning: Erlang B/C/A, forecasts, staffing plans and what-if, backlog staffing, trunk and modem sizing',
  configSchema,
  defaults: DEFAULTS,
  entities: planningEntities,
  migrations: planningMigrations,
  services: (ctx) => [planningService(ctx)],
});

export default plugin;
