// Builds the component harness (test/harness) with the console's own Vite plugins into a folder.
import { build } from 'vite';
import vue from '@vitejs/plugin-vue';
import { quasar, transformAssetUrls } from '@quasar/vite-plugin';
import { join } from 'node:path';
import { consoleDir } from './paths.js';

export async function buildHarness(outDir) {
  await build({
    configFile: false,
    root: join(consoleDir, 'test', 'harness'),
    base: './',
    logLevel: 'error',
    plugins: [vue({ template: { transformAssetUrls } }), quasar({ sassVariables: join(consoleDir, 'src', 'css', 'quasar.variables.sass') })],
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  });
  return outDir;
}
