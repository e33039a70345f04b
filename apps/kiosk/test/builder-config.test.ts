import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const config = require('../electron-builder.config.cjs');

describe('electron-builder config', () => {
  it('flips the fuses that keep the packaged kiosk from being turned into something else', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packages only the bundles, in an asar, for Windows (NSIS), macOS (hardened DMG) and Linux (AppImage, deb)', () => {
    expect(config).toMatchObject({ appId: 'org.invigil.kiosk', productName: 'Invigil Kiosk', asar: true, files: ['dist/**', '!dist/**/*.map', 'package.json'] });
    const targets = (list: { target: string }[]) => list.map((t) => t.target);
    expect(targets(config.win.target)).toEqual(['nsis']);
    expect(targets(config.mac.target)).toEqual(['dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(targets(config.linux.target)).toEqual(['AppImage', 'deb']);
  });

  it('is a configuration electron-builder accepts (its own schema validation, no packaging)', async () => {
    // electron-builder's validator lives in its app-builder-lib dependency; reach it through electron-builder.
    const fromBuilder = createRequire(require.resolve('electron-builder'));
    const { validateConfiguration } = fromBuilder('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = fromBuilder('builder-util');
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...structuredClone(config), electronFuses: { runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object.*electronFuses/s);
  });

  it('starts the bundled main process', async () => {
    const pkg = require(path.join(here, '..', 'package.json'));
    expect(pkg.main).toBe('dist/main/main.cjs');
    expect(pkg.scripts.dist).toMatch(/electron-builder --config electron-builder\.config\.cjs/);
  });
});
