// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a fresh profile per run.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, which } from '@okno/testkit';
import { screenshotDir } from './paths.js';

export const CHROMIUM = which('chromium') ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A browser with a fresh user data dir. `errors` collects uncaught page errors (a test can assert
 * there were none); failed requests the app expects (a 404 from an uninstalled plugin) are not errors.
 */
export async function openBrowser(opts = {}) {
  const profile = tempDir('okno-chromium-');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1366, height: 768 },
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
  });
  // A step that does not happen fails in seconds, with the reason, not after half a minute.
  context.setDefaultTimeout(opts.timeoutMs ?? 10_000);
  const errors = [];
  const watch = (page) => page.on('pageerror', (e) => errors.push(e.message));
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      profile.cleanup();
    },
  };
}

/** Saves a screenshot of a main view for people to look at (artifacts/ is not committed). */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}
