// Vite build of the admin console: renderer/ in, dist/renderer out, served by the admin listener at `/`.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

/** The console's build: history-mode routes under `/`, static assets that satisfy the strict CSP. */
export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  define: {
    // vue-i18n esm-bundler feature flags: composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // element-plus is most of the bundle; routes are split, the vendor chunk stays large.
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Stable, named vendor chunks: the framework and the component library change rarely.
        codeSplitting: {
          groups: [
            {
              name: 'vendor-element-plus',
              test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|@sxzz|@ctrl|@vueuse|dayjs|lodash-es|lodash-unified|async-validator|memoize-one|normalize-wheel-es)[\\/]/,
              priority: 2,
            },
            {
              name: 'vendor-vue',
              test: /node_modules[\\/](vue|@vue|pinia|vue-router|vue-i18n|@intlify)[\\/]/,
              priority: 1,
            },
          ],
        },
      },
    },
  },
});
