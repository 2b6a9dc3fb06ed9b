// Counts the results of the last tap run from its saved TAP streams (.tap/test-results) and prints
// one plain line "N passed, N failed": each test file's top-level tests are counted, and a file
// that crashed before reporting any counts as one failure.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function* walk(dir) {
  let names;
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (n.endsWith('.tap')) yield p;
  }
}

let passed = 0;
let failed = 0;
for (const file of walk('.tap/test-results')) {
  const text = readFileSync(file, 'utf8');
  let seen = 0;
  for (const line of text.split('\n')) {
    const m = /^(not ok|ok) \d+/.exec(line);
    if (!m) continue;
    seen++;
    if (/# (SKIP|TODO)/i.test(line)) continue;
    if (m[1] === 'ok') passed++;
    else failed++;
  }
  const plan = /^1\.\.(\d+)/m.exec(text);
  if (seen === 0 && !(plan && plan[1] === '0')) failed++;
}
console.log(`${passed} passed, ${failed} failed`);
