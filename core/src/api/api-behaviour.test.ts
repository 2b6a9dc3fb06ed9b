import t from 'tap';
import { WebSocket } from 'ws';
import { startTestApp } from '../testing/app.js';
import { DEMO_PASSWORD } from '../demo/seed.js';

const app = await startTestApp({ config: { attachments: { maxBytes: 64 * 1024 } } });
t.teardown(() => app.stop());

t.test('login, refresh with rotation, and reuse detection', async (t) => {
  const bad = await app.req('POST', '/api/auth/login', { body: { login: 'operator', password: 'wrong-password' } });
  t.equal(bad.status, 401);
  const ok = await app.req('POST', '/api/auth/login', { body: { login: 'operator', password: DEMO_PASSWORD } });
  t.equal(ok.status, 200);
  t.ok(ok.body.accessToken && ok.body.refreshToken);
  t.notOk(JSON.stringify(ok.body.user).includes('passwordHash'), 'no password hash leaves the server');
  const next = await app.req('POST', '/api/auth/refresh', { body: { refreshToken: ok.body.refreshToken } });
  t.equal(next.status, 200);
  t.not(next.body.refreshToken, ok.body.refreshToken, 'a new refresh token');
  const replay = await app.req('POST', '/api/auth/refresh', { body: { refreshToken: ok.body.refreshToken } });
  t.equal(replay.status, 401, 'the used refresh token is refused');
  const after = await app.req('POST', '/api/auth/refresh', { body: { refreshToken: next.body.refreshToken } });
  t.equal(after.status, 401, 'reuse ended every session of the user');
  const audit = await app.req('GET', '/api/audit?action=login_failed', { token: await app.token('admin') });
  t.ok(audit.body.rows.some((r: { login: string }) => r.login === 'operator'), 'the failed login is in the audit log');
});

t.test('invalid payloads get 4xx errors naming the field', async (t) => {
  const admin = await app.token('admin');
  const r = await app.req('POST', '/api/services', { token: admin, body: { code: 'x-1', organisationId: 1, name: 'Услуга', procedure: ' ', requiredDocuments: [], timeLimits: '', place: '' } });
  t.equal(r.status, 422);
  t.equal(r.body.error.code, 'VALIDATION_ERROR');
  t.same(r.body.error.fields.map((f: { field: string }) => f.field).sort(), ['place', 'procedure', 'requiredDocuments', 'timeLimits']);
  const typed = await app.req('POST', '/api/services', { token: admin, body: { code: 5, organisationId: 'abc' } });
  t.equal(typed.status, 422);
  t.ok(typed.body.error.fields.some((f: { field: string }) => f.field === 'organisationId'), 'type errors name the field too');
  const extra = await app.req('GET', '/api/appeals?colour=red', { token: await app.token('operator') });
  t.equal(extra.status, 422, 'unknown parameters are refused');
  const broken = await app.req('POST', '/api/appeals/1/notes', { token: await app.token('operator'), body: '{"text": ', headers: { 'content-type': 'application/json' } });
  t.equal(broken.status, 400, 'malformed JSON is a 400');
  const missing = await app.req('GET', '/api/appeals/999999', { token: await app.token('operator') });
  t.equal(missing.status, 404);
  t.equal(missing.body.error.code, 'NOT_FOUND');
});

t.test('reading an appeal card is audited; the work list holds no applicant names', async (t) => {
  const op = await app.token('operator');
  const list = await app.req('GET', '/api/appeals?limit=5', { token: op });
  t.equal(list.status, 200);
  t.notOk(JSON.stringify(list.body).includes('Иванова'), 'no applicant names in the list');
  const id = list.body.rows[0].id;
  const card = await app.req('GET', `/api/appeals/${id}`, { token: op });
  t.equal(card.status, 200);
  t.ok(card.body.applicant, 'the card has the applicant');
  const audit = await app.req('GET', `/api/audit?applicantId=${card.body.applicant.id}`, { token: await app.token('admin') });
  t.ok(audit.body.rows.some((r: any) => r.action === 'read' && r.entityType === 'appeal' && r.entityId === String(id) && r.login === 'operator'), 'read recorded with who and what');
});

