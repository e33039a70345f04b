import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registrations } from '../adapters/sqlite/schema.ts';
import type { Database } from '../ports/database.ts';
import { DomainError } from '../ports/errors.ts';
import type { Principal } from '../ports/types.ts';
import { dropAppendOnlyTriggers, sqliteClient, sqliteDrizzle } from '../testing/db-peek.ts';
import { QUESTIONS } from '../testing/harness.ts';
import { inProcess, type InProcess } from '../testing/in-process.ts';
import { ReviewService } from './review-service.ts';

/**
 * Proctor scoping at the service level, with principals made by hand with `assignments` (as the
 * auth service makes them from staff_assignments rows): whole centers, single rooms, several
 * assignments, none, and unplaced sessions. review.test.ts covers one room end to end through
 * the admin API.
 */
let s: InProcess;
let review: ReviewService;
const attempts: Record<string, string> = {};

const admin: Principal = { sessionId: 's-admin', role: 'admin', userId: 'u-admin' };
const proctor = (...assignments: { centerId: string; roomId: string | null }[]): Principal => ({ sessionId: 's-p', role: 'proctor', userId: 'u-p', assignments });
const wholeC1 = proctor({ centerId: 'C1', roomId: null });
const roomR1 = proctor({ centerId: 'C1', roomId: 'R1' });
const nowhere = proctor();

beforeAll(async () => {
  s = await inProcess();
  review = s.services.review;
  const { provisioning } = s.services.admin;
  const exam = await provisioning.createExam(admin, { title: 'Scoped exam', durationMinutes: 30, questions: QUESTIONS as never }, '127.0.0.1');
  // a: C1/R1, b: C1/R2, c: C2/R9, d: not placed. a and c finish; b and d stay active.
  const places: Record<string, [string | null, string | null]> = { a: ['C1', 'R1'], b: ['C1', 'R2'], c: ['C2', 'R9'], d: [null, null] };
  await provisioning.registerCandidates(admin, exam.id, { candidates: Object.keys(places).map((k) => ({ candidateId: `sc-${k}`, name: `Scoped ${k.toUpperCase()}`, accessCode: `code-${k}-xyz` })) }, '127.0.0.1');
  const drizzleDb = sqliteDrizzle(s.db);
  for (const [k, [centerId, roomId]] of Object.entries(places)) {
    drizzleDb.update(registrations).set({ centerId, roomId, seat: `${k}1` }).where(and(eq(registrations.examId, exam.id), eq(registrations.candidateId, `sc-${k}`))).run();
    const who = { candidateId: `sc-${k}`, examId: exam.id, ip: '10.0.0.1' };
    attempts[k] = (await s.services.examSessions.start.start(who, { examSetId: exam.id }, 'test-kiosk')).attemptId;
  }
  await s.services.examSessions.actions.submit({ candidateId: 'sc-a', examId: exam.id, ip: '10.0.0.1' }, attempts.a!);
  await s.services.examSessions.actions.terminate({ candidateId: 'sc-c', examId: exam.id, ip: '10.0.0.1' }, attempts.c!);
  await Promise.all([review.seal(attempts.a!), review.seal(attempts.c!)]);
});
afterAll(() => s.close());

const listed = async (p: Principal, q: Record<string, string> = {}) => {
  const r = await review.list(p, q);
  return { total: r.total, ids: r.sessions.map((s) => s.candidate.id).sort() };
};

/** The error a call throws (or undefined). */
async function thrown(fn: () => Promise<unknown>): Promise<DomainError | undefined> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  return undefined;
}

