import { and, asc, desc, eq, gt, isNotNull, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { LoginSessionRepo } from '../../../ports/repositories.ts';
import type { AuthSessionRecord } from '../../../ports/types.ts';
import type { Exec } from '../exec.ts';
import { authSessions } from '../schema.ts';
import { selectList } from '../select-list.ts';

/** The advisory-lock namespace of per-user login serialisation (the key within it is hashtext(user id)). */
const LOGIN_LOCK_CLASS = 0x6c6f67; // 'log'

const BY_TOKEN = `SELECT ${selectList(authSessions)} FROM auth_sessions WHERE token_hash = $1`;

export class PgLoginSessions implements LoginSessionRepo {
  constructor(private readonly x: Exec) {}

  private liveWhere(userId: string, now: number) {
    return and(
      eq(authSessions.userId, userId),
      isNull(authSessions.revokedAt),
      or(isNotNull(authSessions.pinnedAttemptId), and(gt(authSessions.expiresAt, now), sql`${authSessions.lastActivity} + ${authSessions.idleTimeoutMs} > ${now}`)),
    );
  }

  async pin(loginId: string, attemptId: string): Promise<void> {
    await this.x.db.update(authSessions).set({ pinnedAttemptId: attemptId }).where(and(eq(authSessions.id, loginId), isNull(authSessions.revokedAt)));
  }

  async endPinned(attemptId: string, endsAt: number, now: number): Promise<number> {
    const res = await this.x.db
      .update(authSessions)
      .set({ pinnedAttemptId: null, expiresAt: endsAt, lastActivity: sql`greatest(${authSessions.lastActivity}, ${now})` })
      .where(and(eq(authSessions.pinnedAttemptId, attemptId), isNull(authSessions.revokedAt)));
    return res.rowCount ?? 0;
  }

  /** Held until the unit of work ends (pg_advisory_xact_lock): logins of one user take turns. */
  async lockUser(userId: string): Promise<void> {
    await this.x.rows('SELECT pg_advisory_xact_lock($1::int4, hashtext($2))', [LOGIN_LOCK_CLASS, userId], 'invigil.login.lock');
  }

  live(userId: string, now: number): Promise<AuthSessionRecord[]> {
    return this.x.db.select().from(authSessions).where(this.liveWhere(userId, now)).orderBy(asc(authSessions.createdAt), asc(authSessions.id));
  }

  all(userId: string, limit: number): Promise<AuthSessionRecord[]> {
    return this.x.db.select().from(authSessions).where(eq(authSessions.userId, userId)).orderBy(desc(authSessions.createdAt), desc(authSessions.id)).limit(limit);
  }

  async insert(s: AuthSessionRecord): Promise<void> {
    await this.x.db.insert(authSessions).values(s);
  }

  async findByTokenHash(tokenHash: string): Promise<AuthSessionRecord | undefined> {
    const [r] = await this.x.rows<AuthSessionRecord>(BY_TOKEN, [tokenHash], 'invigil.login.byToken');
    return r;
  }

  /**
   * An UPDATE of several rows, their locks taken first in id order: any two such updates (another
   * process's activity flush, a revoke) wait for each other instead of deadlocking.
   */
  private revokeWhere(where: SQL | undefined, set: { revokedAt: number | SQL; revokeReason: string }): Promise<number> {
    return this.x.atomic(async (t) => {
      const ids = (await t.db.select({ id: authSessions.id }).from(authSessions).where(where).orderBy(asc(authSessions.id)).for('update')).map((r) => r.id);
      if (ids.length === 0) return 0;
      return (await t.db.update(authSessions).set(set).where(and(inArray(authSessions.id, ids), where))).rowCount ?? 0;
    });
  }

  revoke(ids: string[], reason: string, now: number, userId?: string): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    const where = userId === undefined ? and(inArray(authSessions.id, ids), isNull(authSessions.revokedAt)) : and(inArray(authSessions.id, ids), this.liveWhere(userId, now));
    return this.revokeWhere(where, { revokedAt: now, revokeReason: reason });
  }

  revokeAll(userId: string, exceptId: string | null, reason: string, now: number): Promise<number> {
    const base = and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt));
    return this.revokeWhere(exceptId === null ? base : and(base, ne(authSessions.id, exceptId)), { revokedAt: now, revokeReason: reason });
  }

  cleanup(now: number): Promise<number> {
    return this.revokeWhere(and(isNull(authSessions.revokedAt), isNull(authSessions.pinnedAttemptId), or(lte(authSessions.expiresAt, now), sql`${authSessions.lastActivity} + ${authSessions.idleTimeoutMs} <= ${now}`)), {
      revokedAt: sql`least(${authSessions.expiresAt}, ${authSessions.lastActivity} + ${authSessions.idleTimeoutMs})`,
      revokeReason: 'expired',
    });
  }

  async touch(batch: { id: string; lastActivity: number }[]): Promise<void> {
    if (batch.length === 0) return;
    const ids = batch.map((b) => b.id);
    await this.x.atomic(async (t) => {
      await t.rows('SELECT 1 FROM auth_sessions WHERE id = ANY ($1::text[]) ORDER BY id FOR NO KEY UPDATE', [ids], 'invigil.login.touch.lock');
      await t.rows(
        `UPDATE auth_sessions a SET last_activity = greatest(a.last_activity, t.last_activity)
         FROM (SELECT id, max(last_activity) AS last_activity FROM unnest($1::text[], $2::bigint[]) AS u(id, last_activity) GROUP BY id) t
         WHERE a.id = t.id`,
        [ids, batch.map((b) => b.lastActivity)],
        'invigil.login.touch',
      );
    });
  }
}
