import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from './testing/harness.ts';
import { peek } from './testing/db-peek.ts';

let s: SpawnedServer;
let p: Provisioned;

beforeAll(async () => {
  s = await spawnServer();
  p = await provision(s, 4);
});
afterAll(() => s.kill());

async function startBound(i: number) {
  const token = await candidateLogin(s, p.examId, p.candidates[i]!);
  const dev = new TestDevice();
  const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, deviceFingerprint: dev.fingerprint, devicePublicKey: dev.publicKey }, token);
  expect(start.status).toBe(201);
  return { token, dev, attemptId: start.body.attemptId as string, recoveryToken: start.body.recoveryToken as string };
}

describe('device binding (Ed25519)', () => {
  it('refuses a heartbeat signed by another key, a reused seq, a missing signature or another fingerprint; the bound device keeps working', async () => {
    const { token, dev, attemptId } = await startBound(0);
    const ok1 = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    expect(ok1.body.sessionValid).toBe(true);

    const intruder = new TestDevice(dev.fingerprint);
    const foreign = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', intruder.heartbeat(attemptId, 50), token);
    expect(foreign.status).toBe(200);
    expect(foreign.body.sessionValid).toBe(false);
    expect(foreign.body.warning).toMatch(/^DEVICE_MISMATCH/);

    const replay = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, 1), token);
    expect(replay.body.sessionValid).toBe(false);
    expect(replay.body.warning).toMatch(/^REPLAYED_SEQ/);

    const unsigned = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', { attemptId, seq: 99, deviceFingerprint: dev.fingerprint }, token);
    expect(unsigned.body.sessionValid).toBe(false);
    const otherFingerprint = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', { ...dev.heartbeat(attemptId, 100), deviceFingerprint: 'another-machine' }, token);
    expect(otherFingerprint.body.sessionValid).toBe(false);
    // A signature over one seq replayed with another seq does not verify.
    const tampered = { ...dev.heartbeat(attemptId, 101), seq: 102 };
    expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', tampered, token)).body.sessionValid).toBe(false);

    // The bound device is unaffected: its next seq (above everything it used) still works.
    dev.seq = 200;
    const ok2 = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    expect(ok2.body).toMatchObject({ sessionValid: true, status: 'active' });
    const ans = await call(`${s.api}/exams/sessions/${attemptId}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, token);
    expect(ans.status).toBe(200);

    const alerts = peek<{ kind: string; severity: string }>(s.dataDir, 'select kind, severity from alerts where attempt_id = ?', attemptId);
    expect(alerts).toContainEqual({ kind: 'device_mismatch', severity: 'critical' });
    expect(alerts.map((a) => a.kind)).toContain('heartbeat_replay');
    const audit = peek<{ action: string }>(s.dataDir, 'select action from audit_events where attempt_id = ?', attemptId).map((a) => a.action);
    expect(audit).toContain('session.device_mismatch');
  });

  it('recovery from another device is refused and does not count against the bound device', async () => {
    const { token, attemptId, recoveryToken, dev } = await startBound(1);
    const intruder = new TestDevice();
    const r = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', intruder.recover(attemptId, recoveryToken), token);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('DEVICE_MISMATCH');
    const noSig = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', { recoveryToken }, token);
    expect(noSig.status).toBe(403);
    const ok = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, recoveryToken), token);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('active');
  });

  it('a device cannot brick itself: a seq more than 10^6 above the last (say 2^53−1) is refused and not taken', async () => {
    const { token, dev, attemptId } = await startBound(3);
    expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, 5), token)).body.sessionValid).toBe(true);
    const huge = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, Number.MAX_SAFE_INTEGER), token);
    expect(huge.status).toBe(200);
    expect(huge.body.sessionValid).toBe(false);
    expect(huge.body.warning).toMatch(/^SEQ_TOO_FAR/);
    expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, 5 + 1_000_001), token)).body.warning).toMatch(/^SEQ_TOO_FAR/);
    // The honest next seq still works, and a jump of exactly 10^6 is allowed.
    expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, 6), token)).body).toMatchObject({ sessionValid: true, status: 'active' });
    expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, 6 + 1_000_000), token)).body.sessionValid).toBe(true);
    expect(peek<{ kind: string }>(s.dataDir, 'select kind from alerts where attempt_id = ?', attemptId).map((a) => a.kind)).toContain('heartbeat_seq_jump');
  });

  it('a malformed device key is rejected at start', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[2]!);
    const r = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: 'not-a-key' }, token);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
});
