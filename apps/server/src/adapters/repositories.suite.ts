import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../ports/database.ts';
import { UniqueViolation } from '../ports/errors.ts';
import type { AuthSessionRecord, SessionRecord } from '../ports/types.ts';
import { describeRoomOps } from './room-ops.suite.ts';
import { describeExamsAdminRepositories } from './exams-admin.suite.ts';
import { loginFixture, sessionFixture } from './session-fixture.ts';

/**
 * The behaviour every database adapter owes the services, run against each one (SQLite here;
 * PostgreSQL adds its own factory). `make` opens a fresh, migrated, empty database.
 */
export function describeRepositories(adapter: string, make: () => Promise<Database>): void {
  describe(`repositories on ${adapter}`, () => {
    let db: Database;
    const T = Date.parse('2026-12-01T09:00:00Z');
    let examId: string;

    beforeAll(async () => {
      db = await make();
      examId = randomUUID();
      await db.repos.exams.create(examId, { title: 'Suite exam', durationMinutes: 30, questions: [{ id: 'q1', type: 'text', prompt: 'Say something' }] }, 'suite', T);
    });
    afterAll(() => db.close());

    const session = (candidateId: string, over: Partial<SessionRecord> = {}): SessionRecord => sessionFixture({ examId, candidateId, at: T }, over);
    const paused = (rec: SessionRecord): SessionRecord => ({ ...rec, state: { ...rec.state, status: 'paused', runningSince: null, pausedAt: T, pauseKind: 'candidate' } });

    describe('units of work', () => {
      it('commit everything together, or nothing when the body throws', async () => {
        const rec = session(`uow-${randomUUID()}`);
        await expect(
          db.tx(async (r) => {
            await r.examSessions.insert(rec, T);
            await r.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'suite.rolled_back', attemptId: rec.attemptId }]);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await db.repos.examSessions.get(rec.attemptId)).toBeUndefined();
        expect((await db.repos.review.snapshot(rec.attemptId)) ?? null).toBeNull();
        await db.tx(async (r) => {
          await r.examSessions.insert(rec, T);
          await r.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'suite.committed', attemptId: rec.attemptId }]);
        });
        expect((await db.repos.review.snapshot(rec.attemptId))!.audit.map((a) => a.action)).toEqual(['suite.committed']);
      });

      it('run one at a time: a read-modify-write under getForUpdate loses no update, whatever the concurrency', async () => {
        const rec = session(`rmw-${randomUUID()}`);
        await db.repos.examSessions.insert(rec, T);
        await Promise.all(
          Array.from({ length: 40 }, () =>
            db.tx(async (r) => {
              const cur = (await r.examSessions.getForUpdate(rec.attemptId))!;
              await new Promise((res) => setImmediate(res)); // others get their turn meanwhile
              await r.examSessions.update({ ...cur, heartbeatCount: cur.heartbeatCount + 1 }, T);
            }),
          ),
        );
        expect((await db.repos.examSessions.get(rec.attemptId))!.heartbeatCount).toBe(40);
      });

      it('units of work at the same time stand alone: the ones that throw leave nothing, the others all commit', async () => {
        const recs = Array.from({ length: 24 }, () => session(`many-${randomUUID()}`));
        const results = await Promise.allSettled(
          recs.map((rec, i) =>
            db.tx(async (r) => {
              await r.examSessions.insert(rec, T);
              await r.audit.append([{ at: T, actorType: 'system', actorId: null, action: 'suite.many', attemptId: rec.attemptId }]);
              if (i % 3 === 0) throw new Error(`unit ${i} changed its mind`);
              return i;
            }),
          ),
        );
        for (const [i, rec] of recs.entries()) {
          const stored = await db.repos.examSessions.get(rec.attemptId);
          if (i % 3 === 0) {
            expect(results[i]).toMatchObject({ status: 'rejected' });
            expect(stored).toBeUndefined();
          } else {
            expect(results[i]).toEqual({ status: 'fulfilled', value: i });
            expect(stored?.attemptId).toBe(rec.attemptId);
          }
        }
      });

      it('a plain call during an open unit of work waits for it (it never joins or sees it half done)', async () => {
        const rec = session(`iso-${randomUUID()}`);
        let release!: () => void;
        const gate = new Promise<void>((res) => (release = res));
        const tx = db.tx(async (r) => {
          await r.examSessions.insert(rec, T);
          await gate;
          throw new Error('rolled back');
        });
        const seen = db.repos.examSessions.get(rec.attemptId);
        release();
        await expect(tx).rejects.toThrow('rolled back');
        expect(await seen).toBeUndefined();
      });
    });

    describe('exam sessions', () => {
      it('one active session per candidate is a constraint, named as such', async () => {
        const c = `one-${randomUUID()}`;
        const first = session(c);
        await db.repos.examSessions.insert(first, T);
        const otherExam = randomUUID();
        await db.repos.exams.create(otherExam, { title: 'Other', durationMinutes: 5, questions: [] }, 'suite', T);
        const e = await db.repos.examSessions.insert(session(c, { examId: otherExam }), T).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(UniqueViolation);
        expect((e as UniqueViolation).constraint).toBe('one_active_session_per_candidate');
        // A paused second session is fine; making it active again is refused by the same constraint.
        const second = paused(session(c, { examId: otherExam }));
        await db.repos.examSessions.insert(second, T);
        const u = await db.repos.examSessions.update({ ...second, state: first.state }, T).catch((err: unknown) => err);
        expect((u as UniqueViolation).constraint).toBe('one_active_session_per_candidate');
      });

      it('one attempt per candidate and exam', async () => {
        const c = `att-${randomUUID()}`;
        await db.repos.examSessions.insert(paused(session(c)), T);
        const e = await db.repos.examSessions.insert(paused(session(c)), T).catch((err: unknown) => err);
        expect((e as UniqueViolation).constraint).toBe('one_attempt_per_exam');
      });

      it('round-trips every field, and scopes reads to the candidate when asked', async () => {
        const rec = session(`rt-${randomUUID()}`, { devicePublicKey: 'k'.repeat(43), deviceFingerprint: 'fp', seat: 'A1', resumeCodeFailures: 2, prevRecoveryTokenHash: 'prev', recoveryRotatedAt: T + 5 });
        const locked = { ...rec, state: { ...rec.state, isLocked: true, lockReason: 'suite', runningSince: null, usedMs: 1234, incidentMs: 99 } };
        await db.repos.examSessions.insert(locked, T);
        expect(await db.repos.examSessions.get(rec.attemptId)).toEqual(locked);
        expect(await db.repos.examSessions.get(rec.attemptId, rec.candidateId)).toEqual(locked);
        expect(await db.repos.examSessions.get(rec.attemptId, 'somebody-else')).toBeUndefined();
        expect(await db.repos.examSessions.countActive(rec.candidateId)).toBe(1);
      });

      it('count by status', async () => {
        const before = await db.repos.examSessions.countByStatus();
        await db.repos.examSessions.insert(paused(session(`cnt-${randomUUID()}`)), T);
        const after = await db.repos.examSessions.countByStatus();
        expect(after.paused).toBe((before.paused ?? 0) + 1);
        expect(after.active ?? 0).toBe(before.active ?? 0);
      });

      it('live sessions in pages: every active and paused one exactly once, none that ended', async () => {
        const tag = randomUUID().slice(0, 8);
        const mine = new Set<string>();
        for (let i = 0; i < 7; i++) {
          const rec = session(`live-${tag}-${i}`);
          const stored = i % 3 === 0 ? paused(rec) : i === 5 ? { ...rec, state: { ...rec.state, status: 'completed' as const, runningSince: null, endedAt: T, endReason: 'submitted' as const } } : rec;
          await db.repos.examSessions.insert(stored, T);
          if (i !== 5) mine.add(rec.attemptId);
        }
        const seen: string[] = [];
        for (const status of ['active', 'paused'] as const) {
          const ofStatus: string[] = [];
          for (let after: string | null = null; ; ) {
            const page = await db.repos.examSessions.listByStatusPage(status, after, 2);
            if (page.length === 0) break;
            expect(page.length).toBeLessThanOrEqual(2);
            for (const r of page) expect(r.state.status).toBe(status);
            ofStatus.push(...page.map((r) => r.attemptId));
            after = page[page.length - 1]!.attemptId;
          }
          expect(new Set(ofStatus).size).toBe(ofStatus.length);
          seen.push(...ofStatus);
        }
        expect(seen.filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
      });

      it('staff lists are scoped in the query, then limited: center X filling the limit hides nothing of center Y', async () => {
        const [cx, cy] = [`cx-${randomUUID()}`, `cy-${randomUUID()}`];
        await db.tx(async (r) => {
          for (let i = 0; i < 60; i++) await r.examSessions.insert(session(`x-${randomUUID()}`, { centerId: cx, roomId: 'room-x', seat: `A${i}` }), T);
          await r.examSessions.insert(session(`y-${randomUUID()}`, { centerId: cy, roomId: 'room-y', seat: 'Z9' }), T);
        });
        // Center X's 60 sessions sort before Y's ('room-x' < 'room-y'): a limit applied before the scope would show Y none.
        const y = await db.repos.examSessions.listForStaff({ places: { all: false, assignments: [{ centerId: cy, roomId: null }] }, limit: 50 });
        expect(y.map((s) => s.seat)).toEqual(['Z9']);
        expect(await db.repos.examSessions.listForStaff({ places: { all: false, assignments: [{ centerId: cy, roomId: 'room-x' }] }, limit: 50 })).toEqual([]);
        expect(await db.repos.examSessions.listForStaff({ places: { all: false, assignments: [] }, limit: 50 })).toEqual([]);
        expect(await db.repos.examSessions.listForStaff({ centerId: cx, places: { all: true }, limit: 10 })).toHaveLength(10);
      });

      it('presence flushes only ever raise last seen and seq, and add beats', async () => {
        const rec = session(`pr-${randomUUID()}`);
        await db.repos.examSessions.insert(rec, T);
        await db.repos.examSessions.recordPresence([{ attemptId: rec.attemptId, lastSeenAt: T + 10_000, seq: 7, beats: 3 }]);
        await db.repos.examSessions.recordPresence([{ attemptId: rec.attemptId, lastSeenAt: T + 5_000, seq: 4, beats: 2 }]);
        expect(await db.repos.examSessions.get(rec.attemptId)).toMatchObject({ lastActivityAt: T + 10_000, lastSeq: 7, heartbeatCount: 5 });
      });
    });

    describe('answers', () => {
      it('apply over a lower clientSeq only; an equal or older one is acknowledged as stale', async () => {
        const rec = session(`ans-${randomUUID()}`);
        await db.repos.examSessions.insert(rec, T);
        const w = (clientSeq: number, v: string, at = T + 1_000) => ({ attemptId: rec.attemptId, questionId: 'q1', valueJson: JSON.stringify(v), clientSeq, at });
        expect(await db.repos.answers.saveBatch([w(2, 'two'), w(1, 'one'), w(2, 'two again')])).toEqual([
          { outcome: 'applied', clientSeq: 2, savedAt: T + 1_000 },
          { outcome: 'stale', clientSeq: 1, savedAt: T + 1_000 },
          { outcome: 'stale', clientSeq: 2, savedAt: T + 1_000 },
        ]);
        expect(await db.repos.answers.saveBatch([w(3, 'three', T + 2_000)])).toEqual([{ outcome: 'applied', clientSeq: 3, savedAt: T + 2_000 }]);
        expect(await db.repos.answers.list(rec.attemptId)).toEqual([{ questionId: 'q1', value: 'three', clientSeq: 3, savedAt: T + 2_000 }]);
        expect(await db.repos.answers.stats(rec.attemptId)).toEqual({ count: 1, lastSavedAt: T + 2_000 });
      });

      it('are refused by the write itself unless the session is active, unlocked and within its time', async () => {
        const w = (attemptId: string, at = T + 1_000) => ({ attemptId, questionId: 'q1', valueJson: '"x"', clientSeq: 1, at });
        const pausedRec = paused(session(`ap-${randomUUID()}`));
        const lockedRec = session(`al-${randomUUID()}`);
        const done = session(`ad-${randomUUID()}`);
        await db.repos.examSessions.insert(pausedRec, T);
        await db.repos.examSessions.insert({ ...lockedRec, state: { ...lockedRec.state, isLocked: true, runningSince: null } }, T);
        await db.repos.examSessions.insert({ ...done, state: { ...done.state, status: 'completed', runningSince: null, endedAt: T } }, T);
        const live = session(`aa-${randomUUID()}`);
        await db.repos.examSessions.insert(live, T);
        const out = await db.repos.answers.saveBatch([w(pausedRec.attemptId), w(lockedRec.attemptId), w(done.attemptId), w(live.attemptId, T + 30 * 60_000), w(live.attemptId), w('no-such-attempt')]);
        expect(out.map((o) => o.outcome)).toEqual(['refused', 'refused', 'refused', 'refused', 'applied', 'refused']);
      });

      it('an offline merge ignores the session state but only ever goes over a lower clientSeq; in a unit of work it rolls back with it', async () => {
        const rec = paused(session(`om-${randomUUID()}`));
        await db.repos.examSessions.insert(rec, T);
        const m = (questionId: string, clientSeq: number, v: string) => ({ questionId, valueJson: JSON.stringify(v), clientSeq, at: T + 5_000 });
        expect(await db.repos.answers.mergeOffline(rec.attemptId, [m('q1', 4, 'four'), m('q2', 2, 'two')])).toBe(2);
        expect(await db.repos.answers.mergeOffline(rec.attemptId, [m('q1', 4, 'four again'), m('q2', 1, 'older'), m('q3', 1, 'new')])).toBe(1);
        await expect(
          db.tx(async (r) => {
            await r.answers.mergeOffline(rec.attemptId, [m('q1', 9, 'rolled back')]);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await db.repos.answers.list(rec.attemptId)).toEqual([
          { questionId: 'q1', value: 'four', clientSeq: 4, savedAt: T + 5_000 },
          { questionId: 'q2', value: 'two', clientSeq: 2, savedAt: T + 5_000 },
          { questionId: 'q3', value: 'new', clientSeq: 1, savedAt: T + 5_000 },
        ]);
        expect(await db.repos.answers.mergeOffline(rec.attemptId, [])).toBe(0);
      });
    });

    describe('offline bundles', () => {
      it('are recorded once per file and attempt, found by hash, listed oldest first', async () => {
        const rec = session(`ob-${randomUUID()}`);
        await db.repos.examSessions.insert(rec, T);
        const b = (sha256: string, receivedAt: number) => ({ id: randomUUID(), attemptId: rec.attemptId, sha256, devicePublicKey: 'k'.repeat(43), uploadedBy: 'staff-1', receivedAt, exportedAt: T, answers: 3, applied: 2, submitted: true });
        const first = b('a'.repeat(64), T + 2_000);
        expect(await db.repos.offlineBundles.insert(first)).toBe(true);
        expect(await db.repos.offlineBundles.insert({ ...b('a'.repeat(64), T + 3_000) })).toBe(false);
        const second = b('b'.repeat(64), T + 1_000);
        expect(await db.repos.offlineBundles.insert(second)).toBe(true);
        expect(await db.repos.offlineBundles.find(rec.attemptId, 'a'.repeat(64))).toEqual(first);
        expect(await db.repos.offlineBundles.find(rec.attemptId, 'c'.repeat(64))).toBeUndefined();
        expect(await db.repos.offlineBundles.list(rec.attemptId)).toEqual([second, first]);
      });
    });

    describe('login sessions', () => {
      const login = (userId: string, over: Partial<AuthSessionRecord> = {}) => loginFixture({ userId, at: T }, over);

      it('a login pinned to an attempt has no deadline until the attempt ends; then it ends at the time given', async () => {
        const u = `cand-${randomUUID()}`;
        const attemptId = randomUUID();
        const pinned = login(u, { role: 'candidate', subjectType: 'candidate', expiresAt: T + 1_000, idleTimeoutMs: 500 });
        const other = login(u, { role: 'candidate', subjectType: 'candidate', createdAt: T + 1, expiresAt: T + 1_000, idleTimeoutMs: 500 });
        await db.repos.loginSessions.insert(pinned);
        await db.repos.loginSessions.insert(other);
        await db.repos.loginSessions.pin(pinned.id, attemptId);
        expect((await db.repos.loginSessions.findByTokenHash(pinned.tokenHash))!.pinnedAttemptId).toBe(attemptId);
        expect((await db.repos.loginSessions.live(u, T + 10 * 3_600_000)).map((s) => s.id)).toEqual([pinned.id]);
        expect(await db.repos.loginSessions.cleanup(T + 10 * 3_600_000)).toBeGreaterThanOrEqual(1);
        expect((await db.repos.loginSessions.findByTokenHash(pinned.tokenHash))!.revokedAt).toBeNull();
        expect((await db.repos.loginSessions.findByTokenHash(other.tokenHash))!.revokeReason).toBe('expired');
        const end = T + 10 * 3_600_000;
        expect(await db.repos.loginSessions.endPinned(attemptId, end + 600_000, end)).toBe(1);
        expect(await db.repos.loginSessions.findByTokenHash(pinned.tokenHash)).toMatchObject({ pinnedAttemptId: null, expiresAt: end + 600_000, lastActivity: end });
        expect((await db.repos.loginSessions.live(u, end + 400)).map((s) => s.id)).toEqual([pinned.id]);
        expect(await db.repos.loginSessions.live(u, end + 500)).toEqual([]); // its own idle timeout still counts
        expect(await db.repos.loginSessions.endPinned(attemptId, end, end)).toBe(0);
      });

      it('live means not revoked and within both deadlines; revoking is scoped to the owner', async () => {
        const u = `user-${randomUUID()}`;
        const a = login(u, { createdAt: T });
        const b = login(u, { createdAt: T + 1, lastActivity: T - 600_001 + 1_000 }); // idle deadline at T+999
        const c = login(u, { createdAt: T + 2, expiresAt: T + 500 });
        for (const s of [a, b, c]) await db.repos.loginSessions.insert(s);
        expect((await db.repos.loginSessions.live(u, T + 400)).map((s) => s.id)).toEqual([a.id, b.id, c.id]);
        expect((await db.repos.loginSessions.live(u, T + 1_000)).map((s) => s.id)).toEqual([a.id]);
        expect(await db.repos.loginSessions.revoke([a.id], 'x', T + 1_000, 'someone-else')).toBe(0);
        expect(await db.repos.loginSessions.revoke([a.id], 'logout', T + 1_000, u)).toBe(1);
        expect((await db.repos.loginSessions.findByTokenHash(a.tokenHash))!.revokedAt).toBe(T + 1_000);
        expect(await db.repos.loginSessions.cleanup(T + 1_000)).toBe(2);
        expect(await db.repos.loginSessions.revokeAll(u, null, 'x', T + 2_000)).toBe(0);
      });

      it('activity flushes only ever move last activity forward', async () => {
        const s = login(`act-${randomUUID()}`);
        await db.repos.loginSessions.insert(s);
        await db.repos.loginSessions.touch([{ id: s.id, lastActivity: T + 50 }]);
        await db.repos.loginSessions.touch([{ id: s.id, lastActivity: T + 10 }]);
        expect((await db.repos.loginSessions.findByTokenHash(s.tokenHash))!.lastActivity).toBe(T + 50);
      });
    });

    describe('instructions and alerts', () => {
      it('instructions are delivered to the device generation they were issued for, and acknowledged once', async () => {
        const attemptId = randomUUID();
        const i = (id: string, gen: number, at: number) => ({ id, attemptId, type: 'message' as const, message: id, issuedAt: at, issuedBy: 'suite', reason: null, deviceGeneration: gen });
        await db.repos.instructions.add(i('old-desk', 0, T));
        await db.repos.instructions.add(i('new-desk', 1, T + 1));
        expect((await db.repos.instructions.pending(attemptId, 1)).map((x) => x.id)).toEqual(['new-desk']);
        expect(await db.repos.instructions.ack(attemptId, 1, ['old-desk', 'new-desk'], T + 5)).toBe(1);
        expect(await db.repos.instructions.ack(attemptId, 1, ['new-desk'], T + 6)).toBe(0);
        expect(await db.repos.instructions.pending(attemptId, 1)).toEqual([]);
        expect(await db.repos.instructions.attemptsWithPending()).toContain(attemptId); // the old desk's is still open
      });

      it('an alert is acknowledged once; open counts follow', async () => {
        const attemptId = randomUUID();
        const { id } = await db.repos.alerts.raise({ at: T, attemptId, candidateId: 'c', examId, kind: 'focus_lost', severity: 'warning', message: 'm', detail: { n: 1 } });
        expect((await db.repos.alerts.openCounts()).get(attemptId)).toBe(1);
        expect(await db.repos.alerts.ack(id, 'staff-1', T + 1)).toBe(true);
        expect(await db.repos.alerts.ack(id, 'staff-2', T + 2)).toBe(false);
        expect(await db.repos.alerts.get(id)).toMatchObject({ acknowledgedAt: T + 1, acknowledgedBy: 'staff-1', detail: { n: 1 } });
        expect((await db.repos.alerts.openCounts()).get(attemptId)).toBeUndefined();
      });

      it('an open alert of a kind is raised again as a count, atomically; once acknowledged, a new one starts', async () => {
        const attemptId = randomUUID();
        const base = { attemptId, candidateId: 'c', examId, kind: 'focus_lost', severity: 'warning' as const };
        const first = await db.repos.alerts.raise({ ...base, at: T, message: 'first', detail: { n: 1 } });
        expect(first.count).toBe(1);
        const all = await Promise.all(Array.from({ length: 30 }, (_, i) => db.repos.alerts.raise({ ...base, id: randomUUID(), at: T + 10 + i, message: `again ${i}`, count: 2 })));
        expect(new Set(all.map((r) => r.id))).toEqual(new Set([first.id]));
        expect(await db.repos.alerts.get(first.id)).toMatchObject({ count: 61, at: T, lastAt: T + 39 });
        const other = await db.repos.alerts.raise({ ...base, kind: 'display_count', at: T, message: 'm' });
        expect(other.id).not.toBe(first.id);
        expect((await db.repos.alerts.openCounts()).get(attemptId)).toBe(2);
        await db.repos.alerts.ack(first.id, 'staff', T + 100);
        const after = await db.repos.alerts.raise({ ...base, at: T + 200, message: 'later' });
        expect(after).toMatchObject({ count: 1 });
        expect(after.id).not.toBe(first.id);
        // Without an attempt, nothing is coalesced.
        const loose = { attemptId: null, candidateId: null, examId: null, kind: 'x', severity: 'info' as const, message: 'm' };
        expect((await db.repos.alerts.raise({ ...loose, at: T })).id).not.toBe((await db.repos.alerts.raise({ ...loose, at: T })).id);
      });

      it('lists scoped before the limit, newest first, in pages', async () => {
        const cx = `center-${randomUUID()}`;
        const cy = `center-${randomUUID()}`;
        const raise = (centerId: string, roomId: string, at: number) => db.repos.alerts.raise({ at, attemptId: randomUUID(), candidateId: 'c', examId, centerId, roomId, kind: 'focus_lost', severity: 'warning', message: centerId });
        for (let i = 0; i < 5; i++) await raise(cy, 'ry', T + i);
        for (let i = 0; i < 150; i++) await raise(cx, 'rx', T + 1_000 + i);
        const y = { all: false as const, assignments: [{ centerId: cy, roomId: null }] };
        const first = await db.repos.alerts.list({ state: 'open', places: y, limit: 3 });
        expect(first.map((a) => [a.centerId, a.at])).toEqual([[cy, T + 4], [cy, T + 3], [cy, T + 2]]);
        const next = await db.repos.alerts.list({ state: 'open', places: y, limit: 3, before: { at: first[2]!.at, id: first[2]!.id } });
        expect(next.map((a) => a.at)).toEqual([T + 1, T]);
        expect(await db.repos.alerts.list({ state: 'open', places: { all: false, assignments: [{ centerId: cy, roomId: 'other-room' }] }, limit: 10 })).toEqual([]);
        expect(await db.repos.alerts.list({ state: 'open', places: { all: false, assignments: [] }, limit: 10 })).toEqual([]);
      });
    });

    describe('archives', () => {
      it('are sealed once, with their seal, and read back with it', async () => {
        const attemptId = randomUUID();
        const a = { attemptId, sealedAt: T, content: '{"events":[]}', chainHead: 'head-1', score: 3, maxScore: 4, seal: { statement: '{"s":1}', mac: 'mac-1' } };
        expect(await db.repos.review.insertArchive(a)).toBe(true);
        expect(await db.repos.review.insertArchive({ ...a, content: '{"events":[1]}', chainHead: 'head-2', seal: { statement: '{"s":2}', mac: 'mac-2' } })).toBe(false);
        expect(await db.repos.review.getArchive(attemptId)).toEqual(a);
        expect(await db.repos.review.getArchive(randomUUID())).toBeUndefined();
      });
    });

    describe('staff, places and settings', () => {
      it('usernames are unique without regard to case', async () => {
        const name = `Proctor-${randomUUID()}`;
        expect(await db.repos.staff.create({ id: randomUUID(), username: name, displayName: '', role: 'proctor', passwordHash: 'h' }, T)).toBe(true);
        expect(await db.repos.staff.create({ id: randomUUID(), username: name.toUpperCase(), displayName: '', role: 'proctor', passwordHash: 'h' }, T)).toBe(false);
      });

      it('a center in use is reported with what uses it', async () => {
        const centerId = randomUUID();
        await db.repos.places.createCenter({ id: centerId, name: `Center ${centerId}`, address: '' }, T);
        await db.repos.places.createRoom({ id: randomUUID(), centerId, name: 'Hall', capacity: 30 }, T);
        expect(await db.repos.places.usage('center', centerId)).toEqual({ rooms: 1, registrations: 0, sessions: 0 });
        expect(await db.repos.places.centerNameTaken(`center ${centerId}`.toUpperCase(), null)).toBe(true);
        expect(await db.repos.places.roomNameTaken(centerId, 'HALL', null)).toBe(true);
      });

      it('settings round-trip JSON', async () => {
        await db.repos.settings.put('suite', { a: [1, 2] }, 'suite', T);
        expect(await db.repos.settings.get('suite')).toEqual({ a: [1, 2] });
        expect(await db.repos.settings.get('nothing-here')).toBeUndefined();
      });
    });

    describe('constraints that hold whatever the concurrency', () => {
      it('center and room names are unique without regard to case, in the database itself', async () => {
        const centerId = randomUUID();
        const name = `North ${centerId}`;
        await db.repos.places.createCenter({ id: centerId, name, address: '' }, T);
        const c = await db.repos.places.createCenter({ id: randomUUID(), name: name.toUpperCase(), address: '' }, T).catch((e: unknown) => e);
        expect(c).toBeInstanceOf(UniqueViolation);
        expect((c as UniqueViolation).constraint).toBe('center_name');
        await db.repos.places.createRoom({ id: randomUUID(), centerId, name: 'Hall A', capacity: 10 }, T);
        const r = await db.repos.places.createRoom({ id: randomUUID(), centerId, name: 'HALL a', capacity: 10 }, T).catch((e: unknown) => e);
        expect((r as UniqueViolation).constraint).toBe('room_name');
        // The same room name in another center is another room.
        const other = randomUUID();
        await db.repos.places.createCenter({ id: other, name: `South ${other}`, address: '' }, T);
        await db.repos.places.createRoom({ id: randomUUID(), centerId: other, name: 'Hall A', capacity: 10 }, T);
        expect((await db.repos.places.listCenters()).filter((x) => x.id === centerId || x.id === other).map((x) => x.roomCount)).toEqual([1, 1]);
      });

      it('staff accounts created at once under one name in different cases: exactly one is created', async () => {
        const name = `Rival-${randomUUID()}`;
        const variants = [name, name.toUpperCase(), name.toLowerCase(), name, name.toUpperCase()];
        const created = await Promise.all(
          variants.map((username) => db.tx((r) => r.staff.create({ id: randomUUID(), username, displayName: '', role: 'proctor', passwordHash: 'h' }, T))),
        );
        expect(created.filter(Boolean)).toHaveLength(1);
      });

      it("a candidate's sessions are listed oldest first, ties by attempt id byte by byte; nobody else's", async () => {
        const c = `lc-${randomUUID()}`;
        const exams = [randomUUID(), randomUUID()];
        for (const e of exams) await db.repos.exams.create(e, { title: 'Listed', durationMinutes: 5, questions: [] }, 'suite', T);
        const id = randomUUID();
        await db.repos.examSessions.insert(paused({ ...session(c, { examId: exams[0]!, attemptId: `B-${id}` }), startedAt: T + 20 }), T);
        await db.repos.examSessions.insert(paused({ ...session(c, { examId: exams[1]!, attemptId: `a-${id}` }), startedAt: T }), T);
        await db.repos.examSessions.insert({ ...session(c, { attemptId: `A-${id}` }), startedAt: T }, T);
        await db.repos.examSessions.insert(session(`other-${randomUUID()}`), T);
        expect((await db.repos.examSessions.listForCandidate(c)).map((s) => s.attemptId)).toEqual([`A-${id}`, `a-${id}`, `B-${id}`]);
        expect(await db.repos.examSessions.listForCandidate(`nobody-${randomUUID()}`)).toEqual([]);
      });

      it('two units of work starting one candidate at once: one session is started, the other is refused by name', async () => {
        const c = `race-${randomUUID()}`;
        const otherExam = randomUUID();
        await db.repos.exams.create(otherExam, { title: 'Race', durationMinutes: 5, questions: [] }, 'suite', T);
        const start = (rec: SessionRecord) =>
          db.tx(async (r) => {
            const existing = await r.examSessions.listForCandidate(c);
            await new Promise((res) => setImmediate(res)); // the other one reads meanwhile
            if (existing.some((s) => s.state.status === 'active')) return 'saw-it';
            await r.examSessions.insert(rec, T);
            return 'started';
          });
        const out = await Promise.allSettled([start(session(c)), start(session(c, { examId: otherExam }))]);
        const started = out.filter((o) => o.status === 'fulfilled' && o.value === 'started');
        expect(started).toHaveLength(1);
        const other = out.find((o) => !(o.status === 'fulfilled' && o.value === 'started'))!;
        // SQLite runs them one after the other (the second sees the first); PostgreSQL runs them
        // together and the partial unique index refuses the second, named as the port names it.
        if (other.status === 'rejected') expect((other.reason as UniqueViolation).constraint).toBe('one_active_session_per_candidate');
        else expect(other.value).toBe('saw-it');
        expect(await db.repos.examSessions.countActive(c)).toBe(1);
      });

      it('logins of one user take turns (lockUser): a limit of one live session holds with ten at once', async () => {
        const u = `limit-${randomUUID()}`;
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            db.tx(async (r) => {
              await r.loginSessions.lockUser(u);
              const live = await r.loginSessions.live(u, T);
              await new Promise((res) => setImmediate(res));
              if (live.length === 0) {
                await r.loginSessions.insert({
                  id: randomUUID(),
                  tokenHash: randomUUID(),
                  subjectType: 'staff',
                  userId: u,
                  role: 'proctor',
                  examId: null,
                  candidateId: null,
                  userAgent: 'suite',
                  deviceType: 'desktop',
                  deviceName: `Desk ${i}`,
                  browser: '',
                  os: '',
                  ipAddress: '10.0.0.1',
                  createdAt: T,
                  lastActivity: T,
                  expiresAt: T + 3_600_000,
                  idleTimeoutMs: 600_000,
                  revokedAt: null,
                  revokeReason: null,
                });
              }
            }),
          ),
        );
        expect(await db.repos.loginSessions.live(u, T)).toHaveLength(1);
      });

      it('an answer batch that arrives while a unit of work holds the session waits for it, and then is refused by its submit', async () => {
        const rec = session(`late-${randomUUID()}`);
        await db.repos.examSessions.insert(rec, T);
        let batch!: Promise<unknown>;
        await db.tx(async (r) => {
          const cur = (await r.examSessions.getForUpdate(rec.attemptId))!;
          batch = db.repos.answers.saveBatch([{ attemptId: rec.attemptId, questionId: 'q1', valueJson: '"too late"', clientSeq: 1, at: T + 1_000 }]);
          await new Promise((res) => setTimeout(res, 50)); // the batch reaches the database meanwhile
          await r.examSessions.update({ ...cur, state: { ...cur.state, status: 'completed', runningSince: null, endedAt: T + 1_000, endReason: 'submitted' } }, T + 1_000);
        });
        expect(await batch).toEqual([{ outcome: 'refused' }]);
        expect(await db.repos.answers.list(rec.attemptId)).toEqual([]);
      });
    });

    describe('roster and seats', () => {
      const reg = (candidateId: string, seat: string | null, centerId: string | null = null, roomId: string | null = null) => ({
        candidateId,
        name: `Name of ${candidateId}`,
        accessCodeHash: `code-${candidateId}`,
        placement: { centerId, roomId, seat },
      });

      it('one candidate per seat is a constraint named "seat"; the same label in another room is another seat', async () => {
        const centerId = randomUUID();
        const [roomA, roomB] = [randomUUID(), randomUUID()];
        await db.repos.places.createCenter({ id: centerId, name: `Seats ${centerId}`, address: '' }, T);
        await db.repos.places.createRoom({ id: roomA, centerId, name: 'A', capacity: 10 }, T);
        await db.repos.places.createRoom({ id: roomB, centerId, name: 'B', capacity: 10 }, T);
        const [c, d] = [`seat-c-${randomUUID()}`, `seat-d-${randomUUID()}`];
        await db.repos.registrations.register(examId, [c, d].map((id) => ({ candidateId: id, name: id, accessCodeHash: 'h' })), T);
        const here = { centerId, roomId: roomA, seat: '7' };
        expect(await db.repos.registrations.place(examId, c, here)).toBe(true);
        expect(await db.repos.registrations.seatTakenBy(examId, d, here)).toBe(c);
        const e = await db.repos.registrations.place(examId, d, here).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(UniqueViolation);
        expect((e as UniqueViolation).constraint).toBe('seat');
        expect(await db.repos.registrations.place(examId, d, { centerId, roomId: roomB, seat: '7' })).toBe(true);
        // Placing a candidate again in their own seat is no clash.
        expect(await db.repos.registrations.place(examId, c, here)).toBe(true);
        // Seats without a center or room collide too (no center is one place).
        const [e1, e2] = [`seat-e-${randomUUID()}`, `seat-f-${randomUUID()}`];
        await db.repos.roster.import(examId, [reg(e1, 'S1')], T);
        const clash = await db.repos.roster.import(examId, [reg(e2, 'S1')], T).catch((err: unknown) => err);
        expect((clash as UniqueViolation).constraint).toBe('seat');
        expect((await db.repos.registrations.get(examId, e2)) ?? null).toBeNull(); // the failed import stored nothing
      });

      it('an import that swaps two seats goes through (the seats it moves are cleared first), and counts new and updated rows', async () => {
        const [a, b, k] = [`swap-a-${randomUUID()}`, `swap-b-${randomUUID()}`, `swap-k-${randomUUID()}`];
        expect(await db.repos.roster.import(examId, [reg(a, '1'), reg(b, '2'), reg(k, '3')], T)).toEqual({ created: 3, updated: 0 });
        const { placement: _ignored, ...keep } = reg(k, null);
        expect(await db.repos.roster.import(examId, [reg(a, '2'), reg(b, '1'), keep], T + 1)).toEqual({ created: 0, updated: 3 });
        const seats = await db.repos.roster.placements(examId);
        expect([seats.get(a)?.seat, seats.get(b)?.seat, seats.get(k)?.seat]).toEqual(['2', '1', '3']);
        expect(await db.repos.registrations.find(examId, a)).toMatchObject({ name: `Name of ${a}`, accessCodeHash: `code-${a}`, seat: '2' });
      });
    });

    describeRoomOps(() => db, T);

    it('answers ping', async () => {
      expect(await db.ping()).toBe(true);
    });
  });
  describeExamsAdminRepositories(adapter, make);
}
