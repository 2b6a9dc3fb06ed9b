/**
 * Report pages' logic: date ranges (the API's `to` is exclusive for intervals, inclusive for
 * compliance), chart series from interval rows, names for dimension keys, export file names.
 */
import { addDays } from './dates.ts';
import type { IntervalRow } from '../api/reporting.ts';

/** The interval query for an inclusive range of local dates (the API wants `to` exclusive). */
export function intervalQuery(o: { from: string; to: string; size: number; groupBy: string; key?: string | null }) {
  return { from: o.from, to: addDays(o.to, 1), size: o.size, groupBy: o.groupBy, ...(o.key ? { key: o.key } : {}), fill: true };
}

/** The keys present in interval rows, in first-seen order. */
export function keysOf(rows: readonly IntervalRow[]): string[] {
  return [...new Set(rows.map((r) => r.key))];
}

/** Series for charts over one key's rows: counts, SL and occupancy (%), ASA and AHT (seconds). */
export function intervalSeries(rows: readonly IntervalRow[], key: string | null) {
  const mine = key === null ? rows : rows.filter((r) => r.key === key);
  const round = (v: number | null, k = 1) => (v === null ? null : Math.round(v * k) / k);
  return {
    labels: mine.map((r) => r.start.slice(5, 16).replace('T', ' ')),
    offered: mine.map((r) => r.offered),
    answered: mine.map((r) => r.answered),
    abandoned: mine.map((r) => r.abandoned),
    serviceLevel: mine.map((r) => (r.serviceLevel === null ? null : round(r.serviceLevel * 100, 10))),
    asa: mine.map((r) => round(r.asaSeconds, 10)),
    aht: mine.map((r) => round(r.ahtSeconds, 10)),
    occupancy: mine.map((r) => (r.occupancy === null ? null : round(r.occupancy * 100, 10))),
    rows: mine,
  };
}

/** Totals over interval rows: counts summed; SL, ASA, AHT and occupancy weighted as the API defines them. */
export function intervalTotals(rows: readonly IntervalRow[]) {
  let offered = 0, answered = 0, abandoned = 0, shortAbandoned = 0, handled = 0, slNum = 0, slDen = 0, asaSum = 0, ahtSum = 0, worked = 0, logged = 0;
  for (const r of rows) {
    offered += r.offered;
    answered += r.answered;
    abandoned += r.abandoned;
    shortAbandoned += r.shortAbandoned;
    handled += r.handled;
    const den = r.answered + r.abandoned - r.shortAbandoned;
    if (r.serviceLevel !== null && den > 0) {
      slNum += r.serviceLevel * den;
      slDen += den;
    }
    if (r.asaSeconds !== null) asaSum += r.asaSeconds * r.answered;
    if (r.ahtSeconds !== null) ahtSum += r.ahtSeconds * r.handled;
    if (r.operatorHours) {
      worked += r.operatorHours.busy + r.operatorHours.wrapUp;
      logged += r.operatorHours.ready + r.operatorHours.busy + r.operatorHours.wrapUp;
    }
  }
  return {
    offered, answered, abandoned, shortAbandoned, handled,
    serviceLevel: slDen ? slNum / slDen : null,
    asaSeconds: answered ? asaSum / answered : null,
    ahtSeconds: handled ? ahtSum / handled : null,
    occupancy: logged ? worked / logged : null,
  };
}

/** A dimension key in words: '-' is "not known"; ids of sites, services, organisations by name when known. */
export function keyLabel(key: string, names: ReadonlyMap<string, string>, unknown: string): string {
  if (key === '-' || key === '') return unknown;
  return names.get(key) ?? key;
}

export function exportName(kind: string, from: string, to: string, format: 'csv' | 'xlsx'): string {
  return `okno-${kind}-${from}${to && to !== from ? `_${to}` : ''}.${format}`;
}

/** Saves a Blob as a file through a temporary link (the API needs the token, so no plain <a href>). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
