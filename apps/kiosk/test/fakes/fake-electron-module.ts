/**
 * FAKE `electron` module, for test/main-wiring.test.ts only: that test bundles the real
 * src/main/main.ts with esbuild, aliasing `electron` to this file, and runs it under plain Node
 * (the real Electron runtime cannot exist on this machine). It exposes the fake on globalThis so
 * the test can drive and inspect it. Built from the same fakes as the lockdown unit tests.
 */
import { fakeElectron, fakeEvent } from './fake-electron.ts';

type Handler = (event: unknown, payload: unknown) => Promise<unknown>;

const base = fakeElectron();
const calls = base.app.calls;

const fake = {
  ...base,
  dialog: {
    errors: [] as { title: string; message: string }[],
    showErrorBox(title: string, message: string) {
      fake.dialog.errors.push({ title, message });
    },
  },
  ipcMain: {
    handlers: new Map<string, Handler>(),
    handle(channel: string, fn: Handler) {
      if (fake.ipcMain.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      fake.ipcMain.handlers.set(channel, fn);
    },
    removeHandler(channel: string) {
      fake.ipcMain.handlers.delete(channel);
    },
  },
  protocol: {
    privileged: [] as unknown[],
    handlers: new Map<string, (r: Request) => Promise<Response>>(),
    registerSchemesAsPrivileged(schemes: unknown[]) {
      calls.push('registerSchemesAsPrivileged');
      fake.protocol.privileged.push(...schemes);
    },
    handle(scheme: string, fn: (r: Request) => Promise<Response>) {
      calls.push(`protocol.handle(${scheme})`);
      fake.protocol.handlers.set(scheme, fn);
    },
  },
  // Reversible, not secret: stands in for the OS keychain.
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (s: string) => Buffer.from(`fake-sealed:${s}`),
    decryptString: (b: Buffer) => b.toString().replace(/^fake-sealed:/, ''),
  },
  fakeEvent,
};

(globalThis as Record<string, unknown>).__invigilFakeElectron = fake;

export type FakeElectronModule = typeof fake;
export const { app, BrowserWindow, Menu, clipboard, dialog, ipcMain, powerMonitor, powerSaveBlocker, protocol, safeStorage, screen, session } = fake;
export default fake;
