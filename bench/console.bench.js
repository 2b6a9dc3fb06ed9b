// The console: (1) gzipped size of what the first screen loads (the sign-in route: the entry chunk
// with its static imports and CSS, read from Vite's manifest), and of the operator's desk on top,
// against Vue's own runtime build gzipped the same way; (2) the time from a change through the API
// to the supervisor's live view showing it (journal -> relay -> WebSocket -> re-fetch -> DOM), in
// real Chromium, against the stream's WebSocket round trip alone and the REST call alone, measured
// in the same page in the same run.
//   node bench/console.bench.js [--n 30]
// Needs console/dist (npm run bench builds it) and /usr/bin/chromium for part 2.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
/* global location, MutationObserver -- used inside page.evaluate, in the browser */
import { chromium } from 'playwright-core';
import { startTestApp } from '@okno/core/testing';
import { tempDir, which } from '@okno/testkit';
import { table, fmt, percentile } from './lib.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('n', 30));
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'console', 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error('console/dist is missing: run "npm run build -w @okno/console" (npm run bench builds it)');
  process.exit(1);
}

// ---- 1. bundle size --------------------------------------------------------------------------
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** The files a chunk needs before it runs: itself, its static imports (transitively) and their CSS. */
function closure(keys) {
  const seen = new Set();
  const files = { js: new Set(), css: new Set() };
  const walk = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    const c = manifest[key];
    if (!c) throw new Error(`no ${key} in the manifest`);
    files.js.add(c.file);
    for (const css of c.css ?? []) files.css.add(css);
    for (const i of c.imports ?? []) walk(i);
  };
  keys.forEach(walk);
  return files;
}
const sizeOf = (set) => [...set].reduce((s, f) => s + gz(join(dist, f)), 0);
const key = (suffix) => Object.keys(manifest).find((k) => k.endsWith(suffix));
const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const first = closure([entry]);
const desk = closure([entry, key('layouts/MainLayout.vue'), key('views/desk/DeskView.vue')]);
const live = closure([entry, key('layouts/MainLayout.vue'), key('views/live/LiveView.vue')]);
const vueRuntime = createRequire(join(root, 'console', 'package.json')).resolve('vue/dist/vue.runtime.esm-browser.prod.js');
const baseline = gz(vueRuntime);
const rows = [
  ['first screen (sign-in)', first],
  ['+ operator desk', desk],
  ['+ supervisor live view', live],
].map(([what, f]) => {
  const js = sizeOf(f.js);
  const css = sizeOf(f.css);
  return { what, 'JS gz KiB': fmt(js / 1024), 'CSS gz KiB': fmt(css / 1024), 'total KiB': fmt((js + css) / 1024), 'x vue runtime': fmt((js + css) / baseline, 2) };
});
rows.push({ what: 'baseline: vue runtime alone', 'JS gz KiB': fmt(baseline / 1024), 'CSS gz KiB': '0.0', 'total KiB': fmt(baseline / 1024), 'x vue runtime': '1.00' });
console.log('Gzipped size (level 9) of what each screen loads before it shows');
console.log(table(rows));

// ---- 2. journal event to screen ----------------------------------------------------------------
const chrome = which('chromium') ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : null);
if (!chrome) {
  console.log('\nevent-to-screen: skipped (chromium is not installed: apt-get install -y chromium)');
  process.exit(0);
}

