/**
 * The DeadlinePolicy's configuration: every 59-FZ term with its unit, the extension rules and the
 * near-due warnings, with defaults per 59-FZ, and the checker that fills them in.
 */
import { Issues, isRecord } from './config-issues.js';
import { ConfigError } from './errors.js';

/** How a term is counted. */
export type TermUnit = 'calendarDays' | 'workingDays' | 'workingHours';
export const TERM_UNITS: readonly TermUnit[] = ['calendarDays', 'workingDays', 'workingHours'];

/** An amount of time in one unit. */
export interface Span {
  amount: number;
  unit: TermUnit;
}

export interface TermConfig extends Span {
  /** Calendar-day terms ending on a non-working day end on the next working day (Civil Code art. 193). Default true. */
  rollForward?: boolean;
  /** How early a due date counts as near. Default 3 calendar days for day terms, 2 working hours for hour terms. */
  warnWithin?: Span;
}

/**
 * The terms: 'register' runs from receipt, all others from registration.
 * - register: 59-FZ art. 8 part 2, 3 days;
 * - redirect: art. 8 part 3, 7 days (appeal outside competence sent on, with notice);
 * - answer: art. 12 part 1, 30 days;
 * - secondLine: deferred appeal handled by the 2nd line, 8 working hours (ЕКЦ practice);
 * - courtReturn: art. 11 part 2, 7 days (appeal against a court decision returned with explanation).
 */
export type TermName = 'register' | 'redirect' | 'answer' | 'secondLine' | 'courtReturn';
export const TERM_NAMES: readonly TermName[] = ['register', 'redirect', 'answer', 'secondLine', 'courtReturn'];

/** The category whose answer term is 20 days by default: migration violations reported to the regional head (59-FZ art. 12 part 1.1). */
export const MIGRATION_CATEGORY = 'migration';

export interface ExtensionConfig {
  /** Longest single extension. Default 30 (59-FZ art. 12 part 2). */
  maxDays: number;
  /** How many extensions an appeal may have. Default 1. */
  maxCount: number;
  /** Default 'calendarDays'. */
  unit: 'calendarDays' | 'workingDays';
  /** Default true. */
  rollForward: boolean;
  /** Refuse an extension without a reason. Default true (the notice to the applicant must give one). */
  requireReason: boolean;
}

export interface DeadlinePolicyConfig extends Partial<Record<TermName, Partial<TermConfig>>> {
  /**
   * Answer terms by appeal category, each merged over the `answer` term. Replaces the default
   * `{ migration: { amount: 20 } }` when given.
   */
  categoryAnswer?: Readonly<Record<string, Partial<TermConfig>>>;
  extension?: Partial<ExtensionConfig>;
  /**
   * When a day term ends on its last day: 'endOfDay' (23:59:59.999 local, default) or
   * 'closeOfBusiness' (closing time of that working day, Civil Code art. 194 part 1 for acts done at
   * an organisation; a non-working last day, possible without roll-forward, falls back to end of day).
   */
  dayTermEnds?: 'endOfDay' | 'closeOfBusiness';
  /** The default near-due warnings. */
  warnWithin?: { dayTerms?: Span; hourTerms?: Span };
}

export interface CheckedTerm {
  amount: number;
  unit: TermUnit;
  rollForward: boolean;
  warnWithin: Span;
}

export interface CheckedDeadlineConfig {
  terms: Readonly<Record<TermName, CheckedTerm>>;
  categoryAnswer: ReadonlyMap<string, CheckedTerm>;
  extension: Readonly<ExtensionConfig>;
  dayTermEnds: 'endOfDay' | 'closeOfBusiness';
  warnWithin: { dayTerms: Span; hourTerms: Span };
}

export const DEFAULT_TERMS: Readonly<Record<TermName, Span>> = {
  register: { amount: 3, unit: 'calendarDays' },
  redirect: { amount: 7, unit: 'calendarDays' },
  answer: { amount: 30, unit: 'calendarDays' },
  secondLine: { amount: 8, unit: 'workingHours' },
  courtReturn: { amount: 7, unit: 'calendarDays' },
};

export const DEFAULT_CATEGORY_ANSWER: Readonly<Record<string, Partial<TermConfig>>> = {
  [MIGRATION_CATEGORY]: { amount: 20 },
};

export const DEFAULT_EXTENSION: Readonly<ExtensionConfig> = {
  maxDays: 30,
  maxCount: 1,
  unit: 'calendarDays',
  rollForward: true,
  requireReason: true,
};

export const DEFAULT_WARN_WITHIN: { dayTerms: Span; hourTerms: Span } = {
  dayTerms: { amount: 3, unit: 'calendarDays' },
  hourTerms: { amount: 2, unit: 'workingHours' },
};

/** Reports a span that is not a unit and a non-negative amount (whole for day units). */
export function checkSpan(value: unknown, path: string, issues: Issues): Span | undefined {
  const v = issues.record(path, value, '{ amount, unit }');
  issues.unknownKeys(path, v, ['amount', 'unit']);
  return checkAmountAndUnit(v.amount, v.unit, path, issues);
}

