import { defineConfig } from 'vite';

// The kiosk's exam UI. Electron main serves dist/renderer over app://kiosk (see README.md);
// `kiosk:preview` serves the same build over http://127.0.0.1 with a preview-only bridge.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One script and one stylesheet file: nothing inline (the CSP allows only 'self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 200,
  },
});
