// Run after `npm ci` / `npm install` (root postinstall): build tap with the plugins .taprc names.
// tap compiles its plugin set into its own install; a fresh install carries the default set
// (with @tapjs/typescript), and tap only rebuilds on the first run *after* it has already spawned
// that run's test processes with the old loaders. Building here makes the first `npm test` on a
// fresh clone the same as every later one. Skipped when tap is not installed (--omit=dev).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bin = join(__dirname, '..', 'node_modules', '.bin', 'tap');
if (!existsSync(bin)) process.exit(0);
const r = spawnSync(bin, ['build'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: join(__dirname, '..') });
if (r.status !== 0) {
  console.error('tap build failed: the first `npm test` may load the wrong TypeScript plugin');
  process.exit(r.status ?? 1);
}
