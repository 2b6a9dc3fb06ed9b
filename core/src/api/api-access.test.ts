/**
 * Every route of the API, taken from the OpenAPI document the app serves: without a token each
 * non-public route answers 401; with a user lacking the roles each role-restricted route answers 403.
 */
import t from 'tap';
import { startTestApp } from '../testing/app.js';
import { DEMO_USERS } from '../demo/seed.js';

const app = await startTestApp();
t.teardown(() => app.stop());

const doc = (await app.req('GET', '/api/openapi.json')).body;
const ops: { method: string; path: string; roles: string[] | 'user' | 'public' }[] = [];
for (const [path, methods] of Object.entries<any>(doc.paths)) {
  for (const [method, op] of Object.entries<any>(methods)) {
    ops.push({ method: method.toUpperCase(), path, roles: op.security ? (op['x-okno-roles'] === 'any signed-in user' ? 'user' : op['x-okno-roles']) : 'public' });
  }
}

const concrete = (p: string) => p.replace('{year}', '2026').replace('{date}', '2026-01-05').replace(/\{[^}]+\}/g, '1');

t.test('the document lists the route groups', async (t) => {
  const groups = new Set(ops.map((o) => o.path.split('/')[2]));
  for (const g of ['auth', 'sites', 'organisations', 'services', 'kb', 'applicants', 'appeals', 'attachments', 'users', 'audit', 'journal', 'calendar', 'plugins', 'health']) {
    t.ok(groups.has(g), `group ${g}`);
  }
  t.ok(ops.length > 40, `${ops.length} operations`);
  t.ok(ops.every((o) => o.roles !== undefined), 'every operation states who may call it');
});

t.test('without a token every non-public route answers 401', async (t) => {
  for (const op of ops.filter((o) => o.roles !== 'public')) {
    const r = await app.req(op.method, concrete(op.path), op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} });
    t.equal(r.status, 401, `${op.method} ${op.path}`);
    t.equal(r.body?.error?.code, 'UNAUTHORIZED');
  }
});

t.test('a forged or expired token is refused', async (t) => {
  const token = await app.token('operator');
  const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const r = await app.req('GET', '/api/appeals', { token: forged });
  t.equal(r.status, 401);
  const malformed = await app.req('GET', '/api/appeals', { headers: { authorization: 'Basic abc' } });
  t.equal(malformed.status, 401);
  t.match(malformed.body.error.message, /Bearer/);
});

t.test('a user without the roles gets 403 on every role-restricted route', async (t) => {
  for (const op of ops.filter((o) => Array.isArray(o.roles))) {
    const allowed = op.roles as string[];
    const outsider = DEMO_USERS.find((u) => !u.roles.some((r) => allowed.includes(r)));
    if (!outsider) continue;
    const token = await app.token(outsider.login);
    const r = await app.req(op.method, concrete(op.path), { token, ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} }) });
    t.equal(r.status, 403, `${op.method} ${op.path} as ${outsider.login}`);
  }
});

t.test('a user with the role gets past the check', async (t) => {
  const op = ops.find((o) => o.method === 'GET' && o.path === '/api/appeals')!;
  t.same(op.roles, ['operator', 'supervisor']);
  const r = await app.req('GET', '/api/appeals', { token: await app.token('operator') });
  t.equal(r.status, 200);
  t.ok(r.body.total >= 1);
});
