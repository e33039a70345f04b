import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stamps } from '../../ports/stamps.ts';
import { describeExamsAdminRepositories } from '../exams-admin.suite.ts';
import { Authenticator } from '../../login-sessions/authenticator.ts';
import { hashSecret } from '../../security/tokens.ts';
import { MemoryLoginActivity } from '../memory/login-activity.ts';
import { withReadCache } from '../memory/read-cache.ts';
import { openPostgresDatabase } from '../postgres/open.ts';
import { freshDatabase, postgresUnavailable } from '../postgres/testing.ts';
import { describeRepositories } from '../repositories.suite.ts';
import { loginFixture, sessionFixture } from '../session-fixture.ts';
import { openDatabase } from '../sqlite/open.ts';
import { SqliteDatabase } from '../sqlite/sqlite-database.ts';
import type { Database } from '../../ports/database.ts';
import { Keys } from './connection.ts';
import { RedisInstructionHints } from './instruction-hints.ts';
import { RedisPresence } from './presence.ts';
import { RedisStamps } from './stamps.ts';
import { redisForTests } from './testing.ts';

// The read cache across processes: each "process" here is its own database handle (its own pool)
// and its own Redis connection, sharing one real PostgreSQL database and one key prefix in a real
// Redis, exactly as the instances of a cluster do.
const redis = await redisForTests();
const pgUnavailable = await postgresUnavailable();
const T = Date.parse('2026-12-01T09:00:00Z');
const connections: Redis[] = [];
afterAll(() => {
  for (const c of connections) c.disconnect();
});
const connect = () => {
  const c = new Redis(redis.url!, { maxRetriesPerRequest: 1 });
  connections.push(c);
  return c;
};

