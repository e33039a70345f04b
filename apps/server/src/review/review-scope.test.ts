import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryPresence } from '../adapters/memory/memory-presence.ts';
import { openDatabase, type Db } from '../adapters/sqlite/db.ts';
import { registrations } from '../adapters/sqlite/schema.ts';
import { SqliteStore } from '../adapters/sqlite/sqlite-store.ts';
import { loadConfig } from '../config.ts';
import type { Principal } from '../http/context.ts';
import { AppError } from '../http/errors.ts';
import { createServices, type Services } from '../services/services.ts';
import { QUESTIONS } from '../testing/harness.ts';
import { ReviewService } from './review-service.ts';
import type { ReviewStore } from './review-store.ts';
import { SqliteReviewStore } from './sqlite-review-store.ts';

/**
 * Proctor scoping at the service level, with principals made by hand with `assignments` (as the
 * auth service makes them from staff_assignments rows): whole centers, single rooms, several
 * assignments, none, and unplaced sessions. review.test.ts covers one room end to end through
 * the admin API.
 */
let db: Db;
let store: SqliteStore;
let services: Services;
let review: ReviewService;
const attempts: Record<string, string> = {};

const admin: Principal = { sessionId: 's-admin', role: 'admin', userId: 'u-admin' };
const proctor = (...assignments: { centerId: string; roomId: string | null }[]): Principal => ({ sessionId: 's-p', role: 'proctor', userId: 'u-p', assignments });
const wholeC1 = proctor({ centerId: 'C1', roomId: null });
const roomR1 = proctor({ centerId: 'C1', roomId: 'R1' });
const nowhere = proctor();

beforeAll(() => {
  db = openDatabase(mkdtempSync(join(tmpdir(), 'invigil-review-')));
  store = new SqliteStore(db);
  const log = pino({ level: 'silent' });
  services = createServices({ store, presence: new MemoryPresence(), config: loadConfig({}), log, now: () => Date.now(), secretKey: randomBytes(32) });
  review = new ReviewService({ store: new SqliteReviewStore(db), log, now: () => Date.now() });
  services.endedHooks.push((id) => review.sealSafely(id));

  const exam = services.provisioning.createExam(admin, { title: 'Scoped exam', durationMinutes: 30, questions: QUESTIONS as never }, '127.0.0.1');
  // a: C1/R1, b: C1/R2, c: C2/R9, d: not placed. a and c finish; b and d stay active.
  const places: Record<string, [string | null, string | null]> = { a: ['C1', 'R1'], b: ['C1', 'R2'], c: ['C2', 'R9'], d: [null, null] };
  services.provisioning.registerCandidates(admin, exam.id, { candidates: Object.keys(places).map((k) => ({ candidateId: `sc-${k}`, name: `Scoped ${k.toUpperCase()}`, accessCode: `code-${k}-xyz` })) }, '127.0.0.1');
  for (const [k, [centerId, roomId]] of Object.entries(places)) {
    db.update(registrations).set({ centerId, roomId, seat: `${k}1` }).where(and(eq(registrations.examId, exam.id), eq(registrations.candidateId, `sc-${k}`))).run();
    const who = { candidateId: `sc-${k}`, examId: exam.id, ip: '10.0.0.1' };
    attempts[k] = services.sessions.start(who, { examSetId: exam.id }, 'test-kiosk').attemptId;
  }
  services.sessions.submit({ candidateId: 'sc-a', examId: exam.id, ip: '10.0.0.1' }, attempts.a!);
  services.sessions.terminate({ candidateId: 'sc-c', examId: exam.id, ip: '10.0.0.1' }, attempts.c!);
});
afterAll(() => store.close());

const listed = (p: Principal, q: Record<string, string> = {}) => {
  const r = review.list(p, q);
  return { total: r.total, ids: r.sessions.map((s) => s.candidate.id).sort() };
};

/** The error a call throws (or undefined). */
function thrown(fn: () => unknown): AppError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  return undefined;
}

