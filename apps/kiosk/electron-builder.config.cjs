// electron-builder configuration of the Invigil Kiosk (`pnpm --filter @invigil/kiosk dist`).
// Everything the app runs is bundled into dist/ (esbuild for main/preload, Vite for the renderer),
// so the package carries no node_modules. test/builder-config.test.ts pins the security-relevant parts.
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.invigil.kiosk',
  productName: 'Invigil Kiosk',
  executableName: 'invigil-kiosk',
  copyright: 'Invigil',
  directories: { output: 'out/release', buildResources: 'build-resources' },
  files: ['dist/**', '!dist/**/*.map', 'package.json'],
  asar: true,
  npmRebuild: false,
  publish: null,

  // Fuses are flipped in the Electron binary itself at package time.
  electronFuses: {
    // No ELECTRON_RUN_AS_NODE: the kiosk binary cannot be used as a plain Node to run other code.
    runAsNode: false,
    // No NODE_OPTIONS / NODE_EXTRA_CA_CERTS (no --require injection, no rogue CA).
    enableNodeOptionsEnvironmentVariable: false,
    // No --inspect / SIGUSR1 debugger in main.
    enableNodeCliInspectArguments: false,
    // Only app.asar is loaded, and (Windows, macOS) its integrity is checked against the signed hash.
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    enableCookieEncryption: true,
    // We serve the renderer from app://, never file://.
    grantFileProtocolExtraPrivileges: false,
  },

  win: { target: [{ target: 'nsis', arch: ['x64'] }] },
  nsis: {
    oneClick: false,
    perMachine: true,
    allowToChangeInstallationDirectory: false,
    createDesktopShortcut: true,
    shortcutName: 'Invigil Kiosk',
  },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    category: 'public.app-category.education',
    hardenedRuntime: true,
    gatekeeperAssess: false,
  },
  dmg: { title: 'Invigil Kiosk' },
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    category: 'Education',
    maintainer: 'Invigil <kiosk@invigil.invalid>',
    synopsis: 'Locked-down exam client',
  },
  deb: { priority: 'optional' },
};