if (redis.url) {
  // Everything the repositories promise holds just the same behind the stamped cache.
  const prefix = `invigil-test:${randomUUID()}:`;
  const sqlite = () => withReadCache(new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-stamped-')))), { stamps: new RedisStamps(connect(), new Keys(prefix)) });
  describeRepositories('SQLite behind the read cache with Redis stamps', async () => sqlite());
  describeExamsAdminRepositories('SQLite behind the read cache with Redis stamps', async () => sqlite());
}

if (!redis.url || pgUnavailable) {
  describe('the read cache across processes', () => it.skip(`SKIPPED: ${pgUnavailable ?? 'no Redis'}`, () => undefined));
} else {
  describe('the read cache across processes (two instances on one PostgreSQL database, stamps in Redis)', () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let plain: Database;
    const opened: Database[] = [];
    let prefix: string;
    let examId: string;

    /** An instance: its own pool and Redis connection; `gate` holds its `bump` calls back when set. */
    const instance = async (o: { gate?: { held: Promise<void> | null } } = {}) => {
      const inner = await openPostgresDatabase(fresh.url, { poolSize: 4 });
      opened.push(inner);
      const conn = connect();
      const stamps: Stamps = new RedisStamps(conn, new Keys(prefix));
      const gated: Stamps = {
        read: (k) => stamps.read(k),
        writing: (k) => stamps.writing(k),
        bump: async (k) => {
          if (o.gate?.held) await o.gate.held;
          return stamps.bump(k);
        },
        onLost: (l) => stamps.onLost(l),
      };
      return { db: withReadCache(inner, { stamps: gated }), conn };
    };

    beforeEach(async () => {
      fresh = await freshDatabase();
      prefix = `invigil-test:${randomUUID()}:`;
      plain = await openPostgresDatabase(fresh.url, { poolSize: 2 });
      opened.push(plain);
      examId = (await plain.repos.exams.create('exam-1', { title: 'Stamps', durationMinutes: 60, questions: [] }, 'admin', T)).id;
    });
    afterEach(async () => {
      while (opened.length) await opened.pop()!.close();
      await fresh.drop();
    });

    const lock = (db: Database, attemptId: string, reason: string) =>
      db.tx(async (r) => {
        const cur = (await r.examSessions.getForUpdate(attemptId))!;
        await r.examSessions.update({ ...cur, state: { ...cur.state, isLocked: true, lockReason: reason } }, T + 1);
      });

    it('a session changed on one instance is read as changed on the other at once; unchanged, it is served from memory', async () => {
      const a = await instance();
      const b = await instance();
      const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
      await a.db.repos.examSessions.insert(rec, T);
      await b.db.repos.examSessions.get(rec.attemptId);
      let hits = b.db.cacheStats.hits;
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(false);
      expect(b.db.cacheStats.hits).toBe(hits + 1);
      await lock(a.db, rec.attemptId, 'staff on A');
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state).toMatchObject({ isLocked: true, lockReason: 'staff on A' });
      hits = b.db.cacheStats.hits;
      expect(await b.db.repos.examSessions.get(rec.attemptId)).toEqual(await plain.repos.examSessions.get(rec.attemptId));
      expect(b.db.cacheStats.hits).toBe(hits + 1);
      // Ownership still decides, from memory as from the database.
      expect(await b.db.repos.examSessions.get(rec.attemptId, 'someone-else')).toBeUndefined();
    });

    it('between the commit and the new stamps, the other instance reads the committed row (a "being written" mark)', async () => {
      const gate: { held: Promise<void> | null } = { held: null };
      let release!: () => void;
      gate.held = new Promise<void>((r) => (release = r));
      const a = await instance({ gate });
      const b = await instance();
      const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
      await plain.repos.examSessions.insert(rec, T);
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(false); // cached on B
      const locking = lock(a.db, rec.attemptId, 'slow stamps');
      // Committed on A, whose new stamps are held back.
      await vi.waitFor(async () => expect((await plain.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true), { timeout: 5_000, interval: 5 });
      const misses = b.db.cacheStats.misses;
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true);
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true);
      expect(b.db.cacheStats.misses).toBe(misses + 2); // nothing is kept under the mark
      release();
      await locking;
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true);
    });

    it('a held copy is acted on only while current: the seq is taken under its stamp, or not at all ("stale")', async () => {
      const a = await instance();
      const b = await instance();
      const presence = new RedisPresence(b.conn, new Keys(prefix));
      const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
      await plain.repos.examSessions.insert(rec, T);
      expect(b.db.repos.examSessions.held!(rec.attemptId)).toBeUndefined(); // nothing held yet
      await b.db.repos.examSessions.get(rec.attemptId);
      const held = b.db.repos.examSessions.held!(rec.attemptId)!;
      expect(held.rec).toEqual(await plain.repos.examSessions.get(rec.attemptId));
      expect(b.db.repos.examSessions.held!(rec.attemptId, 'someone-else')).toBeUndefined();
      const outcome = async (seq: number, checks = [b.db.repos.examSessions.held!(rec.attemptId)?.check ?? held.check]) => (await presence.advanceIfCurrent(rec.attemptId, seq, T, 0, checks)).outcome;
      expect(await outcome(1, [held.check])).toBe('taken');
      expect(await outcome(1, [held.check])).toBe('replayed');
      await lock(a.db, rec.attemptId, 'staff on A');
      expect(await outcome(2, [held.check])).toBe('stale');
      expect((await presence.get(rec.attemptId))!.seq).toBe(1); // nothing taken
      const now = (await b.db.repos.examSessions.get(rec.attemptId))!;
      expect(now.state.isLocked).toBe(true);
      expect(await outcome(2)).toBe('taken');
    });

    it('a held login is checked in the same step as the seq: revoked on another instance, the seq is not taken; the hint comes with a taken seq', async () => {
      const a = await instance();
      const b = await instance();
      const keys = new Keys(prefix);
      const presence = new RedisPresence(b.conn, keys);
      const hints = new RedisInstructionHints(b.conn, keys);
      const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
      await plain.repos.examSessions.insert(rec, T);
      await plain.repos.loginSessions.insert(loginFixture({ userId: 'u1', at: T }, { id: 'l1', tokenHash: 'h1', subjectType: 'candidate', role: 'candidate', examId, candidateId: 'c1' }));
      await plain.repos.loginSessions.pin('l1', rec.attemptId);
      expect(b.db.repos.loginSessions.held!('h1')).toBeUndefined(); // nothing held yet
      for (let i = 0; i < 2; i++) await b.db.repos.loginSessions.findByTokenHash('h1'); // learnt, then held
      await b.db.repos.examSessions.get(rec.attemptId);
      const login = b.db.repos.loginSessions.held!('h1')!;
      expect(login.rec).toEqual(await plain.repos.loginSessions.findByTokenHash('h1'));
      expect(login.checks.map((c) => c.key)).toEqual(['l:l1', 'u:u1', `p:${rec.attemptId}`]);
      const session = () => b.db.repos.examSessions.held!(rec.attemptId)!.check;
      expect(await presence.advanceIfCurrent(rec.attemptId, 1, T, 0, [session(), ...login.checks])).toEqual({ outcome: 'taken', hint: null });
      await hints.mark(rec.attemptId);
      const marked = await hints.peek(rec.attemptId);
      expect(marked).not.toBeNull();
      expect(await presence.advanceIfCurrent(rec.attemptId, 2, T, 0, [session(), ...login.checks])).toEqual({ outcome: 'taken', hint: marked });
      expect(await presence.advanceIfCurrent(rec.attemptId, 2, T, 0, [session(), ...login.checks])).toEqual({ outcome: 'replayed', hint: null });

      for (const change of [
        () => a.db.tx((r) => r.loginSessions.revoke(['l1'], 'logout', T + 1)),
        () => a.db.repos.loginSessions.revokeAll('u1', null, 'admin', T + 2),
        () => a.db.tx((r) => r.loginSessions.endPinned(rec.attemptId, T + 600_000, T + 3)),
      ]) {
        for (let i = 0; i < 2; i++) await b.db.repos.loginSessions.findByTokenHash('h1');
        const before = b.db.repos.loginSessions.held!('h1')!;
        const seq = (await presence.get(rec.attemptId))!.seq;
        await change();
        expect(await presence.advanceIfCurrent(rec.attemptId, seq + 1, T, 0, [session(), ...before.checks])).toEqual({ outcome: 'stale', hint: null });
        expect((await presence.get(rec.attemptId))!.seq).toBe(seq); // nothing taken
        expect(await presence.advanceIfCurrent(rec.attemptId, seq + 1, T, 0, [session()])).toMatchObject({ outcome: 'taken' }); // the session alone is current
      }
      expect(b.db.repos.loginSessions.held!('unknown')).toBeUndefined();
    });

    it('Redis lost its data (FLUSHDB): a copy is read again, even of a row changed behind the cache', async () => {
      const b = await instance();
      const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
      await plain.repos.examSessions.insert(rec, T);
      await b.db.repos.examSessions.get(rec.attemptId);
      await lock(plain, rec.attemptId, 'changed behind the cache'); // no stamps changed
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(false); // the copy, as its stamp says
      const flusher = connect();
      for (const k of await flusher.keys(`${prefix}*`)) await flusher.del(k); // FLUSHDB of this run's keys
      expect((await b.db.repos.examSessions.get(rec.attemptId))!.state.isLocked).toBe(true);
    });

    it('the connection to Redis drops: every copy goes', async () => {
      const b = await instance();
      const rec = sessionFixture({ examId, candidateId: 'c1', at: T });
      await plain.repos.examSessions.insert(rec, T);
      await b.db.repos.examSessions.get(rec.attemptId);
      expect(b.db.cacheStats.sessions).toBe(1);
      b.conn.disconnect();
      await vi.waitFor(() => expect(b.db.cacheStats.sessions).toBe(0), { timeout: 5_000, interval: 5 });
    });

    it('logins: revoked by id, all of a user revoked, a pinned attempt ended: the other instance sees each at once', async () => {
      const a = await instance();
      const b = await instance();
      const login = (id: string, hash: string, over = {}) => loginFixture({ userId: 'u1', at: T }, { id, tokenHash: hash, subjectType: 'candidate', role: 'candidate', examId, candidateId: 'c1', ...over });
      await plain.repos.loginSessions.insert(login('l1', 'h1'));
      await plain.repos.loginSessions.insert(login('l2', 'h2'));
      await plain.repos.loginSessions.insert(login('l3', 'h3', { userId: 'u3' }));
      const rec = sessionFixture({ examId, candidateId: 'c3', at: T });
      await plain.repos.examSessions.insert(rec, T);
      await plain.repos.loginSessions.pin('l3', rec.attemptId);
      // A token's first read learns which stamps its login depends on, the second is kept under them.
      for (const h of ['h1', 'h2', 'h3']) await b.db.repos.loginSessions.findByTokenHash(h);
      expect(b.db.cacheStats.logins).toBe(0);
      for (const h of ['h1', 'h2', 'h3']) await b.db.repos.loginSessions.findByTokenHash(h);
      expect(b.db.cacheStats.logins).toBe(3);
      const hits = b.db.cacheStats.hits;
      for (const h of ['h1', 'h2', 'h3']) expect((await b.db.repos.loginSessions.findByTokenHash(h))!.revokedAt).toBeNull();
      expect(b.db.cacheStats.hits).toBe(hits + 3);

      await a.db.tx((r) => r.loginSessions.revoke(['l1'], 'logout', T + 1));
      expect((await b.db.repos.loginSessions.findByTokenHash('h1'))!.revokeReason).toBe('logout');
      expect((await b.db.repos.loginSessions.findByTokenHash('h2'))!.revokedAt).toBeNull();
      expect(await a.db.repos.loginSessions.revokeAll('u1', null, 'admin', T + 2)).toBe(1);
      expect((await b.db.repos.loginSessions.findByTokenHash('h2'))!.revokeReason).toBe('admin');
      expect((await b.db.repos.loginSessions.findByTokenHash('h3'))!.pinnedAttemptId).toBe(rec.attemptId);
      await a.db.tx((r) => r.loginSessions.endPinned(rec.attemptId, T + 600_000, T + 3));
      expect(await b.db.repos.loginSessions.findByTokenHash('h3')).toMatchObject({ pinnedAttemptId: null, expiresAt: T + 600_000 });
      for (const h of ['h1', 'h2', 'h3']) expect(await b.db.repos.loginSessions.findByTokenHash(h)).toEqual(await plain.repos.loginSessions.findByTokenHash(h));
      expect(await b.db.repos.loginSessions.findByTokenHash('unknown')).toBeUndefined();
    });

    it('the authenticator answers a held candidate login unchecked only when asked, and its confirm() refuses it once revoked elsewhere', async () => {
      const a = await instance();
      const b = await instance();
      const token = `tok-${randomUUID()}`;
      await plain.repos.loginSessions.insert(loginFixture({ userId: 'u1', at: T }, { id: 'l1', tokenHash: hashSecret(token), subjectType: 'candidate', role: 'candidate', examId, candidateId: 'c1' }));
      const auth = new Authenticator({ db: b.db, activity: new MemoryLoginActivity(), now: () => T + 1 });
      expect((await auth.authenticate(token, { unchecked: true })).unchecked).toBeUndefined(); // not held yet: checked
      await auth.authenticate(token); // now held
      const p = await auth.authenticate(token, { unchecked: true });
      expect(p).toMatchObject({ sessionId: 'l1', role: 'candidate', candidateId: 'c1', examId });
      expect(p.unchecked!.checks.map((c) => c.key)).toEqual(['l:l1', 'u:u1']);
      expect((await auth.authenticate(token)).unchecked).toBeUndefined(); // never unless asked
      await expect(p.unchecked!.confirm()).resolves.toBeUndefined();
      await a.db.tx((r) => r.loginSessions.revoke(['l1'], 'logout', T + 1));
      await expect(p.unchecked!.confirm()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(auth.authenticate(token, { unchecked: true })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' }); // the copy held now is the revoked one (confirm read it)
    });

    it('a copy older than an activity flush made elsewhere: the login is read afresh before it is refused as idle', async () => {
      const b = await instance();
      const token = `tok-${randomUUID()}`;
      await plain.repos.loginSessions.insert(loginFixture({ userId: 'u1', at: T }, { id: 'l1', tokenHash: hashSecret(token), idleTimeoutMs: 3_600_000, expiresAt: T + 10 * 3_600_000 }));
      let t = T;
      const auth = new Authenticator({ db: b.db, activity: new MemoryLoginActivity(), now: () => t });
      expect((await auth.authenticate(token)).sessionId).toBe('l1');
      expect((await auth.authenticate(token)).sessionId).toBe('l1'); // now B holds the login, last active at T
      expect(b.db.cacheStats.logins).toBe(1);
      await plain.repos.loginSessions.touch([{ id: 'l1', lastActivity: T + 50 * 60_000 }]); // another instance flushed activity
      t = T + 70 * 60_000; // idle by B's copy, not by the database
      expect((await auth.authenticate(token)).sessionId).toBe('l1');
      t = T + 131 * 60_000; // 60 idle minutes after the last request (T + 70 min)
      await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });
}
