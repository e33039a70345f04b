// The real kiosk in a real Electron, driven by Playwright's `_electron`. Runs only where an
// Electron binary exists (ELECTRON_OVERRIDE_DIST_PATH, or a normal `electron` install) and, on
// Linux, a display (xvfb-run). On this build machine there is none: the suite is skipped with a
// loud warning, and the same behaviour is covered at the unit level (lockdown modules on the
// named fake Electron, bridge, router, bundle checks).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashQuitCode } from '../../src/main/policy/quit-code.ts';
import { bridgeNames } from '../../src/preload/bridge.ts';
import { electronSkipReason, findElectronBinary } from './electron-binary.ts';

const KIOSK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const QUIT_CODE = 'electron-test-quit-code';
const skipReason = electronSkipReason();

describe.skipIf(skipReason !== null)('the kiosk in a real Electron', () => {
  let work: string;
  let mainJs: string;
  let configPath: string;
  let app: ElectronApplication | null = null;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'kiosk-electron-'));
    await promisify(execFile)(process.execPath, [path.join(KIOSK, 'scripts', 'build-shell.mjs'), '--out', path.join(work, 'dist')], { cwd: KIOSK });
    const { build } = await import('vite');
    await build({ root: path.join(KIOSK, 'src/renderer'), configFile: path.join(KIOSK, 'vite.config.ts'), logLevel: 'warn', build: { outDir: path.join(work, 'dist', 'renderer'), emptyOutDir: true } });
    mainJs = path.join(work, 'dist', 'main', 'main.cjs');
    configPath = path.join(work, 'kiosk.json');
    await writeFile(configPath, JSON.stringify({ v: 1, quitCodeHash: await hashQuitCode(QUIT_CODE, 14) }));
  }, 180_000);

  afterEach(async () => {
    // Not app.close(): that asks the app to quit, which the quit guard refuses (by design).
    const proc = app?.process();
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
    app = null;
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function launch(): Promise<{ app: ElectronApplication; page: Page }> {
    const bin = findElectronBinary();
    if (!bin.found) throw new Error(bin.reason);
    const userData = path.join(work, `user-data-${Date.now()}`);
    await mkdir(userData, { recursive: true });
    app = await _electron.launch({
      executablePath: bin.path,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), mainJs],
      env: { ...process.env, INVIGIL_KIOSK_CONFIG: configPath, INVIGIL_KIOSK_USER_DATA: userData, INVIGIL_LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    const page = await app.firstWindow();
    // The window exists (hidden) before the app page loads into it.
    await page.waitForURL('app://kiosk/index.html', { timeout: 30_000 });
    await page.waitForLoadState('domcontentloaded');
    return { app, page };
  }

  /** Lets a quit guard refuse, then tells whether the exam window is still there. */
  const windowSurvives = async (a: ElectronApplication) => {
    await new Promise((r) => setTimeout(r, 800));
    return a.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => !w.isDestroyed()).length);
  };

  it('shows the app from app://kiosk in one kiosk, fullscreen, always-on-top, content-protected window', async () => {
    const { app: a, page } = await launch();
    expect(page.url()).toBe('app://kiosk/index.html');
    const w = await a.evaluate(({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0]!;
      return { kiosk: win.isKiosk(), fullscreen: win.isFullScreen(), onTop: win.isAlwaysOnTop(), closable: win.isClosable(), count: BrowserWindow.getAllWindows().length };
    });
    expect(w).toMatchObject({ kiosk: true, fullscreen: true, onTop: true });
  });

  it('window.kiosk has exactly the contract functions; the page has no require, no process, no ipcRenderer', async () => {
    const { page } = await launch();
    const seen = await page.evaluate(() => {
      const k = (globalThis as any).kiosk as Record<string, unknown>;
      return {
        keys: Object.keys(k).sort(),
        allFunctions: Object.values(k).every((v) => typeof v === 'function'),
        require: typeof (globalThis as Record<string, unknown>).require,
        process: typeof (globalThis as Record<string, unknown>).process,
        ipc: typeof (globalThis as Record<string, unknown>).ipcRenderer,
        module: typeof (globalThis as Record<string, unknown>).module,
      };
    });
    expect(seen).toEqual({ keys: bridgeNames().sort(), allFunctions: true, require: 'undefined', process: 'undefined', ipc: 'undefined', module: 'undefined' });
    // A real call round-trips through main and the agent, in the envelope.
    const state = await page.evaluate(() => (globalThis as any).kiosk.getState() as Promise<unknown>);
    expect(state).toMatchObject({ ok: true, data: { phase: expect.any(String) } });
  });

  it('blocks navigation away, new windows and inline script (CSP)', async () => {
    const { app: a, page } = await launch();
    await page.evaluate(() => {
      (globalThis as any).location.href = 'https://example.com/';
    });
    await new Promise((r) => setTimeout(r, 800));
    expect(page.url()).toBe('app://kiosk/index.html');
    expect(await page.evaluate(() => (globalThis as any).open('app://kiosk/index.html') === null)).toBe(true);
    expect(await a.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    const inline = await page.evaluate(() => {
      // Page code: DOM globals through globalThis (this tsconfig has Node's lib, not the DOM's).
      const g = globalThis as any;
      const s = g.document.createElement('script');
      s.textContent = 'window.__inline = 1';
      g.document.body.append(s);
      return (g.__inline as number | undefined) ?? null;
    });
    expect(inline).toBeNull();
    const fetched = await page.evaluate(() => fetch('https://example.com/').then(() => 'loaded', () => 'blocked'));
    expect(fetched).toBe('blocked');
  });

  it('refuses developer tools', async () => {
    const { app: a } = await launch();
    const opened = await a.evaluate(async ({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents;
      wc.openDevTools({ mode: 'detach' });
      await new Promise((r) => setTimeout(r, 500));
      return wc.isDevToolsOpened();
    });
    expect(opened).toBe(false);
  });

  it('does not quit or close without the staff code; quits with it', async () => {
    const { app: a, page } = await launch();
    await a.evaluate(({ app: electronApp }) => electronApp.quit());
    expect(await windowSurvives(a)).toBe(1);
    await a.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    expect(await windowSurvives(a)).toBe(1);

    expect(await page.evaluate(() => (globalThis as any).kiosk.requestQuit({ unlockCode: 'not-the-code' }) as Promise<unknown>)).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    expect(await windowSurvives(a)).toBe(1);

    const closed = new Promise<void>((r) => a.on('close', () => r()));
    expect(await page.evaluate((code) => (globalThis as any).kiosk.requestQuit({ unlockCode: code }) as Promise<unknown>, QUIT_CODE)).toEqual({ ok: true, data: { quitting: true } });
    await closed;
    app = null;
  });
});
