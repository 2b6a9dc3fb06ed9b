import t from 'tap';
import { checkDeadlineConfig } from './deadline-config.js';
import { ConfigError } from './errors.js';

t.test('defaults follow 59-FZ', async (t) => {
  const c = checkDeadlineConfig();
  const span = (name: keyof typeof c.terms) => [c.terms[name].amount, c.terms[name].unit, c.terms[name].rollForward];
  t.same(span('register'), [3, 'calendarDays', true], 'art. 8 part 2');
  t.same(span('redirect'), [7, 'calendarDays', true], 'art. 8 part 3');
  t.same(span('answer'), [30, 'calendarDays', true], 'art. 12 part 1');
  t.same(span('secondLine'), [8, 'workingHours', true]);
  t.same(span('courtReturn'), [7, 'calendarDays', true], 'art. 11 part 2');
  t.same(c.categoryAnswer.get('migration'), { amount: 20, unit: 'calendarDays', rollForward: true, warnWithin: { amount: 3, unit: 'calendarDays' } }, 'art. 12 part 1.1');
  t.same(c.extension, { maxDays: 30, maxCount: 1, unit: 'calendarDays', rollForward: true, requireReason: true }, 'art. 12 part 2');
  t.equal(c.dayTermEnds, 'endOfDay');
  t.same(c.terms.answer.warnWithin, { amount: 3, unit: 'calendarDays' });
  t.same(c.terms.secondLine.warnWithin, { amount: 2, unit: 'workingHours' });
});

t.test('partial terms merge over the defaults, and warnings follow the unit', async (t) => {
  const c = checkDeadlineConfig({
    register: { amount: 1, unit: 'workingDays' },
    answer: { rollForward: false },
    secondLine: { amount: 7.5 },
    categoryAnswer: { urgent: { amount: 16, unit: 'workingHours' }, migration: { amount: 20 } },
    warnWithin: { hourTerms: { amount: 1, unit: 'workingHours' } },
  });
  t.same(c.terms.register, { amount: 1, unit: 'workingDays', rollForward: true, warnWithin: { amount: 3, unit: 'calendarDays' } });
  t.same(c.terms.answer, { amount: 30, unit: 'calendarDays', rollForward: false, warnWithin: { amount: 3, unit: 'calendarDays' } });
  t.equal(c.terms.secondLine.amount, 7.5, 'hours may be fractional');
  t.same(c.terms.secondLine.warnWithin, { amount: 1, unit: 'workingHours' });
  t.same(c.categoryAnswer.get('urgent')?.warnWithin, { amount: 1, unit: 'workingHours' }, 'an hour-counted category warns in hours');
  t.equal(c.categoryAnswer.get('migration')?.rollForward, false, 'inherits the answer term settings');
  t.same([...c.categoryAnswer.keys()], ['urgent', 'migration']);
  t.same([...checkDeadlineConfig({ categoryAnswer: {} }).categoryAnswer.keys()], [], 'an empty map removes the migration term');
});

t.test('bad settings are all reported with their paths', async (t) => {
  const err = t.throws(() =>
    checkDeadlineConfig({
      answr: {},
      answer: { unit: 'weeks' },
      register: { amount: 2.5 },
      redirect: { amount: -1, rollForward: 'yes' },
      courtReturn: { warnWithin: { amount: 1, unit: 'fortnights' } },
      extension: { maxDays: 0, maxCount: -1, unit: 'workingHours', requireReason: 1, grace: 2 },
      dayTermEnds: 'noon',
      warnWithin: { dayTerms: { amount: 1.5, unit: 'calendarDays' } },
    }),
  ) as ConfigError;
  t.ok(err instanceof ConfigError);
  const text = err.issues.join('\n');
  for (const expected of [
    /answr: unknown setting/,
    /answer.unit: must be one of calendarDays, workingDays, workingHours, got "weeks"/,
    /register.amount: must be a whole number >= 0 of calendarDays, got 2.5/,
    /redirect.amount: must be a whole number/,
    /redirect.rollForward: must be true or false/,
    /courtReturn.warnWithin.unit/,
    /extension.maxDays: must be a whole number >= 1/,
    /extension.maxCount: must be a whole number >= 0/,
    /extension.unit: must be calendarDays or workingDays/,
    /extension.requireReason: must be true or false/,
    /extension.grace: unknown setting/,
    /dayTermEnds: must be endOfDay or closeOfBusiness/,
    /warnWithin.dayTerms.amount/,
  ]) {
    t.match(text, expected);
  }
  t.throws(() => checkDeadlineConfig(null), /\(root\): must be an object/);
  t.throws(() => checkDeadlineConfig({ categoryAnswer: { x: 5 } }), /categoryAnswer.x: must be an object/);
});
