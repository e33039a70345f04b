import { describe, expect, it } from 'vitest';
import { creditOutage, remainingMs } from './clock.ts';
import { initialState, settle } from './state-machine.ts';

describe('creditOutage: the server was down, the candidate loses none of it', () => {
  const T = 1_000_000;
  it('charges up to the outage, runs again after it', () => {
    const s = initialState(60 * 60_000, T);
    const after = creditOutage(s, T + 10 * 60_000, T + 25 * 60_000);
    // 10 minutes used before the outage; at the restart 50 minutes are left, and they run from then on.
    expect(remainingMs(after, T + 25 * 60_000)).toBe(50 * 60_000);
    expect(remainingMs(after, T + 35 * 60_000)).toBe(40 * 60_000);
    expect(after.runningSince).toBe(T + 25 * 60_000);
  });
  it('leaves a stopped clock alone, and a session whose time ran out before the outage to settle()', () => {
    const stopped = { ...initialState(60_000, T), status: 'paused' as const, runningSince: null, usedMs: 5_000 };
    expect(creditOutage(stopped, T + 1_000, T + 9_000)).toBe(stopped);
    const s = initialState(60_000, T);
    expect(creditOutage(s, T + 120_000, T + 300_000)).toBe(s);
    expect(settle(s, T + 300_000)?.state.endedAt).toBe(T + 60_000);
  });
  it('an outage that began before the clock started charges nothing for it', () => {
    const s = initialState(60_000, T);
    const after = creditOutage(s, T - 5_000, T + 5_000);
    expect(after.usedMs).toBe(0);
    expect(after.runningSince).toBe(T + 5_000);
  });
});
