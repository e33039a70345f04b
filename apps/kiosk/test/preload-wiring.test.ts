// The real src/preload/preload.ts, bundled with `electron` aliased to a NAMED FAKE
// (test/fakes/fake-electron-preload-module.ts): the real runtime cannot exist on this machine.
import { KioskIpc, KioskPush } from '@invigil/contract';
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeNames } from '../src/preload/bridge.ts';
import type { FakePreloadElectron } from './fakes/fake-electron-preload-module.ts';

const KIOSK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let work: string;
let fake: FakePreloadElectron;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kiosk-preload-wiring-'));
  const outfile = path.join(work, 'preload.cjs');
  await build({
    entryPoints: [path.join(KIOSK, 'src/preload/preload.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    alias: { electron: path.join(KIOSK, 'test/fakes/fake-electron-preload-module.ts') },
    logLevel: 'error',
  });
  createRequire(import.meta.url)(outfile);
  fake = (globalThis as unknown as { __invigilFakePreloadElectron: FakePreloadElectron }).__invigilFakePreloadElectron;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('preload.ts', () => {
  it('exposes one thing, window.kiosk, with exactly the bridge functions', () => {
    expect(fake.exposed.map((e) => e.key)).toEqual(['kiosk']);
    expect(Object.keys(fake.exposed[0]!.api as object).sort()).toEqual(bridgeNames().sort());
  });

  it('calls main with ipcRenderer.invoke on the contract channel, after validating', async () => {
    const kiosk = fake.exposed[0]!.api as Record<string, (r?: unknown) => Promise<unknown>>;
    expect(await kiosk.getState!()).toEqual({ ok: true, data: { echoed: KioskIpc.getState.channel } });
    expect(await kiosk.saveAnswer!({ questionId: 'bad id!', value: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(fake.invoked).toEqual([{ channel: KioskIpc.getState.channel, payload: {} }]);
  });

  it('hands listeners the payload only, never the IPC event, and unsubscribes', () => {
    const kiosk = fake.exposed[0]!.api as { onState(fn: (...a: unknown[]) => void): () => void };
    const got: unknown[][] = [];
    const off = kiosk.onState((...args) => got.push(args));
    fake.ipcRenderer.emit(KioskPush.state.channel, { sender: 'the IpcRendererEvent' }, { phase: 'idle' });
    off();
    fake.ipcRenderer.emit(KioskPush.state.channel, { sender: 'x' }, { phase: 'in-exam' });
    expect(got).toEqual([[{ phase: 'idle' }]]);
    expect(fake.ipcRenderer.listenerCount(KioskPush.state.channel)).toBe(0);
  });
});