t.test('overdue and near-due appeals per site', async (t) => {
  const op = await app.token('operator');
  const overdue = await app.req('GET', '/api/appeals?deadline=overdue', { token: op });
  t.equal(overdue.status, 200);
  t.ok(overdue.body.rows.length >= 1, 'the demo appeal received 33 days ago is overdue');
  t.ok(overdue.body.rows.every((r: any) => r.due.state === 'overdue'));
  const counts = await app.req('GET', '/api/appeals/deadlines', { token: op });
  t.ok(counts.body.some((c: any) => c.overdue >= 1));
  const sites = (await app.req('GET', '/api/sites', { token: op })).body;
  const sao = sites.find((s: any) => s.code === 'sao');
  const inSao = await app.req('GET', `/api/appeals?siteId=${sao.id}&deadline=overdue`, { token: op });
  const saoIds = new Set(sites.filter((s: any) => s.id === sao.id || s.parentId === sao.id).map((s: any) => s.id));
  t.ok(inSao.body.rows.length >= 1 && inSao.body.rows.every((r: any) => saoIds.has(r.siteId)), 'a site sees itself and the sites below it');
});

t.test('attachments: upload, size limit, download audited', async (t) => {
  const op = await app.token('operator');
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4 test')], { type: 'application/pdf' }), 'справка.pdf');
  const up = await fetch(`${app.url}/api/attachments`, { method: 'POST', body: form, headers: { authorization: `Bearer ${op}` } });
  t.equal(up.status, 200);
  const meta = (await up.json()) as { id: number; filename: string; size: number };
  t.equal(meta.filename, 'справка.pdf');
  t.equal(meta.size, 13);
  const big = new FormData();
  big.append('file', new Blob([Buffer.alloc(200 * 1024, 1)]), 'big.bin');
  const tooBig = await fetch(`${app.url}/api/attachments`, { method: 'POST', body: big, headers: { authorization: `Bearer ${op}` } });
  t.equal(tooBig.status, 413, 'over the limit: 413');
  const body = (await tooBig.json()) as { error: { message: string } };
  t.match(body.error.message, /larger than/);
  const down = await fetch(`${app.url}/api/attachments/${meta.id}`, { headers: { authorization: `Bearer ${op}` } });
  t.equal(down.status, 200);
  t.equal(down.headers.get('content-type'), 'application/pdf');
  t.equal(Buffer.from(await down.arrayBuffer()).toString(), '%PDF-1.4 test');
});

t.test('the journal stream: sign in, live events, resume after a gap', async (t) => {
  const op = await app.token('operator');
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/stream`);
  const frames: any[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(String(m))));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'auth', token: op }));
  const waitFor = async (pred: (f: any) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const f = frames.find(pred);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('frame not received');
  };
  await waitFor((f) => f.type === 'ready');
  const list = await app.req('GET', '/api/appeals?status=in_progress&limit=1', { token: op });
  const id = list.body.rows[0].id;
  await app.req('POST', `/api/appeals/${id}/notes`, { token: op, body: { text: 'проверка' } });
  const ev = await waitFor((f) => f.type === 'event' && f.event.type === 'appeal.note_added');
  t.equal(ev.event.aggregateId, String(id));
  ws.close();

  const ws2 = new WebSocket(`${app.url.replace('http', 'ws')}/api/stream`);
  const frames2: any[] = [];
  ws2.on('message', (m) => frames2.push(JSON.parse(String(m))));
  await new Promise((r) => ws2.once('open', r));
  ws2.send(JSON.stringify({ type: 'auth', token: op }));
  ws2.send(JSON.stringify({ type: 'resume', afterSeq: ev.event.seq - 1 }));
  for (let i = 0; i < 200 && !frames2.some((f) => f.type === 'resumed'); i++) await new Promise((r) => setTimeout(r, 25));
  const replayed = frames2.filter((f) => f.type === 'event').map((f) => f.event.seq);
  t.equal(replayed[0], ev.event.seq, 'resume starts after the given sequence number');
  t.same(replayed, [...replayed].sort((a, b) => a - b), 'in order');
  ws2.close();

  const anon = new WebSocket(`${app.url.replace('http', 'ws')}/api/stream`);
  const code = await new Promise<number>((resolve) => {
    anon.on('open', () => anon.send(JSON.stringify({ type: 'auth', token: 'nope' })));
    anon.on('close', (c) => resolve(c));
  });
  t.equal(code, 4401, 'a bad token closes the stream');
});

t.test('a WebSocket to a path nobody serves is refused, not left hanging', async (t) => {
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/no-such-socket`);
  const status = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
  t.equal(status, 404);
});

t.test('health and OpenAPI are public', async (t) => {
  const h = await app.req('GET', '/api/health');
  t.equal(h.status, 200);
  t.equal(h.body.db, 'ok');
  const doc = await app.req('GET', '/api/openapi.json');
  t.equal(doc.body.openapi, '3.1.0');
  const login = doc.body.paths['/api/auth/login'].post;
  t.same(login.requestBody.content['application/json'].schema.required.sort(), ['login', 'password']);
  t.notOk(login.security, 'login needs no token');
  t.same(doc.body.paths['/api/appeals/{id}/extend'].post['x-okno-roles'], ['operator', 'supervisor']);
});
