import { clockRuns } from './clock.ts';
import type { SessionState } from './types.ts';

/**
 * The earliest moment at which time alone could change the session — its time runs out, its
 * silence reaches the pause threshold, or its pause outlives the paused-session TTL — if nothing
 * else happens first. Before it, `settle`, `isSilent` and `shouldExpire` are all false, so a
 * sweeper may leave the session alone until then. Null: time alone never changes it (final,
 * or locked: its clock is stopped and it is never auto-paused).
 */
export function nextDueAt(state: SessionState, lastSeenAt: number, silenceMs: number, pausedTtlMs: number): number | null {
  if (state.status === 'paused') return state.pausedAt === null ? null : state.pausedAt + pausedTtlMs;
  if (!clockRuns(state)) return null;
  const timeUpAt = (state.runningSince ?? 0) + (state.allowedMs - state.usedMs);
  return Math.min(timeUpAt, lastSeenAt + silenceMs);
}
