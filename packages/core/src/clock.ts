import type { SessionState } from './types.ts';

/** Milliseconds of exam time consumed at `now`. The clock only runs while `runningSince` is set. */
export function usedAt(state: SessionState, now: number): number {
  const running = state.runningSince === null ? 0 : Math.max(0, now - state.runningSince);
  return Math.min(state.allowedMs, state.usedMs + running);
}

export function remainingMs(state: SessionState, now: number): number {
  return Math.max(0, state.allowedMs - usedAt(state, now));
}

/** Whole seconds left, rounded up: a countdown shows 0 only when time is really over. */
export function remainingSeconds(state: SessionState, now: number): number {
  return Math.ceil(remainingMs(state, now) / 1000);
}

/** True while the exam clock is running: active and not locked. */
export function clockRuns(state: Pick<SessionState, 'status' | 'isLocked'>): boolean {
  return state.status === 'active' && !state.isLocked;
}

/** Stops the clock, charging time up to `until` (never before it started, never past `now`). */
export function stopClock(state: SessionState, until: number): SessionState {
  if (state.runningSince === null) return state;
  const end = Math.max(state.runningSince, until);
  return { ...state, usedMs: Math.min(state.allowedMs, state.usedMs + (end - state.runningSince)), runningSince: null };
}

export function startClock(state: SessionState, now: number): SessionState {
  if (state.runningSince !== null) return state;
  return { ...state, runningSince: now };
}

/**
 * The server itself was down from `from` until `until`: a running clock is charged only up to
 * `from` and runs again from `until`, so the candidate loses none of the outage. A clock that was
 * not running, or a session whose time ran out before `from`, is left as it is (settle() decides).
 */
export function creditOutage(state: SessionState, from: number, until: number): SessionState {
  if (state.runningSince === null || until <= from) return state;
  const stoppedAt = Math.max(state.runningSince, from);
  if (state.usedMs + (stoppedAt - state.runningSince) >= state.allowedMs) return state;
  return { ...stopClock(state, stoppedAt), runningSince: Math.max(until, stoppedAt) };
}
