import { describe, expect, it } from 'vitest';
import { hashQuitCode, MIN_QUIT_CODE_LENGTH, parseQuitCodeHash, QuitAttemptLimiter, verifyQuitCode } from './quit-code.ts';
import { QuitGate } from './quit-gate.ts';

const CODE = 'staff-unlock-4711';

describe('quit code hash', () => {
  it('verifies the right code and refuses wrong ones', async () => {
    const stored = await hashQuitCode(CODE, 14);
    expect(stored).toMatch(/^scrypt\$14\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain(CODE);
    expect(await verifyQuitCode(CODE, stored)).toBe(true);
    expect(await verifyQuitCode('staff-unlock-4712', stored)).toBe(false);
    expect(await verifyQuitCode('', stored)).toBe(false);
    expect(await verifyQuitCode(CODE.toUpperCase(), stored)).toBe(false);
  });

  it('salts each hash (two hashes of one code differ, both verify)', async () => {
    const [a, b] = await Promise.all([hashQuitCode(CODE, 14), hashQuitCode(CODE, 14)]);
    expect(a).not.toBe(b);
    expect(await verifyQuitCode(CODE, b)).toBe(true);
  });

  it('refuses short codes when hashing, and malformed or absurd stored hashes when verifying', async () => {
    await expect(hashQuitCode('x'.repeat(MIN_QUIT_CODE_LENGTH - 1), 14)).rejects.toThrow(/at least/);
    const stored = await hashQuitCode(CODE, 14);
    expect(parseQuitCodeHash(stored)).not.toBeNull();
    for (const bad of ['', 'plain-text-code', stored.replace('scrypt$14', 'scrypt$30'), stored.replace('scrypt$14', 'scrypt$4'), stored.split('$').slice(0, 5).join('$'), `bcrypt${stored.slice(6)}`]) {
      expect(parseQuitCodeHash(bad), bad).toBeNull();
      expect(await verifyQuitCode(CODE, bad)).toBe(false);
    }
  });
});

describe('QuitAttemptLimiter', () => {
  it('allows a few wrong codes, then imposes a doubling wait, capped; a right code resets it', () => {
    const l = new QuitAttemptLimiter({ freeAttempts: 3, baseLockMs: 1_000, maxLockMs: 5_000 });
    let now = 0;
    for (let i = 0; i < 2; i++) l.recordFailure(now);
    expect(l.retryAfterMs(now)).toBe(0);
    l.recordFailure(now); // 3rd: the free attempts are used up
    expect(l.retryAfterMs(now)).toBe(1_000);
    now += 1_000;
    expect(l.retryAfterMs(now)).toBe(0);
    l.recordFailure(now);
    expect(l.retryAfterMs(now)).toBe(2_000);
    now += 2_000;
    l.recordFailure(now);
    expect(l.retryAfterMs(now)).toBe(4_000);
    now += 4_000;
    l.recordFailure(now);
    expect(l.retryAfterMs(now)).toBe(5_000);
    l.recordSuccess();
    expect(l.retryAfterMs(now)).toBe(0);
  });
});

describe('QuitGate', () => {
  it('opens only for the right code; wrong codes are counted and then refused without checking', async () => {
    let now = 1_000_000;
    const gate = new QuitGate(await hashQuitCode(CODE, 14), new QuitAttemptLimiter({ freeAttempts: 2, baseLockMs: 60_000 }), () => now);
    expect(gate.isOpen).toBe(false);
    expect(await gate.tryUnlock('wrong-code-1')).toEqual({ ok: false, reason: 'wrong-code' });
    expect(await gate.tryUnlock('wrong-code-2')).toEqual({ ok: false, reason: 'wrong-code' });
    // Even the right code is refused while the wait runs.
    expect(await gate.tryUnlock(CODE)).toEqual({ ok: false, reason: 'rate-limited', retryAfterMs: 60_000 });
    expect(gate.isOpen).toBe(false);
    now += 60_000;
    expect(await gate.tryUnlock(CODE)).toEqual({ ok: true });
    expect(gate.isOpen).toBe(true);
    expect(gate.reason).toBe('staff-code');
  });

  it('checks one code at a time: parallel guesses are refused, not all checked', async () => {
    const gate = new QuitGate(await hashQuitCode(CODE, 14), new QuitAttemptLimiter({ freeAttempts: 1, baseLockMs: 60_000 }), () => 0);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gate.tryUnlock(`guess-number-${i}`)));
    expect(results.filter((r) => !r.ok && r.reason === 'wrong-code')).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'rate-limited')).toHaveLength(19);
  });

  it('check() (staff actions such as changing the server) never opens the gate and shares the wrong-code count with quitting', async () => {
    let now = 1_000_000;
    const gate = new QuitGate(await hashQuitCode(CODE, 14), new QuitAttemptLimiter({ freeAttempts: 2, baseLockMs: 60_000 }), () => now);
    expect(await gate.check(CODE)).toEqual({ ok: true });
    expect(gate.isOpen).toBe(false);
    expect(await gate.check('wrong-code-1')).toEqual({ ok: false, reason: 'wrong-code' });
    expect(await gate.tryUnlock('wrong-code-2')).toEqual({ ok: false, reason: 'wrong-code' });
    // Two wrong codes, one through each door: both doors now wait.
    expect(await gate.check(CODE)).toEqual({ ok: false, reason: 'rate-limited', retryAfterMs: 60_000 });
    expect(await gate.tryUnlock(CODE)).toEqual({ ok: false, reason: 'rate-limited', retryAfterMs: 60_000 });
    now += 60_000;
    expect(await gate.check(CODE)).toEqual({ ok: true });
    expect(gate.isOpen).toBe(false);
  });

  it('cannot be unlocked by code when none is configured, but opens for staff and the OS', async () => {
    const gate = new QuitGate(null, new QuitAttemptLimiter(), () => 0);
    expect(await gate.tryUnlock(CODE)).toEqual({ ok: false, reason: 'not-configured' });
    gate.open('os-shutdown');
    gate.open('staff-instruction');
    expect(gate).toMatchObject({ isOpen: true, reason: 'os-shutdown' });
  });
});
