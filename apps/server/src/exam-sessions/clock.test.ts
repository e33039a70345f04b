import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { peek, sqliteClient } from '../testing/db-peek.ts';
import { adminTokenIn, candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';

/**
 * Rules about time, through the whole app in-process (createApp with the composition root's
 * services on a real SQLite file) and a clock the test moves by hand: no sleeps.
 */
let s: InProcess;
let examId: string;
let token: string;
let cand: { candidateId: string; accessCode: string };

beforeEach(async () => {
  s = await inProcess({ HEARTBEAT_INTERVAL_MS: '10000', PAUSED_SESSION_TTL_MS: '3600000' });
  const p = await provisionIn(s, 1, { durationMinutes: 10, questions: [{ id: 'q', type: 'text', prompt: 'p' }] });
  examId = p.examId;
  cand = p.candidates[0]!;
  token = await candidateLoginIn(s, examId, cand);
});
afterEach(() => s.close());

const start = async () => {
  const r = await s.api('POST', '/exams/sessions/start', { examSetId: examId }, token);
  expect(r.status).toBe(201);
  return r.body as { attemptId: string; timeRemaining: number };
};
const save = (attemptId: string, value: string, clientSeq: number) => s.api('PUT', `/exams/sessions/${attemptId}/answers/q`, { value, clientSeq }, token);
const active = async () => (await s.api('GET', '/exams/sessions/active', undefined, token)).body;

describe('the exam clock on the server', () => {
  it('time running out completes the attempt (auto-submit) at the moment it ran out, keeping the answers', async () => {
    const st = await start();
    expect(st.timeRemaining).toBe(600);
    s.clock.advance(5 * 60_000);
    expect((await save(st.attemptId, 'half way', 1)).status).toBe(200);
    s.clock.advance(5 * 60_000 + 1);
    expect((await s.jobs.sweep()).completed).toBe(1);
    const rec = (await s.db.repos.examSessions.get(st.attemptId))!;
    expect(rec.state).toMatchObject({ status: 'completed', endReason: 'time_up', endedAt: Date.parse('2026-12-01T09:10:00Z') });
    expect((await s.db.repos.answers.list(st.attemptId)).map((a) => a.value)).toEqual(['half way']);
    const late = await save(st.attemptId, 'too late', 2);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SESSION_FINISHED');
  });

  it('an answer arriving after time is up is refused even before the sweeper ran', async () => {
    const st = await start();
    s.clock.advance(10 * 60_000);
    const late = await save(st.attemptId, 'late', 1);
    expect(late.body.error.code).toBe('SESSION_FINISHED');
    expect((await s.db.repos.examSessions.get(st.attemptId))!.state.status).toBe('completed');
    expect(await s.db.repos.answers.list(st.attemptId)).toEqual([]);
  });

  it('the answer write itself refuses a session that is not running, whoever changed it', async () => {
    const st = await start();
    // Straight at the repository, as a second process would race: the session is paused meanwhile.
    await s.api('POST', `/exams/sessions/${st.attemptId}/pause`, undefined, token);
    const [r] = await s.db.repos.answers.saveBatch([{ attemptId: st.attemptId, questionId: 'q', valueJson: '"x"', clientSeq: 1, at: s.clock.now() }]);
    expect(r).toEqual({ outcome: 'refused' });
    await s.api('POST', `/exams/sessions/${st.attemptId}/resume`, undefined, token);
    const [ok] = await s.db.repos.answers.saveBatch([{ attemptId: st.attemptId, questionId: 'q', valueJson: '"x"', clientSeq: 1, at: s.clock.now() }]);
    expect(ok).toMatchObject({ outcome: 'applied' });
    // Past the end of its time (the sweeper has not run): refused too.
    const [late] = await s.db.repos.answers.saveBatch([{ attemptId: st.attemptId, questionId: 'q', valueJson: '"y"', clientSeq: 2, at: s.clock.now() + 11 * 60_000 }]);
    expect(late).toEqual({ outcome: 'refused' });
  });

  it('auto-pause charges the candidate only up to the last heartbeat, not the detection delay', async () => {
    const st = await start();
    s.clock.advance(60_000); // last sign of life at +1 min
    expect((await s.api('POST', '/exams/sessions/heartbeat', { attemptId: st.attemptId, seq: 1 }, token)).body.sessionValid).toBe(true);
    s.clock.advance(29_999);
    expect((await s.jobs.sweep()).autoPaused).toBe(0);
    s.clock.advance(15_001); // silent for 45 s > 3 × 10 s
    expect((await s.jobs.sweep()).autoPaused).toBe(1);
    expect((await s.jobs.sweep()).autoPaused).toBe(0); // once only
    expect((await active()).pausedSessions[0].timeRemaining).toBe(540); // 10 min − 1 min, not − 1 min 45 s
    s.clock.advance(30 * 60_000);
    expect((await active()).pausedSessions[0].timeRemaining).toBe(540);
    const resumed = await s.api('POST', `/exams/sessions/${st.attemptId}/resume`, undefined, token);
    expect(resumed.body).toMatchObject({ status: 'active', timeRemaining: 540 });
    const audit = peek<{ action: string; actor_type: string }>(s.dataDir, 'select action, actor_type from audit_events where attempt_id = ? order by id', st.attemptId);
    expect(audit.map((a) => a.action)).toEqual(['session.started', 'session.auto_paused', 'session.resumed']);
    expect(audit[1]!.actor_type).toBe('system');
    const alerts = peek<{ kind: string }>(s.dataDir, 'select kind from alerts where attempt_id = ?', st.attemptId);
    expect(alerts.map((a) => a.kind)).toEqual(['offline']);
  });

  it('a per-exam heartbeat policy is what the sweeper goes by', async () => {
    await s.api('PUT', `/admin/exams/${examId}/policy`, { heartbeatIntervalMs: 2_000, missedHeartbeatsBeforePause: 2 }, await adminTokenIn(s));
    const st = await start();
    expect((await s.api('GET', '/exams/sessions/active', undefined, token)).body.activeSession.attemptId).toBe(st.attemptId);
    s.clock.advance(3_999);
    expect((await s.jobs.sweep()).autoPaused).toBe(0);
    s.clock.advance(1);
    expect((await s.jobs.sweep()).autoPaused).toBe(1);
  });

  it('heartbeats keep a session alive; presence reaches the database through the batched flush', async () => {
    const st = await start();
    for (let i = 1; i <= 20; i++) {
      s.clock.advance(9_000);
      expect((await s.api('POST', '/exams/sessions/heartbeat', { attemptId: st.attemptId, seq: i }, token)).body.sessionValid).toBe(true);
      expect((await s.jobs.sweep()).autoPaused).toBe(0);
    }
    await s.jobs.flush();
    expect(peek<{ last_seq: number; heartbeat_count: number }>(s.dataDir, 'select last_seq, heartbeat_count from exam_sessions where attempt_id = ?', st.attemptId)[0]).toEqual({ last_seq: 20, heartbeat_count: 20 });
  });

  it('a paused session older than PAUSED_SESSION_TTL_MS expires and its attempt is abandoned', async () => {
    const st = await start();
    await s.api('POST', `/exams/sessions/${st.attemptId}/pause`, undefined, token);
    s.clock.advance(3_599_000);
    expect((await s.jobs.sweep()).expired).toBe(0);
    s.clock.advance(1_000);
    expect((await s.jobs.sweep()).expired).toBe(1);
    expect((await s.jobs.sweep()).expired).toBe(0);
    expect((await s.db.repos.examSessions.get(st.attemptId))!.state).toMatchObject({ status: 'expired', endReason: 'paused_ttl' });
    token = await candidateLoginIn(s, examId, cand); // an hour idle: the login ended meanwhile
    expect((await s.api('POST', `/exams/sessions/${st.attemptId}/resume`, undefined, token)).body.error.message).toMatch(/expired/);
    expect((await s.api('POST', '/exams/sessions/start', { examSetId: examId }, token)).body.error.message).toMatch(/already attempted/);
  });

  it('the clock is stopped while a session is locked', async () => {
    const st = await start();
    const adminToken = await adminTokenIn(s);
    s.clock.advance(60_000);
    await s.api('POST', `/proctor/sessions/${st.attemptId}/actions`, { action: 'lock', reason: 'looked around' }, adminToken);
    const t1 = (await active()).activeSession.timeRemaining;
    s.clock.advance(5 * 60_000);
    expect((await active()).activeSession.timeRemaining).toBe(t1);
    // Locked and silent: never auto-paused (its heartbeats are refused untouched).
    expect((await s.jobs.sweep()).autoPaused).toBe(0);
  });

  it('every state change leaves an audit event (who, what, why, when), and the audit table refuses edits', async () => {
    const st = await start();
    await s.api('POST', `/exams/sessions/${st.attemptId}/pause`, undefined, token);
    await s.api('POST', `/exams/sessions/${st.attemptId}/resume`, undefined, token);
    await s.api('POST', `/exams/sessions/${st.attemptId}/submit`, undefined, token);
    const rows = peek<Record<string, unknown>>(s.dataDir, 'select at, actor_type, actor_id, action, reason, ip from audit_events where attempt_id = ? order by id', st.attemptId);
    expect(rows.map((r) => r.action)).toEqual(['session.started', 'session.paused', 'session.resumed', 'session.completed']);
    for (const r of rows) expect(r).toMatchObject({ actor_type: 'candidate', actor_id: cand.candidateId, at: s.clock.now() });
    expect(rows[3]!.reason).toBe('submitted');
    const sqlite = sqliteClient(s.db);
    expect(() => sqlite.prepare("update audit_events set action = 'x'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('delete from audit_events').run()).toThrow(/append-only/);
  });
});
