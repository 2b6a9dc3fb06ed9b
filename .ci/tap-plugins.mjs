// Run after `npm ci` / `npm install` (root postinstall): build tap with the plugins .taprc names.
// tap compiles its plugin set into its own install; a fresh install carries the default set
// (with @tapjs/typescript), and tap only rebuilds on the first run *after* it has already spawned
// that run's test processes with the old loaders. Building here makes the first `npm test` on a
// fresh clone the same as every later one. Skipped when tap is not installed (--omit=dev).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin', 'tap');
if (!existsSync(bin)) process.exit(0);
const r = spawnSync(bin, ['build'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
if (r.status !== 0) {
  console.error('tap build failed: the first `npm test` may load the wrong TypeScript plugin');
  process.exit(r.status ?? 1);
}
