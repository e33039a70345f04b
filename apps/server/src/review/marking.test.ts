import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, client, staffWithToken } from '../admin/testing/kit.ts';
import { peek, tamper } from '../testing/db-peek.ts';
import { call, candidateLogin, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';

const QS = [
  { id: 'q1', type: 'single', prompt: 'Capital of France?', options: [{ id: 'a', label: 'Paris' }, { id: 'b', label: 'Lyon' }], correct: ['a'], points: 1 },
  { id: 'q2', type: 'multiple', prompt: 'Primes?', options: [{ id: 'two', label: '2' }, { id: 'three', label: '3' }, { id: 'four', label: '4' }], correct: ['two', 'three'], points: 2 },
  { id: 'q3', type: 'text', prompt: 'Explain recursion.', points: 5 },
];

let s: SpawnedServer;
let api: ReturnType<typeof client>;
let tok: string;
let examId: string;
const attempt: Record<string, string> = {};

async function sit(candidateId: string, answers: [string, unknown][], submit = true): Promise<string> {
  const tok = await candidateLogin(s, examId, { candidateId, accessCode: `code-${candidateId}` });
  const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: new TestDevice().publicKey }, tok);
  for (const [q, v] of answers) await call(`${s.api}/exams/sessions/${st.body.attemptId}/answers/${q}`, 'PUT', { value: v, clientSeq: 1 }, tok);
  if (submit) await call(`${s.api}/exams/sessions/${st.body.attemptId}/submit`, 'POST', undefined, tok);
  return st.body.attemptId as string;
}

beforeAll(async () => {
  s = await spawnServer();
  tok = await adminToken(s);
  api = client(s, tok);
  examId = (await api('POST', '/admin/exams', { title: 'Marking, Paper 1', durationMinutes: 30, questions: QS })).body.id;
  await api('POST', `/admin/exams/${examId}/candidates`, { candidates: ['m-a', 'm-b', 'm-c', 'm-d'].map((id) => ({ candidateId: id, name: `Name ${id}`, accessCode: `code-${id}` })) });
  await api('PUT', `/admin/exams/${examId}/registrations/m-a/accommodations`, { extraTimeMinutes: 10, restBreakMinutes: 5 });
  attempt.a = await sit('m-a', [['q1', 'a'], ['q2', ['two', 'three']], ['q3', 'A function that calls itself.']]);
  attempt.b = await sit('m-b', [['q1', 'b']]);
  attempt.d = await sit('m-d', [['q1', 'a']], false);
});
afterAll(() => s.kill());

const mark = (attemptId: string, q: string, body: unknown) => api('PUT', `/review/sessions/${attemptId}/marks/${q}`, body);