describe('proctors see only sessions in their scope', () => {
  it('the list: admin sees all; a center assignment sees its rooms; a room assignment its room; none sees nothing', () => {
    expect(listed(admin)).toEqual({ total: 4, ids: ['sc-a', 'sc-b', 'sc-c', 'sc-d'] });
    expect(listed(wholeC1)).toEqual({ total: 2, ids: ['sc-a', 'sc-b'] });
    expect(listed(roomR1)).toEqual({ total: 1, ids: ['sc-a'] });
    expect(listed(nowhere)).toEqual({ total: 0, ids: [] });
    expect(listed(proctor({ centerId: 'C1', roomId: 'R2' }, { centerId: 'C2', roomId: null }))).toEqual({ total: 2, ids: ['sc-b', 'sc-c'] });
    // Filters and search narrow the scope, never widen it.
    expect(listed(wholeC1, { centerId: 'C2' })).toEqual({ total: 0, ids: [] });
    expect(listed(roomR1, { q: 'Scoped' })).toEqual({ total: 1, ids: ['sc-a'] });
    expect(listed(wholeC1, { roomId: 'R2' })).toEqual({ total: 1, ids: ['sc-b'] });
  });

  it('detail, download and verify of an out-of-scope attempt throw 404 exactly like an unknown id', () => {
    const unknown = thrown(() => review.detail(admin, 'no-such-attempt'));
    expect(unknown).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    for (const [p, k] of [
      [roomR1, 'b'],
      [wholeC1, 'c'],
      [wholeC1, 'd'],
      [nowhere, 'a'],
    ] as const) {
      for (const call of [() => review.detail(p, attempts[k]!), () => review.archiveFile(p, attempts[k]!), () => review.verify(p, attempts[k]!)]) {
        const e = thrown(call);
        expect(e, `${k}`).toBeInstanceOf(AppError);
        expect({ status: e!.status, code: e!.code, message: e!.message }).toEqual({ status: unknown!.status, code: unknown!.code, message: unknown!.message });
      }
    }
    // In scope: a proctor reads the archive of their room.
    expect(review.verify(roomR1, attempts.a!)).toMatchObject({ valid: true });
    expect(review.detail(wholeC1, attempts.b!)).toMatchObject({ sealed: false, archive: { metadata: { centerId: 'C1', roomId: 'R2', seat: 'b1' } } });
  });
});

describe('sealing', () => {
  it('is idempotent: a second seal changes nothing', () => {
    const before = new SqliteReviewStore(db).getArchive(attempts.a!);
    expect(before).toBeDefined();
    expect(review.seal(attempts.a!)).toBe('already_sealed');
    expect(new SqliteReviewStore(db).getArchive(attempts.a!)).toEqual(before);
    expect(review.seal(attempts.b!)).toBe('not_final');
    expect(review.seal('no-such-attempt')).toBe('no_such_attempt');
  });

  it('the sweep seals final attempts that have no archive, and only those', () => {
    db.$client.prepare('delete from archives where attempt_id = ?').run(attempts.c);
    expect(review.sweep()).toEqual({ sealed: 1, failed: 0 });
    expect(new SqliteReviewStore(db).getArchive(attempts.c!)).toMatchObject({ attemptId: attempts.c });
    expect(review.sweep()).toEqual({ sealed: 0, failed: 0 });
  });

  it('a failing store never throws out of the hook: the error is logged and the session change stands', () => {
    const error = vi.fn();
    // Every store call fails (a full disk, a closed database...).
    const failing = new Proxy({}, { get: () => () => { throw new Error('disk on fire'); } }) as ReviewStore;
    const svc = new ReviewService({ store: failing, log: { info: vi.fn(), warn: vi.fn(), error }, now: () => Date.now() });
    services.endedHooks.push((id) => void svc.sealSafely(id));
    const exam = services.provisioning.createExam(admin, { title: 'Hook exam', durationMinutes: 5, questions: [] }, '127.0.0.1');
    services.provisioning.registerCandidates(admin, exam.id, { candidates: [{ candidateId: 'sc-hook', name: 'Hook', accessCode: 'code-hook' }] }, '127.0.0.1');
    const who = { candidateId: 'sc-hook', examId: exam.id, ip: '10.0.0.1' };
    const a = services.sessions.start(who, { examSetId: exam.id }, 'kiosk').attemptId;
    expect(services.sessions.submit(who, a).status).toBe('completed');
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ attemptId: a }), expect.stringMatching(/sealing the attempt failed/));
    services.endedHooks.pop();
  });
});
