/**
 * The last activity of each login session, kept off the database's write path (no write per
 * request) and flushed in batches. Shared by every process with Redis.
 */
export interface LoginActivity {
  touch(sessionId: string, at: number): Promise<void>;
  /**
   * One call for a request's login: answers the latest activity seen (as `lastSeen`, undefined
   * when none) and records `at` as activity when `after` is null or the activity seen is later
   * than `after` (see `aliveAfter` in login-sessions/deadline.ts).
   */
  touchIfAfter(sessionId: string, at: number, after: number | null): Promise<number | undefined>;
  /** The latest activity seen (by any process) that may not be in the database yet. */
  lastSeen(sessionIds: readonly string[]): Promise<Map<string, number>>;
  /** Activity recorded since the last drain. */
  drain(): Promise<{ id: string; lastActivity: number }[]>;
}
