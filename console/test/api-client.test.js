// The console's REST client and live stream against a real core: sign-in, the refresh that must
// happen once (a second use of a refresh token ends every session), sign-out when the session is
// gone, per-field errors, files, and the stream's resume after a dropped connection.
import t from 'tap';
import { Blob } from 'node:buffer';
import { startTestApp } from '@okno/core/testing';
import { waitFor } from '@okno/testkit';
import { ApiClient, ApiError, memoryStore, inProcessLock } from '../src/api/http.ts';
import { LiveStream } from '../src/api/stream.ts';

const PASSWORD = 'okno-demo-2026';
const app = await startTestApp();
t.teardown(() => app.stop());

/** fetch that notes what was called (the real fetch does the work). */
function countingFetch() {
  const calls = [];
  const f = (url, init) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    return fetch(url, init);
  };
  return { f, calls, count: (what) => calls.filter((c) => c === what).length };
}

function client(opts = {}) {
  const counted = opts.counted ?? countingFetch();
  const store = opts.store ?? memoryStore();
  const api = new ApiClient({ baseUrl: `${app.url}/api`, fetch: counted.f, store, lock: opts.lock ?? inProcessLock() });
  return { api, counted, store };
}

/** Makes the stored access token unusable (as if it were revoked), keeping its expiry ahead. */
function spoil(store) {
  const s = store.load();
  store.save({ ...s, accessToken: `${s.accessToken.slice(0, -6)}AAAAAA` });
}

t.test('sign in, use the session, sign out', async (t) => {
  const { api } = client();
  const events = [];
  api.onSession((s) => events.push(s ? s.user.login : null));
  const user = await api.login('operator', PASSWORD);
  t.equal(user.login, 'operator');
  t.same((await api.get('/auth/me')).roles, ['operator']);
  const refresh = api.session.refreshToken;
  await api.logout();
  t.equal(api.session, null);
  t.same(events, ['operator', null]);
  const r = await app.req('POST', '/api/auth/refresh', { body: { refreshToken: refresh } });
  t.equal(r.status, 401, 'sign-out revoked the refresh token on the server');
  await t.rejects(api.get('/auth/me'), { status: 401 }, 'signed out: requests say 401');
});

t.test('many requests that find the token refused refresh it once, and the session lives on', async (t) => {
  const { api, counted, store } = client();
  await api.login('operator', PASSWORD);
  const before = api.session.refreshToken;
  spoil(store);
  const answers = await Promise.all(Array.from({ length: 8 }, () => api.get('/auth/me')));
  t.ok(answers.every((u) => u.login === 'operator'), 'all eight requests succeeded');
  t.equal(counted.count('POST /api/auth/refresh'), 1, 'one refresh for eight refused requests');
  t.not(api.session.refreshToken, before, 'the refresh token rotated');
  t.equal((await api.get('/auth/me')).login, 'operator', 'the session still works afterwards');

  // What the serialisation prevents: presenting the old refresh token again ends every session.
  const reuse = await app.req('POST', '/api/auth/refresh', { body: { refreshToken: before } });
  t.equal(reuse.status, 401);
  const current = await app.req('POST', '/api/auth/refresh', { body: { refreshToken: api.session.refreshToken } });
  t.equal(current.status, 401, 'a reused refresh token ended the current session too (so refreshing twice would have)');
});

t.test('two tabs sharing the stored session refresh once between them', async (t) => {
  const store = memoryStore();
  const lock = inProcessLock();
  const counted = countingFetch();
  const tab1 = client({ store, lock, counted }).api;
  const tab2 = client({ store, lock, counted }).api;
  await tab1.login('supervisor', PASSWORD);
  spoil(store);
  const answers = await Promise.all([...Array.from({ length: 4 }, () => tab1.get('/auth/me')), ...Array.from({ length: 4 }, () => tab2.get('/auth/me'))]);
  t.ok(answers.every((u) => u.login === 'supervisor'));
  t.equal(counted.count('POST /api/auth/refresh'), 1, 'the second tab took the tokens the first one got');
  t.equal((await tab2.get('/auth/me')).login, 'supervisor');
});

