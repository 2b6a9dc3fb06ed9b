/**
 * DeadlinePolicy: the 59-FZ terms of an appeal computed on a BusinessCalendar, the answer-term
 * extension rule, and the overdue / near-due / countdown helpers the domain and the console use.
 *
 * Day terms are counted from the day after the event (Civil Code art. 191): registered on 2 March,
 * 30 days -> 1 April. A day term ends at the end of its last local day (or its closing time, see
 * `dayTermEnds`); hour terms end at the exact instant. A term is overdue once `now` is after its due
 * instant.
 */
import type { BusinessCalendar } from './business-calendar.js';
import { checkDeadlineConfig, type CheckedDeadlineConfig, type CheckedTerm, type DeadlinePolicyConfig, type Span, type TermName } from './deadline-config.js';
import { assertInstant, DeadlineRuleError } from './errors.js';
import { addDays, daysBetween } from './local-date.js';

export interface DeadlineInput {
  /** When the appeal reached the organisation (the register term runs from here). */
  receivedAt: Date;
  /** When it was registered (every other term runs from here). */
  registeredAt: Date;
  /** Appeal category; a category in `categoryAnswer` (e.g. 'migration') gets its own answer term. */
  category?: string;
  /** Extensions already granted, in order; each is checked against the extension rules. */
  extension?: { days: number } | readonly { days: number }[];
}

export interface AppealDeadlines {
  registerBy: Date;
  redirectBy: Date;
  answerBy: Date;
  /** The answer term after the extensions given in the input; absent without extensions. */
  answerByExtended?: Date;
  secondLineBy: Date;
  courtReturnBy: Date;
  /** The category whose special answer term was applied; absent when the general term applied. */
  answerCategory?: string;
}

export interface CurrentAnswerTerm {
  answerBy: Date;
  /** Extensions already granted. Default 0. */
  extensionsGranted?: number;
}

export interface ExtensionRequest {
  days: number;
  reason: string;
  /** When the extension is decided; if given, an extension after the due instant is refused. */
  at?: Date;
}

export interface ExtensionResult {
  answerBy: Date;
  previousAnswerBy: Date;
  days: number;
  reason: string;
  extensionsGranted: number;
}

export interface WarnOptions {
  /** Use this term's warning (for the answer term, the category's if given). */
  term?: TermName;
  category?: string;
  /** Use this warning instead. */
  warnWithin?: Span;
}

export interface Remaining {
  overdue: boolean;
  /** due - now, in milliseconds (negative when overdue). */
  ms: number;
  /** Local date of due minus local date of now. */
  calendarDays: number;
  /** Working days left after today up to and including the due date (negative: working days since). */
  workingDays: number;
  /** Working hours between now and due (negative when overdue). */
  workingHours: number;
}

export class DeadlinePolicy {
  readonly config: CheckedDeadlineConfig;

  /** Throws ConfigError listing every problem in `config`. */
  constructor(
    readonly calendar: BusinessCalendar,
    config: DeadlinePolicyConfig = {},
  ) {
    this.config = checkDeadlineConfig(config);
  }

  /** The term that applies; for 'answer', the category's special term when there is one. */
  termFor(name: TermName, category?: string): CheckedTerm {
    const special = name === 'answer' && category !== undefined ? this.config.categoryAnswer.get(category) : undefined;
    return special ?? this.config.terms[name];
  }

  /** The due instant of one term counted from `from`. */
  due(name: TermName, from: Date, category?: string): Date {
    assertInstant(from, 'from');
    return this.apply(from, this.termFor(name, category));
  }

  computeDeadlines(input: DeadlineInput): AppealDeadlines {
    const { receivedAt, registeredAt, category } = input;
    assertInstant(receivedAt, 'receivedAt');
    assertInstant(registeredAt, 'registeredAt');
    const answerBy = this.due('answer', registeredAt, category);
    const result: AppealDeadlines = {
      registerBy: this.due('register', receivedAt),
      redirectBy: this.due('redirect', registeredAt),
      answerBy,
      secondLineBy: this.due('secondLine', registeredAt),
      courtReturnBy: this.due('courtReturn', registeredAt),
    };
    if (category !== undefined && this.config.categoryAnswer.has(category)) result.answerCategory = category;
    const extensions = input.extension === undefined ? [] : 'days' in input.extension ? [input.extension] : input.extension;
    let current: CurrentAnswerTerm = { answerBy, extensionsGranted: 0 };
    for (const { days } of extensions) {
      const next = this.extendTerm(current, days);
      current = { answerBy: next, extensionsGranted: (current.extensionsGranted ?? 0) + 1 };
    }
    if (extensions.length > 0) result.answerByExtended = current.answerBy;
    return result;
  }

