/**
 * Business hours of a queue: a weekly schedule of opening intervals in the city's time zone, less
 * the closed days that an injected calendar predicate names (holidays come from the core's business
 * calendar; the engine does not know them). A queue without hours is always open.
 *
 * The engine asks `stateAt(t)` only at boundaries: the answer says whether the queue is open, since
 * when (the start of the current open or closed stretch, joined across midnight) and until when it
 * holds, so between boundaries an open/closed check costs nothing.
 */
export interface OpenState {
  readonly open: boolean;
  /** Start of the current stretch (open or closed); -Infinity when it began before anything known. */
  readonly since: number;
  /** When the state next changes; Infinity when it never does. */
  readonly until: number;
}

export interface BusinessHours {
  stateAt(at: number): OpenState;
}

export const alwaysOpen: BusinessHours = {
  stateAt: () => ({ open: true, since: -Infinity, until: Infinity }),
};

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** 'HH:MM' local wall-clock times; '24:00' ends a day. */
export type TimeRangeInput = readonly [string, string];

export interface WeeklyHoursConfig {
  /** IANA zone, e.g. 'Europe/Moscow'. */
  timeZone: string;
  /** Open intervals per weekday; a missing day is closed. */
  week: Partial<Record<Weekday, readonly TimeRangeInput[]>>;
  /** Local dates ('YYYY-MM-DD') the queue is closed although the week says open (holidays). */
  closedOn?: (localDate: string) => boolean;
}

/** How far to look for the next or previous change before calling the state unbounded. */
const SEARCH_DAYS = 400;
const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

type MinuteRange = readonly [number, number];

export class WeeklyHours implements BusinessHours {
  private readonly week: ReadonlyMap<number, readonly MinuteRange[]>;
  private readonly closedOn: (localDate: string) => boolean;
  private readonly zone: ZonedTime;

  constructor(config: WeeklyHoursConfig) {
    this.zone = new ZonedTime(config.timeZone);
    this.closedOn = config.closedOn ?? (() => false);
    const week = new Map<number, MinuteRange[]>();
    for (const [day, ranges] of Object.entries(config.week)) {
      const index = WEEKDAYS.indexOf(day as Weekday);
      if (index < 0) throw new RangeError(`WeeklyHours: unknown weekday '${day}' (use ${WEEKDAYS.join(', ')})`);
      week.set(index, mergeRanges((ranges ?? []).map((r) => parseRange(r, day))));
    }
    this.week = week;
  }

  stateAt(at: number): OpenState {
    const today = this.zone.localDate(at);
    // Walk forward from the day before (a range of yesterday may run to 24:00 = today 00:00).
    let day = addDays(today, -1);
    for (let i = 0; i < SEARCH_DAYS; i++, day = addDays(day, 1)) {
      for (const [start, end] of this.rangesOn(day)) {
        if (end <= at) continue;
        if (start <= at) return { open: true, since: this.openStart(day, start), until: this.openEnd(day, end) };
        return { open: false, since: this.closedStart(at), until: start };
      }
    }
    return { open: false, since: this.closedStart(at), until: Infinity };
  }

  /** The open ranges of local date `day` as epoch-ms [start, end). */
  private rangesOn(day: string): [number, number][] {
    if (this.closedOn(day)) return [];
    const ranges = this.week.get(weekdayIndex(day)) ?? [];
    return ranges.map(([s, e]) => [this.zone.toEpoch(day, s), this.zone.toEpoch(day, e)]);
  }

  /** Start of the open stretch containing the range of `day` that starts at `start`. */
  private openStart(day: string, start: number): number {
    let since = start;
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const joined = this.rangesEndingAt(since, day);
      if (joined === undefined) return since;
      [day, since] = joined;
    }
    return -Infinity;
  }

  /** End of the open stretch containing the range of `day` that ends at `end`. */
  private openEnd(day: string, end: number): number {
    let until = end;
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const joined = this.rangeStartingAt(until, day);
      if (joined === undefined) return until;
      [day, until] = joined;
    }
    return Infinity;
  }

  /** A range (of `day` or the day after) starting exactly at `t`: [its day, its end]. */
  private rangeStartingAt(t: number, day: string): [string, number] | undefined {
    for (const d of [day, addDays(day, 1)]) {
      const r = this.rangesOn(d).find(([s]) => s === t);
      if (r) return [d, r[1]];
    }
    return undefined;
  }

  /** A range (of `day` or the day before) ending exactly at `t`: [its day, its start]. */
  private rangesEndingAt(t: number, day: string): [string, number] | undefined {
    for (const d of [day, addDays(day, -1)]) {
      const r = this.rangesOn(d).find(([, e]) => e === t);
      if (r) return [d, r[0]];
    }
    return undefined;
  }

  /** End of the last open range at or before `at`, or -Infinity. */
  private closedStart(at: number): number {
    let day = this.zone.localDate(at);
    for (let i = 0; i < SEARCH_DAYS; i++, day = addDays(day, -1)) {
      const ends = this.rangesOn(day).map(([, e]) => e).filter((e) => e <= at);
      if (ends.length > 0) return Math.max(...ends);
    }
    return -Infinity;
  }
}

function parseRange([from, to]: TimeRangeInput, day: string): MinuteRange {
  const s = parseMinute(from, day);
  const e = parseMinute(to, day);
  if (!(s < e)) throw new RangeError(`WeeklyHours: ${day} ${from}-${to} is empty or reversed`);
  return [s, e];
}

function parseMinute(hhmm: string, day: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || !(minutes >= 0 && minutes <= MINUTES_PER_DAY)) {
    throw new RangeError(`WeeklyHours: ${day}: '${hhmm}' is not a time 'HH:MM' from 00:00 to 24:00`);
  }
  return minutes;
}

function mergeRanges(ranges: MinuteRange[]): MinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** 0 = Monday … 6 = Sunday, of a 'YYYY-MM-DD' date. */
function weekdayIndex(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Local dates and wall-clock minutes in one IANA zone, through Intl (no time-zone library needed). */
class ZonedTime {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  localDate(at: number): string {
    const p = this.parts(at);
    return `${p.year}-${p.month}-${p.day}`;
  }

  /** The instant of wall-clock `minute` (0..1440) on local date `day`. */
  toEpoch(day: string, minute: number): number {
    const wall = Date.parse(`${day}T00:00:00Z`) + minute * MS_PER_MINUTE;
    const guess = wall - this.offset(wall);
    const corrected = wall - this.offset(guess);
    return corrected;
  }

  /** Local wall time minus UTC at instant `at`, in ms. */
  private offset(at: number): number {
    const p = this.parts(at);
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return wall - (at - (((at % 1000) + 1000) % 1000));
  }

  private parts(at: number): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
    const out = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
    for (const part of this.format.formatToParts(at)) {
      if (part.type in out) out[part.type as keyof typeof out] = part.value;
    }
    return out;
  }
}
