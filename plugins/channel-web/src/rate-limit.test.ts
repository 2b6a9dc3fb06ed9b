import t from 'tap';
import { SlidingWindowLimiter, clientKey, RateLimits } from './rate-limit.js';

t.test('a sliding window lets `limit` requests through in any window and says when to retry', async (t) => {
  let now = 1_000_000;
  const l = new SlidingWindowLimiter({ limit: 3, windowMs: 10_000, now: () => now });
  t.same(l.hit('a'), { ok: true, remaining: 2 });
  now += 2000;
  t.same(l.hit('a'), { ok: true, remaining: 1 });
  now += 2000;
  t.same(l.hit('a'), { ok: true, remaining: 0 });
  now += 1000;
  // The first request was 5 s ago: it leaves the window in 5 s.
  t.same(l.hit('a'), { ok: false, retryAfterSeconds: 5 });
  t.same(l.hit('b'), { ok: true, remaining: 2 }, 'other clients are counted apart');
  now += 5000;
  t.same(l.hit('a'), { ok: true, remaining: 0 }, 'the oldest request left the window: one more fits');
  t.equal(l.hit('a').ok, false);
});

t.test('the window slides: no burst at a fixed window boundary', async (t) => {
  let now = 0;
  const l = new SlidingWindowLimiter({ limit: 2, windowMs: 1000, now: () => now });
  now = 900;
  t.ok(l.hit('x').ok);
  t.ok(l.hit('x').ok);
  now = 1100; // a fixed window would have reset at 1000
  t.notOk(l.hit('x').ok, 'still two requests in the last second');
  now = 1901;
  t.ok(l.hit('x').ok);
});

t.test('refused requests are not counted', async (t) => {
  let now = 0;
  const l = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, now: () => now });
  t.ok(l.hit('x').ok);
  for (let i = 0; i < 50; i++) {
    now += 10;
    t.notOk(l.hit('x').ok);
  }
  now = 1001;
  t.ok(l.hit('x').ok, 'let in once the counted request is older than the window');
});

t.test('memory is bounded: the least recently seen client is forgotten, idle ones are pruned', async (t) => {
  let now = 0;
  const l = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 3, now: () => now });
  l.hit('a');
  l.hit('b');
  l.hit('c');
  l.hit('a'); // refused, but seen: "b" is now the least recent
  l.hit('d');
  t.equal(l.size, 3);
  t.ok(l.hit('b').ok, 'b was forgotten');
  t.notOk(l.hit('a').ok, 'a was kept');
  now = 5000;
  l.prune();
  t.equal(l.size, 0);
});

t.test('client keys: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64', async (t) => {
  t.equal(clientKey('203.0.113.7'), '203.0.113.7');
  t.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  t.equal(clientKey('::FFFF:cb00:7107'), '203.0.113.7');
  t.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  t.equal(clientKey('2001:db8:1:2:ffff:eeee:dddd:cccc'), '2001:db8:1:2::/64', 'the same /64');
  t.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  t.equal(clientKey('::1'), '0:0:0:0::/64');
  t.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  t.equal(clientKey(null), 'unknown');
  t.equal(clientKey('not an address'), 'not an address');
});

t.test('RateLimits keeps one window per purpose', async (t) => {
  let now = 0;
  const r = new RateLimits({ submit: { limit: 1, windowSeconds: 60 }, status: { limit: 2, windowSeconds: 60 } }, () => now);
  t.ok(r.hit('submit', 'ip').ok);
  t.notOk(r.hit('submit', 'ip').ok);
  t.ok(r.hit('status', 'ip').ok, 'the status window is separate');
  now = 61_000;
  r.prune();
  t.ok(r.hit('submit', 'ip').ok);
});