  /**
   * Extends the answer term (59-FZ art. 12 part 2) by `days` counted from the current due date.
   * Throws DeadlineRuleError when the days are not a whole number >= 1 or more than `maxDays`, when
   * the extensions allowed are used up, when the reason is empty (if required), or when `at` is after
   * the current due instant.
   */
  extend(current: CurrentAnswerTerm, request: ExtensionRequest): ExtensionResult {
    assertInstant(current.answerBy, 'current.answerBy');
    const answerBy = this.extendTerm(current, request.days);
    const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
    if (this.config.extension.requireReason && reason === '') {
      throw new DeadlineRuleError('EXTENSION_REASON_REQUIRED', 'an extension of the answer term needs a reason, which the notice to the applicant must state');
    }
    if (request.at !== undefined) {
      assertInstant(request.at, 'request.at');
      if (this.isOverdue(current.answerBy, request.at)) {
        throw new DeadlineRuleError('EXTENSION_AFTER_DUE', `the answer term ended at ${current.answerBy.toISOString()}; it can only be extended before it ends`);
      }
    }
    return {
      answerBy,
      previousAnswerBy: new Date(current.answerBy.getTime()),
      days: request.days,
      reason,
      extensionsGranted: (current.extensionsGranted ?? 0) + 1,
    };
  }

  isOverdue(due: Date, now: Date): boolean {
    assertInstant(due, 'due');
    assertInstant(now, 'now');
    return now.getTime() > due.getTime();
  }

  /**
   * True when `due` is not overdue and at most the warning span remains: for day spans, counted by
   * local dates (due today + 3 days or earlier); for working hours, working time left <= the amount.
   * An overdue term is not "near due".
   */
  isNearDue(due: Date, now: Date, options: WarnOptions = {}): boolean {
    return !this.isOverdue(due, now) && due.getTime() <= this.nearDueHorizon(now, options).getTime();
  }

  /**
   * The latest due instant that counts as near due at `now`: a term is near due exactly when
   * now <= due <= horizon, so a near-due query is `WHERE due BETWEEN :now AND :horizon`.
   */
  nearDueHorizon(now: Date, options: WarnOptions = {}): Date {
    assertInstant(now, 'now');
    const span = options.warnWithin ?? (options.term ? this.termFor(options.term, options.category).warnWithin : this.config.warnWithin.dayTerms);
    const cal = this.calendar;
    switch (span.unit) {
      case 'calendarDays':
        return cal.endOfLocalDay(addDays(cal.localDate(now), span.amount));
      case 'workingDays': {
        // Up to (not including) the (amount + 1)-th working day after today.
        let d = cal.localDate(now);
        for (let i = 0; i <= span.amount; i++) d = cal.nextWorkingDay(d);
        return cal.endOfLocalDay(addDays(d, -1));
      }
      case 'workingHours':
        // Due instants in the non-working gap after the last counted hour still leave only `amount` hours.
        return cal.nextWorkingInstant(cal.addWorkingHours(now, span.amount));
    }
  }

  /** How much time is left until `due`, in the units a countdown shows. */
  remaining(due: Date, now: Date): Remaining {
    const overdue = this.isOverdue(due, now);
    const cal = this.calendar;
    return {
      overdue,
      ms: due.getTime() - now.getTime(),
      calendarDays: daysBetween(cal.localDate(now), cal.localDate(due)),
      workingDays: cal.workingDaysBetween(now, due),
      workingHours: cal.workingHoursBetween(now, due),
    };
  }

  /** Checks the extension's days and count, and returns the new answer due instant. */
  private extendTerm(current: CurrentAnswerTerm, days: number): Date {
    const { maxDays, maxCount, unit, rollForward } = this.config.extension;
    const granted = current.extensionsGranted ?? 0;
    if (!Number.isInteger(days) || days < 1) {
      throw new DeadlineRuleError('EXTENSION_INVALID_DAYS', `an extension must be a whole number of days >= 1, got ${days}`);
    }
    if (granted >= maxCount) {
      throw new DeadlineRuleError(
        'EXTENSION_LIMIT_REACHED',
        `the answer term may be extended at most ${maxCount} time(s) (59-FZ art. 12 part 2) and has been extended ${granted} time(s)`,
      );
    }
    if (days > maxDays) {
      throw new DeadlineRuleError('EXTENSION_TOO_LONG', `an extension may add at most ${maxDays} days (59-FZ art. 12 part 2), asked for ${days}`);
    }
    return this.apply(current.answerBy, { amount: days, unit, rollForward, warnWithin: this.config.warnWithin.dayTerms });
  }

  private apply(from: Date, term: CheckedTerm): Date {
    const cal = this.calendar;
    switch (term.unit) {
      case 'calendarDays':
        return this.endOfTermDay(from, cal.addCalendarDays(from, term.amount, { rollForward: term.rollForward }));
      case 'workingDays':
        return this.endOfTermDay(from, cal.addWorkingDays(from, term.amount));
      case 'workingHours':
        return cal.addWorkingHours(from, term.amount);
    }
  }

  /** The end of the term's last day; a closing time already past at `from` (a 0-day term) gives way to end of day. */
  private endOfTermDay(from: Date, day: Date): Date {
    const close = this.config.dayTermEnds === 'closeOfBusiness' ? this.calendar.closeOfBusiness(day) : undefined;
    return close && close.getTime() >= from.getTime() ? close : this.calendar.endOfLocalDay(day);
  }
}
