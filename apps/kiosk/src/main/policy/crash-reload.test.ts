import { describe, expect, it } from 'vitest';
import { CRASH_RELOAD_CALM_MS, CRASH_RELOAD_MAX_DELAY_MS, CrashReloadPolicy } from './crash-reload.ts';

describe('reloading a crashed exam page', () => {
  it('reloads at once the first time, then waits longer while crashes keep coming, capped', () => {
    const p = new CrashReloadPolicy();
    let t = 1_000_000;
    const delays = Array.from({ length: 8 }, () => {
      const d = p.onCrash(t);
      t += d + 500; // the page crashes again half a second after each reload
      return d;
    });
    expect(delays).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, CRASH_RELOAD_MAX_DELAY_MS, CRASH_RELOAD_MAX_DELAY_MS]);
  });

  it('starts over once the page has stayed up for a while', () => {
    const p = new CrashReloadPolicy();
    p.onCrash(0);
    p.onCrash(1_000);
    expect(p.onCrash(2_000)).toBe(2_000);
    expect(p.onCrash(2_000 + CRASH_RELOAD_CALM_MS)).toBe(0);
  });
});
