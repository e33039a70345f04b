// The agent ↔ window wiring against the NAMED FAKE Electron (test/fakes/fake-electron.ts) and a
// stub agent; the real agent's IPC handler is tested in packages/agent against a real server.
import { KioskIpc, KioskPush, KioskShellIpc, type KioskEvent, type KioskState } from '@invigil/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, fakeElectron, memoryLog } from '../../test/fakes/fake-electron.ts';
import { bridgeAgentToWindow, senderInfo } from './agent-bridge.ts';
import { hashQuitCode, QuitAttemptLimiter } from './policy/quit-code.ts';
import { QuitGate } from './policy/quit-gate.ts';

type Handler = (event: unknown, payload: unknown) => Promise<unknown>;

async function setup(quitCodeHash: string | null = null) {
  fakeElectron();
  const win = new FakeBrowserWindow();
  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (ch: string, fn: Handler) => void handlers.set(ch, fn), removeHandler: (ch: string) => void handlers.delete(ch) };
  const stateFns: ((s: KioskState) => void)[] = [];
  const eventFns: ((e: KioskEvent) => void)[] = [];
  const agent = {
    subscribe: (fn: (s: KioskState) => void) => (stateFns.push(fn), () => void stateFns.splice(stateFns.indexOf(fn), 1)),
    onEvent: (fn: (e: KioskEvent) => void) => (eventFns.push(fn), () => void eventFns.splice(eventFns.indexOf(fn), 1)),
    reportFocus: vi.fn(),
  };
  const agentCall = vi.fn(async (name: string) => ({ ok: true as const, data: { name } }));
  const quitGate = new QuitGate(quitCodeHash, new QuitAttemptLimiter(), Date.now);
  const quit = vi.fn();
  const dispose = bridgeAgentToWindow({ agent, agentCall, ipcMain: ipcMain as never, window: win as never, quitGate, quit, log: memoryLog().log, staffQuitDelayMs: 20 });
  const fromPage = (url = 'app://kiosk/index.html') => ({ sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, url } });
  return { win, handlers, agent, agentCall, quitGate, quit, dispose, stateFns, eventFns, fromPage };
}

afterEach(() => vi.useRealTimers());

describe('bridgeAgentToWindow', () => {
  it('handles every contract channel and removes them on dispose', async () => {
    const s = await setup();
    expect([...s.handlers.keys()].sort()).toEqual([...Object.values(KioskIpc), ...Object.values(KioskShellIpc)].map((c) => c.channel).sort());
    s.dispose();
    expect(s.handlers.size).toBe(0);
    expect(s.stateFns).toHaveLength(0);
  });

  it('answers the exam page, refuses other senders and subframes', async () => {
    const s = await setup();
    const getState = s.handlers.get(KioskIpc.getState.channel)!;
    expect(await getState(s.fromPage(), {})).toEqual({ ok: true, data: { name: 'getState' } });
    expect(await getState(s.fromPage('https://evil.example/'), {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const other = new FakeBrowserWindow();
    expect(await getState({ sender: other.webContents, senderFrame: other.webContents.mainFrame }, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const sub = { sender: s.win.webContents, senderFrame: { processId: 1, routingId: 999, url: 'app://kiosk/index.html' } };
    expect(senderInfo(sub as never).isMainFrame).toBe(false);
    expect(await getState(sub, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(s.agentCall).toHaveBeenCalledTimes(1);
  });

  it('pushes states and events to the page and reports focus changes to the agent', async () => {
    const s = await setup();
    s.stateFns[0]!({ phase: 'idle' } as KioskState);
    s.eventFns[0]!({ type: 'offline', at: 5 });
    expect(s.win.webContents.sent).toEqual([
      { channel: KioskPush.state.channel, payload: { phase: 'idle' } },
      { channel: KioskPush.event.channel, payload: { type: 'offline', at: 5 } },
    ]);
    s.win.emit('blur');
    s.win.emit('focus');
    expect(s.agent.reportFocus.mock.calls).toEqual([[false], [true]]);
  });

  it('quits with the right staff code only', async () => {
    const s = await setup(await hashQuitCode('right-staff-code', 14));
    const requestQuit = s.handlers.get(KioskShellIpc.requestQuit.channel)!;
    expect(await requestQuit(s.fromPage(), { unlockCode: 'wrong-staff-code' })).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    expect(s.quitGate.isOpen).toBe(false);
    expect(await requestQuit(s.fromPage(), { unlockCode: 'right-staff-code' })).toEqual({ ok: true, data: { quitting: true } });
    await new Promise((r) => setImmediate(r));
    expect(s.quit).toHaveBeenCalledWith('staff-code');
  });

  it('says RATE_LIMITED after too many wrong codes', async () => {
    const s = await setup(await hashQuitCode('right-staff-code', 14));
    const requestQuit = s.handlers.get(KioskShellIpc.requestQuit.channel)!;
    for (let i = 0; i < 5; i++) await requestQuit(s.fromPage(), { unlockCode: `wrong-${i}` });
    expect(await requestQuit(s.fromPage(), { unlockCode: 'right-staff-code' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/30 s/) } });
    expect(s.quit).not.toHaveBeenCalled();
  });

  it('quits when staff send a quit instruction (after a grace period for the acknowledgement)', async () => {
    const s = await setup();
    s.eventFns[0]!({ type: 'instruction', instruction: { id: 'i1', type: 'message', issuedAt: new Date().toISOString() } });
    expect(s.quitGate.isOpen).toBe(false);
    s.eventFns[0]!({ type: 'instruction', instruction: { id: 'i2', type: 'quit', issuedAt: new Date().toISOString() } });
    expect(s.quitGate.reason).toBe('staff-instruction');
    expect(s.quit).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.quit).toHaveBeenCalledWith('staff-instruction');
  });
});
