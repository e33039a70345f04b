import { defineConfig } from 'vite';

// The server serves this build at /console (apps/server/src/http/console-static.ts).
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 250,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
