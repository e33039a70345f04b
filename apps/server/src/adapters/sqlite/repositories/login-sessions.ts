import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { LoginSessionRepo } from '../../../ports/repositories.ts';
import type { AuthSessionRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { authSessions } from '../schema.ts';
import { selectList } from '../select-list.ts';
import type { Sync } from '../sync.ts';

export class SqliteLoginSessions implements Sync<LoginSessionRepo> {
  private readonly byToken;
  private readonly touchTx;

  constructor(private readonly db: Db) {
    const c = db.$client;
    const byToken = c.prepare(`SELECT ${selectList(authSessions)} FROM auth_sessions WHERE token_hash = ?`);
    this.byToken = (tokenHash: string) => byToken.get(tokenHash) as AuthSessionRecord | undefined;
    const touchOne = c.prepare('UPDATE auth_sessions SET last_activity = max(last_activity, ?) WHERE id = ?');
    this.touchTx = c.transaction((batch: { id: string; lastActivity: number }[]) => {
      for (const b of batch) touchOne.run(b.lastActivity, b.id);
    });
  }

  private liveWhere(userId: string, now: number) {
    return and(
      eq(authSessions.userId, userId),
      isNull(authSessions.revokedAt),
      or(isNotNull(authSessions.pinnedAttemptId), and(gt(authSessions.expiresAt, now), sql`${authSessions.lastActivity} + ${authSessions.idleTimeoutMs} > ${now}`)),
    );
  }

  pin(loginId: string, attemptId: string): void {
    this.db.update(authSessions).set({ pinnedAttemptId: attemptId }).where(and(eq(authSessions.id, loginId), isNull(authSessions.revokedAt))).run();
  }

  endPinned(attemptId: string, endsAt: number, now: number): number {
    return this.db
      .update(authSessions)
      .set({ pinnedAttemptId: null, expiresAt: endsAt, lastActivity: sql`max(${authSessions.lastActivity}, ${now})` })
      .where(and(eq(authSessions.pinnedAttemptId, attemptId), isNull(authSessions.revokedAt)))
      .run().changes;
  }

  /** SQLite's BEGIN IMMEDIATE already serialises every unit of work. */
  lockUser(_userId: string): void {}

  live(userId: string, now: number): AuthSessionRecord[] {
    return this.db.select().from(authSessions).where(this.liveWhere(userId, now)).orderBy(asc(authSessions.createdAt)).all();
  }

  all(userId: string, limit: number): AuthSessionRecord[] {
    return this.db.select().from(authSessions).where(eq(authSessions.userId, userId)).orderBy(desc(authSessions.createdAt)).limit(limit).all();
  }

  insert(s: AuthSessionRecord): void {
    this.db.insert(authSessions).values(s).run();
  }

  findByTokenHash(tokenHash: string): AuthSessionRecord | undefined {
    const r = this.byToken(tokenHash);
    return r && { ...r };
  }

  revoke(ids: string[], reason: string, now: number, userId?: string): number {
    if (ids.length === 0) return 0;
    const where = userId === undefined ? and(inArray(authSessions.id, ids), isNull(authSessions.revokedAt)) : and(inArray(authSessions.id, ids), this.liveWhere(userId, now));
    return this.db.update(authSessions).set({ revokedAt: now, revokeReason: reason }).where(where).run().changes;
  }

  revokeAll(userId: string, exceptId: string | null, reason: string, now: number): number {
    const base = and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt));
    const where = exceptId === null ? base : and(base, ne(authSessions.id, exceptId));
    return this.db.update(authSessions).set({ revokedAt: now, revokeReason: reason }).where(where).run().changes;
  }

  cleanup(now: number): number {
    return this.db
      .update(authSessions)
      .set({ revokedAt: sql`min(${authSessions.expiresAt}, ${authSessions.lastActivity} + ${authSessions.idleTimeoutMs})`, revokeReason: 'expired' })
      .where(and(isNull(authSessions.revokedAt), isNull(authSessions.pinnedAttemptId), or(lte(authSessions.expiresAt, now), sql`${authSessions.lastActivity} + ${authSessions.idleTimeoutMs} <= ${now}`)))
      .run().changes;
  }

  touch(batch: { id: string; lastActivity: number }[]): void {
    if (batch.length > 0) this.touchTx.immediate(batch);
  }
}
