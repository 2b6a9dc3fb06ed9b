/**
 * Forecasting interval volumes and handle times from history.
 *
 * Method (classical multiplicative decomposition, deterministic, no random starts):
 *   1. History is bucketed by local day and interval of the day (fixed UTC offset).
 *   2. Holidays are special days: left out of steps 3–5 and modelled on their own in step 6.
 *   3. Daily totals V_d = trend(d) × weekday index s_w, with trend(d) = a + b·(d − d̄) (or a constant),
 *      fitted by alternating least squares on V_d / s_w and s_w = ΣV_d / Σtrend(d) over that weekday,
 *      the indices scaled to average 1.
 *   4. Daily seasonality: for each weekday, the share of the day's volume in each interval
 *      (volume-weighted over all regular days of that weekday).
 *   5. Handle time per weekday and interval: the volume-weighted mean AHT, falling back to the
 *      interval's mean over all weekdays, then to the overall mean.
 *   6. Holidays: day total = trend(d) × holiday index, with the holiday index, intraday shares and AHT
 *      measured on the holidays in the history; without any, a holiday is forecast like the quietest
 *      weekday.
 * A forecast interval's volume = day total × share; its AHT from step 5 (or 6).
 */
import { accuracy, type AccuracyFigures } from './accuracy.js';
import {
  checkIntervalMinutes, dateOfDay, dayOfDate, epochOfLocal, localTime, toEpochMs, weekdayOf, type TimeInput,
} from './time.js';

/** One interval of history. */
export interface HistoryPoint {
  start: TimeInput;
  /** Calls (or items) offered in the interval. */
  volume: number;
  /** Average handle time in the interval, seconds (optional). */
  aht?: number;
}

/** How to read the history. */
export interface ForecastOptions {
  /** Interval length of the history and of the forecast: 15, 30 or 60 minutes. */
  intervalMinutes: number;
  /** Local time as minutes east of UTC (Moscow: 180). Default 0. */
  utcOffsetMinutes?: number;
  /** Holidays, 'YYYY-MM-DD' local dates, in the history and in the period to forecast. */
  holidays?: string[];
  /** 'linear' (default) or 'none' (level only). */
  trend?: 'linear' | 'none';
}

/** A fitted model (plain data, so it can be stored or sent to the console). */
export interface ForecastModel {
  intervalMinutes: number;
  utcOffsetMinutes: number;
  /** Holiday local day numbers. */
  holidayDays: number[];
  /** trend(d) = level + slope·(d − originDay). */
  level: number;
  slope: number;
  originDay: number;
  /** Weekday indices, Monday first, averaging 1. */
  weekdayIndex: number[];
  /** Per weekday, the share of the day's volume in each interval of the day. */
  profile: number[][];
  /** Per weekday and interval, the forecast AHT in seconds (0 when the history had none). */
  aht: number[][];
  /** Holiday day total relative to the trend. */
  holidayIndex: number;
  holidayProfile: number[];
  holidayAht: number[];
  /** Regular days and holidays the model was fitted on. */
  fittedDays: number;
  fittedHolidays: number;
}

/** One forecast interval. */
export interface ForecastInterval {
  /** Start, epoch ms. */
  start: number;
  volume: number;
  /** Seconds. */
  aht: number;
  holiday: boolean;
}

interface Buckets {
  slots: number;
  volume: Map<number, Float64Array>; // day → volume per slot
  talk: Map<number, Float64Array>; // day → Σ volume·aht per slot
  ahtVolume: Map<number, Float64Array>; // day → Σ volume with an aht per slot
}

function bucket(history: HistoryPoint[], intervalMinutes: number, offset: number): Buckets {
  const slots = 1440 / intervalMinutes;
  const b: Buckets = { slots, volume: new Map(), talk: new Map(), ahtVolume: new Map() };
  const row = (m: Map<number, Float64Array>, day: number): Float64Array => {
    let r = m.get(day);
    if (!r) m.set(day, (r = new Float64Array(slots)));
    return r;
  };
  for (const p of history) {
    if (!(p.volume >= 0)) throw new RangeError(`volume must be ≥ 0, got ${p.volume}`);
    const { day, minuteOfDay } = localTime(toEpochMs(p.start), offset);
    const slot = Math.floor(minuteOfDay / intervalMinutes);
    addAt(row(b.volume, day), slot, p.volume);
    if (p.aht !== undefined && p.aht > 0) {
      addAt(row(b.talk, day), slot, p.volume * p.aht);
      addAt(row(b.ahtVolume, day), slot, p.volume);
    }
  }
  return b;
}

