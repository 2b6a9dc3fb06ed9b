/** fast-check generators shared by the calendar's property tests. */
import fc from 'fast-check';

const QUARTER_HOUR = 900_000;
const FROM = Date.parse('2024-12-20T00:00:00Z');
const TO = Date.parse('2027-12-20T00:00:00Z');

/**
 * Instants from late 2024 to late 2027 (the years the shipped calendar covers): half anywhere to the
 * millisecond, half on a quarter-hour grid so openings, breaks and closings are hit exactly.
 */
export const instant: fc.Arbitrary<Date> = fc.oneof(
  fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms)),
  fc.integer({ min: FROM / QUARTER_HOUR, max: TO / QUARTER_HOUR }).map((q) => new Date(q * QUARTER_HOUR)),
);

/** Working hours to add: whole minutes up to 100 hours (so sums stay exact in milliseconds). */
export const hours: fc.Arbitrary<number> = fc.integer({ min: 0, max: 100 * 60 }).map((m) => m / 60);

/** An instant and another one from 3 days before to 20 days after it. */
export const instantAndNear: fc.Arbitrary<[Date, Date]> = fc
  .tuple(instant, fc.integer({ min: -3 * 86_400_000, max: 20 * 86_400_000 }))
  .map(([a, offset]) => [a, new Date(a.getTime() + offset)]);
