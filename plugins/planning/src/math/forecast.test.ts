import t from 'tap';
import { accuracy } from './accuracy.js';
import { fitForecast, forecastAt, forecastDays, holdoutAccuracy } from './forecast.js';
import { syntheticHistory, trueAht, trueProfile, type SyntheticSpec } from './test-support/synthetic.js';
import { toEpochMs } from './time.js';

const spec: SyntheticSpec = {
  from: '2025-01-13', // a Monday
  days: 70,
  intervalMinutes: 30,
  utcOffsetMinutes: 180,
  base: 2000,
  slopePerDay: 8,
  weekdayIndex: [1.25, 1.15, 1.1, 1.05, 1.0, 0.8, 0.65],
  holidays: ['2025-02-24', '2025-03-10', '2025-03-18'],
  holidayIndex: 0.4,
};
const options = { intervalMinutes: 30, utcOffsetMinutes: 180, holidays: spec.holidays };
const meanIndex = spec.weekdayIndex.reduce((a, b) => a + b, 0) / 7;

t.test('noise-free history: the model recovers trend, weekday indices, profiles, AHT and the holiday', async (t) => {
  const { history } = syntheticHistory(spec);
  const model = fitForecast(history, options);
  model.weekdayIndex.forEach((s, w) => t.ok(Math.abs(s - (spec.weekdayIndex[w] as number) / meanIndex) < 1e-9, `weekday ${w} index`));
  t.ok(Math.abs(model.slope - spec.slopePerDay * meanIndex) < 1e-7, 'trend slope');
  t.equal(model.fittedHolidays, 3, 'the three holidays of the history');
  t.ok(Math.abs(model.holidayIndex - spec.holidayIndex * meanIndex) < 1e-9, 'holiday index');
  const profile = trueProfile(2, 48);
  model.profile[2]?.forEach((share, s) => t.ok(Math.abs(share - (profile[s] as number)) < 1e-12, `Wednesday share ${s}`));
  t.ok(Math.abs((model.aht[5]?.[20] ?? 0) - trueAht(5, 20, 48)) < 1e-9, 'Saturday AHT');
  const held = holdoutAccuracy(history, { ...options, holdoutWeeks: 2 });
  t.ok(held.intervals.wape < 1e-9 && held.days.wape < 1e-9 && held.ahtWape < 1e-9, `exact on held-out weeks (WAPE ${held.intervals.wape})`);
  t.equal(held.weeks.length, 2);
  t.equal(held.weeks[0]?.from, '2025-03-10');
});

t.test('holidays are left out of the fit: the weekday indices do not move', async (t) => {
  const { history } = syntheticHistory(spec);
  const withHolidays = fitForecast(history, options);
  const noHolidayData = fitForecast(syntheticHistory({ ...spec, holidays: [] }).history, options);
  withHolidays.weekdayIndex.forEach((s, w) => t.ok(Math.abs(s - (noHolidayData.weekdayIndex[w] as number)) < 1e-9));
  // Treated as an ordinary Monday, the holiday would have pulled Monday's index down.
  const ignored = fitForecast(history, { ...options, holidays: [] });
  t.ok((ignored.weekdayIndex[0] as number) < (withHolidays.weekdayIndex[0] as number) - 0.02);
  // Holiday in the forecast period, at its holiday index and profile.
  const model = fitForecast(history, { ...options, holidays: [...spec.holidays, '2025-03-31'] });
  const day = forecastDays(model, '2025-03-31T00:00:00+03:00', 1);
  t.equal(day.length, 48);
  t.ok(day.every((f) => f.holiday));
  const total = day.reduce((s, f) => s + f.volume, 0);
  t.ok(Math.abs(total - (spec.base + spec.slopePerDay * 77) * spec.holidayIndex) < 1e-6, `holiday total ${total}`);
});