function checkAmountAndUnit(amount: unknown, unit: unknown, path: string, issues: Issues): Span | undefined {
  if (!TERM_UNITS.includes(unit as TermUnit)) {
    issues.add(`${path}.unit`, `must be one of ${TERM_UNITS.join(', ')}, got ${JSON.stringify(unit)}`);
    return undefined;
  }
  const whole = unit !== 'workingHours';
  const ok = typeof amount === 'number' && Number.isFinite(amount) && amount >= 0 && (!whole || Number.isInteger(amount));
  if (!ok) {
    issues.add(`${path}.amount`, `must be a ${whole ? 'whole number' : 'number'} >= 0 of ${String(unit)}, got ${JSON.stringify(amount)}`);
    return undefined;
  }
  return { amount: amount as number, unit: unit as TermUnit };
}

function checkTerm(
  value: unknown,
  base: Span & { rollForward?: boolean },
  path: string,
  warn: { dayTerms: Span; hourTerms: Span },
  issues: Issues,
): CheckedTerm {
  const v = issues.record(path, value ?? {}, '{ amount?, unit?, rollForward?, warnWithin? }');
  issues.unknownKeys(path, v, ['amount', 'unit', 'rollForward', 'warnWithin']);
  const span = checkAmountAndUnit(v.amount ?? base.amount, v.unit ?? base.unit, path, issues) ?? base;
  const rollForward = v.rollForward ?? base.rollForward ?? true;
  if (typeof rollForward !== 'boolean') issues.add(`${path}.rollForward`, 'must be true or false');
  const warnWithin =
    v.warnWithin === undefined
      ? span.unit === 'workingHours'
        ? warn.hourTerms
        : warn.dayTerms
      : (checkSpan(v.warnWithin, `${path}.warnWithin`, issues) ?? warn.dayTerms);
  return { ...span, rollForward: rollForward === true, warnWithin };
}

function checkExtension(value: unknown, issues: Issues): ExtensionConfig {
  const v = issues.record('extension', value ?? {}, '{ maxDays?, maxCount?, unit?, rollForward?, requireReason? }');
  issues.unknownKeys('extension', v, Object.keys(DEFAULT_EXTENSION));
  const e = { ...DEFAULT_EXTENSION, ...v } as Record<keyof ExtensionConfig, unknown>;
  if (!Number.isInteger(e.maxDays) || (e.maxDays as number) < 1) issues.add('extension.maxDays', `must be a whole number >= 1, got ${JSON.stringify(e.maxDays)}`);
  if (!Number.isInteger(e.maxCount) || (e.maxCount as number) < 0) issues.add('extension.maxCount', `must be a whole number >= 0, got ${JSON.stringify(e.maxCount)}`);
  if (e.unit !== 'calendarDays' && e.unit !== 'workingDays') issues.add('extension.unit', `must be calendarDays or workingDays, got ${JSON.stringify(e.unit)}`);
  for (const key of ['rollForward', 'requireReason'] as const) {
    if (typeof e[key] !== 'boolean') issues.add(`extension.${key}`, 'must be true or false');
  }
  return e as ExtensionConfig;
}

/** Checks a policy config and fills in the 59-FZ defaults; throws one ConfigError listing every problem. */
export function checkDeadlineConfig(input: unknown = {}): CheckedDeadlineConfig {
  const issues = new Issues();
  if (!isRecord(input)) throw new ConfigError('DeadlinePolicy', ['(root): must be an object']);
  issues.unknownKeys('', input, [...TERM_NAMES, 'categoryAnswer', 'extension', 'dayTermEnds', 'warnWithin']);
  const w = issues.record('warnWithin', input.warnWithin ?? {}, '{ dayTerms?, hourTerms? }');
  issues.unknownKeys('warnWithin', w, ['dayTerms', 'hourTerms']);
  const warn = {
    dayTerms: w.dayTerms === undefined ? DEFAULT_WARN_WITHIN.dayTerms : (checkSpan(w.dayTerms, 'warnWithin.dayTerms', issues) ?? DEFAULT_WARN_WITHIN.dayTerms),
    hourTerms: w.hourTerms === undefined ? DEFAULT_WARN_WITHIN.hourTerms : (checkSpan(w.hourTerms, 'warnWithin.hourTerms', issues) ?? DEFAULT_WARN_WITHIN.hourTerms),
  };
  const terms = Object.fromEntries(
    TERM_NAMES.map((name) => [name, checkTerm(input[name], DEFAULT_TERMS[name], name, warn, issues)]),
  ) as Record<TermName, CheckedTerm>;
  const categories = issues.record('categoryAnswer', input.categoryAnswer ?? DEFAULT_CATEGORY_ANSWER, '{ [category]: term }');
  const categoryAnswer = new Map<string, CheckedTerm>();
  for (const [category, term] of Object.entries(categories)) {
    const base = terms.answer;
    // A category term that changes unit gets that unit's default warning, not the answer term's.
    const sameUnit = isRecord(term) && (term.unit === undefined || term.unit === base.unit);
    const merged = sameUnit && !('warnWithin' in term) ? { warnWithin: base.warnWithin, ...term } : term;
    categoryAnswer.set(category, checkTerm(merged, base, `categoryAnswer.${category}`, warn, issues));
  }
  const extension = checkExtension(input.extension, issues);
  const dayTermEnds = input.dayTermEnds ?? 'endOfDay';
  if (dayTermEnds !== 'endOfDay' && dayTermEnds !== 'closeOfBusiness') {
    issues.add('dayTermEnds', `must be endOfDay or closeOfBusiness, got ${JSON.stringify(dayTermEnds)}`);
  }
  if (issues.list.length > 0) throw new ConfigError('DeadlinePolicy', issues.list);
  return { terms, categoryAnswer, extension, dayTermEnds: dayTermEnds as CheckedDeadlineConfig['dayTermEnds'], warnWithin: warn };
}
