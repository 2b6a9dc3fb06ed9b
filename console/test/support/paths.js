// Where things are, from the test files' point of view.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const consoleDir = fileURLToPath(new URL('../..', import.meta.url));
export const distDir = join(consoleDir, 'dist');
export const repoDir = join(consoleDir, '..');
export const screenshotDir = join(repoDir, 'artifacts', 'screenshots');

/** The built console, or an error that says how to build it (the root `npm test` builds it first). */
export function requireDist() {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`console/dist is missing: run "npm run build -w @okno/console" first (the root "npm test" does)`);
  }
  return distDir;
}
