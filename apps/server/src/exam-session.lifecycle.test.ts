import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, setCandidatePolicy, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from './testing/harness.ts';

let s: SpawnedServer;
let p: Provisioned;

beforeAll(async () => {
  s = await spawnServer();
  p = await provision(s, 6);
});
afterAll(() => s.kill());

describe('exam session lifecycle over real HTTP', () => {
  it('start → heartbeat → answers → pause/resume → submit, with the seed field names', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[0]!);
    const dev = new TestDevice();
    // No question text before the session starts (a real server, a real port: exam-view.test.ts has the rest).
    const early = await call(`${s.api}/exams/${p.examId}`, 'GET', undefined, token);
    expect(early.status).toBe(403);
    expect(early.body.error).toMatchObject({ code: 'QUESTIONS_NOT_AVAILABLE', details: { reason: 'not_started' } });
    expect(JSON.stringify(early.body)).not.toContain('Capital');

    const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, deviceFingerprint: dev.fingerprint, browserInfo: 'kiosk/1.0', devicePublicKey: dev.publicKey }, token);
    expect(start.status).toBe(201);
    const exam = await call(`${s.api}/exams/${p.examId}`, 'GET', undefined, token);
    expect(exam.status).toBe(200);
    expect(exam.body.questions.map((q: { id: string }) => q.id)).toEqual(['q1', 'q2', 'q3']);
    expect(JSON.stringify(exam.body)).not.toContain('correct');
    const b = start.body;
    expect(Object.keys(b).sort()).toEqual(
      ['sessionId', 'attemptId', 'examSetId', 'status', 'startedAt', 'lastActivityAt', 'deviceInfo', 'timeRemaining', 'canResume', 'isLocked', 'recoveryToken', 'heartbeatIntervalMs', 'serverTime'].sort(),
    );
    expect(b).toMatchObject({ examSetId: p.examId, status: 'active', canResume: false, isLocked: false, heartbeatIntervalMs: 10_000, deviceInfo: { fingerprint: dev.fingerprint, browser: 'kiosk/1.0', ip: '127.0.0.1' } });
    expect(b.timeRemaining).toBeGreaterThan(3590);
    expect(b.timeRemaining).toBeLessThanOrEqual(3600);
    expect(b.recoveryToken.length).toBeGreaterThanOrEqual(22);
    expect(Math.abs(b.serverTime - Date.now())).toBeLessThan(5_000);

    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(b.attemptId), token);
    expect(hb.status).toBe(200);
    expect(hb.body).toMatchObject({ sessionValid: true, shouldForceRefresh: false, instructions: [] });

    const a1 = await call(`${s.api}/exams/sessions/${b.attemptId}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, token);
    expect(a1.status).toBe(200);
    expect(a1.body).toMatchObject({ questionId: 'q1', clientSeq: 1, applied: true });
    const a2 = await call(`${s.api}/exams/sessions/${b.attemptId}/answers/q2`, 'PUT', { value: ['two', 'three'], clientSeq: 2 }, token);
    expect(a2.status).toBe(200);
    // An older clientSeq is acknowledged but does not overwrite.
    const stale = await call(`${s.api}/exams/sessions/${b.attemptId}/answers/q1`, 'PUT', { value: 'b', clientSeq: 1 }, token);
    expect(stale.status).toBe(200);
    expect(stale.body.applied).toBe(false);
    const wrongShape = await call(`${s.api}/exams/sessions/${b.attemptId}/answers/q1`, 'PUT', { value: 'zzz', clientSeq: 9 }, token);
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error.code).toBe('INVALID_ANSWER');
    const unknownQ = await call(`${s.api}/exams/sessions/${b.attemptId}/answers/nope`, 'PUT', { value: 'a', clientSeq: 1 }, token);
    expect(unknownQ.status).toBe(404);

    const list = await call(`${s.api}/exams/sessions/${b.attemptId}/answers`, 'GET', undefined, token);
    expect(list.body.answers).toEqual([
      expect.objectContaining({ questionId: 'q1', value: 'a', clientSeq: 1 }),
      expect.objectContaining({ questionId: 'q2', value: ['two', 'three'], clientSeq: 2 }),
    ]);

    const active = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
    expect(active.body).toMatchObject({ hasActiveSession: true, pausedSessions: [], canStartNew: false, blockReason: 'You have an active exam session' });
    expect(active.body.activeSession.attemptId).toBe(b.attemptId);

    const paused = await call(`${s.api}/exams/sessions/${b.attemptId}/pause`, 'POST', undefined, token);
    expect(paused.body).toMatchObject({ status: 'paused', canResume: true });
    const saveWhilePaused = await call(`${s.api}/exams/sessions/${b.attemptId}/answers/q3`, 'PUT', { value: 'x', clientSeq: 3 }, token);
    expect(saveWhilePaused.status).toBe(409);
    const hbPaused = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(b.attemptId), token);
    expect(hbPaused.body).toMatchObject({ sessionValid: false, status: 'paused' });
    const activeWhilePaused = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
    expect(activeWhilePaused.body).toMatchObject({ hasActiveSession: false, canStartNew: true });
    expect(activeWhilePaused.body.pausedSessions).toHaveLength(1);

    const resumed = await call(`${s.api}/exams/sessions/${b.attemptId}/resume`, 'POST', undefined, token);
    expect(resumed.body).toMatchObject({ status: 'active', canResume: false });

    const submitted = await call(`${s.api}/exams/sessions/${b.attemptId}/submit`, 'POST', undefined, token);
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('completed');
    // Final states stay final.
    for (const [method, path, body] of [
      ['POST', 'resume', undefined],
      ['POST', 'pause', undefined],
      ['PUT', 'answers/q3', { value: 'late', clientSeq: 10 }],
    ] as const) {
      const r = await call(`${s.api}/exams/sessions/${b.attemptId}/${path}`, method, body, token);
      expect(r.status, path).toBe(409);
    }
    // A retried submit (its answer lost on the way) gets the completed session again.
    const retried = await call(`${s.api}/exams/sessions/${b.attemptId}/submit`, 'POST', undefined, token);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('completed');
    const again = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId }, token);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ATTEMPT_FINISHED');
  });

  it('abandon: DELETE answers 204 and the session is terminated for good', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[1]!);
    const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId }, token);
    expect(start.status).toBe(201);
    const del = await call(`${s.api}/exams/sessions/${start.body.attemptId}`, 'DELETE', undefined, token);
    expect(del.status).toBe(204);
    const r = await call(`${s.api}/exams/sessions/${start.body.attemptId}/resume`, 'POST', undefined, token);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('SESSION_FINISHED');
    const del2 = await call(`${s.api}/exams/sessions/${start.body.attemptId}`, 'DELETE', undefined, token);
    expect(del2.status).toBe(409);
  });

  it('200 concurrent starts for one candidate from different devices → exactly one 201, the rest 409', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[2]!);
    const results = await Promise.all(
      Array.from({ length: 200 }, () => {
        const dev = new TestDevice();
        return call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
      }),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 409)).toHaveLength(199);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('ACTIVE_SESSION_EXISTS');
    const active = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
    expect(active.body.hasActiveSession).toBe(true);
  });

  it('a second exam cannot start while one is active; MAX_PAUSED_SESSIONS blocks a new start', async () => {
    // Three more exams for candidate 4, so they can hold several paused sessions.
    const c = p.candidates[3]!;
    const exams = [p.examId];
    for (let i = 0; i < 3; i++) {
      const e = await call(`${s.api}/admin/exams`, 'POST', { title: `Extra ${i}`, durationMinutes: 30, questions: [] }, p.adminToken);
      await call(`${s.api}/admin/exams/${e.body.id}/candidates`, 'POST', { candidates: [c] }, p.adminToken);
      exams.push(e.body.id);
    }
    // A login is for one exam, so the candidate signs in to each; the policy lets them hold several logins.
    const candidatePolicy = (maxSessions: number, denyWhileExamActive: boolean) => setCandidatePolicy(s, p.adminToken, maxSessions, denyWhileExamActive);
    expect((await candidatePolicy(exams.length, false)).status).toBe(200);
    const tokens: string[] = [];
    for (const e of exams) tokens.push(await candidateLogin(s, e, c));
    const token = tokens[0]!;
    const first = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: exams[0] }, token);
    expect(first.status).toBe(201);
    const blocked = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: exams[1] }, tokens[1]);
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('ACTIVE_SESSION_EXISTS');
    // Pause three sessions (MAX_PAUSED_SESSIONS defaults to 3).
    const attempts = [first.body.attemptId];
    await call(`${s.api}/exams/sessions/${first.body.attemptId}/pause`, 'POST', undefined, token);
    for (const i of [1, 2]) {
      const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: exams[i] }, tokens[i]);
      expect(st.status).toBe(201);
      attempts.push(st.body.attemptId);
      expect((await call(`${s.api}/exams/sessions/${st.body.attemptId}/pause`, 'POST', undefined, tokens[i])).status).toBe(200);
    }
    const tooMany = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: exams[3] }, tokens[3]);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe('TOO_MANY_PAUSED_SESSIONS');
    const active = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
    expect(active.body).toMatchObject({ hasActiveSession: false, canStartNew: false, blockReason: 'You have too many paused sessions' });
    // Resume one; resuming a second while it is active is refused.
    expect((await call(`${s.api}/exams/sessions/${attempts[0]}/resume`, 'POST', undefined, token)).status).toBe(200);
    const second = await call(`${s.api}/exams/sessions/${attempts[1]}/resume`, 'POST', undefined, tokens[1]);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ACTIVE_SESSION_EXISTS');
    // A login is for its own exam: another exam's attempt is 404 to it, like an unknown id...
    expect((await call(`${s.api}/exams/sessions/${attempts[1]}/resume`, 'POST', undefined, token)).status).toBe(404);
    // ...and it cannot start another exam, even one the candidate is registered for (404, like an unknown exam).
    const other = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: exams[3] }, token);
    expect(other.status).toBe(404);
    expect((await candidatePolicy(1, true)).status).toBe(200);
  });

  it('candidate login: wrong code is 401 with the envelope and says nothing about which part was wrong', async () => {
    const wrong = await call(`${s.api}/auth/candidate/login`, 'POST', { examId: p.examId, candidateId: p.candidates[4]!.candidateId, accessCode: 'nope-nope' });
    const unknown = await call(`${s.api}/auth/candidate/login`, 'POST', { examId: p.examId, candidateId: 'ghost', accessCode: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('repeated failed logins are rate limited with 429 and Retry-After', async () => {
    const c = p.candidates[5]!;
    let last;
    // Five tries at once, then a growing wait (the schedule itself is tested on a manual clock: login-sessions/throttle.test.ts).
    for (let i = 0; i < 6; i++) last = await call(`${s.api}/auth/candidate/login`, 'POST', { examId: p.examId, candidateId: c.candidateId, accessCode: `wrong-${i}` });
    expect(last!.status).toBe(429);
    expect(last!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
