import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, QUESTIONS, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client, postRoster } from './testing/kit.ts';

let s: SpawnedServer;
let token: string;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  s = await spawnServer();
  token = await adminToken(s);
  api = client(s, token);
});
afterAll(() => s.kill());

const newExam = async (durationMinutes = 30) => (await api('POST', '/admin/exams', { title: 'Accommodated', durationMinutes, questions: QUESTIONS })).body.id as string;
const regs = async (examId: string) => (await api('GET', `/admin/exams/${examId}/registrations`)).body.registrations as any[];
const start = async (examId: string, c: { candidateId: string; accessCode: string }) => {
  const tok = await candidateLogin(s, examId, c);
  return call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: new TestDevice().publicKey }, tok);
};

describe('accommodations: planned extra time and rest breaks per registration', () => {
  it('imported with the roster (optional CSV columns), shown in the registration list; extra time adds to the allowed time at start', async () => {
    const examId = await newExam(30);
    const r = await postRoster(s, token, examId, 'candidateId,name,accessCode,extraTime,restBreak\nacc-1,Extra Time,code-acc-1,15,10\nacc-2,No Extra,code-acc-2,,\n');
    expect(r.status).toBe(200);
    const list = await regs(examId);
    expect(list.map((x) => [x.candidateId, x.extraTimeMinutes, x.restBreakMinutes])).toEqual([
      ['acc-1', 15, 10],
      ['acc-2', 0, 0],
    ]);
    const a = await start(examId, { candidateId: 'acc-1', accessCode: 'code-acc-1' });
    const b = await start(examId, { candidateId: 'acc-2', accessCode: 'code-acc-2' });
    expect(a.body.timeRemaining).toBe(45 * 60);
    expect(b.body.timeRemaining).toBe(30 * 60);
    // Kept apart from incident time: none was charged.
    const rows = peek<{ allowed_ms: number; incident_ms: number }>(s.dataDir, 'select allowed_ms, incident_ms from exam_sessions where attempt_id = ?', a.body.attemptId);
    expect(rows[0]).toEqual({ allowed_ms: 45 * 60_000, incident_ms: 0 });
  });

  it('a roster without the columns leaves them; JSON takes numbers; bad values are reported by line', async () => {
    const examId = await newExam();
    await postRoster(s, token, examId, 'candidateId,name,accessCode,extraTime\nkeep-1,Keep,code-keep-1,20\n');
    await postRoster(s, token, examId, 'candidateId,name,accessCode\nkeep-1,Keep Renamed,code-keep-1\n');
    expect((await regs(examId))[0]).toMatchObject({ name: 'Keep Renamed', extraTimeMinutes: 20, restBreakMinutes: 0 });
    const json = await call(`${s.api}/admin/exams/${examId}/roster`, 'POST', { candidates: [{ candidateId: 'keep-2', name: 'Json', accessCode: 'code-keep-2', restBreakMinutes: 5 }] }, token);
    expect(json.status).toBe(200);
    expect((await regs(examId)).find((x) => x.candidateId === 'keep-2')).toMatchObject({ extraTimeMinutes: 0, restBreakMinutes: 5 });
    const bad = await postRoster(s, token, examId, 'candidateId,name,accessCode,extraTime\nbad-1,Bad,code-bad-1,lots\nbad-2,Bad,code-bad-2,-5\n', { atomic: false });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => [e.line, e.field])).toEqual([
      [2, 'extraTimeMinutes'],
      [3, 'extraTimeMinutes'],
    ]);
  });

  it('set by admins through their route (audited) until the candidate starts; then 409 ALREADY_STARTED, also for a roster row', async () => {
    const examId = await newExam(20);
    await api('POST', `/admin/exams/${examId}/candidates`, { candidates: [{ candidateId: 'route-1', name: 'Route', accessCode: 'code-route-1' }] });
    const set = await api('PUT', `/admin/exams/${examId}/registrations/route-1/accommodations`, { extraTimeMinutes: 25, restBreakMinutes: 15 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ candidateId: 'route-1', extraTimeMinutes: 25, restBreakMinutes: 15 });
    const partial = await api('PUT', `/admin/exams/${examId}/registrations/route-1/accommodations`, { restBreakMinutes: 5 });
    expect(partial.body).toMatchObject({ extraTimeMinutes: 25, restBreakMinutes: 5 });
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'registration.accommodations_set' and detail like ? order by id", `%${examId}%`);
    expect(JSON.parse(audit[0]!.detail)).toEqual({ examId, candidateId: 'route-1', before: { extraTimeMinutes: 0, restBreakMinutes: 0 }, after: { extraTimeMinutes: 25, restBreakMinutes: 15 } });

    for (const body of [{}, { extraTimeMinutes: -1 }, { extraTimeMinutes: 1.5 }, { extraTimeMinutes: 2000 }, { extraTime: 5 }]) {
      expect((await api('PUT', `/admin/exams/${examId}/registrations/route-1/accommodations`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('PUT', `/admin/exams/${examId}/registrations/nobody/accommodations`, { extraTimeMinutes: 5 })).status).toBe(404);

    const started = await start(examId, { candidateId: 'route-1', accessCode: 'code-route-1' });
    expect(started.body.timeRemaining).toBe(45 * 60);
    const late = await api('PUT', `/admin/exams/${examId}/registrations/route-1/accommodations`, { extraTimeMinutes: 60 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ALREADY_STARTED');
    const lateRow = await postRoster(s, token, examId, 'candidateId,name,accessCode,extraTime\nroute-1,Route,code-route-1,60\n');
    expect(lateRow.status).toBe(422);
    expect(lateRow.body.errors[0]).toMatchObject({ line: 2, field: 'extraTimeMinutes', message: expect.stringMatching(/already started/) });
    // The same values again are no change, and fine.
    expect((await postRoster(s, token, examId, 'candidateId,name,accessCode,extraTime\nroute-1,Route,code-route-1,25\n')).status).toBe(200);
    expect((await regs(examId))[0]).toMatchObject({ extraTimeMinutes: 25, restBreakMinutes: 5 });
  });
});
