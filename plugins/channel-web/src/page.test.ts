/** The embeddable page at /portal/: served with a strict CSP, no inline code, every field labelled. */
import t from 'tap';
import { Script } from 'node:vm';
import { readFileSync } from 'node:fs';
import { ASSETS_DIR, contentSecurityPolicy } from './page.js';
import { startPortal } from './test-support/portal-app.js';

const app = await startPortal({ page: { frameAncestors: ["'self'", 'https://www.city.example'] } });
t.teardown(() => app.stop());

t.test('the page is public and carries a strict Content-Security-Policy', async (t) => {
  for (const path of ['/portal/', '/portal']) {
    const r = await fetch(app.url + path);
    t.equal(r.status, 200, path);
    t.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    const csp = r.headers.get('content-security-policy')!;
    t.match(csp, /default-src 'none'/);
    t.match(csp, /script-src 'self'(;|$)/, 'scripts only from this origin, no inline, no eval');
    t.match(csp, /frame-ancestors 'self' https:\/\/www\.city\.example/, 'embedding only in the configured sites');
    t.equal(r.headers.get('x-content-type-options'), 'nosniff');
    t.equal(r.headers.get('referrer-policy'), 'no-referrer');
    t.match(await r.text(), /<html lang="ru">/, 'Russian by default');
  }
  const js = await fetch(`${app.url}/portal/portal.js`);
  t.match(js.headers.get('content-type'), /^text\/javascript/);
  t.equal(js.headers.get('cross-origin-resource-policy'), 'same-origin');
  const embed = await fetch(`${app.url}/portal/embed.js`);
  t.equal(embed.status, 200);
  t.equal(embed.headers.get('cross-origin-resource-policy'), 'cross-origin', 'the embed script may be loaded by other sites');
  t.equal((await fetch(`${app.url}/portal/portal.css`)).status, 200);
  for (const bad of ['/portal/secret.txt', '/portal/..%2F..%2Fpackage.json', '/portal/%2e%2e%2fpackage.json']) {
    const r = await fetch(app.url + bad);
    t.equal(r.status, 404, `${bad} is not served`);
  }
});

t.test('the page has no inline code (the CSP allows none) and a label for every field', async (t) => {
  const html = readFileSync(`${ASSETS_DIR}/index.html`, 'utf8');
  t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  t.notMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  t.notMatch(html, /\sstyle=/i, 'no inline styles');
  t.notMatch(html, /<style/i);
  const ids = [...html.matchAll(/<(input|textarea|select)\b[^>]*\bid="([^"]+)"[^>]*>/g)].filter((m) => !/type="radio"/.test(m[0])).map((m) => m[2]!);
  t.ok(ids.length >= 12, `fields found: ${ids.length}`);
  for (const id of ids) t.match(html, new RegExp(`<label[^>]*for="${id}"`), `field ${id} has a label`);
  const described = [...html.matchAll(/aria-describedby="([^"]+)"/g)].flatMap((m) => m[1]!.split(' '));
  for (const id of described) t.match(html, new RegExp(`id="${id}"`), `${id} exists`);
  for (const file of ['portal.js', 'embed.js']) {
    t.doesNotThrow(() => new Script(readFileSync(`${ASSETS_DIR}/${file}`, 'utf8'), { filename: file }), `${file} parses`);
    t.notMatch(readFileSync(`${ASSETS_DIR}/${file}`, 'utf8'), /innerHTML|insertAdjacentHTML|document\.write|eval\(/, `${file} never writes HTML`);
  }
});

t.test('the CSP builder refuses nothing silently: no frame ancestors means none', async (t) => {
  t.match(contentSecurityPolicy([]), /frame-ancestors 'none'/);
});

t.test('the form limits and features are public for the page', async (t) => {
  const r = await app.req('GET', '/api/portal/config');
  t.equal(r.status, 200);
  t.same(Object.keys(r.body).sort(), ['allowedTypes', 'chat', 'identified', 'maxChatMessageLength', 'maxFileBytes', 'maxFiles', 'maxSubjectLength', 'maxTextLength', 'maxTotalBytes']);
  const doc = await app.req('GET', '/api/openapi.json');
  const paths = Object.keys(doc.body.paths);
  t.ok(paths.includes('/api/portal/appeals') && paths.includes('/api/portal/status') && paths.includes('/api/portal/chats/{chatId}/join'), 'the endpoints are in the OpenAPI document');
});
