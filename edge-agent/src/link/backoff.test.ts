import t from 'tap';
import { Backoff } from './backoff.js';

t.test('reconnect delays double from min to max, with ±20 % jitter, and reset after a connect', async (t) => {
  const mid = new Backoff(1000, 8000, () => 0.5);
  t.same([1, 2, 3, 4, 5].map(() => mid.next()), [1000, 2000, 4000, 8000, 8000]);
  mid.reset();
  t.equal(mid.next(), 1000);
  t.equal(new Backoff(1000, 8000, () => 0).next(), 800);
  t.equal(new Backoff(1000, 8000, () => 0.999999).next(), 1200);
});
