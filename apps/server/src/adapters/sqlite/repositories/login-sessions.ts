import { and, desc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { LoginSessionRepo } from '../../../ports/repositories.ts';
import type { AuthSessionRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { authSessions } from '../schema.ts';
import { preparedInsert } from '../prepared-insert.ts';
import { selectList } from '../select-list.ts';
import type { Sync } from '../sync.ts';

/** The sign-in path (token lookup, live sessions, insert, pin) and the activity flush use statements prepared once. */
export class SqliteLoginSessions implements Sync<LoginSessionRepo> {
  private readonly byToken;
  private readonly touchTx;
  private readonly liveOf;
  private readonly insertRow;
  private readonly pinOne;

  constructor(private readonly db: Db) {
    const c = db.$client;
    const cols = selectList(authSessions);
    const byToken = c.prepare(`SELECT ${cols} FROM auth_sessions WHERE token_hash = ?`);
    this.byToken = (tokenHash: string) => byToken.get(tokenHash) as AuthSessionRecord | undefined;
    // The same condition as liveWhere below.
    const live = c.prepare(
      `SELECT ${cols} FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL AND (pinned_attempt_id IS NOT NULL OR (expires_at > ? AND last_activity + idle_timeout_ms > ?)) ORDER BY created_at ASC`,
    );
    this.liveOf = (userId: string, now: number) => live.all(userId, now, now) as AuthSessionRecord[];
    this.insertRow = preparedInsert(c, authSessions);
    const pin = c.prepare('UPDATE auth_sessions SET pinned_attempt_id = ? WHERE id = ? AND revoked_at IS NULL');
    this.pinOne = (loginId: string, attemptId: string) => pin.run(attemptId, loginId);
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
    this.pinOne(loginId, attemptId);
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
    return this.liveOf(userId, now);
  }

  all(userId: string, limit: number): AuthSessionRecord[] {
    return this.db.select().from(authSessions).where(eq(authSessions.userId, userId)).orderBy(desc(authSessions.createdAt)).limit(limit).all();
  }

  insert(s: AuthSessionRecord): void {
    this.insertRow(s);
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
