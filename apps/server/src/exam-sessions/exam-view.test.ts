import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokenIn, candidateLoginIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';

/**
 * Questions before (and after) the exam, on a manual clock: GET /exams/{id} serves question text
 * only while the candidate's session is active and unlocked inside the exam's window.
 */
let s: InProcess;
beforeEach(async () => {
  s = await inProcess();
});
afterEach(() => s.close());

const DAY = 86_400_000;

describe('GET /exams/{examId}', () => {
  it('a week before the window opens, before the start, while paused or locked, and after the end: a clear 403; only while the session runs: the questions', async () => {
    const p = await provisionIn(s, 1, { durationMinutes: 30 });
    const opensAt = s.clock.t + 7 * DAY;
    expect((await s.api('PUT', `/admin/exams/${p.examId}/window`, { opensAt: new Date(opensAt).toISOString(), closesAt: new Date(opensAt + DAY).toISOString() }, p.adminToken)).status).toBe(200);
    let token = await candidateLoginIn(s, p.examId, p.candidates[0]!);
    const exam = () => s.api('GET', `/exams/${p.examId}`, undefined, token);
    const refusedWith = async (reason: string) => {
      const r = await exam();
      expect(r.status, reason).toBe(403);
      expect(r.body.error, reason).toMatchObject({ code: 'QUESTIONS_NOT_AVAILABLE', details: { reason } });
      // The cover page, so the kiosk can ask "is this you, is this your exam?" (no questions in it).
      expect(r.body.error.details.cover, reason).toEqual({ id: p.examId, title: 'In-process exam', durationMinutes: 30, candidate: { id: p.candidates[0]!.candidateId, name: p.candidates[0]!.name } });
      expect(JSON.stringify(r.body)).not.toContain('Capital of France');
    };

    await refusedWith('not_open');
    s.clock.advance(7 * DAY);
    token = await candidateLoginIn(s, p.examId, p.candidates[0]!); // a week-old login has expired
    const admin = await adminTokenIn(s);
    await refusedWith('not_started');

    const start = await s.api('POST', '/exams/sessions/start', { examSetId: p.examId }, token);
    expect(start.status).toBe(201);
    const attemptId = start.body.attemptId as string;
    const open = await exam();
    expect(open.status).toBe(200);
    expect(open.body.questions.map((q: { prompt: string }) => q.prompt)).toContain('Capital of France?');
    expect(JSON.stringify(open.body)).not.toContain('correct');

    expect((await s.api('POST', `/exams/sessions/${attemptId}/pause`, undefined, token)).status).toBe(200);
    await refusedWith('paused');
    expect((await s.api('POST', `/exams/sessions/${attemptId}/resume`, undefined, token)).status).toBe(200);
    expect((await exam()).status).toBe(200);

    expect((await s.api('POST', `/proctor/sessions/${attemptId}/actions`, { action: 'lock', reason: 'phone on the desk' }, admin)).status).toBe(200);
    await refusedWith('locked');
    expect((await s.api('POST', `/proctor/sessions/${attemptId}/actions`, { action: 'unlock', reason: 'phone handed in' }, admin)).status).toBe(200);
    expect((await exam()).status).toBe(200);

    // Time runs out: over, even before the sweeper has looked.
    s.clock.advance(31 * 60_000);
    await refusedWith('finished');
  });

  it('another exam is 404, as for an unknown one', async () => {
    const p = await provisionIn(s, 1);
    const token = await candidateLoginIn(s, p.examId, p.candidates[0]!);
    const other = await s.api('POST', '/admin/exams', { title: 'Other', durationMinutes: 10, questions: [{ id: 'q', type: 'text', prompt: 'Secret other prompt' }] }, p.adminToken);
    const r = await s.api('GET', `/exams/${other.body.id}`, undefined, token);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('Secret other prompt');
  });
});
