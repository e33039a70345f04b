#!/usr/bin/env node
// Bundles the Electron shell with esbuild:
//   src/main/main.ts       -> <out>/main/main.cjs       (Node/Electron main; the agent is bundled in)
//   src/preload/preload.ts -> <out>/preload/preload.cjs (sandboxed preload: may require only `electron`)
// `electron` stays external (the runtime provides it). Usage: node scripts/build-shell.mjs [--out dir]
// (default dist/). The renderer is built separately by Vite into dist/renderer.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outIdx = process.argv.indexOf('--out');
const out = outIdx > 0 ? path.resolve(process.argv[outIdx + 1]) : path.join(root, 'dist');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 runs Node 22 in main and Chromium 14x in the preload.
  target: ['node22', 'chrome140'],
  // node:sqlite is only ever loaded lazily by undici's cache store (unused); kept external so its
  // name keeps the node: prefix it needs.
  external: ['electron', 'node:sqlite'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  define: { 'process.env.NODE_ENV': '"production"' },
};

const started = Date.now();
await Promise.all([
  build({ ...common, entryPoints: ['src/main/main.ts'], outfile: path.join(out, 'main', 'main.cjs') }),
  build({ ...common, entryPoints: ['src/preload/preload.ts'], outfile: path.join(out, 'preload', 'preload.cjs') }),
]);
console.log(`build-shell: ${path.relative(process.cwd(), out) || '.'}/main/main.cjs and preload/preload.cjs in ${Date.now() - started} ms`);