describe('marking text answers in review', () => {
  it('the detail shows questions with text and options, the unmarked text answer, and totals without it', async () => {
    const d = await api('GET', `/review/sessions/${attempt.a}`);
    expect(d.status).toBe(200);
    expect(d.body.questions.map((q: any) => [q.id, q.prompt])).toEqual(QS.map((q) => [q.id, q.prompt]));
    expect(d.body.questions[0].options).toEqual(QS[0]!.options);
    // The archive itself holds the questions (self-contained) and the planned extra time apart from extensions.
    expect(d.body.archive.questions[2]).toMatchObject({ id: 'q3', type: 'text', prompt: 'Explain recursion.', points: 5 });
    expect(d.body.archive.metadata).toMatchObject({ timeAllowedSeconds: 40 * 60, plannedExtraSeconds: 600, extensionSeconds: 0, restBreakSeconds: 300 });
    expect(d.body.marking).toMatchObject({ valid: true, marks: [], history: 0, autoScore: 3, manualScore: 0, score: 3, maxScore: 8, unmarked: ['q3'], complete: false });
  });

  it('a mark (points + comment) is audited, sealed as an addendum, counted in the totals; the archive still verifies', async () => {
    const r = await mark(attempt.a!, 'q3', { points: 4, comment: 'Good, no base case mentioned.' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ valid: true, autoScore: 3, manualScore: 4, score: 7, maxScore: 8, unmarked: [], complete: true, history: 1 });
    expect(r.body.marks[0]).toMatchObject({ questionId: 'q3', points: 4, comment: 'Good, no base case mentioned.', markedBy: 'admin' });
    const again = await mark(attempt.a!, 'q3', { points: 5 });
    expect(again.body).toMatchObject({ manualScore: 5, score: 8, history: 2 });
    const audit = peek<{ detail: string; attempt_id: string }>(s.dataDir, "select detail, attempt_id from audit_events where action = 'review.marked' order by id");
    expect(audit.map((a) => [a.attempt_id, JSON.parse(a.detail)])).toEqual([
      [attempt.a, { questionId: 'q3', points: 4, comment: 'Good, no base case mentioned.', previous: null }],
      [attempt.a, { questionId: 'q3', points: 5, comment: '', previous: 4 }],
    ]);
    const v = await api('GET', `/review/sessions/${attempt.a}/verify`);
    expect(v.body).toMatchObject({ valid: true, marks: { count: 2, valid: true, reason: null } });
    expect((await api('GET', `/review/sessions/${attempt.a}`)).body.marking).toMatchObject({ score: 8, complete: true });
  });

  it('refuses what cannot be marked: too many points, an auto-scored question, an unknown one, a running attempt, proctors', async () => {
    expect((await mark(attempt.b!, 'q3', { points: 6 })).status).toBe(400);
    expect((await mark(attempt.b!, 'q3', { points: -1 })).status).toBe(400);
    expect((await mark(attempt.b!, 'q3', { points: 1, extra: true })).status).toBe(400);
    expect((await mark(attempt.b!, 'q1', { points: 1 })).status).toBe(409);
    expect((await mark(attempt.b!, 'nope', { points: 1 })).status).toBe(404);
    expect((await mark(attempt.d!, 'q3', { points: 1 })).status).toBe(409);
    expect((await mark('3f0c6a52-0000-4000-8000-000000000000', 'q3', { points: 1 })).status).toBe(404);
    const proctor = await staffWithToken(s, tok, { username: 'marker.p', password: 'proctor-password-1', role: 'proctor' });
    expect((await call(`${s.api}/review/sessions/${attempt.b}/marks/q3`, 'PUT', { points: 1 }, proctor.token)).status).toBe(403);
    expect(peek(s.dataDir, 'select * from marks where attempt_id = ?', attempt.b)).toHaveLength(0);
  });

  it('results per exam: one row per candidate and column per question, totals with manual marks, as JSON, CSV and XLSX', async () => {
    const r = await api('GET', `/admin/exams/${examId}/results`);
    expect(r.status).toBe(200);
    expect(r.body.questions.map((q: any) => q.id)).toEqual(['q1', 'q2', 'q3']);
    const byId = Object.fromEntries(r.body.rows.map((x: any) => [x.candidateId, x]));
    expect(byId['m-a']).toMatchObject({ status: 'completed', points: [1, 2, 5], autoScore: 3, manualScore: 5, total: 8, maxScore: 8, unmarked: 0, plannedExtraMinutes: 10, extensionMinutes: 0, incidentMinutes: 0 });
    expect(byId['m-b']).toMatchObject({ status: 'completed', points: [0, 0, null], total: 0, unmarked: 1 });
    expect(byId['m-c']).toMatchObject({ status: 'not_started', points: [null, null, null], total: null });
    expect(byId['m-d']).toMatchObject({ status: 'active', points: [1, 0, null], total: 1 });

    const csv = await fetch(`${s.api}/admin/exams/${examId}/results?format=csv`, { headers: { authorization: `Bearer ${tok}` } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="results-Marking_Paper_1\.csv"/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('candidateId,name,center,room,seat,status,q1 (1),q2 (2),q3 (5),auto score,manual score,total,max score,unmarked,incident minutes,planned extra minutes,extension minutes,alerts');
    expect(lines.find((l) => l.startsWith('m-a,'))).toBe('m-a,Name m-a,,,,submitted,1,2,5,3,5,8,8,0,0,10,0,0');
    expect(lines).toHaveLength(5);

    const x = await fetch(`${s.api}/admin/exams/${examId}/results?format=xlsx`, { headers: { authorization: `Bearer ${tok}` } });
    expect(x.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    const ws = wb.getWorksheet('Results')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toContain('total');
    const totalCol = header.indexOf('total') + 1;
    const rowA = [...Array(ws.rowCount).keys()].map((i) => ws.getRow(i + 1)).find((row) => row.getCell(1).value === 'm-a')!;
    expect(rowA.getCell(totalCol).value).toBe(8);
    expect(rowA.getCell(header.indexOf('q3 (5)') + 1).value).toBe(5);
    expect((await api('GET', `/admin/exams/${examId}/results?format=pdf`)).status).toBe(400);
    const exported = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'exam.results_exported' order by id");
    expect(exported.map((e) => JSON.parse(e.detail))).toEqual([
      { examId, format: 'csv', rows: 4 },
      { examId, format: 'xlsx', rows: 4 },
    ]);
    expect((await api('GET', '/admin/exams/3f0c6a52-0000-4000-8000-000000000000/results')).status).toBe(404);
  });

  it('marks are append-only; a mark altered in the database fails verification and stops counting (the archive itself stays valid)', async () => {
    const raw = new Database(join(s.dataDir, 'invigil.sqlite'));
    expect(() => raw.prepare('UPDATE marks SET points = 1').run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM marks').run()).toThrow(/append-only/);
    raw.close();
    tamper(s.dataDir, 'UPDATE marks SET points = 0 WHERE attempt_id = ? AND points = 5', attempt.a);
    const d = await api('GET', `/review/sessions/${attempt.a}`);
    expect(d.body.marking).toMatchObject({ valid: false, manualScore: 0, score: 3, complete: false, unmarked: ['q3'] });
    expect(d.body.marking.reason).toMatch(/mark 2 \(question q3\) was altered/);
    const v = await api('GET', `/review/sessions/${attempt.a}/verify`);
    expect(v.body.valid).toBe(true);
    expect(v.body.marks).toMatchObject({ count: 2, valid: false });
  });
});
