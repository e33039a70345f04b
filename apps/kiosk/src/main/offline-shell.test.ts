// The shell's offline calls (quit with an offline staff code, save the offline bundle where staff
// choose) on the NAMED FAKE Electron and a stub agent; the agent's side runs against the real server
// in packages/agent/src/offline.e2e.test.ts.
import { KioskShellIpc, type KioskState } from '@invigil/contract';
import { describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, fakeElectron, memoryLog } from '../../test/fakes/fake-electron.ts';
import { bridgeAgentToWindow } from './agent-bridge.ts';
import { QuitAttemptLimiter } from './policy/quit-code.ts';
import { QuitGate } from './policy/quit-gate.ts';

type Handler = (event: unknown, payload: unknown) => Promise<unknown>;

function setup(saveDialog: ((name: string) => Promise<string | null>) | undefined) {
  fakeElectron();
  const win = new FakeBrowserWindow();
  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (ch: string, fn: Handler) => void handlers.set(ch, fn), removeHandler: (ch: string) => void handlers.delete(ch) };
  const refusal = Object.assign(new Error('Wrong code (4 tries left for this challenge).'), { code: 'INVALID_CREDENTIALS' });
  const agent = {
    subscribe: () => () => {},
    onEvent: () => () => {},
    reportFocus: vi.fn(),
    checkOfflineCode: vi.fn(async (_action: string, code: string) => {
      if (code !== 'GOOD0-CODE0') throw refusal;
    }),
    exportOfflineBundle: vi.fn(async (path: string) => ({ path, answers: 4 })),
    state: () => ({ candidateId: 'C 1002/x' }) as KioskState,
  };
  const quitGate = new QuitGate(null, new QuitAttemptLimiter(), Date.now);
  const quit = vi.fn();
  bridgeAgentToWindow({ agent, agentCall: vi.fn(), ipcMain: ipcMain as never, window: win as never, quitGate, quit, log: memoryLog().log, ...(saveDialog ? { saveDialog } : {}) });
  const fromPage = { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, url: 'app://kiosk/index.html' } };
  return { handlers, agent, quitGate, quit, fromPage };
}

describe('offline shell calls', () => {
  it('quits only when the agent accepts the offline quit code; its refusal reaches the page as it is', async () => {
    const s = setup(undefined);
    const call = s.handlers.get(KioskShellIpc.requestQuitOffline.channel)!;
    expect(await call(s.fromPage, { code: 'wrong' })).toEqual({ ok: false, error: { code: 'INVALID_CREDENTIALS', message: 'Wrong code (4 tries left for this challenge).' } });
    expect(s.quitGate.isOpen).toBe(false);
    expect(await call(s.fromPage, { code: 'GOOD0-CODE0' })).toEqual({ ok: true, data: { quitting: true } });
    expect(s.agent.checkOfflineCode).toHaveBeenLastCalledWith('quit', 'GOOD0-CODE0');
    expect(s.quitGate.isOpen).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(s.quit).toHaveBeenCalledWith('staff-code');
  });

  it('saves the bundle where staff chose (never a path from the page); a cancelled dialog saves nothing', async () => {
    const answers: (string | null)[] = ['/media/usb/C_1002_x-offline.invigil', null];
    const names: string[] = [];
    const s = setup(async (name) => (names.push(name), answers.shift()!));
    const call = s.handlers.get(KioskShellIpc.saveOfflineBundle.channel)!;
    expect(await call(s.fromPage, { submit: true, path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call(s.fromPage, { submit: true })).toEqual({ ok: true, data: { saved: true, path: '/media/usb/C_1002_x-offline.invigil', answers: 4 } });
    expect(names[0]).toBe('C_1002_x-offline.invigil');
    expect(s.agent.exportOfflineBundle).toHaveBeenCalledWith('/media/usb/C_1002_x-offline.invigil', { submit: true });
    expect(await call(s.fromPage, { submit: false })).toEqual({ ok: true, data: { saved: false, path: null, answers: 0 } });
    expect(s.agent.exportOfflineBundle).toHaveBeenCalledTimes(1);
  });

  it('without a save dialog (or the agent support) it says so', async () => {
    const s = setup(undefined);
    const call = s.handlers.get(KioskShellIpc.saveOfflineBundle.channel)!;
    expect(await call(s.fromPage, { submit: false })).toMatchObject({ ok: false, error: { code: 'NOT_CONFIGURED' } });
  });
});
