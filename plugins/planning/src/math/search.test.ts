import t from 'tap';
import { smallestSatisfying } from './search.js';

t.test('finds the threshold from any start, with few evaluations', async (t) => {
  for (const threshold of [0, 1, 7, 100, 12_345]) {
    for (const start of [0, 5, 100, 20_000]) {
      let calls = 0;
      const found = smallestSatisfying((n) => (calls++, n >= threshold), 0, { start });
      t.equal(found, threshold, `threshold ${threshold} from ${start}`);
      t.ok(calls <= 2 * Math.log2(Math.abs(threshold - start) + 2) + 3, `${calls} evaluations`);
    }
  }
});

t.test('respects the lowest value and gives up above the highest', async (t) => {
  t.equal(smallestSatisfying(() => true, 10), 10);
  t.throws(() => smallestSatisfying(() => false, 0, { highest: 1000 }), RangeError);
});
