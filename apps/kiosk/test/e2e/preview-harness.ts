/** Helpers for the renderer + agent end-to-end tests: Debian's Chromium and a real `kiosk:preview` process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const KIOSK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`\n!!! ${CHROMIUM} not found: KIOSK RENDERER BROWSER TESTS ARE SKIPPED (apt-get install chromium) !!!\n`);
}

/** apps/kiosk/test-output/screenshots (gitignored) */
export const SHOTS = join(KIOSK_DIR, 'test-output/screenshots');

/** Builds the renderer into a folder of its own (so a parallel Electron test's dist/renderer is left alone). */
export async function buildRenderer(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'invigil-renderer-'));
  await build({ root: join(KIOSK_DIR, 'src/renderer'), configFile: join(KIOSK_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** Debian's Chromium, headless; Playwright never downloads a browser of its own. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Page errors and console errors (CSP violations show up here), so a test can assert the page stayed clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core (WCAG 2.1 A/AA) in the page: the serious and critical violations, as readable lines. */
export async function a11y(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on and is not weakened for the test.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const result: { id: string; impact: string; help: string; nodes: string[] }[] = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const r = await axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join(', ')}`);
}

export interface Preview {
  url: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
  /** SIGKILL: the kiosk dies without closing anything (a crash). */
  kill(): Promise<void>;
}

/** Starts `src/preview/main.ts` (the real agent + the HTTP bridge) as its own process on a free port. */
export async function startPreview(o: { rendererDir: string; serverUrl?: string; dataDir?: string; displays?: number; staffCodeHash?: string; serverPublicKey?: string }): Promise<Preview> {
  const dataDir = o.dataDir ?? join(mkdtempSync(join(tmpdir(), 'invigil-preview-')), 'agent');
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(KIOSK_DIR, 'src/preview/main.ts'), '--port', '0', '--no-open', '--fake-platform', '--data-dir', dataDir, '--renderer-dir', o.rendererDir, ...(o.serverUrl ? ['--server', o.serverUrl] : []), ...(o.displays ? ['--fake-displays', String(o.displays)] : []), ...(o.staffCodeHash ? [`--staff-code-hash=${o.staffCodeHash}`] : []), ...(o.serverPublicKey ? [`--server-public-key=${o.serverPublicKey}`] : [])],
    { cwd: KIOSK_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`preview did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      const m = /PREVIEW_URL=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`preview exited with ${code}:\n${out}`));
    });
  });
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res();
      proc.once('exit', () => res());
      proc.kill(signal);
    });
  return {
    url,
    dataDir,
    output: () => out,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
