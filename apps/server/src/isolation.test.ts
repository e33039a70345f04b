import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, setCandidatePolicy, spawnServer, TestDevice, type SpawnedServer } from './testing/harness.ts';

let s: SpawnedServer;
beforeAll(async () => {
  s = await spawnServer();
});
afterAll(() => s.kill());

describe('a candidate can never see or touch another candidate’s attempt', () => {
  it('every attempt route answers 404 to candidate B, exactly as for an id that does not exist, and changes nothing', async () => {
    const p = await provision(s, 2);
    const tokenA = await candidateLogin(s, p.examId, p.candidates[0]!);
    const tokenB = await candidateLogin(s, p.examId, p.candidates[1]!);
    const devA = new TestDevice();
    const startA = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: devA.publicKey }, tokenA);
    const a = startA.body.attemptId as string;
    await call(`${s.api}/exams/sessions/${a}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, tokenA);

    const devB = new TestDevice();
    const probes: [string, string, unknown?][] = [
      ['POST', `/exams/sessions/${a}/pause`],
      ['POST', `/exams/sessions/${a}/resume`],
      ['POST', `/exams/sessions/${a}/recover`, { recoveryToken: startA.body.recoveryToken, signature: devB.sign('x'.repeat(10)) }],
      ['PUT', `/exams/sessions/${a}/answers/q1`, { value: 'b', clientSeq: 99 }],
      ['GET', `/exams/sessions/${a}/answers`],
      ['POST', `/exams/sessions/${a}/submit`],
      ['DELETE', `/exams/sessions/${a}`],
      ['POST', '/exams/sessions/heartbeat', devB.heartbeat(a)],
    ];
    for (const [method, path, body] of probes) {
      const theirs = await call(`${s.api}${path}`, method, body, tokenB);
      const ghost = await call(`${s.api}${path.replace(a, '00000000-0000-4000-8000-000000000000')}`, method, body && JSON.parse(JSON.stringify(body).replace(a, '00000000-0000-4000-8000-000000000000')), tokenB);
      expect(theirs.status, `${method} ${path}`).toBe(404);
      expect(theirs.body, `${method} ${path}`).toEqual(ghost.body);
    }
    // A's attempt is untouched.
    const mine = await call(`${s.api}/exams/sessions/${a}/answers`, 'GET', undefined, tokenA);
    expect(mine.body.answers).toEqual([expect.objectContaining({ questionId: 'q1', value: 'a', clientSeq: 1 })]);
    const active = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, tokenA);
    expect(active.body.activeSession).toMatchObject({ attemptId: a, status: 'active' });
    const activeB = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, tokenB);
    expect(activeB.body).toMatchObject({ hasActiveSession: false, pausedSessions: [] });
  });

  it('a candidate cannot read another exam, and staff routes refuse candidates', async () => {
    const p1 = await provision(s, 1, { prefix: 'x' });
    const p2 = await provision(s, 1, { prefix: 'y' });
    const token = await candidateLogin(s, p1.examId, p1.candidates[0]!);
    expect((await call(`${s.api}/exams/${p2.examId}`, 'GET', undefined, token)).status).toBe(404);
    expect((await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p2.examId }, token)).status).toBe(404);
    expect((await call(`${s.api}/admin/exams`, 'POST', { title: 't', durationMinutes: 5, questions: [] }, token)).status).toBe(403);
    expect((await call(`${s.api}/admin/exams`, 'POST', { title: 't', durationMinutes: 5, questions: [] })).status).toBe(401);
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, p1.adminToken)).status).toBe(403);
  });
  it("a login for one exam cannot touch the same candidate's attempt in another exam", async () => {
    const p1 = await provision(s, 1, { prefix: 'twin' });
    const p2 = await provision(s, 1, { prefix: 'twin' }); // the same candidate id, registered in a second exam
    const admin = p1.adminToken;
    // Let a candidate hold two logins at once, so both exist side by side.
    const policy = (maxSessions: number, denyWhileExamActive: boolean) => setCandidatePolicy(s, admin, maxSessions, denyWhileExamActive);
    expect((await policy(2, false)).status).toBe(200);
    try {
      const t1 = await candidateLogin(s, p1.examId, p1.candidates[0]!);
      const dev = new TestDevice();
      const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p1.examId, devicePublicKey: dev.publicKey }, t1);
      const a = st.body.attemptId as string;
      await call(`${s.api}/exams/sessions/${a}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, t1);
      const t2 = await candidateLogin(s, p2.examId, p2.candidates[0]!);
      for (const [method, path, body] of [
        ['GET', `/exams/sessions/${a}/answers`],
        ['PUT', `/exams/sessions/${a}/answers/q1`, { value: 'b', clientSeq: 2 }],
        ['POST', `/exams/sessions/${a}/pause`],
        ['POST', `/exams/sessions/${a}/submit`],
        ['DELETE', `/exams/sessions/${a}`],
        ['POST', '/exams/sessions/heartbeat', dev.heartbeat(a)],
      ] as [string, string, unknown?][]) {
        expect((await call(`${s.api}${path}`, method, body, t2)).status, `${method} ${path}`).toBe(404);
      }
      // The attempt is untouched and still works with its own exam's login.
      const answers = await call(`${s.api}/exams/sessions/${a}/answers`, 'GET', undefined, t1);
      expect(answers.body.answers).toEqual([expect.objectContaining({ value: 'a', clientSeq: 1 })]);
      expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(a), t1)).body.sessionValid).toBe(true);
    } finally {
      await policy(1, true);
    }
  });
});
