/**
 * The REST surface: who may call what (every route group refuses the wrong role and anonymous
 * callers), validation answers naming the field, queue administration, rules, capacity.
 */
import t from 'tap';
import { siteId, startRoutingApp, userId } from './test-support/app.js';

const app = await startRoutingApp();
t.teardown(() => app.stop());
const tokens = Object.fromEntries(await Promise.all(['admin', 'supervisor', 'operator', 'planner'].map(async (l) => [l, await app.token(l)] as const))) as Record<string, string>;
const msk = await siteId(app, 'msk');
const cao = await siteId(app, 'cao');

t.test('every route checks the role', async (t) => {
  const routes: [string, string, unknown, string[]][] = [
    // method, path, body, roles allowed (among admin, supervisor, operator, planner)
    ['GET', '/api/routing/me', undefined, ['supervisor', 'operator']],
    ['POST', '/api/routing/state', { state: 'logged_out' }, ['supervisor', 'operator']],
    ['POST', '/api/routing/offers/x-1/accept', undefined, ['supervisor', 'operator']],
    ['POST', '/api/routing/offers/x-1/reject', undefined, ['supervisor', 'operator']],
    ['POST', '/api/routing/wrap-up/end', undefined, ['supervisor', 'operator']],
    ['GET', '/api/routing/queues', undefined, ['admin', 'supervisor']],
    ['POST', '/api/routing/queues', {}, ['admin']],
    ['PUT', '/api/routing/queues/999999', {}, ['admin']],
    ['DELETE', '/api/routing/queues/999999', undefined, ['admin']],
    ['GET', '/api/routing/rules', undefined, ['admin']],
    ['PUT', '/api/routing/rules', { rules: 'x' }, ['admin']],
    ['GET', '/api/routing/operators', undefined, ['admin', 'supervisor']],
    ['PUT', '/api/routing/operators/999999', { capacity: {} }, ['admin']],
    ['GET', '/api/routing/contacts', undefined, ['admin', 'supervisor']],
  ];
  for (const [method, path, body, allowed] of routes) {
    const anon = await app.req(method, path, { body });
    t.equal(anon.status, 401, `${method} ${path} anonymous`);
    for (const [login, token] of Object.entries(tokens)) {
      const r = await app.req(method, path, { token, body });
      if (allowed.includes(login)) t.not(r.status, 403, `${method} ${path} lets ${login} in (${r.status})`);
      else t.equal(r.status, 403, `${method} ${path} refuses ${login}`);
    }
  }
});

t.test('the internal actions have no route', async (t) => {
  for (const path of ['/api/routing/enqueue', '/api/routing/end', '/api/routing/operatorCall']) {
    t.equal((await app.req('POST', path, { token: tokens.admin, body: { contactId: 'x', channel: 'voice' } })).status, 404, `${path} is not published`);
  }
});

t.test('validation names the field', async (t) => {
  const bad = await app.req('POST', '/api/routing/queues', {
    token: tokens.admin,
    body: { code: 'bad code', name: '', siteId: 999999, channels: ['email', 'telegraph'], relax: [{ afterSeconds: 60, maxLevel: 9 }], overflow: { afterSeconds: -1, toSites: [999998] }, hours: { timeZone: 'Mars/Olympus', week: { mon: [['20:00', '08:00']], funday: [] } }, offerTimeoutSeconds: 1, colour: 'red' },
  });
  t.equal(bad.status, 422);
  const fields = (bad.body.error.fields as { field: string }[]).map((f) => f.field);
  for (const f of ['code', 'name', 'siteId', 'channels', 'relax[0].maxLevel', 'overflow.afterSeconds', 'overflow.toSites[0]', 'hours.timeZone', 'hours.week.mon', 'hours.week.funday', 'offerTimeoutSeconds', 'colour']) {
    t.ok(fields.includes(f), `names ${f}`);
  }
  const rules = await app.req('PUT', '/api/routing/rules', { token: tokens.admin, body: [{ match: { channels: ['pigeon'] }, queueId: 999999 }, { match: { siteIds: [999999], colour: 1 }, queueId: 1 }] });
  t.equal(rules.status, 422);
  const rf = (rules.body.error.fields as { field: string }[]).map((f) => f.field);
  t.same(rf.sort(), ['rules[0].match.channels', 'rules[0].queueId', 'rules[1].match.colour', 'rules[1].match.siteIds[0]'].sort());
  const state = await app.req('POST', '/api/routing/state', { token: tokens.operator, body: { state: 'asleep' } });
  t.equal(state.status, 422);
  t.match(JSON.stringify(state.body), /state/);
  const cap = await app.req('PUT', `/api/routing/operators/${await userId(app, 'operator')}`, { token: tokens.admin, body: { capacity: { email: -1, carrier: 2 } } });
  t.equal(cap.status, 422);
  t.match(JSON.stringify(cap.body), /email/);
});

