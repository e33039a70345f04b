import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { peek } from '../testing/db-peek.ts';
import { TestDevice } from '../testing/harness.ts';
import { adminTokenIn, candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';
import { RECOVERY_RETRY_GRACE_MS } from './recovery-service.ts';

/**
 * A lost network answer must not hurt: a request retried because its answer never arrived gets the
 * same result, and a heartbeat on a session that can no longer change consumes nothing.
 */
let s: InProcess;
let token: string;
let attemptId: string;
let recoveryToken: string;
let dev: TestDevice;

beforeEach(async () => {
  s = await inProcess();
  const p = await provisionIn(s, 1);
  token = await candidateLoginIn(s, p.examId, p.candidates[0]!);
  dev = new TestDevice();
  const st = await s.api('POST', '/exams/sessions/start', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
  ({ attemptId, recoveryToken } = st.body);
});
afterEach(() => s.close());

const recover = (t: string) => s.api('POST', `/exams/sessions/${attemptId}/recover`, dev.recover(attemptId, t), token);
const beat = (seq: number) => s.api('POST', '/exams/sessions/heartbeat', dev.heartbeat(attemptId, seq), token);
const failures = () => peek<{ n: number }>(s.dataDir, "select count(*) as n from audit_events where attempt_id = ? and action = 'session.recovery_failed'", attemptId)[0]!.n;

describe('recover retried with the token it used (its answer was lost)', () => {
  it('answers 200 again with the same new token, counts no failure, and that token works', async () => {
    const first = await recover(recoveryToken);
    expect(first.status).toBe(200);
    s.clock.advance(5_000);
    const again = await recover(recoveryToken);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ attemptId, recoveryToken: first.body.recoveryToken, status: 'active' });
    expect(failures()).toBe(0);
    expect((await s.db.repos.examSessions.get(attemptId))!.state.recoveryAttempts).toBe(0);
    // The token it returned (the same both times) is the one that works next.
    const next = await recover(again.body.recoveryToken);
    expect(next.status).toBe(200);
    expect(next.body.recoveryToken).not.toBe(again.body.recoveryToken);
  });

  it('only within the grace window, and only for the token just replaced', async () => {
    const first = await recover(recoveryToken);
    s.clock.advance(RECOVERY_RETRY_GRACE_MS + 1);
    const late = await recover(recoveryToken);
    expect(late.status).toBe(403);
    expect(late.body.error).toMatchObject({ code: 'INVALID_RECOVERY_TOKEN', details: { attemptsLeft: 2 } });
    // Rotated once more: the first token is two generations old and never a retry.
    const second = await recover(first.body.recoveryToken);
    expect(second.status).toBe(200);
    expect((await recover(recoveryToken)).status).toBe(403);
    expect(failures()).toBe(2);
  });

  it('still needs the device signature', async () => {
    await recover(recoveryToken);
    const other = new TestDevice();
    const forged = await s.api('POST', `/exams/sessions/${attemptId}/recover`, other.recover(attemptId, recoveryToken), token);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('DEVICE_MISMATCH');
  });
});

describe('a heartbeat on a session that can no longer change consumes nothing', () => {
  it('after submit: sessionValid false, and a later lower seq gets the same answer', async () => {
    expect((await beat(5)).body.sessionValid).toBe(true);
    await s.jobs.flush();
    expect((await s.api('POST', `/exams/sessions/${attemptId}/submit`, undefined, token)).body.status).toBe('completed');
    const after = await beat(9);
    expect(after.body).toMatchObject({ sessionValid: false, status: 'completed' });
    const lower = await beat(7);
    expect(lower.body).toEqual(after.body);
    expect(lower.body.warning).not.toMatch(/REPLAYED_SEQ/);
    await s.jobs.flush();
    expect(peek<{ last_seq: number; heartbeat_count: number }>(s.dataDir, 'select last_seq, heartbeat_count from exam_sessions where attempt_id = ?', attemptId)[0]).toEqual({ last_seq: 5, heartbeat_count: 1 });
    expect(await s.shared.presence.get(attemptId)).toBeUndefined();
  });

  it('while locked: refused untouched (no seq taken), and after the unlock the kiosk carries on from where it was', async () => {
    expect((await beat(3)).body.sessionValid).toBe(true);
    const admin = await adminTokenIn(s);
    await s.api('POST', `/proctor/sessions/${attemptId}/actions`, { action: 'lock', reason: 'phone on the desk' }, admin);
    const seen = (await s.shared.presence.get(attemptId))!;
    s.clock.advance(2_000);
    const locked = await beat(10);
    expect(locked.body).toMatchObject({ sessionValid: false, isLocked: true });
    expect(locked.body.instructions.map((i: { type: string }) => i.type)).toEqual(['lock']);
    expect(await s.shared.presence.get(attemptId)).toEqual(seen);
    await s.api('POST', `/proctor/sessions/${attemptId}/actions`, { action: 'unlock', reason: 'phone handed in' }, admin);
    // seq 4 was never consumed while locked: it is accepted now.
    expect((await beat(4)).body.sessionValid).toBe(true);
  });
});
