import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeExamsAdminRepositories } from '../exams-admin.suite.ts';
import { describeRepositories } from '../repositories.suite.ts';
import { loginFixture, sessionFixture } from '../session-fixture.ts';
import { openDatabase } from '../sqlite/open.ts';
import { SqliteDatabase } from '../sqlite/sqlite-database.ts';
import type { Database } from '../../ports/database.ts';
import type { Repos } from '../../ports/repositories.ts';
import { withReadCache } from './read-cache.ts';

const fresh = () => new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-cache-'))));

// Everything the repositories promise holds just the same with the cache in front.
describeRepositories('SQLite behind the read cache', async () => withReadCache(fresh()));
describeExamsAdminRepositories('SQLite behind the read cache', async () => withReadCache(fresh()));

describe('the read cache: what it serves is what the database holds', () => {
  let plain: SqliteDatabase;
  let db: ReturnType<typeof withReadCache>;
  const T = Date.parse('2026-12-01T09:00:00Z');
  let examId: string;

  beforeEach(async () => {
    plain = fresh();
    db = withReadCache(plain);
    examId = (await db.repos.exams.create('exam-1', { title: 'Cache', durationMinutes: 60, questions: [] }, 'admin', T)).id;
  });
  afterEach(() => db.close());

  const login = (id: string, hash: string) => loginFixture({ userId: 'u1', at: T }, { id, tokenHash: hash, subjectType: 'candidate', role: 'candidate', examId, candidateId: 'c1' });

  it('a second read is served from memory, and a caller cannot change what the next one reads', async () => {
    const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
    await db.repos.examSessions.insert(rec, T);
    const a = (await db.repos.examSessions.get(rec.attemptId))!;
    const before = db.cacheStats.hits;
    a.state.status = 'terminated';
    a.lastSeq = 99;
    const b = (await db.repos.examSessions.get(rec.attemptId))!;
    expect(db.cacheStats.hits).toBe(before + 1);
    expect(b.state.status).toBe('active');
    expect(b.lastSeq).toBe(0);
    // Ownership still decides: another candidate's id finds nothing, from memory as from the database.
    expect(await db.repos.examSessions.get(rec.attemptId, 'someone-else')).toBeUndefined();
    expect(await plain.repos.examSessions.get(rec.attemptId, 'someone-else')).toBeUndefined();
  });

  it('a unit of work that changes a session: the next read sees the change; one that rolls back: the old row', async () => {
    const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
    await db.repos.examSessions.insert(rec, T);
    await db.repos.examSessions.get(rec.attemptId);
    await db.tx(async (r) => {
      const cur = (await r.examSessions.getForUpdate(rec.attemptId))!;
      await r.examSessions.update({ ...cur, state: { ...cur.state, isLocked: true, lockReason: 'staff' } }, T + 1);
    });
    expect((await db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true);
    await expect(
      db.tx(async (r) => {
        const cur = (await r.examSessions.getForUpdate(rec.attemptId))!;
        await r.examSessions.update({ ...cur, state: { ...cur.state, status: 'terminated' } }, T + 2);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const after = (await db.repos.examSessions.get(rec.attemptId))!;
    expect(after.state.status).toBe('active');
    expect(after).toEqual(await plain.repos.examSessions.get(rec.attemptId));
  });

  it('a read that was under way while the row changed is not kept (as with a pool of connections)', async () => {
    // The database answers this one read late: after the row was changed and committed meanwhile,
    // as a read on a second connection of a pool can be answered (PostgreSQL without REDIS_URL).
    let release: (() => void) | null = null;
    let lateOnce = true;
    const late = withReadCache(({
      ...plain,
      repos: {
        ...plain.repos,
        examSessions: {
          ...plain.repos.examSessions,
          get: async (...a: Parameters<typeof plain.repos.examSessions.get>) => {
            const r = await plain.repos.examSessions.get(...a);
            if (lateOnce) {
              lateOnce = false;
              await new Promise<void>((res) => (release = res));
            }
            return r;
          },
        },
      },
      tx: <R>(fn: (r: Repos) => Promise<R>) => plain.tx(fn),
      ping: () => plain.ping(),
      close: () => plain.close(),
    }) satisfies Database);
    const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
    await late.repos.examSessions.insert(rec, T);
    const during = late.repos.examSessions.get(rec.attemptId); // reads 'active', answers late
    while (!release) await new Promise((res) => setImmediate(res));
    await late.tx(async (r) => {
      const cur = (await r.examSessions.getForUpdate(rec.attemptId))!;
      await r.examSessions.update({ ...cur, state: { ...cur.state, status: 'completed', endedAt: T + 5 } }, T + 5);
    });
    (release as () => void)();
    expect((await during)!.state.status).toBe('active'); // what it read, before the change
    expect((await late.repos.examSessions.get(rec.attemptId))!.state.status).toBe('completed');
  });

  it('presence flushes update the cached copy as they update the row', async () => {
    const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
    await db.repos.examSessions.insert(rec, T);
    await db.repos.examSessions.get(rec.attemptId);
    await db.repos.examSessions.recordPresence([{ attemptId: rec.attemptId, lastSeenAt: T + 10_000, seq: 7, beats: 3 }]);
    await db.repos.examSessions.get(rec.attemptId); // cached again
    await db.repos.examSessions.recordPresence([{ attemptId: rec.attemptId, lastSeenAt: T + 5_000, seq: 4, beats: 1 }]);
    const hits = db.cacheStats.hits;
    const cached = await db.repos.examSessions.get(rec.attemptId);
    expect(db.cacheStats.hits).toBe(hits + 1);
    expect(cached).toEqual(await plain.repos.examSessions.get(rec.attemptId));
    expect(cached).toMatchObject({ lastSeq: 7, lastActivityAt: T + 10_000, heartbeatCount: 4 });
  });

  it('logins: activity flushes keep the cached copy current; a revocation is seen at once', async () => {
    await db.repos.loginSessions.insert(login('l1', 'h1'));
    await db.repos.loginSessions.insert(login('l2', 'h2'));
    expect((await db.repos.loginSessions.findByTokenHash('h1'))!.revokedAt).toBeNull();
    await db.repos.loginSessions.findByTokenHash('h2');
    await db.repos.loginSessions.touch([{ id: 'l1', lastActivity: T + 60_000 }]);
    await db.repos.loginSessions.findByTokenHash('h1');
    await db.repos.loginSessions.touch([{ id: 'l1', lastActivity: T + 30_000 }]);
    expect(await db.repos.loginSessions.findByTokenHash('h1')).toEqual(await plain.repos.loginSessions.findByTokenHash('h1'));
    expect((await db.repos.loginSessions.findByTokenHash('h1'))!.lastActivity).toBe(T + 60_000);
    await db.tx(async (r) => {
      await r.loginSessions.revoke(['l1'], 'logout', T + 61_000);
    });
    expect((await db.repos.loginSessions.findByTokenHash('h1'))!.revokedAt).toBe(T + 61_000);
    expect(await db.repos.loginSessions.revokeAll('u1', null, 'admin', T + 62_000)).toBe(1);
    expect((await db.repos.loginSessions.findByTokenHash('h2'))!.revokeReason).toBe('admin');
    expect(await db.repos.loginSessions.findByTokenHash('unknown')).toBeUndefined();
  });

  it('a change made behind the server’s back is seen once the copy is 60 s old, or at once by a fresh read', async () => {
    let t = T;
    const timed = withReadCache(plain, { now: () => t });
    const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
    await timed.repos.examSessions.insert(rec, T);
    await timed.repos.examSessions.get(rec.attemptId);
    await plain.repos.examSessions.update({ ...rec, state: { ...rec.state, isLocked: true, lockReason: 'shell' } }, T); // not through the cache
    t += 59_999;
    expect((await timed.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(false);
    t += 1;
    expect((await timed.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true);

    await timed.repos.loginSessions.insert(login('l9', 'h9'));
    expect((await timed.repos.loginSessions.findByTokenHash('h9'))!.revokedAt).toBeNull();
    await plain.repos.loginSessions.revoke(['l9'], 'shell', t);
    expect((await timed.repos.loginSessions.findByTokenHash('h9'))!.revokedAt).toBeNull();
    expect((await timed.repos.loginSessions.findByTokenHash('h9', { fresh: true }))!.revokedAt).toBe(t);
    // The fresh read also renewed the copy: every later read sees the revocation.
    expect((await timed.repos.loginSessions.findByTokenHash('h9'))!.revokedAt).toBe(t);
  });
});