t.test('an access token about to expire is renewed before the request, not after a 401', async (t) => {
  const { api, counted, store } = client();
  await api.login('operator', PASSWORD);
  store.save({ ...api.session, accessExpiresAt: new Date(Date.now() + 5_000).toISOString() });
  await Promise.all([api.get('/auth/me'), api.get('/auth/me'), api.token()]);
  t.equal(counted.count('POST /api/auth/refresh'), 1);
  t.equal(counted.calls.filter((c) => c === 'GET /api/auth/me').length, 2, 'no request was refused and repeated');
});

t.test('when the session is gone for good the client signs out', async (t) => {
  const { api, store } = client();
  await api.login('operator', PASSWORD);
  const ended = [];
  api.onSession((s) => ended.push(s));
  store.save({ ...api.session, accessToken: 'not-a-token', refreshToken: 'not-a-refresh-token-at-all' });
  const err = await api.get('/auth/me').catch((e) => e);
  t.type(err, ApiError);
  t.equal(err.status, 401);
  t.equal(api.session, null);
  t.same(ended, [null]);
});

t.test('validation errors name each field', async (t) => {
  const { api } = client();
  await api.login('admin', PASSWORD);
  const svc = (await api.get('/services')).find((s) => s.code === 'bti-techpassport');
  const err = await api.put(`/services/${svc.id}`, { ...svc, id: undefined, updatedAt: undefined, place: '', requiredDocuments: ['ok', ' '] }).catch((e) => e);
  t.equal(err.status, 422);
  t.equal(err.code, 'VALIDATION_ERROR');
  t.same(err.fields.map((f) => f.field).sort(), ['place', 'requiredDocuments[1]']);
});

t.test('files go up as multipart and come back as a blob', async (t) => {
  const { api } = client();
  await api.login('operator', PASSWORD);
  const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0x25, 0x25, 0x45, 0x4f, 0x46, 0x0a]);
  const up = await api.upload(new Blob([bytes], { type: 'application/pdf' }), 'справка.pdf');
  t.equal(up.filename, 'справка.pdf');
  t.equal(up.size, bytes.length);
  const blob = await api.blob(`/attachments/${up.id}`);
  t.same(new Uint8Array(await blob.arrayBuffer()), bytes);
  t.equal(blob.type, 'application/pdf');
});

t.test('the live stream delivers journal events and resumes after a dropped connection', async (t) => {
  const { api } = client();
  await api.login('operator', PASSWORD);
  const appealId = (await api.get('/appeals', { status: 'registered', limit: 1 })).rows[0].id;
  let refused = 0;
  let first = true;
  const stream = new LiveStream({
    url: `${app.url.replace(/^http/, 'ws')}/api/stream`,
    // The first token is refused (as after a revocation): the stream must refresh and go on.
    token: async () => (first ? ((first = false), 'refused-token') : api.token()),
    refresh: async (stale) => {
      refused++;
      return (await api.refresh(stale)).accessToken;
    },
    minDelayMs: 50,
    maxDelayMs: 200,
  });
  const events = [];
  stream.onFrame((f) => {
    if (f.type === 'event') events.push(f.event);
  });
  stream.start();
  t.teardown(() => stream.stop());
  await waitFor('the stream is open', () => stream.status === 'open', 10_000);
  t.equal(refused, 1, 'a refused token (4401) led to one refresh');

  await api.post(`/appeals/${appealId}/notes`, { text: 'first note' });
  await waitFor('the first note event', () => events.some((e) => e.type === 'appeal.note_added'), 10_000);
  const seqAfterFirst = stream.lastSeq;

  // Drop the connection, change something while it is down, and see the change arrive on resume.
  stream['ws'].close();
  await waitFor('the stream notices the drop', () => stream.status === 'reconnecting', 5_000);
  await api.post(`/appeals/${appealId}/notes`, { text: 'second note' });
  await waitFor('the missed event after resume', () => events.filter((e) => e.type === 'appeal.note_added').length === 2, 10_000);
  const seqs = events.map((e) => e.seq);
  t.same(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'events in order, none twice');
  t.ok(events.find((e) => e.type === 'appeal.note_added' && e.seq > seqAfterFirst), 'the missed event came with a higher sequence');
  t.equal(String(events.at(-1).aggregateId), String(appealId));
  t.equal(stream.status, 'open');
});
