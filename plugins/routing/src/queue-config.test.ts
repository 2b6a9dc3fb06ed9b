/** Queue settings: defaults, partial updates, and the engine's form (seconds to ms, holidays from the calendar). */
import t from 'tap';
import { checkQueue, engineQueue, ruleMatches, QUEUE_DEFAULTS } from './queue-config.js';

const sites = new Set([1, 2, 3]);

t.test('defaults and partial updates', async (t) => {
  const q = checkQueue({ code: 'city', name: ' Город ', siteId: 1 }, null, sites);
  t.same(q, { ...QUEUE_DEFAULTS, code: 'city', name: 'Город', siteId: 1 });
  const changed = checkQueue({ wrapUpSeconds: 5, overflow: { afterSeconds: 30, toSites: [2] } }, q, sites);
  t.match(changed, { code: 'city', wrapUpSeconds: 5, offerTimeoutSeconds: 20, overflow: { afterSeconds: 30, toSites: [2], whenNobodyAtSite: true } });
  t.throws(() => checkQueue({ relax: [{ afterSeconds: 60, maxLevel: 2 }, { afterSeconds: 30, maxLevel: 1 }] }, q, sites), /relax\[1\]/, 'relaxation steps must go later and lower');
  t.throws(() => checkQueue([], q, sites), /body/);
});

t.test('the engine form: ms, string ids, opening hours with holidays', async (t) => {
  const q = checkQueue({
    code: 'okrug', name: 'Округ', siteId: 2, requirements: [{ skill: 'housing', min: 3 }], relax: [{ afterSeconds: 60, maxLevel: 2 }],
    overflow: { afterSeconds: 120, toSites: [1] }, hours: { timeZone: 'Europe/Moscow', week: { mon: [['09:00', '18:00']], fri: [['09:00', '18:00']] }, holidays: true },
    stickyWindowSeconds: 300, offerTimeoutSeconds: 30, maxOffers: 3, wrapUpSeconds: 15,
  }, null, sites);
  const holidays = new Set(['2027-01-08']);
  const e = engineQueue(7, q, (d) => holidays.has(d));
  t.match(e, { id: '7', siteId: '2', skills: { housing: 3 }, relax: [{ afterMs: 60_000, maxLevel: 2 }], overflow: { afterMs: 120_000, toSites: ['1'], whenNobodyAtSite: true }, stickyWindowMs: 300_000, offerTimeoutMs: 30_000, maxOffers: 3, wrapUpMs: 15_000 });
  // Friday 2027-01-08 is a holiday in this calendar; Friday 2027-01-15 is not. 10:00 Moscow = 07:00Z.
  t.equal(e.hours!.stateAt(Date.parse('2027-01-08T07:00:00Z')).open, false, 'closed on a holiday');
  t.equal(e.hours!.stateAt(Date.parse('2027-01-15T07:00:00Z')).open, true, 'open on an ordinary Friday');
  t.equal(e.hours!.stateAt(Date.parse('2027-01-15T16:00:00Z')).open, false, 'closed after 18:00 Moscow');
  const ignoring = engineQueue(7, { ...q, hours: { ...q.hours!, holidays: false } }, (d) => holidays.has(d));
  t.equal(ignoring.hours!.stateAt(Date.parse('2027-01-08T07:00:00Z')).open, true, 'holidays: false keeps the week');
});

t.test('rules: every condition given must hold', async (t) => {
  const work = { channel: 'email' as const, serviceId: 5, organisationId: 9, siteIds: [3, 2, 1] };
  t.ok(ruleMatches({}, work), 'an empty match takes everything');
  t.ok(ruleMatches({ channels: ['email', 'fax'], siteIds: [2] }, work), 'a district matches its okrug');
  t.notOk(ruleMatches({ channels: ['email'], serviceIds: [6] }, work));
  t.notOk(ruleMatches({ organisationIds: [9] }, { ...work, organisationId: null }));
});
