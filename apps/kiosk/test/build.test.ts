import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuiltin } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let out: string;
let main: string;
let preload: string;

// The real `build:shell` (esbuild) into a temporary folder, so it never races other tests over dist/.
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'kiosk-build-'));
  await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'build-shell.mjs'), '--out', out], { cwd: root });
  main = await readFile(path.join(out, 'main', 'main.cjs'), 'utf8');
  preload = await readFile(path.join(out, 'preload', 'preload.cjs'), 'utf8');
}, 120_000);
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

const requires = (code: string) => [...new Set([...code.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]!))].sort();

describe('the shell bundles', () => {
  it('exist as CommonJS files with source maps', async () => {
    for (const f of ['main/main.cjs', 'main/main.cjs.map', 'preload/preload.cjs', 'preload/preload.cjs.map']) {
      expect((await stat(path.join(out, f))).size, f).toBeGreaterThan(0);
    }
    expect(main).toMatch(/^"use strict";/);
  });

  it('main carries the secure window settings and never turns Node on in a renderer', () => {
    expect(main).not.toMatch(/nodeIntegration\w*:\s*true/);
    expect(main).not.toMatch(/contextIsolation:\s*false/);
    expect(main).not.toMatch(/sandbox:\s*false/);
    expect(main).not.toMatch(/webSecurity:\s*false/);
    expect(main).toMatch(/contextIsolation:\s*true/);
    expect(main).toMatch(/sandbox:\s*true/);
    expect(main).toMatch(/nodeIntegration:\s*false/);
    expect(main).toContain('app.enableSandbox()');
    expect(main).toContain(`"script-src": ["'self'"]`);
    expect(main).toContain(`"frame-ancestors": ["'none'"]`);
  });

  it('main bundles the agent and the contract; only electron and Node builtins stay outside', () => {
    // node:sqlite is a builtin of Electron's Node 22 (not of the Node 20 running this test).
    expect(requires(main).filter((r) => r !== 'electron' && r !== 'node:sqlite' && !isBuiltin(r))).toEqual([]);
    expect(requires(main)).not.toContain('sqlite'); // only as node:sqlite, the one name it has
    expect(main).toContain('createKioskIpcHandler');
  });

  it('the sandboxed preload requires nothing but electron, and exposes only window.kiosk', () => {
    expect(requires(preload)).toEqual(['electron']);
    expect([...preload.matchAll(/exposeInMainWorld\(\s*["'](\w+)["']/g)].map((m) => m[1])).toEqual(['kiosk']);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });
});
