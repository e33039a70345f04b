import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, QUESTIONS, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client, staffWithToken } from './testing/kit.ts';

let s: SpawnedServer;
let api: ReturnType<typeof client>;
let token: string;
beforeAll(async () => {
  s = await spawnServer();
  token = await adminToken(s);
  api = client(s, token);
});
afterAll(() => s.kill());

const UNKNOWN = '3f0c6a52-0000-4000-8000-000000000000';
let n = 0;

/** An exam with one registered candidate, who is signed in. */
async function examWithCandidate(title = 'Exam') {
  const exam = await api('POST', '/admin/exams', { title, durationMinutes: 30, questions: QUESTIONS });
  const cand = { candidateId: `ex-${++n}`, name: 'Candidate', accessCode: `access-${n}-code` };
  await api('POST', `/admin/exams/${exam.body.id}/candidates`, { candidates: [cand] });
  const candToken = await candidateLogin(s, exam.body.id, cand);
  return { examId: exam.body.id as string, candToken };
}

const start = (examId: string, candToken: string) => call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: new TestDevice().publicKey }, candToken);

describe('admin: exams', () => {
  it('lists exams with status, window, policy and counts, filtered and paged', async () => {
    const a = await examWithCandidate('List A');
    await api('POST', `/admin/exams/${a.examId}/close`);
    const b = await examWithCandidate('List B');
    const all = await api('GET', '/admin/exams');
    expect(all.status).toBe(200);
    const found = all.body.exams.find((e: any) => e.id === b.examId);
    expect(found).toMatchObject({ title: 'List B', status: 'open', durationMinutes: 30, questionCount: 3, registrationCount: 1, sessionCount: 0, opensAt: null, closesAt: null, policy: {} });
    expect(found.questions).toBeUndefined();
    const closed = await api('GET', '/admin/exams?status=closed');
    expect(closed.body.exams.map((e: any) => e.id)).toEqual([a.examId]);
    const page = await api('GET', '/admin/exams?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: all.body.total, limit: 1, offset: 1 });
    expect(page.body.exams).toHaveLength(1);
    for (const q of ['status=bogus', 'limit=0', 'limit=abc', 'offset=-1']) expect((await api('GET', `/admin/exams?${q}`)).status, q).toBe(400);
  });

  it('updates title, duration and questions until a session exists; then questions are refused (409)', async () => {
    const { examId, candToken } = await examWithCandidate('Before');
    const newQuestions = [{ id: 'only', type: 'text', prompt: 'Why?' }];
    const up = await api('PATCH', `/admin/exams/${examId}`, { title: 'After', durationMinutes: 45, questions: newQuestions });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ title: 'After', durationMinutes: 45, questionCount: 1, questions: newQuestions, updatedAt: expect.any(String) });
    expect((await api('GET', `/admin/exams/${examId}`)).body.questions).toEqual(newQuestions);

    expect((await start(examId, candToken)).status).toBe(201);
    const seen = await call(`${s.api}/exams/${examId}`, 'GET', undefined, candToken);
    expect(seen.body).toMatchObject({ title: 'After', durationMinutes: 45, questions: [{ id: 'only' }] });
    const refused = await api('PATCH', `/admin/exams/${examId}`, { questions: QUESTIONS });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect((await api('GET', `/admin/exams/${examId}`)).body.questions).toEqual(newQuestions);
    // Title and duration may still change; the candidate's view is cached by the server, and an edit shows at once.
    expect((await api('PATCH', `/admin/exams/${examId}`, { title: 'After (fixed typo)' })).body.title).toBe('After (fixed typo)');
    expect((await call(`${s.api}/exams/${examId}`, 'GET', undefined, candToken)).body.title).toBe('After (fixed typo)');
  });

  it('refuses bad edits (400) and unknown exams (404)', async () => {
    const { examId } = await examWithCandidate();
    for (const body of [
      {},
      { title: '' },
      { durationMinutes: 0 },
      { durationMinutes: 'long' },
      { questions: [{ id: 'a', type: 'essay', prompt: 'x' }] },
      { questions: [{ id: 'a', type: 'text', prompt: 'x' }, { id: 'a', type: 'text', prompt: 'y' }] },
      { title: 'x', status: 'open' },
    ]) {
      const r = await api('PATCH', `/admin/exams/${examId}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    for (const [method, path, body] of [
      ['PATCH', `/admin/exams/${UNKNOWN}`, { title: 'x' }],
      ['POST', `/admin/exams/${UNKNOWN}/open`, undefined],
      ['POST', `/admin/exams/${UNKNOWN}/close`, undefined],
      ['PUT', `/admin/exams/${UNKNOWN}/window`, { opensAt: null, closesAt: null }],
      ['PUT', `/admin/exams/${UNKNOWN}/policy`, {}],
    ] as const) {
      expect((await api(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
  });

  it('close stops new starts and open allows them again', async () => {
    const { examId, candToken } = await examWithCandidate();
    const closed = await api('POST', `/admin/exams/${examId}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const refused = await start(examId, candToken);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('EXAM_CLOSED');
    expect((await api('POST', `/admin/exams/${examId}/open`)).body.status).toBe('open');
    expect((await start(examId, candToken)).status).toBe(201);
    const audit = peek<{ action: string; detail: string }>(s.dataDir, "select action, detail from audit_events where action in ('exam.closed', 'exam.opened') and detail like ? order by id", `%${examId}%`);
    expect(audit.map((a) => [a.action, JSON.parse(a.detail)])).toEqual([
      ['exam.closed', { examId, from: 'open', to: 'closed' }],
      ['exam.opened', { examId, from: 'closed', to: 'open' }],
    ]);
  });

  it('the window decides when candidates may start', async () => {
    const { examId, candToken } = await examWithCandidate();
    const opensAt = new Date(Date.now() + 3_600_000).toISOString();
    const w = await api('PUT', `/admin/exams/${examId}/window`, { opensAt, closesAt: null });
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ opensAt, closesAt: null });
    // Reading the exam shows the window too (with the PROTOCOL Exam fields and the scoring keys).
    const read = await api('GET', `/admin/exams/${examId}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: examId, opensAt, closesAt: null, status: 'open', policy: expect.any(Object), durationMinutes: expect.any(Number), createdAt: expect.any(String) });
    expect(read.body.questions[0].correct).toBeDefined();
    const early = await start(examId, candToken);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('EXAM_NOT_OPEN');

    for (const body of [
      { opensAt: '2030-01-02T00:00:00.000Z', closesAt: '2030-01-01T00:00:00.000Z' },
      { opensAt: 'tomorrow', closesAt: null },
      { opensAt: '2030-01-02T00:00:00+02:00', closesAt: null },
      { opensAt: null },
    ]) {
      expect((await api('PUT', `/admin/exams/${examId}/window`, body)).status, JSON.stringify(body)).toBe(400);
    }
    const past = new Date(Date.now() - 60_000).toISOString();
    expect((await api('PUT', `/admin/exams/${examId}/window`, { opensAt: null, closesAt: past })).status).toBe(200);
    expect((await start(examId, candToken)).body.error.code).toBe('EXAM_CLOSED');
    expect((await api('PUT', `/admin/exams/${examId}/window`, { opensAt: null, closesAt: null })).status).toBe(200);
    expect((await start(examId, candToken)).status).toBe(201);
  });

  it('policy overrides are validated, stored and used by new sessions', async () => {
    const { examId, candToken } = await examWithCandidate();
    const policy = { heartbeatIntervalMs: 2_500, missedHeartbeatsBeforePause: 4, maxRecoveryAttempts: 5, pausedSessionTtlMs: 600_000 };
    const r = await api('PUT', `/admin/exams/${examId}/policy`, policy);
    expect(r.status).toBe(200);
    expect(r.body.policy).toEqual(policy);
    const started = await start(examId, candToken);
    expect(started.status).toBe(201);
    expect(started.body.heartbeatIntervalMs).toBe(2_500);
    expect(JSON.parse(peek<{ policy: string }>(s.dataDir, 'select policy from exams where id = ?', examId)[0]!.policy)).toEqual(policy);

    for (const body of [
      { heartbeatIntervalMs: 10 },
      { heartbeatIntervalMs: 5_000.5 },
      { missedHeartbeatsBeforePause: 0 },
      { maxRecoveryAttempts: 1_000 },
      { pausedSessionTtlMs: 1_000 },
      { heartbeatIntervalMs: '5000' },
      { sweepEverything: true },
    ]) {
      expect((await api('PUT', `/admin/exams/${examId}/policy`, body)).status, JSON.stringify(body)).toBe(400);
    }
    // PUT replaces: an empty object goes back to the server's settings.
    expect((await api('PUT', `/admin/exams/${examId}/policy`, {})).body.policy).toEqual({});
  });

  it('a proctor gets 403 on exam admin routes', async () => {
    const { examId } = await examWithCandidate();
    const proctor = await staffWithToken(s, token, { username: 'exam.proctor', password: 'exam-proctor-pass', role: 'proctor' });
    for (const [method, path, body] of [
      ['GET', '/admin/exams', undefined],
      ['PATCH', `/admin/exams/${examId}`, { title: 'hijacked' }],
      ['POST', `/admin/exams/${examId}/close`, undefined],
      ['PUT', `/admin/exams/${examId}/policy`, {}],
    ] as const) {
      expect((await call(`${s.api}${path}`, method, body, proctor.token)).status, `${method} ${path}`).toBe(403);
    }
    expect((await api('GET', `/admin/exams/${examId}`)).body.title).toBe('Exam');
  });
});
