import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, sleep, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from './testing/harness.ts';
import { peek } from './testing/db-peek.ts';

let s: SpawnedServer;
let p: Provisioned;

beforeAll(async () => {
  s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
  p = await provision(s, 2);
});
afterAll(() => s.kill());

describe('missed heartbeats pause the clock', () => {
  it('a silent session is paused within ~1 s; its time does not fall while paused; resume continues from the same value', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[0]!);
    const dev = new TestDevice();
    const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
    expect(start.body.heartbeatIntervalMs).toBe(200);
    const attemptId = start.body.attemptId;
    // A live kiosk beating every 200 ms stays active.
    for (let i = 0; i < 6; i++) {
      const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
      expect(hb.body.sessionValid).toBe(true);
      await sleep(150);
    }
    // Silence: 3 × 200 ms threshold.
    const silentAt = Date.now();
    let status = 'active';
    while (status === 'active' && Date.now() - silentAt < 3_000) {
      await sleep(50);
      const a = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
      status = a.body.hasActiveSession ? 'active' : a.body.pausedSessions[0]?.status;
    }
    const pausedAfter = Date.now() - silentAt;
    expect(status).toBe('paused');
    expect(pausedAfter).toBeLessThan(1_500);

    const a1 = (await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token)).body.pausedSessions[0];
    expect(a1.canResume).toBe(true);
    await sleep(2_200);
    const a2 = (await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token)).body.pausedSessions[0];
    expect(a2.timeRemaining).toBe(a1.timeRemaining);

    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    expect(hb.body).toMatchObject({ sessionValid: false, status: 'paused' });
    expect(hb.body.warning).toMatch(/^SESSION_PAUSED/);

    const resumed = await call(`${s.api}/exams/sessions/${attemptId}/resume`, 'POST', undefined, token);
    expect(resumed.body.status).toBe('active');
    expect(resumed.body.timeRemaining).toBe(a1.timeRemaining);

    const alerts = peek<{ kind: string }>(s.dataDir, 'select kind from alerts where attempt_id = ?', attemptId).map((a) => a.kind);
    expect(alerts).toContain('offline');
    const audit = peek<{ action: string; actor_type: string }>(s.dataDir, "select action, actor_type from audit_events where attempt_id = ? order by id", attemptId);
    expect(audit.map((a) => a.action)).toEqual(['session.started', 'session.auto_paused', 'session.resumed']);
    expect(audit[1]!.actor_type).toBe('system');
  });

  it('heartbeat presence (seq, count) reaches the database through the batched flush', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[1]!);
    const dev = new TestDevice();
    const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
    for (let i = 0; i < 20; i++) await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(start.body.attemptId), token);
    await sleep(400);
    const row = peek<{ last_seq: number; heartbeat_count: number }>(s.dataDir, 'select last_seq, heartbeat_count from exam_sessions where attempt_id = ?', start.body.attemptId)[0]!;
    expect(row.last_seq).toBe(20);
    expect(row.heartbeat_count).toBe(20);
  });
});
