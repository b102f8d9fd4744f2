import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The operator console's pages: Preact (JSX through esbuild, no plugin needed) and Pico CSS, bundled into
// dist/console, served by the gateway at /console. Nothing is fetched from elsewhere at run time.
const root = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root,
  base: '/console/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
