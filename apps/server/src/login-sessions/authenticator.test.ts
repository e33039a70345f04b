import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryLoginActivity } from '../adapters/memory/login-activity.ts';
import { loginFixture, sessionFixture } from '../adapters/session-fixture.ts';
import { openDatabase } from '../adapters/sqlite/open.ts';
import { SqliteDatabase } from '../adapters/sqlite/sqlite-database.ts';
import { hashSecret } from '../security/tokens.ts';
import { MemoryInvalidations } from '../adapters/memory/invalidation.ts';
import { Authenticator, PINNED_ACTIVITY_EVERY_MS } from './authenticator.ts';
import { MySessionsService } from './my-sessions-service.ts';

describe('the authenticator records login activity', () => {
  const T = Date.parse('2026-12-01T09:00:00Z');

  it('with every request of a login that can idle out; at most every 30 s of one pinned to its running attempt', async () => {
    const db = new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-auth-'))));
    const examId = (await db.repos.exams.create('exam-1', { title: 'Auth', durationMinutes: 60, questions: [] }, 'admin', T)).id;
    const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
    await db.repos.examSessions.insert(rec, T);
    await db.repos.loginSessions.insert(loginFixture({ userId: 'c1', at: T }, { id: 'pinned', tokenHash: hashSecret('tok-pinned'), role: 'candidate', subjectType: 'candidate', examId, candidateId: 'c1' }));
    await db.repos.loginSessions.pin('pinned', rec.attemptId);
    await db.repos.loginSessions.insert(loginFixture({ userId: 'p1', at: T }, { id: 'staff', tokenHash: hashSecret('tok-staff') }));
    const activity = new MemoryLoginActivity();
    let t = T;
    const auth = new Authenticator({ db, activity, now: () => t });
    const recorded = async () => Object.fromEntries((await activity.drain()).map((a) => [a.id, a.lastActivity - T]));
    try {
      await auth.authenticate('tok-pinned');
      await auth.authenticate('tok-staff');
      expect(await recorded()).toEqual({ pinned: 0, staff: 0 });
      t = T + 10_000;
      await auth.authenticate('tok-pinned');
      await auth.authenticate('tok-staff');
      expect(await recorded()).toEqual({ staff: 10_000 });
      t = T + PINNED_ACTIVITY_EVERY_MS;
      await auth.authenticate('tok-pinned');
      expect(await recorded()).toEqual({ pinned: PINNED_ACTIVITY_EVERY_MS });
    } finally {
      await db.close();
    }
  });

  it('a sign-in counts the logins that are live by the activity seen, flushed to the database or not', async () => {
    const db = new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-auth-'))));
    const idle = 10 * 60_000;
    const staff = (id: string, over = {}) => loginFixture({ userId: 'p1', at: T }, { id, tokenHash: hashSecret(`tok-${id}`), idleTimeoutMs: idle, expiresAt: T + 10 * idle, ...over });
    await db.repos.loginSessions.insert(staff('kept-alive')); // its activity is not in the database yet
    await db.repos.loginSessions.insert(staff('idle')); // nothing since T
    await db.repos.loginSessions.insert(staff('flushed', { lastActivity: T + idle - 1_000 }));
    await db.repos.loginSessions.insert(staff('revoked', { revokedAt: T + 1, revokeReason: 'logout' }));
    const activity = new MemoryLoginActivity();
    await activity.touch('kept-alive', T + idle - 5_000);
    const auth = new Authenticator({ db, activity, now: () => T });
    try {
      const t = T + idle + 1_000; // the database alone says only 'flushed' is live
      expect((await db.repos.loginSessions.live('p1', t)).map((s) => s.id)).toEqual(['flushed']);
      expect((await db.tx((r) => auth.liveLogins(r, 'p1', t))).map((s) => s.id).sort()).toEqual(['flushed', 'kept-alive']);
      expect(await db.tx((r) => auth.liveLogins(r, 'p1', T + 2 * idle))).toEqual([]);
      // The owner's own list, count and analytics, and an admin's list, see the same, without a flush.
      const mine = new MySessionsService({ db, now: () => t, authenticator: auth, invalidations: new MemoryInvalidations() });
      const me = { sessionId: 'flushed', role: 'proctor' as const, userId: 'p1' };
      const list = await mine.list(me);
      expect(list.map((s) => [s.id, s.lastActivity, s.isCurrent])).toEqual([
        ['kept-alive', new Date(T + idle - 5_000).toISOString(), false],
        ['flushed', new Date(T + idle - 1_000).toISOString(), true],
      ].sort((a, b) => String(b[1]).localeCompare(String(a[1]))));
      expect(list.find((s) => s.id === 'kept-alive')!.expiresAt).toBe(new Date(T + 2 * idle - 5_000).toISOString());
      expect(await mine.count(me)).toEqual({ count: 2 });
      expect((await mine.analytics(me)).active).toBe(2);
      expect(await activity.drain()).toHaveLength(1); // nothing was flushed to answer
    } finally {
      await db.close();
    }
  });
});
