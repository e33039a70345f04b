import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from './testing/harness.ts';
import { peek } from './testing/db-peek.ts';

/**
 * The real server on a real port, with its own timers: a silent kiosk is paused and the batched
 * presence flush reaches the file. The exact rules (the threshold, what is charged) are tested on
 * a manual clock in exam-sessions/clock.test.ts; here nothing asserts how fast things happen, the
 * test only waits (within a generous bound) for them to happen.
 */
let s: SpawnedServer;
let p: Provisioned;

beforeAll(async () => {
  s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
  p = await provision(s, 2);
});
afterAll(() => s.kill());

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('missed heartbeats pause the clock (real server, real timers)', () => {
  it('a live kiosk stays active; a silent one is auto-paused, refused as paused, and resumes where its clock stopped', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[0]!);
    const dev = new TestDevice();
    const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
    expect(start.body.heartbeatIntervalMs).toBe(200);
    const attemptId = start.body.attemptId;
    for (let i = 0; i < 3; i++) expect((await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token)).body.sessionValid).toBe(true);

    const paused = await until('the auto-pause', async () => {
      const a = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token);
      return !a.body.hasActiveSession && a.body.pausedSessions[0];
    });
    expect(paused).toMatchObject({ status: 'paused', canResume: true });
    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    expect(hb.body).toMatchObject({ sessionValid: false, status: 'paused' });
    expect(hb.body.warning).toMatch(/^SESSION_PAUSED/);

    const resumed = await call(`${s.api}/exams/sessions/${attemptId}/resume`, 'POST', undefined, token);
    expect(resumed.body.status).toBe('active');
    expect(resumed.body.timeRemaining).toBe(paused.timeRemaining);
    expect(peek<{ kind: string }>(s.dataDir, 'select kind from alerts where attempt_id = ?', attemptId).map((a) => a.kind)).toContain('offline');
    const audit = peek<{ action: string; actor_type: string }>(s.dataDir, 'select action, actor_type from audit_events where attempt_id = ? order by id', attemptId);
    expect(audit.map((a) => a.action)).toEqual(['session.started', 'session.auto_paused', 'session.resumed']);
    expect(audit[1]!.actor_type).toBe('system');
  });

  it('heartbeat presence (seq, count) reaches the database through the batched flush', async () => {
    const token = await candidateLogin(s, p.examId, p.candidates[1]!);
    const dev = new TestDevice();
    const start = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
    for (let i = 0; i < 20; i++) await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(start.body.attemptId), token);
    const row = await until('the presence flush', async () => {
      const r = peek<{ last_seq: number; heartbeat_count: number }>(s.dataDir, 'select last_seq, heartbeat_count from exam_sessions where attempt_id = ?', start.body.attemptId)[0];
      return r && r.last_seq === 20 && r;
    });
    expect(row.heartbeat_count).toBe(20);
  });
});
