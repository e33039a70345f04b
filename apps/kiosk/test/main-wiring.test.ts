// The real src/main/main.ts, bundled by esbuild exactly as for Electron except that `electron`
// is aliased to a NAMED FAKE (test/fakes/fake-electron-module.ts) — the real runtime cannot exist
// on this machine. The agent inside is the real @invigil/agent (no server: it stays idle).
// This checks main's wiring: start order, window settings, lockdown installed, app:// served,
// every IPC channel answered through the sender check, and the quit flow.
import { KioskIpc, KioskShellIpc } from '@invigil/contract';
import { build } from 'esbuild';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashQuitCode } from '../src/main/policy/quit-code.ts';
import type { FakeBrowserWindow } from './fakes/fake-electron.ts';
import type { FakeElectronModule } from './fakes/fake-electron-module.ts';

const KIOSK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUIT_CODE = 'main-wiring-quit-code';
let work: string;
const savedEnv = { ...process.env };

/** Bundles main.ts against the fake and runs it; returns the fake it used. */
async function runMain(name: string, env: Record<string, string>): Promise<FakeElectronModule> {
  const outfile = path.join(work, name, 'main', 'main.cjs');
  await build({
    entryPoints: [path.join(KIOSK, 'src/main/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: { electron: path.join(KIOSK, 'test/fakes/fake-electron-module.ts') },
    logLevel: 'error',
  });
  await mkdir(path.join(work, name, 'renderer'), { recursive: true });
  await writeFile(path.join(work, name, 'renderer', 'index.html'), '<!doctype html><title>kiosk</title>');
  Object.assign(process.env, env);
  createRequire(import.meta.url)(outfile);
  return (globalThis as unknown as { __invigilFakeElectron: FakeElectronModule }).__invigilFakeElectron;
}

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kiosk-main-wiring-'));
});
afterAll(async () => {
  process.env = savedEnv;
  await rm(work, { recursive: true, force: true });
});

describe('main.ts wired to a fake Electron', () => {
  it('stops with a message, and never opens a window, when the kiosk is not provisioned', async () => {
    const fake = await runMain('unprovisioned', { INVIGIL_KIOSK_CONFIG: path.join(work, 'missing.json'), INVIGIL_KIOSK_USER_DATA: path.join(work, 'ud0'), INVIGIL_LOG_LEVEL: 'silent' });
    await until('exit', () => fake.app.exitCode !== null);
    expect(fake.app.exitCode).toBe(1);
    expect(fake.dialog.errors).toEqual([{ title: 'Invigil Kiosk is not set up', message: expect.stringContaining('no kiosk configuration at') }]);
    expect(fake.BrowserWindow.all).toHaveLength(0);
  });

  it('starts: scheme and sandbox before ready, a locked-down window on app://kiosk, every IPC channel, quit only with the code', async () => {
    const config = path.join(work, 'kiosk.json');
    await writeFile(config, JSON.stringify({ v: 1, quitCodeHash: await hashQuitCode(QUIT_CODE, 14) }));
    const fake = await runMain('provisioned', { INVIGIL_KIOSK_CONFIG: config, INVIGIL_KIOSK_USER_DATA: path.join(work, 'ud1'), INVIGIL_LOG_LEVEL: 'silent' });
    const win = await until('the app page', () => (fake.BrowserWindow.all as FakeBrowserWindow[]).find((w) => w.url === 'app://kiosk/index.html'));

    // Order: privileged scheme and sandbox before ready; the app protocol once ready.
    const calls = fake.app.calls;
    expect(calls.indexOf('registerSchemesAsPrivileged')).toBeLessThan(calls.indexOf('whenReady'));
    expect(calls.indexOf('enableSandbox')).toBeLessThan(calls.indexOf('whenReady'));
    expect(calls.indexOf('protocol.handle(app)')).toBeGreaterThan(calls.indexOf('whenReady'));
    expect(fake.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

    // The window: secure preferences, the bundled preload next to main, locked down, shown when ready.
    expect(win.options).toMatchObject({ show: false, kiosk: true, webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: false } });
    expect((win.options.webPreferences as { preload: string }).preload).toBe(path.join(work, 'provisioned', 'preload', 'preload.cjs'));
    expect(win).toMatchObject({ kiosk: true, fullScreen: true, alwaysOnTop: true, contentProtection: true });
    expect(fake.powerSaveBlocker.started.size).toBe(1);
    await until('shown', () => win.calls.includes('show'));

    // app:// serves dist/renderer with the CSP.
    const page = await fake.protocol.handlers.get('app')!(new Request('app://kiosk/index.html'));
    expect(await page.text()).toContain('<title>kiosk</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    // Every contract channel is handled, through the sender check, by the real agent.
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...Object.values(KioskIpc), ...Object.values(KioskShellIpc)].map((c) => c.channel).sort());
    const fromPage = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    const getState = fake.ipcMain.handlers.get(KioskIpc.getState.channel)!;
    expect(await getState(fromPage, {})).toMatchObject({ ok: true, data: { phase: 'idle' } });
    expect(await getState({ sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, url: 'https://evil.example/' } }, {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });

    // Quitting: refused by the guard, refused with a wrong code, done with the right one.
    const q = fake.fakeEvent();
    fake.app.emit('before-quit', q);
    expect(q.defaultPrevented).toBe(true);
    const requestQuit = fake.ipcMain.handlers.get(KioskShellIpc.requestQuit.channel)!;
    expect(await requestQuit(fromPage, { unlockCode: 'not-the-code' })).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    expect(fake.app.quitCalls).toBe(0);
    expect(fake.app.exitCode).toBe(null);
    expect(await requestQuit(fromPage, { unlockCode: QUIT_CODE })).toEqual({ ok: true, data: { quitting: true } });
    // The distinct status the OS units (deploy/kiosk) do not restart after.
    await until('app.exit(10)', () => fake.app.exitCode === 10);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.powerSaveBlocker.started.size).toBe(0);
    const after = fake.fakeEvent();
    fake.app.emit('before-quit', after);
    expect(after.defaultPrevented).toBe(false);
  });
});
