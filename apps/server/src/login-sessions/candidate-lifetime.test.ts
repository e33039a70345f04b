import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestDevice } from '../testing/harness.ts';
import { adminTokenIn, candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';

/**
 * A candidate's login lives while its exam session can still continue, and ends with it (on a
 * manual clock; the idle timeout of candidate logins is 60 minutes).
 */
let s: InProcess;
let p: Awaited<ReturnType<typeof provisionIn>>;
beforeEach(async () => {
  s = await inProcess();
  p = await provisionIn(s, 2, { durationMinutes: 120 });
});
afterEach(() => s.close());

const HOUR = 3_600_000;
const alive = async (token: string) => (await s.api('GET', '/exams/sessions/active', undefined, token)).status;

async function started(i = 0) {
  const token = await candidateLoginIn(s, p.examId, p.candidates[i]!);
  const dev = new TestDevice();
  const st = await s.api('POST', '/exams/sessions/start', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
  expect(st.status).toBe(201);
  return { token, dev, attemptId: st.body.attemptId as string, recoveryToken: st.body.recoveryToken as string };
}

describe('a candidate login serving an exam session', () => {
  it('survives a three-hour staff pause (and the hourly cleanup) without a new sign-in', async () => {
    const k = await started();
    const admin = await adminTokenIn(s);
    expect((await s.api('POST', `/proctor/sessions/${k.attemptId}/actions`, { action: 'pause', reason: 'evacuation' }, admin)).status).toBe(200);
    s.clock.advance(3 * HOUR);
    await s.jobs.flush();
    await s.jobs.cleanup();
    expect(await alive(k.token)).toBe(200);
    const admin2 = await adminTokenIn(s);
    expect((await s.api('POST', `/proctor/sessions/${k.attemptId}/actions`, { action: 'resume', reason: 'all clear' }, admin2)).status).toBe(200);
    expect((await s.api('POST', '/exams/sessions/heartbeat', k.dev.heartbeat(k.attemptId), k.token)).body).toMatchObject({ sessionValid: true, status: 'active' });
    expect((await s.api('GET', '/sessions', undefined, k.token)).body).toEqual([expect.objectContaining({ isCurrent: true, expiresAt: expect.any(String) })]);
  });

  it('survives a five-hour outage: the session is auto-paused, the kiosk comes back with its old login and recovers', async () => {
    const k = await started();
    s.clock.advance(31_000);
    expect(await s.jobs.sweep()).toMatchObject({ autoPaused: 1 }); // the network is cut: no heartbeats
    s.clock.advance(5 * HOUR);
    await s.jobs.sweep();
    await s.jobs.cleanup();
    expect(await alive(k.token)).toBe(200);
    const r = await s.api('POST', `/exams/sessions/${k.attemptId}/recover`, k.dev.recover(k.attemptId, k.recoveryToken), k.token);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('active');
  });

  it('ends with the session: ten minutes after the submit the login is over', async () => {
    const k = await started();
    s.clock.advance(2 * HOUR - 60_000);
    await s.jobs.cleanup();
    expect((await s.api('POST', `/exams/sessions/${k.attemptId}/submit`, undefined, k.token)).status).toBe(200);
    s.clock.advance(9 * 60_000);
    // A retried submit whose answer was lost still gets its answer.
    expect((await s.api('POST', `/exams/sessions/${k.attemptId}/submit`, undefined, k.token)).status).toBe(200);
    s.clock.advance(60_000);
    expect(await alive(k.token)).toBe(401);
  });

  it('a login without a session still ends after 60 idle minutes', async () => {
    const token = await candidateLoginIn(s, p.examId, p.candidates[1]!);
    s.clock.advance(HOUR);
    expect(await alive(token)).toBe(401);
  });
});
