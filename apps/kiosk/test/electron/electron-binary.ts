import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Finds the Electron executable for the `_electron` tests WITHOUT requiring the `electron` npm
 * package: its index.js starts a download when the binary is missing, and on this machine the
 * binary is never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD, pnpm ignoredBuiltDependencies).
 * Mirrors electron/index.js: ELECTRON_OVERRIDE_DIST_PATH wins, else node_modules/electron/dist.
 */
export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

const DEFAULT_EXE: Partial<Record<NodeJS.Platform, string>> = {
  win32: 'electron.exe',
  darwin: 'Electron.app/Contents/MacOS/Electron',
};

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed' };
  }
  const pathTxt = path.join(pkgDir, 'path.txt');
  const recorded = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  const exe = recorded || DEFAULT_EXE[platform] || 'electron';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = path.join(override, exe);
    return existsSync(p) ? { found: true, path: p } : { found: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${p} does not exist` };
  }
  if (!recorded) return { found: false, reason: 'no Electron binary on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD: node_modules/electron has no path.txt)' };
  const p = path.join(pkgDir, 'dist', recorded);
  return existsSync(p) ? { found: true, path: p } : { found: false, reason: `no Electron binary at ${p}` };
}

/** On Linux a window needs a display server; without one the tests skip rather than hang. */
export function displayProblem(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? null : 'no DISPLAY (run under xvfb-run)';
}

/** Why the real-Electron tests cannot run here, or null when they can. Prints a loud warning when skipping. */
export function electronSkipReason(): string | null {
  const bin = findElectronBinary();
  const reason = !bin.found ? bin.reason : displayProblem();
  if (reason) {
    console.warn(
      `\n!!! SKIPPED: the real-Electron kiosk tests (test/electron) did not run: ${reason}.\n` +
        '!!! Set ELECTRON_OVERRIDE_DIST_PATH to a folder with an Electron 45 binary (and DISPLAY, e.g. xvfb-run) to run them.\n',
    );
  }
  return reason;
}
