import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, StorageUnavailable, UniqueViolation } from '../../ports/errors.ts';
import type { SessionRecord } from '../../ports/types.ts';
import { openPostgresDatabase } from './open.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { freshDatabase, postgresUnavailable } from './testing.ts';
import { sessionFixture } from '../session-fixture.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(`SKIPPED: the PostgreSQL adapter tests: ${unavailable}`);
const describePg = unavailable ? describe.skip : describe;

const journal = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'migrations', 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
const T = Date.parse('2026-12-01T09:00:00Z');

describePg(`PostgreSQL adapter${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`, () => {
  describe('migrations', () => {
    it('two instances opening one fresh database together both start, and the migrations run once', async () => {
      const fresh = await freshDatabase();
      try {
        const [a, b] = await Promise.all([openPostgresDatabase(fresh.url), openPostgresDatabase(fresh.url)]);
        try {
          expect([a.migrationsApplied, b.migrationsApplied].sort()).toEqual([0, journal.entries.length]);
          const client = new pg.Client({ connectionString: fresh.url });
          await client.connect();
          const rows = await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
          await client.end();
          expect(Number(rows.rows[0]!.n)).toBe(journal.entries.length);
          expect(await a.ping()).toBe(true);
          expect(await b.ping()).toBe(true);
        } finally {
          await a.close();
          await b.close();
        }
        // Opening again later applies nothing.
        const again = await openPostgresDatabase(fresh.url);
        expect(again.migrationsApplied).toBe(0);
        await again.close();
      } finally {
        await fresh.drop();
      }
    });
  });

  describe('the database itself', () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let db: PostgresDatabase;
    let raw: pg.Client;
    const examId = randomUUID();

    beforeAll(async () => {
      fresh = await freshDatabase();
      db = await openPostgresDatabase(fresh.url);
      raw = new pg.Client({ connectionString: fresh.url });
      await raw.connect();
      await db.repos.exams.create(examId, { title: 'Constraints', durationMinutes: 30, questions: [] }, 'test', T);
    });
    afterAll(async () => {
      await raw?.end();
      await db?.close();
      await fresh?.drop();
    });

    const session = (over: Partial<SessionRecord> = {}): SessionRecord => sessionFixture({ examId, candidateId: `c-${randomUUID()}`, at: T }, { browserInfo: '', ipAddress: '', ...over });

    it('keeps the audit trail append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
      await db.repos.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'test.kept', detail: { n: 1 } }]);
      await expect(raw.query(`UPDATE audit_events SET action = 'test.changed' WHERE action = 'test.kept'`)).rejects.toThrow(/append-only/);
      await expect(raw.query(`DELETE FROM audit_events WHERE action = 'test.kept'`)).rejects.toThrow(/append-only/);
      await expect(raw.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
      const left = await raw.query(`SELECT action, detail FROM audit_events WHERE action = 'test.kept'`);
      expect(left.rows).toEqual([{ action: 'test.kept', detail: '{"n":1}' }]);
    });

    it('refuses rows that point at nothing (foreign keys)', async () => {
      await expect(db.repos.registrations.register('no-such-exam', [{ candidateId: `c-${randomUUID()}`, name: 'N', accessCodeHash: 'h' }], T)).rejects.toThrow(/foreign key/);
      await expect(db.repos.examSessions.insert(session({ examId: 'no-such-exam' }), T)).rejects.toThrow(/foreign key/);
      await expect(db.repos.places.createRoom({ id: randomUUID(), centerId: 'no-such-center', name: 'R', capacity: 1 }, T)).rejects.toThrow(/foreign key/);
      const staffId = randomUUID();
      await db.repos.staff.create({ id: staffId, username: `fk-${staffId}`, displayName: '', role: 'proctor', passwordHash: 'h' }, T);
      await expect(db.repos.staff.replaceAssignments(staffId, [{ centerId: 'no-such-center', roomId: null }], T)).rejects.toThrow(/foreign key/);
      // A center with rooms cannot go, whatever the caller checked before.
      const centerId = randomUUID();
      await db.repos.places.createCenter({ id: centerId, name: `FK ${centerId}`, address: '' }, T);
      await db.repos.places.createRoom({ id: randomUUID(), centerId, name: 'R', capacity: 1 }, T);
      await expect(db.repos.places.delete('center', centerId)).rejects.toThrow(/foreign key/);
      expect(await db.repos.places.getCenter(centerId)).toMatchObject({ id: centerId, roomCount: 1 });
    });

    it('names a refused unique index by its constraint, whichever index it is', async () => {
      const name = `Twin ${randomUUID()}`;
      await db.repos.places.createCenter({ id: randomUUID(), name, address: '' }, T);
      for (const n of [name, name.toLowerCase()]) {
        const e = await db.repos.places.createCenter({ id: randomUUID(), name: n, address: '' }, T).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(UniqueViolation);
        expect((e as UniqueViolation).constraint).toBe('center_name');
      }
      // A unique index the port has no name for is still a UniqueViolation, named 'other'.
      const rec = session();
      await db.repos.examSessions.insert(rec, T);
      const dup = await db.repos.examSessions.insert({ ...rec, candidateId: `c-${randomUUID()}` }, T).catch((err: unknown) => err);
      expect((dup as UniqueViolation).constraint).toBe('other');
    });

    it('text it cannot hold (a NUL character, which SQLite stores) is a bad request, never a driver error', async () => {
      const bad = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof DomainError ? `${e.kind}:${e.code}` : String(e)));
      expect(await bad(db.repos.examSessions.get('x\u0000y'))).toBe('invalid:BAD_REQUEST');
      expect(await bad(db.tx((r) => r.examSessions.getForUpdate('x\u0000y')))).toBe('invalid:BAD_REQUEST');
      expect(await bad(db.repos.places.createCenter({ id: randomUUID(), name: 'Nul\u0000Hall', address: '' }, T))).toBe('invalid:BAD_REQUEST');
    });

    it('answer batches, presence flushes and locked changes over the same sessions in any order: no deadlock, no lost update', async () => {
      const recs = Array.from({ length: 12 }, () => session());
      for (const r of recs) await db.repos.examSessions.insert(r, T);
      const ids = recs.map((r) => r.attemptId);
      const shuffled = () => [...ids].sort(() => Math.random() - 0.5);
      let seq = 0;
      let beats = 0;
      const work: Promise<unknown>[] = [];
      for (let round = 0; round < 15; round++) {
        work.push(db.repos.answers.saveBatch(shuffled().map((attemptId) => ({ attemptId, questionId: 'q1', valueJson: '"x"', clientSeq: ++seq, at: T + 1 }))));
        const flush = shuffled().map((attemptId) => ({ attemptId, lastSeenAt: T + round, seq: round, beats: 1 }));
        beats += 1;
        work.push(db.repos.examSessions.recordPresence(flush));
        const one = ids[round % ids.length]!;
        work.push(
          db.tx(async (r) => {
            const cur = (await r.examSessions.getForUpdate(one))!;
            await r.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'test.touched', attemptId: one }]);
            await r.examSessions.update({ ...cur, resumeCodeFailures: cur.resumeCodeFailures + 1 }, T);
          }),
        );
      }
      const settled = await Promise.allSettled(work);
      expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
      for (const id of ids) {
        const rec = (await db.repos.examSessions.get(id))!;
        expect(rec.heartbeatCount).toBe(beats);
        expect((await db.repos.answers.list(id))[0]!.clientSeq).toBeGreaterThan(0);
      }
      const failures = await Promise.all(ids.map(async (id) => (await db.repos.examSessions.get(id))!.resumeCodeFailures));
      expect(failures.reduce((a, b) => a + b, 0)).toBe(15);
    });

    it('reads epoch milliseconds and counts as numbers', async () => {
      const rec = session({ lastSeq: Number.MAX_SAFE_INTEGER - 1 });
      await db.repos.examSessions.insert(rec, T);
      const back = (await db.repos.examSessions.get(rec.attemptId))!;
      expect(back.startedAt).toBe(T);
      expect(back.lastSeq).toBe(Number.MAX_SAFE_INTEGER - 1);
      expect(typeof (await db.repos.exams.getAdmin(examId))!.sessionCount).toBe('number');
    });

    it('a batch of answers for many sessions, with repeats of one question, keeps write order', async () => {
      const recs = Array.from({ length: 5 }, () => session());
      for (const r of recs) await db.repos.examSessions.insert(r, T);
      const writes = recs.flatMap((r, i) => [
        { attemptId: r.attemptId, questionId: 'q1', valueJson: `"a${i}"`, clientSeq: 1, at: T + 1 },
        { attemptId: r.attemptId, questionId: 'q1', valueJson: `"b${i}"`, clientSeq: 3, at: T + 2 },
        { attemptId: r.attemptId, questionId: 'q1', valueJson: `"c${i}"`, clientSeq: 2, at: T + 3 },
        { attemptId: r.attemptId, questionId: 'q2', valueJson: JSON.stringify({ text: `it's "quoted", {braced} \\ and ünïcode ${i}` }), clientSeq: 1, at: T + 4 },
      ]);
      const out = await db.repos.answers.saveBatch(writes);
      expect(out.slice(0, 4)).toEqual([
        { outcome: 'applied', clientSeq: 1, savedAt: T + 1 },
        { outcome: 'applied', clientSeq: 3, savedAt: T + 2 },
        { outcome: 'stale', clientSeq: 2, savedAt: T + 2 },
        { outcome: 'applied', clientSeq: 1, savedAt: T + 4 },
      ]);
      expect(out).toHaveLength(writes.length);
      expect(await db.repos.answers.list(recs[4]!.attemptId)).toEqual([
        { questionId: 'q1', value: 'b4', clientSeq: 3, savedAt: T + 2 },
        { questionId: 'q2', value: { text: `it's "quoted", {braced} \\ and ünïcode 4` }, clientSeq: 1, savedAt: T + 4 },
      ]);
    });
  });

  describe('when the server cannot be reached', () => {
    it('answers "storage unavailable" (503, try again), never a raw driver error, and ping says false', async () => {
      const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 1_000 });
      pool.on('error', () => undefined);
      const db = new PostgresDatabase(pool);
      await expect(db.repos.exams.get('x')).rejects.toBeInstanceOf(StorageUnavailable);
      await expect(db.tx((r) => r.exams.get('x'))).rejects.toBeInstanceOf(StorageUnavailable);
      expect(await db.ping()).toBe(false);
      await db.close();
      await db.close(); // closing twice is harmless
      expect(await db.ping()).toBe(false);
    });
  });
});
