/**
 * Forecast accuracy, as contact centres usually report it:
 *   MAPE  = mean of |actual − forecast| / actual over intervals with actual > 0;
 *   WAPE  = Σ|actual − forecast| / Σ actual (weighted by volume, so quiet intervals do not dominate);
 *   sMAPE = mean of |actual − forecast| / ((|actual| + |forecast|)/2), 0 where both are 0 (range 0–2);
 *   bias  = Σ(forecast − actual) / Σ actual (positive: over-forecast).
 */

/** Accuracy of one forecast against actuals. */
export interface AccuracyFigures {
  mape: number;
  wape: number;
  smape: number;
  bias: number;
  /** Pairs compared. */
  count: number;
  /** Of those, pairs with actual > 0 (the ones MAPE can use). */
  countWithVolume: number;
}

/** Accuracy figures of `forecast` against `actual` (same length). */
export function accuracy(actual: ArrayLike<number>, forecast: ArrayLike<number>): AccuracyFigures {
  if (actual.length !== forecast.length) throw new RangeError('actual and forecast differ in length');
  let ape = 0;
  let withVolume = 0;
  let absolute = 0;
  let total = 0;
  let signed = 0;
  let symmetric = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const f = forecast[i] as number;
    const error = Math.abs(a - f);
    if (a > 0) {
      ape += error / a;
      withVolume++;
    }
    absolute += error;
    total += a;
    signed += f - a;
    const scale = (Math.abs(a) + Math.abs(f)) / 2;
    symmetric += scale === 0 ? 0 : error / scale;
  }
  return {
    mape: withVolume === 0 ? NaN : ape / withVolume,
    wape: total === 0 ? NaN : absolute / total,
    smape: actual.length === 0 ? NaN : symmetric / actual.length,
    bias: total === 0 ? NaN : signed / total,
    count: actual.length,
    countWithVolume: withVolume,
  };
}