t.test('queue administration', async (t) => {
  const list = await app.req('GET', '/api/routing/queues', { token: tokens.supervisor });
  t.equal(list.status, 200);
  const codes = (list.body as { code: string }[]).map((q) => q.code);
  t.ok(codes.includes('city') && codes.includes('okrug-cao'), 'default queues seeded from the demo sites');
  const city = (list.body as { code: string; stats: unknown; channels: string[]; siteId: number }[]).find((q) => q.code === 'city')!;
  t.match(city, { siteId: msk, channels: ['voice', 'chat', 'email', 'fax', 'portal', 'callback'], stats: { waiting: Number, longestWaitSeconds: Number, offered: Number, assigned: Number } });

  const created = await app.req('POST', '/api/routing/queues', {
    token: tokens.admin,
    body: {
      code: 'housing', name: 'ЖКХ', siteId: cao, channels: ['email', 'portal'], priority: 2, requirements: [{ skill: 'housing', min: 3 }],
      hours: { timeZone: 'Europe/Moscow', week: { mon: [['08:00', '20:00']], tue: [['08:00', '20:00']] }, holidays: true },
      relax: [{ afterSeconds: 60, maxLevel: 2 }], overflow: { afterSeconds: 120, toSites: '*', whenNobodyAtSite: true }, stickyWindowSeconds: 300, offerTimeoutSeconds: 30, maxOffers: 3, wrapUpSeconds: 20,
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as number;
  t.match(created.body, { code: 'housing', requirements: [{ skill: 'housing', min: 3 }], overflow: { toSites: '*' }, hours: { holidays: true }, enabled: true });
  t.equal((await app.req('POST', '/api/routing/queues', { token: tokens.admin, body: { code: 'housing', name: 'again', siteId: cao } })).status, 422, 'codes are unique');

  const changed = await app.req('PUT', `/api/routing/queues/${id}`, { token: tokens.admin, body: { offerTimeoutSeconds: 45, enabled: false } });
  t.equal(changed.status, 200, JSON.stringify(changed.body));
  t.match(changed.body, { offerTimeoutSeconds: 45, enabled: false, code: 'housing', wrapUpSeconds: 20 });
  t.equal((await app.req('PUT', '/api/routing/queues/999999', { token: tokens.admin, body: {} })).status, 404);

  // A rule points at it: the delete is refused until the rule goes.
  const rules = (await app.req('GET', '/api/routing/rules', { token: tokens.admin })).body as { queueId: number }[];
  t.equal((await app.req('PUT', '/api/routing/rules', { token: tokens.admin, body: [{ match: { serviceIds: [1], channels: ['email'] }, queueId: id, priority: 3, skills: [{ skill: 'housing', min: 2 }] }, ...rules] })).status, 200);
  const refused = await app.req('DELETE', `/api/routing/queues/${id}`, { token: tokens.admin });
  t.equal(refused.status, 409, 'refused while a rule points at it');
  t.equal((await app.req('PUT', '/api/routing/rules', { token: tokens.admin, body: rules })).status, 200);
  t.equal((await app.req('DELETE', `/api/routing/queues/${id}`, { token: tokens.admin })).status, 200);
  t.equal((await app.req('DELETE', `/api/routing/queues/${id}`, { token: tokens.admin })).status, 404);

  // A queue with contacts waiting cannot go either (the demo's waiting contacts are in the okrug and city queues).
  const waiting = (await app.req('GET', '/api/routing/contacts', { token: tokens.supervisor })).body as { queueId: number; position: number; ageSeconds: number }[];
  t.ok(waiting.length > 0, 'the demo appeals wait');
  t.ok(waiting.every((c) => c.position >= 1 && c.ageSeconds >= 0));
  const busyQueue = waiting[0]!.queueId;
  t.equal((await app.req('PUT', '/api/routing/rules', { token: tokens.admin, body: rules.filter((r) => r.queueId !== busyQueue) })).status, 200);
  const inUse = await app.req('DELETE', `/api/routing/queues/${busyQueue}`, { token: tokens.admin });
  t.equal(inUse.status, 409, 'refused while contacts wait');
  t.match(inUse.body.error.message, /contact/);
  t.equal((await app.req('PUT', '/api/routing/rules', { token: tokens.admin, body: rules })).status, 200);
});

t.test('operators and capacity', async (t) => {
  const op = await userId(app, 'operator');
  const r = await app.req('PUT', `/api/routing/operators/${op}`, { token: tokens.admin, body: { capacity: { email: 2, voice: 0 } } });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.match(r.body.capacity, { email: 2, voice: 0, chat: 3 });
  const list = (await app.req('GET', '/api/routing/operators', { token: tokens.supervisor })).body as { userId: number; capacity: Record<string, number>; skills: Record<string, number>; state: string }[];
  const me = list.find((o) => o.userId === op)!;
  t.match(me, { capacity: { email: 2, voice: 0 }, skills: { housing: 4, email: 5 }, state: 'logged_out' });
  // State over REST: ready, paused with a reason, logged out.
  const ready = await app.req('POST', '/api/routing/state', { token: tokens.operator, body: { state: 'paused', reason: 'lunch' } });
  t.match(ready.body, { state: 'paused', reason: 'lunch' });
  t.match((await app.req('GET', '/api/routing/me', { token: tokens.operator })).body, { state: 'paused', reason: 'lunch', since: String });
  const out = await app.req('POST', '/api/routing/state', { token: tokens.operator, body: { state: 'logged_out' } });
  t.equal(out.body.state, 'logged_out');
  t.equal((await app.req('POST', '/api/routing/offers/nope/accept', { token: tokens.operator })).status, 404, 'unknown offer');
});
