import type { AuthSessionRecord } from '../ports/types.ts';

/**
 * When a login session ends if nothing more happens: the earlier of its idle and absolute
 * deadlines; never (Infinity) while it is pinned to an exam attempt that can still continue.
 */
export function loginDeadline(s: Pick<AuthSessionRecord, 'expiresAt' | 'lastActivity' | 'idleTimeoutMs' | 'pinnedAttemptId'>, lastActivity = s.lastActivity): number {
  if (s.pinnedAttemptId) return Infinity;
  return Math.min(s.expiresAt, lastActivity + s.idleTimeoutMs);
}

/**
 * What keeps the login alive at `t`, besides what its record says: null when it is alive whatever
 * activity was seen since; a time when only activity later than it does; Infinity when nothing
 * does (it has ended). Exactly: `t < loginDeadline(s, Math.max(s.lastActivity, seen))` holds if and
 * only if the answer is null or `seen` is later than it (deadline.test.ts checks this).
 */
export function aliveAfter(s: Pick<AuthSessionRecord, 'expiresAt' | 'lastActivity' | 'idleTimeoutMs' | 'pinnedAttemptId'>, t: number): number | null {
  if (s.pinnedAttemptId) return null;
  if (t >= s.expiresAt) return Infinity;
  if (t < s.lastActivity + s.idleTimeoutMs) return null;
  return t - s.idleTimeoutMs;
}
