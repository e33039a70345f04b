import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextDueAt } from './due.ts';
import { isSilent, settle, shouldExpire } from './state-machine.ts';
import type { SessionState } from './types.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** Sessions as the server holds them: running, paused, locked or final, at some point of their clock. */
const arbState: fc.Arbitrary<SessionState> = fc
  .record({
    kind: fc.constantFrom('running', 'paused', 'locked', 'completed'),
    allowedMs: fc.integer({ min: 1_000, max: 4 * 3_600_000 }),
    usedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    startedAgo: fc.integer({ min: 0, max: 3_600_000 }),
  })
  .map(({ kind, allowedMs, usedFraction, startedAgo }) => {
    const usedMs = Math.floor(allowedMs * usedFraction);
    const base: SessionState = { status: 'active', isLocked: false, lockReason: null, allowedMs, usedMs, runningSince: null, pausedAt: null, pauseKind: null, recoveryAttempts: 0, endedAt: null, endReason: null, incidentMs: 0 };
    if (kind === 'running') return { ...base, runningSince: T0 - startedAgo };
    if (kind === 'paused') return { ...base, status: 'paused', pausedAt: T0 - startedAgo, pauseKind: 'auto' };
    if (kind === 'locked') return { ...base, isLocked: true, lockReason: 'staff' };
    return { ...base, status: 'completed', endedAt: T0, endReason: 'submitted' };
  });

const anyDue = (s: SessionState, seen: number, now: number, silence: number, ttl: number) => settle(s, now) !== null || isSilent(s, seen, now, silence) || shouldExpire(s, now, ttl);

describe('nextDueAt: the sweeper may leave a session alone until then', () => {
  it('before it, time changes nothing; at it, something is due; null: never by time alone', () => {
    fc.assert(
      fc.property(
        arbState,
        fc.integer({ min: -600_000, max: 600_000 }),
        fc.integer({ min: 1_000, max: 600_000 }),
        fc.integer({ min: 60_000, max: 86_400_000 }),
        fc.integer({ min: 0, max: 10 * 3_600_000 }),
        (s, seenOffset, silence, ttl, later) => {
          const seen = T0 + seenOffset;
          const due = nextDueAt(s, seen, silence, ttl);
          if (due === null) {
            expect(anyDue(s, seen, T0 + later, silence, ttl)).toBe(false);
            return;
          }
          // Every moment before it (sampled, and the last millisecond before it).
          for (const t of [due - 1, due - 1 - (later % 60_000), Math.min(due - 1, T0)]) {
            if (t >= Math.max(s.runningSince ?? -Infinity, s.pausedAt ?? -Infinity, seen)) expect(anyDue(s, seen, t, silence, ttl)).toBe(false);
          }
          expect(anyDue(s, seen, due, silence, ttl)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
