/**
 * Reading the aggregates: live figures (today so far, the current quarter hour, waiting now,
 * operators by state), history in 15/30/60-minute intervals, 59-FZ compliance over days, and the
 * daily summary. Pure reads; they never change what the consumer keeps.
 */
import type { Database } from '@okno/core';
import {
  APPEAL_COUNTERS, APPEAL_DIMS, CONTACT_COUNTERS, CONTACT_DIMS, MAX_COUNTERS, addCounters, appealFigures, contactFigures, zeroCounters,
  type AppealCounters, type AppealDim, type AppealFigures, type ContactCounters, type ContactDim, type ContactFigures,
} from './counters.js';
import { OPERATOR_STATES } from './aggregator.js';
import { quoter } from './sql.js';
import { BUCKET_MS, bucketOf, type CityTime, type IntervalSize } from './zone.js';

type Row = Record<string, unknown>;

const contactCounters = (r: Row): ContactCounters => addCounters(CONTACT_COUNTERS, zeroCounters(CONTACT_COUNTERS), r as Partial<Record<string, unknown>>);
const appealCounters = (r: Row): AppealCounters => addCounters(APPEAL_COUNTERS, zeroCounters(APPEAL_COUNTERS), r as Partial<Record<string, unknown>>);

/** SUM of every counter (MAX of the maxima), for a GROUP BY. */
function sums(q: (n: string) => string, names: readonly string[]): string {
  return names.map((n) => `${MAX_COUNTERS.has(n) ? 'MAX' : 'SUM'}(${q(n)}) AS ${q(n)}`).join(', ');
}

export class ReportingQueries {
  private readonly q: (n: string) => string;

  constructor(private readonly db: Database, readonly time: CityTime, readonly serviceLevelSeconds: number) {
    this.q = quoter(db.kind);
  }

