/**
 * The preload of the exam window (sandboxed, context-isolated): exposes `window.kiosk` with the
 * named functions of the contract and nothing else — no ipcRenderer, no require, no process.
 * Bundled by esbuild (a sandboxed preload can require only `electron` and a few others).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { z } from 'zod';
import { createKioskBridge } from './bridge.ts';

// No `new Function` probing in the preload (the page's CSP forbids eval anyway).
z.config({ jitless: true });

contextBridge.exposeInMainWorld(
  'kiosk',
  createKioskBridge({
    invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
    on: (channel, listener) => {
      // The page's function gets only the payload, never the IpcRendererEvent (it holds `sender`).
      const wrapped = (_e: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, wrapped);
      return () => {
        ipcRenderer.removeListener(channel, wrapped);
      };
    },
  }),
);
