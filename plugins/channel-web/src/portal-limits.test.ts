/** Rate limits per client over real HTTP: a clear 429 with Retry-After, counted per purpose. */
import t from 'tap';
import { Appeal } from '@okno/core';
import { newSubmissionId, startPortal, submitMultipart } from './test-support/portal-app.js';

const app = await startPortal({ rateLimits: { submit: { limit: 2, windowSeconds: 120 }, status: { limit: 3, windowSeconds: 60 } } });
t.teardown(() => app.stop());

const form = () => ({ submissionId: newSubmissionId(), fullName: 'Лимитов Лев', email: 'lev@example.ru', text: 'Проверка лимита' });

t.test('submits over the limit get 429 with Retry-After and create nothing', async (t) => {
  const before = await app.app.db.read((em) => em.count(Appeal));
  t.equal((await app.req('POST', '/api/portal/appeals', { body: form() })).status, 201);
  t.equal((await app.req('POST', '/api/portal/appeals', { body: form() })).status, 201);
  const refused = await app.req('POST', '/api/portal/appeals', { body: form() });
  t.equal(refused.status, 429);
  t.equal(refused.body.error.code, 'RATE_LIMITED');
  const retry = Number(refused.headers.get('retry-after'));
  t.ok(retry > 0 && retry <= 120, `Retry-After: ${retry} s`);
  t.equal(refused.body.error.data.retryAfter, retry, 'the same figure in the body');
  t.match(refused.headers.get('content-type'), /^application\/json/);
  const withFiles = await submitMultipart(app, form(), [{ name: 'big.pdf', type: 'application/pdf', content: Buffer.alloc(512 * 1024, 3) }]);
  t.equal(withFiles.status, 429, 'a multipart body is refused too (its upload is read and dropped, the client gets the answer)');
  t.equal(await app.app.db.read((em) => em.count(Appeal)), before + 2, 'nothing registered beyond the limit');
  const health = await app.req('GET', '/api/health');
  t.equal(health.status, 200, 'other endpoints are not limited');
});

t.test('status checks have their own window (guessing secrets is slowed down)', async (t) => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await app.req('POST', '/api/portal/status', { body: { regNumber: '26-000001-8', secret: `GUESS-${i}AAAA` } })).status);
  t.same(statuses.slice(3), [429, 429], `after three checks: ${statuses.join(', ')}`);
  t.ok(statuses.slice(0, 3).every((s) => s === 404 || s === 422), 'the first three were answered');
  const services = await app.req('GET', '/api/portal/services');
  t.equal(services.status, 200, 'reading the services list is not limited');
});