const app = await startTestApp({ config: { console: { enabled: true, dir: dist } } });
const profile = tempDir('okno-bench-chromium-');
const browser = await chromium.launchPersistentContext(profile.dir, {
  executablePath: chrome, headless: true, viewport: { width: 1366, height: 768 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // Appeals for the supervisor to take one by one: each take moves one from "waiting" to "in work".
  for (let i = 0; i < N + 5; i++) {
    await app.app.broker.call('appeals.intake', {
      channel: 'email', messageId: `<bench-console-${i}@example.ru>`, subject: `Замер ${i}`, body: 'Текст обращения для замера.',
      applicant: { fullName: `Заявитель ${i}`, contacts: [{ kind: 'email', value: `bench${i}@example.ru` }] }, replyTo: { channel: 'email', address: `bench${i}@example.ru` },
    });
  }
  const supervisor = await app.token('supervisor');
  const { body: list } = await app.req('GET', `/api/appeals?status=registered&channel=email&limit=${N + 5}`, { token: supervisor });
  const ids = list.rows.map((a) => a.id).slice(0, N);

  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${app.url}/#/login`);
  await page.fill('input[data-testid=login]', 'supervisor');
  await page.fill('input[data-testid=password]', 'okno-demo-2026');
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=total-waiting]');
  await page.waitForSelector('[data-testid=stream-status][data-status=open]');

  // Baseline 1: the stream's own round trip (ping -> pong) on a second socket in the same page.
  const wsRtt = await page.evaluate(async (n) => {
    const token = JSON.parse(localStorage.getItem('okno.session')).accessToken;
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/stream`);
    const next = () => new Promise((resolve) => ws.addEventListener('message', (m) => resolve(JSON.parse(m.data)), { once: true }));
    await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
    ws.send(JSON.stringify({ type: 'auth', token }));
    await next();
    const out = [];
    for (let i = 0; i < n + 5; i++) {
      const t0 = performance.now();
      ws.send(JSON.stringify({ type: 'ping' }));
      let f;
      do f = await next(); while (f.type !== 'pong');
      if (i >= 5) out.push(performance.now() - t0);
    }
    ws.close();
    return out;
  }, N);

  // The measurement: take an appeal through the API; time until the live view's count changes.
  const rest = [];
  const screen = [];
  for (const id of ids) {
    const r = await page.evaluate(async (appealId) => {
      const token = JSON.parse(localStorage.getItem('okno.session')).accessToken;
      const el = document.querySelector('[data-testid=total-waiting]');
      const before = el.textContent;
      const shown = new Promise((resolve) => {
        const obs = new MutationObserver(() => {
          if (el.textContent !== before) {
            obs.disconnect();
            resolve(performance.now());
          }
        });
        obs.observe(el, { characterData: true, childList: true, subtree: true });
      });
      const t0 = performance.now();
      const res = await fetch(`/api/appeals/${appealId}/assign`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      const tRest = performance.now();
      if (!res.ok) throw new Error(`assign answered ${res.status}`);
      const tShown = await shown;
      return { rest: tRest - t0, screen: tShown - t0 };
    }, id);
    rest.push(r.rest);
    screen.push(r.screen);
    // Let the coalescing window pass, so each change is measured from a quiet view.
    await page.waitForTimeout(400);
  }

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: percentile(s, 50), p95: percentile(s, 95) };
  };
  const base = stats(wsRtt);
  const r = stats(rest);
  const e = stats(screen);
  console.log(`\nJournal event to screen in Chromium (supervisor live view, ${ids.length} changes)`);
  console.log(table([
    { what: 'baseline: WebSocket ping round trip', 'median ms': fmt(base.median, 2), 'p95 ms': fmt(base.p95, 2), 'x ws rtt': '1.0' },
    { what: 'REST call alone (assign)', 'median ms': fmt(r.median, 2), 'p95 ms': fmt(r.p95, 2), 'x ws rtt': fmt(r.median / base.median) },
    { what: 'API change -> count on screen', 'median ms': fmt(e.median, 2), 'p95 ms': fmt(e.p95, 2), 'x ws rtt': fmt(e.median / base.median) },
  ]));
  console.log(`(the screen path is: commit, journal relay, WebSocket event, re-fetch of the view's data, render; ${fmt(e.median / r.median, 1)}x the REST call alone)`);
} finally {
  await browser.close();
  profile.cleanup();
  await app.stop();
}
