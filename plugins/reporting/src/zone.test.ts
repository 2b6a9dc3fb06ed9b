import t from 'tap';
import { CityTime, bucketOf } from './zone.js';

t.test('quarter hours, local hours and local days', async (t) => {
  const msk = new CityTime('Europe/Moscow');
  const ms = Date.parse('2026-03-02T06:29:59Z'); // 09:29:59 in Moscow
  t.equal(new Date(bucketOf(ms)).toISOString(), '2026-03-02T06:15:00.000Z');
  t.equal(msk.iso(msk.intervalStart(ms, 30)), '2026-03-02T09:00:00+03:00');
  t.equal(msk.iso(msk.intervalStart(ms, 60)), '2026-03-02T09:00:00+03:00');
  t.equal(msk.localDate(Date.parse('2026-03-02T21:00:00Z')), '2026-03-03', 'midnight in Moscow is 21:00 UTC');
  t.equal(msk.startOfDay('2026-03-03'), Date.parse('2026-03-02T21:00:00Z'));
  t.equal(msk.format(ms), '2026-03-02 09:29');

  const kolkata = new CityTime('Asia/Kolkata'); // UTC+05:30: local hours start at :30 UTC
  t.equal(new Date(kolkata.intervalStart(Date.parse('2026-03-02T04:10:00Z'), 60)).toISOString(), '2026-03-02T03:30:00.000Z');

  const berlin = new CityTime('Europe/Berlin'); // the day summer time starts has 23 hours
  t.equal(berlin.startOfDay('2026-03-30') - berlin.startOfDay('2026-03-29'), 23 * 3600_000);
  t.throws(() => new CityTime('Mars/Olympus'), /unknown time zone/);
  t.throws(() => msk.startOfDay('2026-3-2'), /YYYY-MM-DD/);
});