/** a[i] += v, for typed and plain arrays under noUncheckedIndexedAccess. */
function addAt(a: { [i: number]: number }, i: number, v: number): void {
  a[i] = (a[i] ?? 0) + v;
}

const sum = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s;
};

/** Least-squares line through (x, y): [intercept at x̄, slope]. */
function fitLine(xs: number[], ys: number[], withSlope: boolean): [number, number] {
  const n = xs.length;
  const mx = sum(xs) / n;
  const my = sum(ys) / n;
  if (!withSlope || n < 2) return [my, 0];
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  return [my, sxx === 0 ? 0 : sxy / sxx];
}

/**
 * The trend through the deseasonalised daily totals V_d / s_w: [level at x = 0, slope]. Days of a
 * weekday whose index is 0 (nothing ever happens then, e.g. no e-mail work at weekends) say nothing
 * about the level and are left out (dividing by their index would be 0/0).
 */
function fitTrend(x: number[], totals: number[], weekday: number[], index: number[], withSlope: boolean): [number, number] {
  const xs: number[] = [];
  const ys: number[] = [];
  totals.forEach((v, i) => {
    const s = index[weekday[i] as number] as number;
    if (s > 0) {
      xs.push(x[i] as number);
      ys.push(v / s);
    }
  });
  if (!xs.length) return [0, 0];
  const [mean, slope] = fitLine(xs, ys, withSlope);
  return [mean - slope * (sum(xs) / xs.length), slope];
}

/** Volume shares and AHT per slot over a set of days. */
function shape(days: number[], b: Buckets): { profile: number[]; aht: number[]; total: number } {
  const volume = new Float64Array(b.slots);
  const talk = new Float64Array(b.slots);
  const ahtVolume = new Float64Array(b.slots);
  for (const d of days) {
    const v = b.volume.get(d) as Float64Array;
    const t = b.talk.get(d);
    const av = b.ahtVolume.get(d);
    for (let s = 0; s < b.slots; s++) {
      addAt(volume, s, v[s] as number);
      if (t && av) {
        addAt(talk, s, t[s] as number);
        addAt(ahtVolume, s, av[s] as number);
      }
    }
  }
  const total = sum(volume);
  return {
    total,
    profile: Array.from(volume, (v) => (total > 0 ? v / total : 0)),
    aht: Array.from(talk, (t, s) => ((ahtVolume[s] as number) > 0 ? t / (ahtVolume[s] as number) : NaN)),
  };
}

/** Fills NaN AHTs from a fallback row, then from a constant. */
function fillAht(aht: number[], fallback: number[] | undefined, overall: number): number[] {
  return aht.map((a, s) => (Number.isFinite(a) ? a : Number.isFinite(fallback?.[s]) ? (fallback?.[s] as number) : overall));
}

