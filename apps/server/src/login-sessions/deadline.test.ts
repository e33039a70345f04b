import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliveAfter, loginDeadline } from './deadline.ts';

// The authenticator records a request as activity in the same call that reads the activity seen,
// deciding beforehand with aliveAfter: that must be exactly the login deadline's rule.
describe('aliveAfter says what loginDeadline says', () => {
  it('for every login, time and activity seen', () => {
    // Small ranges, so that the edges (activity exactly an idle timeout ago, t exactly at expiry) come up often.
    const T = 1_800_000_000_000;
    const near = (from: number, to: number) => fc.integer({ min: T + from, max: T + to });
    const login = fc.record({
      expiresAt: near(0, 30),
      lastActivity: near(-20, 20),
      idleTimeoutMs: fc.integer({ min: 1, max: 10 }),
      pinnedAttemptId: fc.option(fc.constant('attempt'), { nil: null }),
    });
    fc.assert(
      fc.property(login, near(-20, 40), fc.option(near(-20, 40), { nil: undefined }), (s, t, seen) => {
        const alive = t < loginDeadline(s, Math.max(s.lastActivity, seen ?? 0));
        const after = aliveAfter(s, t);
        expect(after === null || (seen !== undefined && seen > after)).toBe(alive);
      }),
      { numRuns: 5_000 },
    );
  });
});
