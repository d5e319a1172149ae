import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console's single-page app. `npm run build` runs `vite build --config apps/console/web/vite.config.ts`
 * from the repository root; the app lands in <repo>/dist/console-web, which the console serves at `/`.
 * JSX goes through Vite's built-in oxc transform with React's automatic runtime (no React plugin).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console-web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its entry "use client" (for React Server Components): meaningless in this bundle
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  // `npx vite --config apps/console/web/vite.config.ts` while the console's API listens on :3000
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
