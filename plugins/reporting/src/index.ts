/**
 * @okno/reporting — one statistics for every service, from the journal.
 *
 *   plugins: [{ name: '@okno/reporting', config: { serviceLevelSeconds: 20, shortAbandonSeconds: 5 } }]
 *
 * A consumer counts the journal exactly once (by sequence number) into live figures, 15-minute
 * history (rolled up to 30 and 60 minutes in the city's time zone), 59-FZ deadline compliance and a
 * daily summary, with CSV and XLSX exports. Definitions: docs/reporting.md.
 */
import { Site, calendarOf, definePlugin, type PluginDefinition } from '@okno/core';
import { DEFAULTS, configSchema, type ReportingConfig } from './config.js';
import { reportingEntities, reportingMigrations } from './entities.js';
import { reportingService } from './reporting.service.js';
import { writeDemoHistory } from './demo-history.js';

export { DEFAULTS, configSchema, definitionsOf, type ReportingConfig, type Definitions } from './config.js';
export {
  CONTACT_COUNTERS, APPEAL_COUNTERS, CONTACT_DIMS, APPEAL_DIMS, UNKNOWN, contactFigures, appealFigures,
  type ContactCounters, type AppealCounters, type ContactDim, type AppealDim, type ContactFigures, type AppealFigures,
} from './counters.js';
export { BatchAggregator, OPERATOR_STATES, type ContactRow, type OperatorRow, type AppealRow } from './aggregator.js';
export { ReportingConsumer, type ConsumerOptions } from './consumer.js';
export { ReportingQueries, type LiveSnapshot, type LiveGroup, type IntervalRow, type Compliance, type ComplianceRow, type DailySummary } from './queries.js';
export { intervalsReport, complianceReport, dailySummaryReport, toCsv, toXlsx, CSV_TYPE, XLSX_TYPE, type Report, type Sheet } from './exports.js';
export { Labels } from './labels.js';
export { CityTime, INTERVAL_SIZES, type IntervalSize } from './zone.js';
export { reportingEntities, reportingMigrations, REPORTING_TABLES, AGGREGATE_TABLES } from './entities.js';
export { reportingService, SERVICE } from './reporting.service.js';
export { demoDay, writeDemoHistory, type DemoHistoryOptions } from './demo-history.js';

export const plugin: PluginDefinition<ReportingConfig> = definePlugin<ReportingConfig>({
  name: 'reporting',
  kind: 'reporting',
  version: '0.1.0',
  description: 'Reporting: live figures, interval history, 59-FZ compliance and the daily summary, from the journal',
  configSchema,
  defaults: DEFAULTS,
  entities: reportingEntities,
  migrations: reportingMigrations,
  services: (ctx) => [reportingService(ctx).schema],
  async demo({ config, core, logger }) {
    if (config.demoHistoryDays === 0) return;
    const sites = await core.db.read((em) => em.find(Site));
    const city = sites.find((s) => s.kind === 'city');
    if (!city) return;
    const okrugSites = sites.filter((s) => s.kind === 'okrug').map((s) => ({ id: s.id, code: s.code }));
    logger.info({ days: config.demoHistoryDays }, 'writing demo contact history to the journal');
    return writeDemoHistory(core.db, { days: config.demoHistoryDays, now: core.clock(), calendar: calendarOf(core), citySiteId: city.id, okrugSites }, (day) => {
      if (day.endsWith('-01') || day.endsWith('-15')) logger.info({ day }, 'demo history');
    });
  },
});

export default plugin;
