import { KioskIpc, KioskPush, KioskShellIpc } from '@invigil/contract';
import { describe, expect, it, vi } from 'vitest';
import { createIpcRouter, ipcChannels, ShellCallError } from './ipc-router.ts';

/** The shell calls these tests do not exercise (each would fail the test if called). */
const OTHER_SHELL_CALLS = {
  requestQuitOffline: async (): Promise<never> => {
    throw new Error('not called here');
  },
  saveOfflineBundle: async (): Promise<never> => {
    throw new Error('not called here');
  },
};

const trusted = { webContentsId: 1, frameUrl: 'app://kiosk/index.html', isMainFrame: true };

function router(over: Partial<Parameters<typeof createIpcRouter>[0]> = {}) {
  const agentCall = vi.fn(async (name: string) => ({ ok: true as const, data: { from: 'agent', name } }));
  const requestQuit = vi.fn(async (_req: { unlockCode: string }) => ({ quitting: true as const }));
  const r = createIpcRouter({ agentCall, shell: { ...OTHER_SHELL_CALLS, requestQuit }, isTrusted: (s) => s.webContentsId === 1, ...over });
  return { r, agentCall, requestQuit };
}

describe('the IPC router', () => {
  it('answers every contract call on its own channel, and the channels never collide', () => {
    const chans = ipcChannels();
    expect(chans.map((c) => c.name).sort()).toEqual([...Object.keys(KioskIpc), ...Object.keys(KioskShellIpc)].sort());
    const all = [...chans.map((c) => c.channel), ...Object.values(KioskPush).map((p) => p.channel)];
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses an untrusted sender before anything runs', async () => {
    const { r, agentCall, requestQuit } = router();
    expect(await r('getState', { ...trusted, webContentsId: 2 }, {})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(await r('requestQuit', { ...trusted, webContentsId: 2 }, { unlockCode: 'x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(agentCall).not.toHaveBeenCalled();
    expect(requestQuit).not.toHaveBeenCalled();
  });

  it('hands agent calls to the agent handler as they came (it validates them itself)', async () => {
    const { r, agentCall } = router();
    expect(await r('getState', trusted, {})).toEqual({ ok: true, data: { from: 'agent', name: 'getState' } });
    expect(agentCall).toHaveBeenCalledWith('getState', {});
  });

  it('validates shell calls with the contract and answers the envelope', async () => {
    const { r, requestQuit } = router();
    expect(await r('requestQuit', trusted, {})).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await r('requestQuit', trusted, { unlockCode: 'x', extra: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await r('requestQuit', trusted, { unlockCode: 'y'.repeat(300) })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(requestQuit).not.toHaveBeenCalled();
    expect(await r('requestQuit', trusted, { unlockCode: 'the-code' })).toEqual({ ok: true, data: { quitting: true } });
    expect(requestQuit).toHaveBeenCalledWith({ unlockCode: 'the-code' });
  });

  it('turns refusals into error envelopes and hides unexpected failures', async () => {
    const refused = router({ shell: { ...OTHER_SHELL_CALLS, requestQuit: async () => { throw new ShellCallError('INVALID_CREDENTIALS', 'Wrong unlock code.'); } } }).r;
    expect(await refused('requestQuit', trusted, { unlockCode: 'x' })).toEqual({ ok: false, error: { code: 'INVALID_CREDENTIALS', message: 'Wrong unlock code.' } });
    const broken = router({ shell: { ...OTHER_SHELL_CALLS, requestQuit: async () => { throw new Error('disk on fire at /secret/path'); } } }).r;
    expect(await broken('requestQuit', trusted, { unlockCode: 'x' })).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.not.stringContaining('secret') } });
    const lying = router({ shell: { ...OTHER_SHELL_CALLS, requestQuit: async () => ({ quitting: 'yes' }) as never } }).r;
    expect(await lying('requestQuit', trusted, { unlockCode: 'x' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('answers UNKNOWN_CALL for names outside the contract (including prototype names)', async () => {
    const { r, agentCall } = router();
    for (const name of ['openDevTools', '__proto__', 'constructor', 'toString']) {
      expect(await r(name, trusted, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    }
    expect(agentCall).not.toHaveBeenCalled();
  });
});