  private rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.db.read((em) => em.query(sql, params) as Promise<Row[]>);
  }

  // ---- live ----

  async live(nowMs: number): Promise<LiveSnapshot> {
    const q = this.q;
    const day = this.time.localDate(nowMs);
    const dayStart = this.time.startOfDay(day);
    const bucket = bucketOf(nowMs);
    const today = await this.rows(
      `SELECT ${q('dim')}, ${q('dimKey')}, ${sums(q, CONTACT_COUNTERS)} FROM ${q('reporting_intervals')} WHERE ${q('start')} >= ? AND ${q('start')} <= ? GROUP BY ${q('dim')}, ${q('dimKey')}`,
      [dayStart, bucket],
    );
    const current = await this.rows(`SELECT * FROM ${q('reporting_intervals')} WHERE ${q('start')} = ?`, [bucket]);
    const waiting = await this.rows(
      `SELECT ${q('queue')}, ${q('siteId')}, ${q('channel')}, ${q('serviceId')}, COUNT(*) AS ${q('n')}, MIN(${q('queuedAt')}) AS ${q('oldest')} FROM ${q('reporting_contacts')} WHERE ${q('status')} = ? GROUP BY ${q('queue')}, ${q('siteId')}, ${q('channel')}, ${q('serviceId')}`,
      ['waiting'],
    );
    const operators = await this.rows(`SELECT * FROM ${q('reporting_operators')} WHERE ${q('state')} <> ?`, ['logged_out']);

    const groups = new Map<string, LiveGroup & { todayCounters: ContactCounters; intervalCounters: ContactCounters }>();
    const group = (dim: ContactDim, key: string) => {
      const id = `${dim}|${key}`;
      let g = groups.get(id);
      if (!g) {
        g = {
          dim, key, today: null as unknown as ContactFigures, interval: null as unknown as ContactFigures, waitingNow: 0, longestWaitSeconds: 0,
          operators: null, todayCounters: zeroCounters(CONTACT_COUNTERS), intervalCounters: zeroCounters(CONTACT_COUNTERS),
        };
        groups.set(id, g);
      }
      return g;
    };
    group('all', '');
    for (const r of today) addCounters(CONTACT_COUNTERS, group(String(r.dim) as ContactDim, String(r.dimKey)).todayCounters, r);
    for (const r of current) addCounters(CONTACT_COUNTERS, group(String(r.dim) as ContactDim, String(r.dimKey)).intervalCounters, r);
    for (const r of waiting) {
      const n = Number(r.n);
      const wait = Math.max(0, (nowMs - Number(r.oldest)) / 1000);
      for (const [dim, key] of [['all', ''], ['queue', r.queue], ['site', r.siteId], ['channel', r.channel], ['service', r.serviceId]] as [ContactDim, unknown][]) {
        const g = group(dim, String(key));
        g.waitingNow += n;
        g.longestWaitSeconds = Math.max(g.longestWaitSeconds, wait);
      }
    }
    // Operators: by state now, and the time in their current state so far added to today's and this interval's time.
    const column: Record<string, 'opReadyMs' | 'opBusyMs' | 'opWrapMs' | 'opPausedMs'> = { ready: 'opReadyMs', busy: 'opBusyMs', wrap_up: 'opWrapMs', paused: 'opPausedMs' };
    for (const o of operators) {
      const state = String(o.state);
      const since = Number(o.since);
      for (const [dim, key] of [['all', ''], ['site', String(o.siteId)]] as [ContactDim, string][]) {
        const g = group(dim, key);
        g.operators ??= Object.fromEntries(OPERATOR_STATES.filter((s) => s !== 'logged_out').map((s) => [s, 0]));
        g.operators[state] = (g.operators[state] ?? 0) + 1;
        const col = column[state];
        if (col) {
          g.todayCounters[col] += Math.max(0, nowMs - Math.max(since, dayStart));
          g.intervalCounters[col] += Math.max(0, nowMs - Math.max(since, bucket));
        }
      }
    }
    const byDim = Object.fromEntries(CONTACT_DIMS.map((d) => [d, [] as LiveGroup[]])) as Record<ContactDim, LiveGroup[]>;
    for (const g of groups.values()) {
      const { todayCounters, intervalCounters, ...rest } = g;
      byDim[g.dim]?.push({ ...rest, today: contactFigures(todayCounters), interval: contactFigures(intervalCounters) });
    }
    for (const list of Object.values(byDim)) list.sort((a, b) => a.key.localeCompare(b.key));
    return {
      at: this.time.iso(nowMs), day, timeZone: this.time.timeZone, serviceLevelSeconds: this.serviceLevelSeconds,
      intervalStart: this.time.iso(bucket), groups: byDim,
    };
  }

  // ---- history ----

  async intervals(p: { from: number; to: number; size: IntervalSize; groupBy: ContactDim; key?: string; fill?: boolean }): Promise<IntervalRow[]> {
    const q = this.q;
    const params: unknown[] = [p.groupBy, p.from, p.to];
    let where = `${q('dim')} = ? AND ${q('start')} >= ? AND ${q('start')} < ?`;
    if (p.key !== undefined) {
      where += ` AND ${q('dimKey')} = ?`;
      params.push(p.key);
    }
    const rows = await this.rows(`SELECT * FROM ${q('reporting_intervals')} WHERE ${where} ORDER BY ${q('start')}`, params);
    const merged = new Map<string, { start: number; key: string; c: ContactCounters }>();
    const slot = (start: number, key: string) => {
      const id = `${start}|${key}`;
      let m = merged.get(id);
      if (!m) merged.set(id, (m = { start, key, c: zeroCounters(CONTACT_COUNTERS) }));
      return m;
    };
    for (const r of rows) addCounters(CONTACT_COUNTERS, slot(this.time.intervalStart(Number(r.start), p.size), String(r.dimKey)).c, r);
    if (p.fill) {
      const keys = new Set([...merged.values()].map((m) => m.key));
      if (p.key !== undefined) keys.add(p.key);
      if (p.groupBy === 'all') keys.add('');
      const starts = new Set<number>();
      for (let b = bucketOf(p.from); b < p.to; b += BUCKET_MS) if (b >= p.from) starts.add(this.time.intervalStart(b, p.size));
      for (const s of starts) for (const k of keys) slot(s, k);
    }
    return [...merged.values()]
      .sort((a, b) => a.start - b.start || a.key.localeCompare(b.key))
      .map((m) => ({ start: this.time.iso(m.start), end: this.time.iso(m.start + p.size * 60_000), key: m.key, ...contactFigures(m.c) }));
  }

  /** Contact figures per key of a dimension, summed over [from, to). */
  async contactTotals(from: number, to: number, groupBy: ContactDim): Promise<{ key: string; figures: ContactFigures }[]> {
    const q = this.q;
    const rows = await this.rows(
      `SELECT ${q('dimKey')}, ${sums(q, CONTACT_COUNTERS)} FROM ${q('reporting_intervals')} WHERE ${q('dim')} = ? AND ${q('start')} >= ? AND ${q('start')} < ? GROUP BY ${q('dimKey')}`,
      [groupBy, from, to],
    );
    return rows.map((r) => ({ key: String(r.dimKey), figures: contactFigures(contactCounters(r)) })).sort((a, b) => a.key.localeCompare(b.key));
  }

  // ---- appeals ----

  /** Appeal counters per key of a dimension over local days [fromDate, toDate]. */
  async appealTotals(fromDate: string, toDate: string, groupBy: AppealDim): Promise<{ key: string; figures: AppealFigures }[]> {
    const q = this.q;
    const rows = await this.rows(
      `SELECT ${q('dimKey')}, ${sums(q, APPEAL_COUNTERS)} FROM ${q('reporting_appeal_days')} WHERE ${q('dim')} = ? AND ${q('day')} >= ? AND ${q('day')} <= ? GROUP BY ${q('dimKey')}`,
      [groupBy, fromDate, toDate],
    );
    return rows.map((r) => ({ key: String(r.dimKey), figures: appealFigures(appealCounters(r)) })).sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Open appeals past their answer deadline, and received ones past their registration deadline, now. */
  async overdue(nowMs: number): Promise<Map<string, { overdueNow: number; registrationOverdueNow: number }>> {
    const q = this.q;
    const rows = await this.rows(
      `SELECT ${q('siteId')}, ${q('channel')}, ${q('serviceId')}, ${q('organisationId')}, ${q('topic')}, ${q('status')}, COUNT(*) AS ${q('n')} FROM ${q('reporting_appeals')}
       WHERE (${q('status')} = ? AND ${q('answerBy')} < ?) OR (${q('status')} = ? AND ${q('registerBy')} < ?)
       GROUP BY ${q('siteId')}, ${q('channel')}, ${q('serviceId')}, ${q('organisationId')}, ${q('topic')}, ${q('status')}`,
      ['open', nowMs, 'received', nowMs],
    );
    const out = new Map<string, { overdueNow: number; registrationOverdueNow: number }>();
    for (const r of rows) {
      const n = Number(r.n);
      const field = r.status === 'open' ? 'overdueNow' : 'registrationOverdueNow';
      const dims: [AppealDim, unknown][] = [['all', ''], ['site', r.siteId], ['channel', r.channel], ['service', r.serviceId], ['topic', r.topic], ['organisation', r.organisationId]];
      for (const [dim, key] of dims) {
        const id = `${dim}|${String(key)}`;
        const o = out.get(id) ?? { overdueNow: 0, registrationOverdueNow: 0 };
        o[field] += n;
        out.set(id, o);
      }
    }
    return out;
  }

  async compliance(p: { fromDate: string; toDate: string; groupBy: Exclude<AppealDim, 'redirection'>; nowMs: number }): Promise<Compliance> {
    const overdue = await this.overdue(p.nowMs);
    const withOverdue = (dim: AppealDim, key: string, figures: AppealFigures): ComplianceRow => ({
      key, ...figures, ...(overdue.get(`${dim}|${key}`) ?? { overdueNow: 0, registrationOverdueNow: 0 }),
    });
    const [total] = await this.appealTotals(p.fromDate, p.toDate, 'all');
    const rows = (await this.appealTotals(p.fromDate, p.toDate, p.groupBy)).map((r) => withOverdue(p.groupBy, r.key, r.figures));
    // Groups with nothing in the period but overdue appeals now are listed too.
    for (const [id, o] of overdue) {
      const [dim, ...key] = id.split('|');
      if (dim === p.groupBy && !rows.some((r) => r.key === key.join('|'))) rows.push({ key: key.join('|'), ...appealFigures(zeroCounters(APPEAL_COUNTERS)), ...o });
    }
    rows.sort((a, b) => a.key.localeCompare(b.key));
    const redirections = (await this.appealTotals(p.fromDate, p.toDate, 'redirection')).map((r) => {
      const [from, to] = r.key.split('>');
      return { fromOrganisationId: from ?? '', toOrganisationId: to ?? '', redirected: r.figures.redirected, redirectedOnTime: r.figures.redirectedOnTime, redirectedOnTimeShare: r.figures.redirectedOnTimeShare };
    });
    return {
      from: p.fromDate, to: p.toDate, groupBy: p.groupBy, timeZone: this.time.timeZone, at: this.time.iso(p.nowMs),
      total: withOverdue('all', '', total?.figures ?? appealFigures(zeroCounters(APPEAL_COUNTERS))), rows, redirections,
    };
  }

  /** The daily summary ("to the mayor"): appeals by topic, service, channel and site; contacts offered, answered, abandoned, SL. */
  async dailySummary(date: string, nowMs: number): Promise<DailySummary> {
    const from = this.time.startOfDay(date);
    const to = this.time.startOfDay(this.time.addDays(date, 1));
    const appeals = async (groupBy: Exclude<AppealDim, 'redirection'>) => (await this.compliance({ fromDate: date, toDate: date, groupBy, nowMs })).rows;
    const compliance = await this.compliance({ fromDate: date, toDate: date, groupBy: 'topic', nowMs });
    const [contactsTotal] = await this.contactTotals(from, to, 'all');
    return {
      date, timeZone: this.time.timeZone, at: this.time.iso(nowMs), serviceLevelSeconds: this.serviceLevelSeconds,
      appeals: {
        total: compliance.total, byTopic: compliance.rows, byService: await appeals('service'), byChannel: await appeals('channel'), bySite: await appeals('site'),
        redirections: compliance.redirections,
      },
      contacts: {
        total: contactsTotal?.figures ?? contactFigures(zeroCounters(CONTACT_COUNTERS)),
        byChannel: await this.contactTotals(from, to, 'channel'),
        bySite: await this.contactTotals(from, to, 'site'),
        byQueue: await this.contactTotals(from, to, 'queue'),
      },
    };
  }
}

