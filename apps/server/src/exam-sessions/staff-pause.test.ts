import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { peek } from '../testing/db-peek.ts';
import { TestDevice } from '../testing/harness.ts';
import { adminTokenIn, candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';

/** Staff pauses, incident time and the transfer's resume code, on a manual clock. */
let s: InProcess;
let admin: string;
let token: string;
let attemptId: string;
let p: Awaited<ReturnType<typeof provisionIn>>;

beforeEach(async () => {
  s = await inProcess();
  p = await provisionIn(s, 1);
  admin = await adminTokenIn(s);
  token = await candidateLoginIn(s, p.examId, p.candidates[0]!);
  const dev = new TestDevice();
  attemptId = (await s.api('POST', '/exams/sessions/start', { examSetId: p.examId, devicePublicKey: dev.publicKey }, token)).body.attemptId;
});
afterEach(() => s.close());

const act = (body: Record<string, unknown>) => s.api('POST', `/proctor/sessions/${attemptId}/actions`, body, admin);

describe('a staff pause', () => {
  it('stops the clock, is incident time to the second, and only staff end it', async () => {
    s.clock.advance(60_000);
    const paused = await act({ action: 'pause', reason: 'fire alarm' });
    expect(paused.body).toMatchObject({ status: 'paused', pauseKind: 'staff', timeRemaining: 59 * 60 });
    s.clock.advance(7 * 60_000 + 30_000);
    expect((await s.api('POST', `/exams/sessions/${attemptId}/resume`, undefined, token)).body.error.code).toBe('PAUSED_BY_STAFF');
    const resumed = await act({ action: 'resume', reason: 'alarm over' });
    expect(resumed.body).toMatchObject({ status: 'active', incidentSeconds: 450, timeRemaining: 59 * 60 });
    // The action, its audit entry and the kiosk's instruction are one transaction.
    const audit = peek<{ action: string }>(s.dataDir, "select action from audit_events where attempt_id = ? and actor_type = 'staff' order by id", attemptId).map((a) => a.action);
    expect(audit).toEqual(['session.paused', 'session.resumed']);
    expect(peek<{ type: string }>(s.dataDir, 'select type from instructions where attempt_id = ? order by issued_at, rowid', attemptId).map((i) => i.type)).toEqual(['pause', 'resume']);
  });
});

describe('a transfer to another desk', () => {
  const claim = (resumeCode: string, dev = new TestDevice()) => s.api('POST', '/exams/sessions/transfer/claim', { resumeCode, devicePublicKey: dev.publicKey }, token);

  it('is claimed by the candidate (audited as them), with the staff pause counted as incident time', async () => {
    const t = await s.api('POST', `/proctor/sessions/${attemptId}/transfer`, { reason: 'screen flickers' }, admin);
    expect(t.status).toBe(200);
    s.clock.advance(4 * 60_000);
    const c = await claim(t.body.resumeCode);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('active');
    const claimed = peek<{ actor_type: string; actor_id: string }>(s.dataDir, "select actor_type, actor_id from audit_events where attempt_id = ? and action in ('session.transfer_claimed', 'session.resumed') order by id", attemptId);
    expect(claimed).toEqual([
      { actor_type: 'candidate', actor_id: p.candidates[0]!.candidateId },
      { actor_type: 'candidate', actor_id: p.candidates[0]!.candidateId },
    ]);
    expect((await s.db.repos.examSessions.get(attemptId))!.state.incidentMs).toBe(4 * 60_000);
  });

  it('the resume code expires after 15 minutes', async () => {
    const t = await s.api('POST', `/proctor/sessions/${attemptId}/transfer`, { reason: 'screen flickers' }, admin);
    s.clock.advance(15 * 60_000);
    expect((await claim(t.body.resumeCode)).body.error.code).toBe('INVALID_RESUME_CODE');
  });

  it('five wrong codes kill it, counted in the database (not in one process’s memory)', async () => {
    const t = await s.api('POST', `/proctor/sessions/${attemptId}/transfer`, { reason: 'screen flickers' }, admin);
    for (let i = 1; i <= 4; i++) {
      expect((await claim('AAAA-AAAA-AAAA-AAAA-AAAA-AA')).status).toBe(403);
      expect((await s.db.repos.examSessions.get(attemptId))!.resumeCodeFailures).toBe(i);
    }
    expect((await claim('AAAA-AAAA-AAAA-AAAA-AAAA-AA')).status).toBe(403);
    expect((await s.db.repos.examSessions.get(attemptId))!.resumeCodeHash).toBeNull();
    expect((await claim(t.body.resumeCode)).body.error.code).toBe('INVALID_RESUME_CODE');
  });
});