t.test('without holidays in history a holiday is forecast like the quietest weekday', async (t) => {
  const { history } = syntheticHistory({ ...spec, holidays: [] });
  const model = fitForecast(history, { ...options, holidays: ['2025-03-26'] });
  t.equal(model.fittedHolidays, 0);
  t.equal(model.holidayIndex, model.weekdayIndex[6]);
  const wednesday = forecastAt(model, '2025-03-26T12:00:00+03:00');
  const sunday = forecastAt(model, '2025-03-30T12:00:00+03:00');
  t.ok(wednesday.holiday && Math.abs(wednesday.aht - sunday.aht) < 1e-9);
});

t.test('noisy history: accuracy on held-out weeks is near the Poisson noise floor and beats last week', async (t) => {
  const { history, expected } = syntheticHistory({ ...spec, seed: 42 });
  const held = holdoutAccuracy(history, { ...options, holdoutWeeks: 2 });
  const n = held.intervals.count;
  const actual = history.slice(-n).map((p) => p.volume);
  const oracle = accuracy(actual, expected.slice(-n));
  const lastWeek = accuracy(actual, history.slice(-n - 7 * 48, -7 * 48).map((p) => p.volume));
  // Shares estimated from about 8 days per weekday (and the holiday shape from a single holiday)
  // add some 5–10% to the noise the true means themselves leave.
  t.ok(held.intervals.wape < oracle.wape * 1.15, `WAPE ${held.intervals.wape.toFixed(4)} vs the true means' ${oracle.wape.toFixed(4)}`);
  t.ok(held.intervals.wape < lastWeek.wape, `beats same-interval-last-week (${lastWeek.wape.toFixed(4)})`);
  t.ok(held.days.wape < 0.03, `daily WAPE ${held.days.wape.toFixed(4)}`);
  t.ok(held.intervals.smape > 0 && held.intervals.smape < 2 && held.intervals.mape > 0);
  t.ok(Math.abs(held.intervals.bias) < 0.02, `bias ${held.intervals.bias}`);
});

t.test('deterministic, and reads ISO strings and epoch ms alike', async (t) => {
  const { history } = syntheticHistory({ ...spec, seed: 7 });
  const a = fitForecast(history, options);
  const b = fitForecast(history.map((p) => ({ ...p, start: toEpochMs(p.start) })), options);
  t.same(a, b);
  t.same(forecastDays(a, '2025-03-24', 7), forecastDays(b, Date.parse('2025-03-24T00:00:00Z'), 7));
  t.throws(() => fitForecast([], options));
  t.throws(() => fitForecast(history, { intervalMinutes: 7 }));
});

t.test('accuracy figures follow their definitions', async (t) => {
  const r = accuracy([100, 0, 50], [110, 5, 40]);
  t.ok(Math.abs(r.mape - (0.1 + 0.2) / 2) < 1e-12);
  t.ok(Math.abs(r.wape - 25 / 150) < 1e-12);
  t.ok(Math.abs(r.smape - (10 / 105 + 2 + 10 / 45) / 3) < 1e-12);
  t.ok(Math.abs(r.bias - 5 / 150) < 1e-12);
  t.same([r.count, r.countWithVolume], [3, 2]);
});

t.test('weekdays with no volume at all (no e-mail work at weekends) get index 0, not NaN', async (t) => {
  const { history } = syntheticHistory({ ...spec, weekdayIndex: [1.25, 1.15, 1.1, 1.05, 1.0, 0, 0], holidays: [] });
  const model = fitForecast(history, { ...options, holidays: [] });
  t.same(model.weekdayIndex.slice(5), [0, 0], 'Saturday and Sunday');
  t.ok(model.weekdayIndex.every(Number.isFinite) && Number.isFinite(model.level) && Number.isFinite(model.slope), 'every figure is a number');
  const monday = forecastDays(model, '2025-03-24T00:00:00+03:00', 1);
  const expected = (spec.base + spec.slopePerDay * 70) * 1.25;
  const total = monday.reduce((s, i) => s + i.volume, 0);
  t.ok(Math.abs(total - expected) < 1e-6, `a Monday after the history: ${total} = ${expected}`);
  t.equal(forecastDays(model, '2025-03-29T00:00:00+03:00', 1).reduce((s, i) => s + i.volume, 0), 0, 'a Saturday: nothing');
});
