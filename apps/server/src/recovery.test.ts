import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from './testing/harness.ts';

let s: SpawnedServer;
let p: Provisioned;

beforeAll(async () => {
  s = await spawnServer();
  p = await provision(s, 3);
});
afterAll(() => s.kill());

async function startBound(i: number) {
  const token = await candidateLogin(s, p.examId, p.candidates[i]!);
  const dev = new TestDevice();
  const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, deviceFingerprint: dev.fingerprint, devicePublicKey: dev.publicKey }, token);
  return { token, dev, attemptId: start.body.attemptId as string, recoveryToken: start.body.recoveryToken as string };
}

describe('recovery tokens', () => {
  it('three wrong tokens lock the session; then even the right token is refused, and so is everything else', async () => {
    const { token, dev, attemptId, recoveryToken } = await startBound(0);
    const wrong = () => call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, 'A'.repeat(43)), token);
    const w1 = await wrong();
    expect(w1.status).toBe(403);
    expect(w1.body.error).toMatchObject({ code: 'INVALID_RECOVERY_TOKEN', details: { attemptsLeft: 2 } });
    expect((await wrong()).body.error.details.attemptsLeft).toBe(1);
    const w3 = await wrong();
    expect(w3.status).toBe(423);
    expect(w3.body.error.code).toBe('SESSION_LOCKED');

    const right = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, recoveryToken), token);
    expect(right.status).toBe(423);
    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    expect(hb.body).toMatchObject({ sessionValid: false, isLocked: true });
    const ans = await call(`${s.api}/exams/sessions/${attemptId}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, token);
    expect(ans.status).toBe(423);
    const active = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
    expect(active.body.activeSession.isLocked).toBe(true);
    // That its clock is stopped meanwhile is a rule about time: exam-sessions/clock.test.ts.
  });

  it('a right token recovers, is rotated (once rotated again, the old one is refused), and reports the answers kept', async () => {
    const { token, dev, attemptId, recoveryToken } = await startBound(1);
    await call(`${s.api}/exams/sessions/${attemptId}/answers/q1`, 'PUT', { value: 'b', clientSeq: 4 }, token);
    await call(`${s.api}/exams/sessions/${attemptId}/answers/q3`, 'PUT', { value: 'text', clientSeq: 5 }, token);
    await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    const r = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, recoveryToken), token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ attemptId, answersRestored: 2, status: 'active', lastHeartbeatSeq: 1 });
    expect(r.body.recoveryToken).not.toBe(recoveryToken);
    expect(typeof r.body.lastSaveTime).toBe('string');
    const fresh = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, r.body.recoveryToken), token);
    expect(fresh.status).toBe(200);
    const old = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, recoveryToken), token);
    expect(old.status).toBe(403);
  });

  it('a malformed token is a 400, not a counted attempt', async () => {
    const { token, dev, attemptId } = await startBound(2);
    const r = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', { recoveryToken: 'short', signature: dev.sign('x') }, token);
    expect(r.status).toBe(400);
    const w = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, 'B'.repeat(43)), token);
    expect(w.body.error.details.attemptsLeft).toBe(2);
  });
});
