/**
 * The console's build: Vue SFCs, Quasar with only the components the templates use (the Quasar
 * Vite plugin imports them per file), relative asset paths (the core serves dist/ at /), and a
 * manifest so the benchmark can tell the initial route's files from the lazy ones.
 */
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { quasar, transformAssetUrls } from '@quasar/vite-plugin';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  base: './',
  plugins: [
    vue({ template: { transformAssetUrls } }),
    quasar({ sassVariables: fileURLToPath(new URL('./src/css/quasar.variables.sass', import.meta.url)) }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target: process.env.OKNO_API ?? 'http://127.0.0.1:8080', ws: true },
    },
  },
});
