import type { AuthSessionRecord } from '../ports/types.ts';

/**
 * When a login session ends if nothing more happens: the earlier of its idle and absolute
 * deadlines; never (Infinity) while it is pinned to an exam attempt that can still continue.
 */
export function loginDeadline(s: Pick<AuthSessionRecord, 'expiresAt' | 'lastActivity' | 'idleTimeoutMs' | 'pinnedAttemptId'>, lastActivity = s.lastActivity): number {
  if (s.pinnedAttemptId) return Infinity;
  return Math.min(s.expiresAt, lastActivity + s.idleTimeoutMs);
}
