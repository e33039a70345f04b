import type { Database } from '../ports/database.ts';
import type { Repos } from '../ports/repositories.ts';
import { unauthenticated } from '../ports/errors.ts';
import type { LoginActivity } from '../ports/login-activity.ts';
import type { AuthSessionRecord, Principal } from '../ports/types.ts';
import { hashSecret } from '../security/tokens.ts';
import { aliveAfter, loginDeadline } from './deadline.ts';

/**
 * A login pinned to its running attempt has no deadline, so its activity decides nothing until the
 * attempt ends (which sets it to the end): it is recorded at most this often per process, for the
 * "last active" of the sessions list. Every other login's activity is recorded with each request.
 */
export const PINNED_ACTIVITY_EVERY_MS = 30_000;

/** How far login activity in the database may lag the activity seen (flushed each second; a wide margin). */
export const ACTIVITY_LAG_MS = 60_000;

/** Turns a bearer token into its principal; activity is recorded off the write path and flushed in batches. */
export class Authenticator {
  /** Pinned logins' last recorded activity, this process (bounded: cleared when full). */
  private readonly pinnedTouched = new Map<string, number>();

  constructor(private readonly d: { db: Database; activity: LoginActivity; now: () => number }) {}

  private async recordActivity(s: AuthSessionRecord, t: number): Promise<number | undefined> {
    const after = aliveAfter(s, t);
    if (after === Infinity) return undefined;
    if (s.pinnedAttemptId) {
      const last = this.pinnedTouched.get(s.id);
      if (last !== undefined && t - last >= 0 && t - last < PINNED_ACTIVITY_EVERY_MS) return undefined;
      if (this.pinnedTouched.size >= 200_000) this.pinnedTouched.clear();
      this.pinnedTouched.set(s.id, t);
    }
    return this.d.activity.touchIfAfter(s.id, t, after);
  }

  /**
   * `fresh`: the login as the database holds it now, not a cached copy (for periodic re-checks).
   * `unchecked`: a candidate's login copy held in memory may be answered with its stamps not checked
   * yet (Principal.unchecked says how the caller checks them); only where the read cache holds
   * copies across processes, and only for a login this request would not refuse.
   */
  async authenticate(token: string | undefined, o: { fresh?: boolean; unchecked?: boolean } = {}): Promise<Principal> {
    if (!token) throw unauthenticated();
    const hash = hashSecret(token);
    const repo = this.d.db.repos.loginSessions;
    if (o.unchecked && repo.held) {
      const h = repo.held(hash);
      if (h && h.rec.role === 'candidate' && h.rec.revokedAt === null) {
        const p = await this.judge(h.rec);
        if (p) {
          p.unchecked = { checks: h.checks, confirm: () => this.authenticate(token).then(() => undefined) };
          return p;
        }
      }
    }
    const s = await repo.findByTokenHash(hash, o.fresh ? { fresh: true } : undefined);
    if (!s || s.revokedAt !== null) throw unauthenticated('your session has ended; sign in again');
    const p = await this.judge(s);
    if (p) return p;
    // A copy held in memory may predate a pin or an activity flush (which only ever move the
    // deadline later): the database has the last word before a login is refused for it.
    if (!o.fresh) return this.authenticate(token, { fresh: true });
    throw unauthenticated('your session has expired; sign in again');
  }

  /** The principal of a login that is not revoked, or null when it is past its deadline. */
  private async judge(s: AuthSessionRecord): Promise<Principal | null> {
    const t = this.d.now();
    // The activity seen since the last flush is read and this request recorded in one call; the
    // request counts as activity only if the login is still alive (see aliveAfter).
    const seen = await this.recordActivity(s, t);
    if (t >= loginDeadline(s, Math.max(s.lastActivity, seen ?? 0))) return null;
    return {
      sessionId: s.id,
      role: s.role,
      userId: s.userId,
      examId: s.examId,
      candidateId: s.candidateId,
      ...(s.role === 'proctor' ? { assignments: await this.d.db.repos.staff.assignments(s.userId) } : {}),
    };
  }

  /**
   * The user's live logins, oldest first, as the database and the activity not flushed yet say
   * together (what a sign-in counts against its role's limit), without flushing: the database is
   * asked for every login that would be live with up to `ACTIVITY_LAG_MS` more activity, and each
   * is then judged by its deadline with the activity seen. Activity reaches the database each
   * second (the presence-flush job), so nothing live is left out while that job runs. Each comes
   * with its last activity as seen (flushed or not).
   */
  async liveLogins(r: Repos, userId: string, t: number): Promise<AuthSessionRecord[]> {
    const maybe = await r.loginSessions.live(userId, t - ACTIVITY_LAG_MS);
    if (maybe.length === 0) return maybe;
    const seen = await this.d.activity.lastSeen(maybe.map((s) => s.id));
    const out: AuthSessionRecord[] = [];
    for (const s of maybe) {
      const last = Math.max(s.lastActivity, seen.get(s.id) ?? 0);
      if (t < loginDeadline(s, last)) out.push(last === s.lastActivity ? s : { ...s, lastActivity: last });
    }
    return out;
  }

  /**
   * Writes activity recorded since the last flush to the database, as a unit of work: on SQLite the
   * flushes of sign-ins arriving together share their commit (one fsync) with each other's units.
   */
  async flushActivity(): Promise<void> {
    const batch = await this.d.activity.drain();
    if (batch.length) await this.d.db.tx((r) => r.loginSessions.touch(batch));
  }
}