/** Fits the forecasting model to history. */
export function fitForecast(history: HistoryPoint[], options: ForecastOptions): ForecastModel {
  const { intervalMinutes } = options;
  checkIntervalMinutes(intervalMinutes);
  const offset = options.utcOffsetMinutes ?? 0;
  const holidayDays = [...new Set((options.holidays ?? []).map(dayOfDate))].sort((a, b) => a - b);
  const isHoliday = new Set(holidayDays);
  const b = bucket(history, intervalMinutes, offset);
  const allDays = [...b.volume.keys()].sort((x, y) => x - y);
  const days = allDays.filter((d) => !isHoliday.has(d));
  const holidays = allDays.filter((d) => isHoliday.has(d));
  if (days.length === 0) throw new RangeError('history has no regular (non-holiday) day');
  const totals = days.map((d) => sum(b.volume.get(d) as Float64Array));
  const weekday = days.map(weekdayOf);
  const originDay = days[0] as number;
  const x = days.map((d) => d - originDay);

  // Step 3: alternate between the trend on deseasonalised totals and the weekday indices.
  let index = [1, 1, 1, 1, 1, 1, 1];
  let level = 0;
  let slope = 0;
  const present = [0, 1, 2, 3, 4, 5, 6].filter((w) => weekday.includes(w));
  for (let round = 0; round < 100; round++) {
    [level, slope] = fitTrend(x, totals, weekday, index, options.trend !== 'none');
    const num = [0, 0, 0, 0, 0, 0, 0];
    const den = [0, 0, 0, 0, 0, 0, 0];
    totals.forEach((v, i) => {
      const w = weekday[i] as number;
      addAt(num, w, v);
      addAt(den, w, Math.max(level + slope * (x[i] as number), 1e-12));
    });
    const raw = index.map((s, w) => ((den[w] as number) > 0 ? (num[w] as number) / (den[w] as number) : s));
    const scale = present.reduce((s, w) => s + (raw[w] as number), 0) / present.length;
    const next = raw.map((s, w) => (present.includes(w) ? s / scale : 1));
    const change = Math.max(...next.map((s, w) => Math.abs(s - (index[w] as number))));
    index = next;
    if (change < 1e-13) break;
  }
  // Refit the trend to the final indices so level, slope and indices agree.
  [level, slope] = fitTrend(x, totals, weekday, index, options.trend !== 'none');

  // Steps 4–5: intraday shares and AHT per weekday.
  const overallShape = shape(days, b);
  const overallAht = (() => {
    const finite = overallShape.aht.map((a, s) => [a, overallShape.profile[s] as number] as const).filter(([a]) => Number.isFinite(a));
    const weight = finite.reduce((s, [, w]) => s + w, 0);
    return weight > 0 ? finite.reduce((s, [a, w]) => s + a * w, 0) / weight : 0;
  })();
  const overallAhtRow = fillAht(overallShape.aht, undefined, overallAht);
  const profile: number[][] = [];
  const aht: number[][] = [];
  for (let w = 0; w < 7; w++) {
    const s = shape(days.filter((_, i) => weekday[i] === w), b);
    profile.push(s.total > 0 ? s.profile : overallShape.profile);
    aht.push(fillAht(s.aht, overallAhtRow, overallAht));
  }

  // Step 6: holidays.
  const trendAt = (d: number): number => Math.max(0, level + slope * (d - originDay));
  let holidayIndex: number;
  let holidayProfile: number[];
  let holidayAht: number[];
  const hs = shape(holidays, b);
  const expected = holidays.reduce((s, d) => s + trendAt(d), 0);
  if (holidays.length > 0 && expected > 0 && hs.total > 0) {
    holidayIndex = hs.total / expected;
    holidayProfile = hs.profile;
    holidayAht = fillAht(hs.aht, overallAhtRow, overallAht);
  } else {
    const quietest = present.reduce((q, w) => ((index[w] as number) < (index[q] as number) ? w : q), present[0] as number);
    holidayIndex = index[quietest] as number;
    holidayProfile = profile[quietest] as number[];
    holidayAht = aht[quietest] as number[];
  }
  return {
    intervalMinutes, utcOffsetMinutes: offset, holidayDays, level, slope, originDay, weekdayIndex: index,
    profile, aht, holidayIndex, holidayProfile, holidayAht, fittedDays: days.length, fittedHolidays: holidays.length,
  };
}

/** The forecast for the interval starting at `start` (epoch ms or ISO). */
export function forecastAt(model: ForecastModel, start: TimeInput): ForecastInterval {
  const ms = toEpochMs(start);
  const { day, weekday, minuteOfDay } = localTime(ms, model.utcOffsetMinutes);
  const slot = Math.floor(minuteOfDay / model.intervalMinutes);
  const trend = Math.max(0, model.level + model.slope * (day - model.originDay));
  const holiday = model.holidayDays.includes(day);
  const dayTotal = trend * (holiday ? model.holidayIndex : (model.weekdayIndex[weekday] as number));
  const share = (holiday ? model.holidayProfile : (model.profile[weekday] as number[]))[slot] as number;
  const aht = (holiday ? model.holidayAht : (model.aht[weekday] as number[]))[slot] as number;
  return { start: ms, volume: dayTotal * share, aht, holiday };
}

