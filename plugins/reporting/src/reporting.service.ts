/**
 * The `reporting` Moleculer service: runs the journal consumer (on the node holding its lease), pushes
 * live figures to supervisors' consoles (`console.push`, frame `reporting.live`, throttled), and
 * publishes the reports over REST under /api/reporting:
 *   GET  /live                         live figures per queue, site, channel, service
 *   GET  /intervals                    history in 15/30/60-minute intervals
 *   GET  /compliance                   59-FZ deadline compliance, redirections
 *   GET  /daily                        the daily summary
 *   GET  /export/{intervals,compliance,daily}?format=csv|xlsx
 *   GET  /status, POST /rebuild        the consumer's position; replay from the start
 */
import type { ServiceSchema } from 'moleculer';
import type {} from 'moleculer-web';
import { apiAction, invalid, lastJournalSeq, type ApiContext, type PluginContext, type Role } from '@okno/core';
import type { ReportingConfig } from './config.js';
import { ReportingConsumer } from './consumer.js';
import { APPEAL_GROUPS, ReportingQueries, type LiveSnapshot } from './queries.js';
import { CONTACT_DIMS, type ContactDim, type AppealDim } from './counters.js';
import { LabelCache, Labels } from './labels.js';
import { CSV_TYPE, XLSX_TYPE, attachment, complianceReport, dailySummaryReport, intervalsReport, toCsv, toXlsx, type Report } from './exports.js';
import { INTERVAL_SIZES, type IntervalSize } from './zone.js';
import { ReportingState } from './entities.js';
import { STATE_NAME } from './store.js';

export const SERVICE = 'reporting';
const READERS: readonly Role[] = ['supervisor', 'planner', 'admin'];
const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];
/** History asked for at most this many days at a time. */
const MAX_RANGE_DAYS = 400;

export interface ReportingServiceOptions {
  /** A consumer to use instead of a new one (tests). */
  consumer?: ReportingConsumer;
}

const timeParam = { type: 'string', optional: true, max: 40 };
const dateParam = { type: 'string', optional: true, pattern: /^\d{4}-\d\d-\d\d$/ };
const formatParam = { type: 'enum', values: ['csv', 'xlsx'], optional: true };

