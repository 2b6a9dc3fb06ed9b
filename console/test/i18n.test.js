// Both languages are complete: every key in Russian is in English and the other way round, every
// message compiles (vue-i18n's own compiler), and every key the sources use exists.
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createI18n } from 'vue-i18n';
import ruFirst from '../src/i18n/ru.ts';
import enFirst from '../src/i18n/en.ts';
import ruPages from '../src/i18n/pages-ru.ts';
import enPages from '../src/i18n/pages-en.ts';
import { consoleDir } from './support/paths.js';

function leaves(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]));
}

function get(obj, path) {
  return path.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
}

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(vue|ts)$/.test(f) && !p.includes(`${join('src', 'i18n')}`) ? [p] : [];
  });
}

// The first screen's texts and the pages' texts (loaded later) are one set of keys, without overlap.
const ru = { ...ruFirst, ...ruPages };
const en = { ...enFirst, ...enPages };
const ruKeys = new Map(leaves(ru));
const enKeys = new Map(leaves(en));

t.test('the pages\' texts do not redefine the first screen\'s', async (t) => {
  t.same(Object.keys(ruPages).filter((k) => k in ruFirst), []);
  t.same(Object.keys(enPages).filter((k) => k in enFirst), []);
});

t.test('every key is in both languages', async (t) => {
  t.same([...ruKeys.keys()].filter((k) => !enKeys.has(k)), [], 'missing in English');
  t.same([...enKeys.keys()].filter((k) => !ruKeys.has(k)), [], 'missing in Russian');
  for (const [k, v] of [...ruKeys, ...enKeys]) {
    if (typeof v !== 'string' || !v.trim()) t.fail(`${k} is empty or not text`);
  }
});

t.test('every message compiles and keeps its placeholders in both languages', async (t) => {
  const i18n = createI18n({ legacy: false, locale: 'ru', messages: { ru, en }, missingWarn: false, fallbackWarn: false, warnHtmlMessage: false });
  let checked = 0;
  for (const [k, v] of ruKeys) {
    const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    t.same(names(enKeys.get(k)), names(v), `${k}: the same placeholders`);
    for (const [lang, text] of [['ru', v], ['en', enKeys.get(k)]]) {
      // "|" would split a message into plural forms and "@" starts a linked message: neither is meant here.
      if (/[|@]/.test(text)) t.fail(`${lang} ${k} contains | or @`);
      const params = Object.fromEntries(names(text).map((n) => [n, `<${n}>`]));
      const out = i18n.global.t(k, params, { locale: lang });
      if (/[{}]/.test(out.replace(/<\w+>/g, ''))) t.fail(`${lang} ${k} left a brace: ${out}`);
      checked++;
    }
  }
  t.ok(checked > 300, `${checked} messages compiled`);
});

t.test('every key the sources use exists', async (t) => {
  const used = new Set();
  const prefixes = new Set();
  for (const file of sources(join(consoleDir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([\w.]+)'/g)) used.add(m[1]);
    for (const m of text.matchAll(/\?\s*'([a-z]+\.[\w.]+)'\s*:\s*'([a-z]+\.[\w.]+)'/g)) used.add(m[1]).add(m[2]);
    for (const m of text.matchAll(/\bt\(\s*`([\w.]+)\.\$\{/g)) prefixes.add(m[1]);
    for (const m of text.matchAll(/title:\s*'([\w.]+)'/g)) if (m[1].includes('.')) used.add(m[1]);
    // Keys kept in tables (e.g. the validation messages the API's texts map to).
    for (const m of text.matchAll(/'((?:validation|errors|common)\.\w+)'/g)) used.add(m[1]);
  }
  t.ok(used.size > 200, `${used.size} literal keys found in the sources`);
  t.same([...used].filter((k) => typeof get(ru, k) !== 'string').sort(), [], 'used keys that are missing');
  t.same([...prefixes].filter((p) => typeof get(ru, p) !== 'object').sort(), [], 'dynamic key prefixes that are missing');
});

t.test('the values the API can send have labels', async (t) => {
  const statuses = ['received', 'registered', 'in_progress', 'deferred', 'suspended', 'redirected', 'answered', 'closed'];
  t.same(statuses.filter((s) => !get(ru, `status.${s}`)), []);
  const notices = ['received', 'redirected', 'extended', 'answered', 'ready_early', 'suspended'];
  t.same(notices.filter((s) => !get(ru, `desk.card.noticeKind.${s}`)), []);
  const noticeStatuses = ['pending', 'sending', 'sent', 'failed', 'not_deliverable'];
  t.same(noticeStatuses.filter((s) => !get(ru, `desk.card.noticeStatus.${s}`)), []);
  const kinds = ['message', 'call', 'fax', 'chat', 'note', 'notice', 'system'];
  t.same(kinds.filter((s) => !get(ru, `desk.card.kind.${s}`)), []);
  const outcomes = ['answered', 'no_answer_required', 'duplicate', 'court_returned', 'abusive', 'unreadable', 'withdrawn', 'consulted'];
  t.same(outcomes.filter((s) => !get(ru, `desk.actions.outcomes.${s}`)), []);
  const days = ['ordinary', 'weekend', 'holiday', 'workday', 'short'];
  t.same(days.filter((s) => !get(ru, `admin.calendar.kinds.${s}`)), []);
  const states = ['logged_out', 'ready', 'busy', 'wrap_up', 'paused'];
  t.same(states.filter((s) => !get(ru, `desk.routing.state.${s}`)), []);
});