/** Forecast every interval of `days` local days starting with the local day of `from`. */
export function forecastDays(model: ForecastModel, from: TimeInput, days: number): ForecastInterval[] {
  const first = localTime(toEpochMs(from), model.utcOffsetMinutes).day;
  const out: ForecastInterval[] = [];
  for (let d = first; d < first + days; d++) {
    for (let m = 0; m < 1440; m += model.intervalMinutes) out.push(forecastAt(model, epochOfLocal(d, m, model.utcOffsetMinutes)));
  }
  return out;
}

/** Accuracy of one held-out week. */
export interface WeekAccuracy {
  /** First local date of the week. */
  from: string;
  volume: AccuracyFigures;
}

/** Forecast accuracy on the last weeks of history, the model being fitted on the weeks before. */
export interface HoldoutAccuracy {
  /** Per interval, all held-out weeks together. */
  intervals: AccuracyFigures;
  /** Per day totals. */
  days: AccuracyFigures;
  /** Per held-out week, per interval. */
  weeks: WeekAccuracy[];
  /** Handle time: Σ volume·|AHT error| / Σ volume·AHT (volume-weighted), over intervals with an AHT. */
  ahtWape: number;
  /** The model fitted on the earlier weeks. */
  model: ForecastModel;
}

/** Fits on all but the last `holdoutWeeks` weeks of history and reports accuracy on those weeks. */
export function holdoutAccuracy(history: HistoryPoint[], options: ForecastOptions & { holdoutWeeks: number }): HoldoutAccuracy {
  if (!(Number.isInteger(options.holdoutWeeks) && options.holdoutWeeks >= 1)) throw new RangeError('holdoutWeeks must be a whole number ≥ 1');
  const offset = options.utcOffsetMinutes ?? 0;
  const dayOf = (p: HistoryPoint): number => localTime(toEpochMs(p.start), offset).day;
  const lastDay = history.reduce((m, p) => Math.max(m, dayOf(p)), -Infinity);
  const cut = lastDay - 7 * options.holdoutWeeks; // fit on days ≤ cut
  const model = fitForecast(history.filter((p) => dayOf(p) <= cut), options);
  const held = history.filter((p) => dayOf(p) > cut).sort((p, q) => toEpochMs(p.start) - toEpochMs(q.start));
  const predicted = held.map((p) => forecastAt(model, p.start));
  const weeks: WeekAccuracy[] = [];
  for (let w = 0; w < options.holdoutWeeks; w++) {
    const inWeek = held.map((p, i) => [p, i] as const).filter(([p]) => Math.floor((dayOf(p) - cut - 1) / 7) === w);
    weeks.push({
      from: dateOfDay(cut + 1 + 7 * w),
      volume: accuracy(inWeek.map(([p]) => p.volume), inWeek.map(([, i]) => (predicted[i] as ForecastInterval).volume)),
    });
  }
  const dayActual = new Map<number, number>();
  const dayForecast = new Map<number, number>();
  let ahtError = 0;
  let ahtTotal = 0;
  held.forEach((p, i) => {
    const d = dayOf(p);
    const f = predicted[i] as ForecastInterval;
    dayActual.set(d, (dayActual.get(d) ?? 0) + p.volume);
    dayForecast.set(d, (dayForecast.get(d) ?? 0) + f.volume);
    if (p.aht !== undefined && p.aht > 0) {
      ahtError += p.volume * Math.abs(p.aht - f.aht);
      ahtTotal += p.volume * p.aht;
    }
  });
  const dayKeys = [...dayActual.keys()];
  return {
    intervals: accuracy(held.map((p) => p.volume), predicted.map((f) => f.volume)),
    days: accuracy(dayKeys.map((d) => dayActual.get(d) as number), dayKeys.map((d) => dayForecast.get(d) as number)),
    weeks,
    ahtWape: ahtTotal > 0 ? ahtError / ahtTotal : NaN,
    model,
  };
}