export function reportingService(ctx: PluginContext<ReportingConfig>, opts: ReportingServiceOptions = {}): { schema: ServiceSchema; consumer: ReportingConsumer; queries: ReportingQueries } {
  const { core, config } = ctx;
  const timeZone = core.deadlines.timeZone;
  let pushPending = false;
  let lastPush: LiveSnapshot | null = null;
  const consumer = opts.consumer ?? new ReportingConsumer({
    db: core.db, timeZone, config, clock: core.clock, nodeId: core.broker.nodeID,
    logger: { info: (o, m) => ctx.logger.info(o, m), warn: (o, m) => ctx.logger.warn(o, m) },
    onApplied: () => (pushPending = true),
  });
  const queries = new ReportingQueries(core.db, consumer.time, config.serviceLevelSeconds);
  const now = () => core.clock().getTime();
  const time = consumer.time;

  /** A moment from a query parameter: ISO 8601, or a local date meaning its midnight. */
  const instant = (field: string, v: string | undefined, fallback: number): number => {
    if (v === undefined || v === '') return fallback;
    if (/^\d{4}-\d\d-\d\d$/.test(v)) return time.startOfDay(v);
    const ms = Date.parse(v);
    if (!Number.isFinite(ms)) throw invalid([field, 'must be an ISO 8601 time or a YYYY-MM-DD date']);
    return ms;
  };

  const intervalParams = (p: IntervalQuery) => {
    const today = time.localDate(now());
    const from = instant('from', p.from, time.startOfDay(today));
    const to = instant('to', p.to, time.startOfDay(time.addDays(today, 1)));
    if (!(to > from)) throw invalid(['to', 'must be after from']);
    if (to - from > MAX_RANGE_DAYS * 86_400_000) throw invalid(['to', `at most ${MAX_RANGE_DAYS} days at a time`]);
    const size = Number(p.size ?? 15) as IntervalSize;
    if (!INTERVAL_SIZES.includes(size)) throw invalid(['size', `must be one of ${INTERVAL_SIZES.join(', ')} minutes`]);
    return { from, to, size, groupBy: (p.groupBy ?? 'all') as ContactDim, key: p.key, fill: p.fill === true || p.fill === 'true' };
  };

  const dateRange = (p: { from?: string; to?: string }) => {
    const today = time.localDate(now());
    const from = p.from ?? today;
    const to = p.to ?? from;
    if (to < from) throw invalid(['to', 'must not be before from']);
    return { fromDate: from, toDate: to };
  };

  const send = async (actx: ApiContext, report: Report, format: 'csv' | 'xlsx' = 'xlsx'): Promise<Buffer> => {
    const body = format === 'csv' ? await toCsv(report) : await toXlsx(report);
    actx.meta.$responseType = format === 'csv' ? CSV_TYPE : XLSX_TYPE;
    actx.meta.$responseHeaders = { 'Content-Disposition': attachment(`${report.filename}.${format}`), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    return body;
  };

  const liveLabels = new LabelCache(core.db);
  const labelled = async (snapshot: LiveSnapshot) => {
    const groups = Object.values(snapshot.groups).flat();
    const labels = await liveLabels.for(groups);
    for (const g of groups) Object.assign(g, { label: labels.of(g.dim, g.key) });
    return snapshot;
  };

  const intervalQuery = {
    from: timeParam, to: timeParam, size: { type: 'number', integer: true, optional: true, convert: true }, groupBy: { type: 'enum', values: [...CONTACT_DIMS], optional: true },
    key: { type: 'string', optional: true, max: 120 }, fill: { type: 'boolean', optional: true, convert: true },
  };
  const complianceQuery = { from: dateParam, to: dateParam, groupBy: { type: 'enum', values: APPEAL_GROUPS, optional: true } };

  let pushTimer: NodeJS.Timeout | null = null;
  const push = async () => {
    if (!consumer.leading) return;
    const active = lastPush && lastPush.groups.all.some((g) => g.waitingNow > 0 || g.operators);
    if (!pushPending && !active) return;
    pushPending = false;
    lastPush = await labelled(await queries.live(now()));
    await core.broker.broadcast('console.push', { roles: [...SUPERVISORS], frame: { type: 'reporting.live', ...lastPush } });
  };

  const schema: ServiceSchema = {
    name: SERVICE,
    settings: { rest: '/reporting' },
    actions: {
      live: apiAction({
        rest: 'GET /live', auth: READERS, summary: 'Live figures per queue, site, channel and service: today so far, this quarter hour, waiting now, operators by state',
        params: { $$strict: true },
        handler: async () => labelled(await queries.live(now())),
      }),
      intervals: apiAction<IntervalQuery>({
        rest: 'GET /intervals', auth: READERS, summary: 'History in 15, 30 or 60-minute intervals (local time) per queue, site, channel or service',
        params: { $$strict: true, ...intervalQuery },
        handler: async (actx) => {
          const p = intervalParams(actx.params);
          return { timeZone, size: p.size, groupBy: p.groupBy, from: time.iso(p.from), to: time.iso(p.to), serviceLevelSeconds: config.serviceLevelSeconds, rows: await queries.intervals(p) };
        },
      }),
      compliance: apiAction<ComplianceQuery>({
        rest: 'GET /compliance', auth: SUPERVISORS, summary: '59-FZ deadline compliance over local days: registration, redirection, answer, extensions, redirections between organisations',
        params: { $$strict: true, ...complianceQuery },
        handler: async (actx) => queries.compliance({ ...dateRange(actx.params), groupBy: (actx.params.groupBy ?? 'service') as Exclude<AppealDim, 'redirection'>, nowMs: now() }),
      }),
      daily: apiAction<{ date?: string }>({
        rest: 'GET /daily', auth: SUPERVISORS, summary: 'The daily summary: appeals by topic, service, channel and site, on-time share, overdue now, contacts and service level',
        params: { $$strict: true, date: dateParam },
        handler: async (actx) => queries.dailySummary(actx.params.date ?? time.localDate(now()), now()),
      }),
      exportIntervals: apiAction<IntervalQuery & { format?: 'csv' | 'xlsx' }>({
        rest: 'GET /export/intervals', auth: READERS, summary: 'Interval history as CSV or XLSX',
        params: { $$strict: true, ...intervalQuery, format: formatParam },
        handler: async (actx) => {
          const p = intervalParams(actx.params);
          const report = intervalsReport({
            rows: await queries.intervals(p), groupBy: p.groupBy, size: p.size, from: time.localDate(p.from), to: time.localDate(p.to - 1),
            slSeconds: config.serviceLevelSeconds, labels: await Labels.load(core.db), time,
          });
          return send(actx, report, actx.params.format);
        },
      }),
      exportCompliance: apiAction<ComplianceQuery & { format?: 'csv' | 'xlsx' }>({
        rest: 'GET /export/compliance', auth: SUPERVISORS, summary: '59-FZ compliance as CSV or XLSX',
        params: { $$strict: true, ...complianceQuery, format: formatParam },
        handler: async (actx) => {
          const c = await queries.compliance({ ...dateRange(actx.params), groupBy: (actx.params.groupBy ?? 'service') as Exclude<AppealDim, 'redirection'>, nowMs: now() });
          return send(actx, complianceReport(c, await Labels.load(core.db)), actx.params.format);
        },
      }),
      exportDaily: apiAction<{ date?: string; format?: 'csv' | 'xlsx' }>({
        rest: 'GET /export/daily', auth: SUPERVISORS, summary: 'The daily summary as CSV or XLSX',
        params: { $$strict: true, date: dateParam, format: formatParam },
        handler: async (actx) => {
          const s = await queries.dailySummary(actx.params.date ?? time.localDate(now()), now());
          return send(actx, dailySummaryReport(s, await Labels.load(core.db)), actx.params.format);
        },
      }),
      status: apiAction({
        rest: 'GET /status', auth: SUPERVISORS, summary: 'The consumer: position counted, journal head, whether this node counts, definitions',
        params: { $$strict: true },
        handler: async () => {
          const head = await lastJournalSeq(core.db);
          // The stored position: this node may not be the one counting.
          const state = await core.db.read((em) => em.findOne(ReportingState, { where: { name: STATE_NAME } }));
          const position = state?.position ?? 0;
          return { position, head, behind: Math.max(0, head - position), leading: consumer.leading, definitions: state ? JSON.parse(state.definitions) : consumer.definitions };
        },
      }),
      rebuild: apiAction({
        rest: 'POST /rebuild', auth: ['admin'], summary: 'Drop every aggregate and count the journal again from its start',
        params: { $$strict: true },
        handler: async () => {
          await consumer.rebuild();
          consumer.nudge();
          return { position: 0, rebuilding: true };
        },
      }),
    },
    events: {
      // Notifications only: the consumer reads the journal, these just wake it up.
      'contact.*': { handler: () => consumer.nudge() },
      'appeal.*': { handler: () => consumer.nudge() },
      'operator.*': { handler: () => consumer.nudge() },
    },
    started() {
      consumer.start();
      pushTimer = setInterval(() => void push().catch((err: unknown) => ctx.logger.warn({ err: String(err) }, 'live push failed')), config.pushIntervalMs);
      pushTimer.unref();
    },
    async stopped() {
      if (pushTimer) clearInterval(pushTimer);
      await consumer.stop();
    },
  };
  return { schema, consumer, queries };
}

interface IntervalQuery {
  from?: string;
  to?: string;
  size?: number;
  groupBy?: string;
  key?: string;
  fill?: boolean | string;
}

interface ComplianceQuery {
  from?: string;
  to?: string;
  groupBy?: string;
}