describe('proctors see only sessions in their scope', () => {
  it('the list: admin sees all; a center assignment sees its rooms; a room assignment its room; none sees nothing', async () => {
    expect(await listed(admin)).toEqual({ total: 4, ids: ['sc-a', 'sc-b', 'sc-c', 'sc-d'] });
    expect(await listed(wholeC1)).toEqual({ total: 2, ids: ['sc-a', 'sc-b'] });
    expect(await listed(roomR1)).toEqual({ total: 1, ids: ['sc-a'] });
    expect(await listed(nowhere)).toEqual({ total: 0, ids: [] });
    expect(await listed(proctor({ centerId: 'C1', roomId: 'R2' }, { centerId: 'C2', roomId: null }))).toEqual({ total: 2, ids: ['sc-b', 'sc-c'] });
    // Filters and search narrow the scope, never widen it.
    expect(await listed(wholeC1, { centerId: 'C2' })).toEqual({ total: 0, ids: [] });
    expect(await listed(roomR1, { q: 'Scoped' })).toEqual({ total: 1, ids: ['sc-a'] });
    expect(await listed(wholeC1, { roomId: 'R2' })).toEqual({ total: 1, ids: ['sc-b'] });
  });

  it('detail, download and verify of an out-of-scope attempt throw 404 exactly like an unknown id', async () => {
    const unknown = await thrown(() => review.detail(admin, 'no-such-attempt'));
    expect(unknown).toMatchObject({ kind: 'not_found', code: 'NOT_FOUND' });
    for (const [p, k] of [
      [roomR1, 'b'],
      [wholeC1, 'c'],
      [wholeC1, 'd'],
      [nowhere, 'a'],
    ] as const) {
      for (const call of [() => review.detail(p, attempts[k]!), () => review.archiveFile(p, attempts[k]!), () => review.verify(p, attempts[k]!)]) {
        const e = await thrown(call);
        expect(e, `${k}`).toBeInstanceOf(DomainError);
        expect({ kind: e!.kind, code: e!.code, message: e!.message }).toEqual({ kind: unknown!.kind, code: unknown!.code, message: unknown!.message });
      }
    }
    // In scope: a proctor reads the archive of their room.
    expect(await review.verify(roomR1, attempts.a!)).toMatchObject({ valid: true });
    expect(await review.detail(wholeC1, attempts.b!)).toMatchObject({ sealed: false, archive: { metadata: { centerId: 'C1', roomId: 'R2', seat: 'b1' } } });
  });
});

describe('sealing', () => {
  it('is idempotent: a second seal changes nothing', async () => {
    const before = await s.db.repos.review.getArchive(attempts.a!);
    expect(before).toBeDefined();
    expect(await review.seal(attempts.a!)).toBe('already_sealed');
    expect(await s.db.repos.review.getArchive(attempts.a!)).toEqual(before);
    expect(await review.seal(attempts.b!)).toBe('not_final');
    expect(await review.seal('no-such-attempt')).toBe('no_such_attempt');
  });

  it('the sweep seals final attempts that have no archive, and only those', async () => {
    // As if the process had died between the session's end and its sealing.
    const raw = sqliteClient(s.db);
    dropAppendOnlyTriggers(raw);
    raw.prepare('delete from archives where attempt_id = ?').run(attempts.c);
    raw.prepare('delete from archive_seals where attempt_id = ?').run(attempts.c);
    expect(await review.sweep()).toEqual({ sealed: 1, failed: 0 });
    expect(await s.db.repos.review.getArchive(attempts.c!)).toMatchObject({ attemptId: attempts.c });
    expect(await review.sweep()).toEqual({ sealed: 0, failed: 0 });
  });

  it('a failing database never throws out of sealing: the error is logged and the session change stands', async () => {
    const error = vi.fn();
    // Every repository call fails (a full disk, a closed database...).
    const failing = { repos: new Proxy({}, { get: () => new Proxy({}, { get: () => () => Promise.reject(new Error('disk on fire')) }) }) } as unknown as Database;
    const svc = new ReviewService({ db: failing, log: { info: vi.fn(), warn: vi.fn(), error }, now: () => Date.now(), secretKey: Buffer.alloc(32, 7) });
    expect(await svc.sealSafely(attempts.a!)).toBe('failed');
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ attemptId: attempts.a }), expect.stringMatching(/sealing the attempt failed/));
  });
});
