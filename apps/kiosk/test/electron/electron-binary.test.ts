import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayProblem, findElectronBinary } from './electron-binary.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kiosk-electron-dist-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('finding an Electron binary (without requiring the electron package)', () => {
  it('uses ELECTRON_OVERRIDE_DIST_PATH when it holds the executable', async () => {
    const exe = path.join(dir, 'electron');
    await writeFile(exe, '#!/bin/sh\n');
    await chmod(exe, 0o755);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dir }, 'linux')).toEqual({ found: true, path: exe });
  });

  it('says why not when the override folder has no executable', () => {
    const r = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nope') }, 'linux');
    expect(r).toMatchObject({ found: false, reason: expect.stringMatching(/ELECTRON_OVERRIDE_DIST_PATH/) });
  });

  it('without an override, finds the downloaded binary or explains that there is none (never downloads)', () => {
    const r = findElectronBinary({}, process.platform);
    if (r.found) expect(r.path).toMatch(/electron/i);
    else expect(r.reason).toMatch(/Electron binary|electron package/);
  });

  it('needs a display on Linux only', () => {
    expect(displayProblem({}, 'linux')).toMatch(/DISPLAY/);
    expect(displayProblem({ DISPLAY: ':99' }, 'linux')).toBeNull();
    expect(displayProblem({}, 'win32')).toBeNull();
  });
});
