/**
 * FAKE `electron` module as a sandboxed preload sees it (contextBridge, ipcRenderer), for
 * test/preload-wiring.test.ts, which bundles the real src/preload/preload.ts against it. The real
 * Electron runtime cannot exist on this machine.
 */
import { EventEmitter } from 'node:events';

const exposed: { key: string; api: unknown }[] = [];
const invoked: { channel: string; payload: unknown }[] = [];
const renderer = new EventEmitter();

const fake = {
  exposed,
  invoked,
  contextBridge: {
    exposeInMainWorld(key: string, api: unknown) {
      exposed.push({ key, api });
    },
  },
  ipcRenderer: Object.assign(renderer, {
    invoke(channel: string, payload: unknown) {
      invoked.push({ channel, payload });
      return Promise.resolve({ ok: true, data: { echoed: channel } });
    },
  }),
};

(globalThis as Record<string, unknown>).__invigilFakePreloadElectron = fake;

export type FakePreloadElectron = typeof fake;
export const { contextBridge, ipcRenderer } = fake;