export const APPEAL_GROUPS = APPEAL_DIMS.filter((d) => d !== 'redirection') as Exclude<AppealDim, 'redirection'>[];

export interface LiveGroup {
  dim: ContactDim;
  key: string;
  /** Today (local day) so far. */
  today: ContactFigures;
  /** The current quarter hour so far. */
  interval: ContactFigures;
  waitingNow: number;
  longestWaitSeconds: number;
  /** Operators logged in, by state (sites and all only). */
  operators: Record<string, number> | null;
}

export interface LiveSnapshot {
  at: string;
  day: string;
  timeZone: string;
  serviceLevelSeconds: number;
  intervalStart: string;
  groups: Record<ContactDim, LiveGroup[]>;
}

export interface IntervalRow extends ContactFigures {
  start: string;
  end: string;
  key: string;
}

export interface ComplianceRow extends AppealFigures {
  key: string;
  overdueNow: number;
  registrationOverdueNow: number;
}

export interface Compliance {
  from: string;
  to: string;
  groupBy: AppealDim;
  timeZone: string;
  at: string;
  total: ComplianceRow;
  rows: ComplianceRow[];
  redirections: { fromOrganisationId: string; toOrganisationId: string; redirected: number; redirectedOnTime: number; redirectedOnTimeShare: number | null }[];
}

export interface DailySummary {
  date: string;
  timeZone: string;
  at: string;
  serviceLevelSeconds: number;
  appeals: { total: ComplianceRow; byTopic: ComplianceRow[]; byService: ComplianceRow[]; byChannel: ComplianceRow[]; bySite: ComplianceRow[]; redirections: Compliance['redirections'] };
  contacts: { total: ContactFigures; byChannel: { key: string; figures: ContactFigures }[]; bySite: { key: string; figures: ContactFigures }[]; byQueue: { key: string; figures: ContactFigures }[] };
}
