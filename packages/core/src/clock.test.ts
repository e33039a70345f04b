import { describe, expect, it } from 'vitest';
import { clockRuns, remainingMs, remainingSeconds, startClock, stopClock, usedAt } from './clock.ts';
import { initialState } from './state-machine.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('exam clock', () => {
  it('counts time only while running and never past the allowed time', () => {
    const s = initialState(10_000, T0);
    expect(usedAt(s, T0 + 4_000)).toBe(4_000);
    expect(remainingMs(s, T0 + 4_000)).toBe(6_000);
    expect(usedAt(s, T0 + 60_000)).toBe(10_000);
    expect(remainingMs(s, T0 + 60_000)).toBe(0);
    // A `now` before the clock started counts nothing rather than negative time.
    expect(usedAt(s, T0 - 5_000)).toBe(0);
  });

  it('rounds remaining seconds up, so the countdown shows 0 only when time is over', () => {
    const s = initialState(10_000, T0);
    expect(remainingSeconds(s, T0)).toBe(10);
    expect(remainingSeconds(s, T0 + 1)).toBe(10);
    expect(remainingSeconds(s, T0 + 9_001)).toBe(1);
    expect(remainingSeconds(s, T0 + 9_999)).toBe(1);
    expect(remainingSeconds(s, T0 + 10_000)).toBe(0);
  });

  it('stopClock charges up to `until`, never before the clock started; startClock is idempotent', () => {
    const s = initialState(10_000, T0);
    expect(stopClock(s, T0 + 3_000)).toMatchObject({ usedMs: 3_000, runningSince: null });
    expect(stopClock(s, T0 - 1_000)).toMatchObject({ usedMs: 0, runningSince: null });
    expect(stopClock(s, T0 + 99_000).usedMs).toBe(10_000);
    const stopped = stopClock(s, T0 + 3_000);
    expect(stopClock(stopped, T0 + 9_000)).toBe(stopped);
    const restarted = startClock(stopped, T0 + 5_000);
    expect(startClock(restarted, T0 + 6_000)).toBe(restarted);
    expect(remainingMs(restarted, T0 + 6_000)).toBe(6_000);
  });

  it('runs only for an active, unlocked session', () => {
    expect(clockRuns({ status: 'active', isLocked: false })).toBe(true);
    expect(clockRuns({ status: 'active', isLocked: true })).toBe(false);
    expect(clockRuns({ status: 'paused', isLocked: false })).toBe(false);
    expect(clockRuns({ status: 'completed', isLocked: false })).toBe(false);
  });
});
