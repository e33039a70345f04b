import { KioskIpc, KioskPush, KioskShellIpc } from '@invigil/contract';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { bridgeNames, createKioskBridge, type BridgeTransport, type KioskBridge } from './bridge.ts';

function transport(answer: (channel: string, payload: unknown) => unknown = () => ({ ok: true, data: {} })) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const t = {
    invoke: vi.fn(async (channel: string, payload: unknown) => answer(channel, payload)),
    on: vi.fn((channel: string, fn: (p: unknown) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn);
      return () => void listeners.get(channel)!.delete(fn);
    }),
    push: (channel: string, p: unknown) => listeners.get(channel)?.forEach((fn) => fn(p)),
  } satisfies BridgeTransport & { push: unknown };
  return t;
}

describe('window.kiosk (the preload bridge)', () => {
  it('has exactly one function per contract call plus onState and onEvent, and is frozen', () => {
    const k = createKioskBridge(transport());
    expect(Object.keys(k).sort()).toEqual([...Object.keys(KioskIpc), ...Object.keys(KioskShellIpc), 'onState', 'onEvent'].sort());
    expect(Object.keys(k).sort()).toEqual(bridgeNames().sort());
    for (const v of Object.values(k)) expect(typeof v).toBe('function');
    expect(Object.isFrozen(k)).toBe(true);
    expect(k).not.toHaveProperty('invoke');
    expect(k).not.toHaveProperty('send');
  });

  it('sends a valid request on the call’s channel and returns main’s envelope', async () => {
    const t = transport((channel) => ({ ok: true, data: { channel } }));
    const k = createKioskBridge(t);
    expect(await k.saveAnswer({ questionId: 'q1', value: 'a' })).toEqual({ ok: true, data: { channel: KioskIpc.saveAnswer.channel } });
    expect(t.invoke).toHaveBeenCalledWith('kiosk:saveAnswer', { questionId: 'q1', value: 'a' });
    await k.getState();
    expect(t.invoke).toHaveBeenLastCalledWith('kiosk:getState', {});
    await k.requestQuit({ unlockCode: 'code' });
    expect(t.invoke).toHaveBeenLastCalledWith(KioskShellIpc.requestQuit.channel, { unlockCode: 'code' });
  });

  it('refuses an invalid request without sending it', async () => {
    const t = transport();
    const k = createKioskBridge(t);
    expect(await k.saveAnswer({ questionId: 'not a slug!', value: 'a' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await (k.getState as (r: unknown) => Promise<unknown>)({ sneaky: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await (k.requestQuit as (r: unknown) => Promise<unknown>)('code')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(t.invoke).not.toHaveBeenCalled();
  });

  it('never rejects: a transport failure or a malformed answer becomes INTERNAL', async () => {
    const k1 = createKioskBridge(transport(() => { throw new Error('no handler'); }));
    expect(await k1.getState()).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const k2 = createKioskBridge(transport(() => 'surprise'));
    expect(await k2.getState()).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('passes pushed states and events to listeners until they unsubscribe', () => {
    const t = transport();
    const k = createKioskBridge(t);
    const states: unknown[] = [];
    const events: unknown[] = [];
    const off = k.onState((s) => states.push(s));
    k.onEvent((e) => events.push(e));
    t.push(KioskPush.state.channel, { phase: 'idle' });
    t.push(KioskPush.event.channel, { type: 'offline', at: 1 });
    off();
    t.push(KioskPush.state.channel, { phase: 'in-exam' });
    expect(states).toEqual([{ phase: 'idle' }]);
    expect(events).toEqual([{ type: 'offline', at: 1 }]);
    expect(() => k.onState('nope' as never)).toThrow(TypeError);
  });

  it('types calls from the contract (empty requests may be omitted)', () => {
    expectTypeOf<KioskBridge['getState']>().toBeCallableWith();
    expectTypeOf<KioskBridge['login']>().parameter(0).toEqualTypeOf<{ examId: string; candidateId: string; accessCode: string }>();
    // @ts-expect-error login needs its request
    ((k: KioskBridge) => k.login())(createKioskBridge(transport()));
  });
});
