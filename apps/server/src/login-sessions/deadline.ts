import type { AuthSessionRecord } from '../ports/types.ts';

/** When a login session ends if nothing more happens: the earlier of its idle and absolute deadlines. */
export function loginDeadline(s: Pick<AuthSessionRecord, 'expiresAt' | 'lastActivity' | 'idleTimeoutMs'>, lastActivity = s.lastActivity): number {
  return Math.min(s.expiresAt, lastActivity + s.idleTimeoutMs);
}
