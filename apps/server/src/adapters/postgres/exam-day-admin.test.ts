import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, client, postRoster } from '../../admin/testing/kit.ts';
import { call, spawnServer, TestDevice, type SpawnedServer } from '../../testing/harness.ts';
import { freshDatabase, postgresUnavailable } from './testing.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(`SKIPPED: the exam-day admin flow on PostgreSQL: ${unavailable}`);
const describePg = unavailable ? describe.skip : describe;

const QS = [
  { id: 'q1', type: 'single', prompt: 'Pick b', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], correct: ['b'], points: 1 },
  { id: 'q2', type: 'text', prompt: 'Explain.', points: 4 },
];

describePg('exam day, admin side, on PostgreSQL (the real server on a fresh database)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let s: SpawnedServer;
  let token: string;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    fresh = await freshDatabase();
    s = await spawnServer({ DATABASE_URL: fresh.url });
    token = await adminToken(s);
    api = client(s, token);
  });
  afterAll(async () => {
    await s?.kill();
    await fresh?.drop();
  });

  it('draft → open → roster without codes (with extra time) → code login → start → mark → results; marks are append-only', async () => {
    const draft = await api('POST', '/admin/exams', { title: 'PG paper', durationMinutes: 30, questions: [], status: 'draft' });
    expect(draft.body).toMatchObject({ status: 'draft', code: expect.stringMatching(/^[23456789A-Z]{6}$/) });
    const examId = draft.body.id as string;
    expect((await api('POST', `/admin/exams/${examId}/open`)).body.error.code).toBe('NO_QUESTIONS');
    await api('PATCH', `/admin/exams/${examId}`, { questions: QS });
    expect((await api('POST', `/admin/exams/${examId}/open`)).body.status).toBe('open');

    const roster = await postRoster(s, token, examId, 'candidateId,name,extraTime,restBreak\npg-1,Pat Gray,15,5\npg-2,Quinn Lee,,\n');
    expect(roster.status).toBe(200);
    expect(roster.body.issuedCodes).toHaveLength(2);
    const code = roster.body.issuedCodes[0].accessCode as string;
    const login = await call(`${s.api}/auth/candidate/login`, 'POST', { examId: draft.body.code.toLowerCase(), candidateId: 'pg-1', accessCode: code.toLowerCase() });
    expect(login.status).toBe(200);
    const started = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: draft.body.code, devicePublicKey: new TestDevice().publicKey }, login.body.token);
    expect(started.status).toBe(201);
    expect(started.body.timeRemaining).toBe(45 * 60);
    const attemptId = started.body.attemptId as string;
    expect((await api('PUT', `/admin/exams/${examId}/registrations/pg-1/accommodations`, { extraTimeMinutes: 1 })).status).toBe(409);
    expect((await api('POST', `/admin/exams/${examId}/close`)).body.error).toMatchObject({ code: 'SESSIONS_RUNNING', details: { running: 1 } });

    await call(`${s.api}/exams/sessions/${attemptId}/answers/q1`, 'PUT', { value: 'b', clientSeq: 1 }, login.body.token);
    await call(`${s.api}/exams/sessions/${attemptId}/answers/q2`, 'PUT', { value: 'Because.', clientSeq: 1 }, login.body.token);
    expect((await call(`${s.api}/exams/sessions/${attemptId}/submit`, 'POST', undefined, login.body.token)).status).toBe(200);
    const marked = await api('PUT', `/review/sessions/${attemptId}/marks/q2`, { points: 3, comment: 'ok' });
    expect(marked.body).toMatchObject({ valid: true, score: 4, maxScore: 5, complete: true });
    expect((await api('PUT', `/review/sessions/${attemptId}/marks/q2`, { points: 2 })).body).toMatchObject({ score: 3, history: 2 });
    const results = await api('GET', `/admin/exams/${examId}/results`);
    expect(results.body.rows.find((r: any) => r.candidateId === 'pg-1')).toMatchObject({ points: [1, 2], total: 3, plannedExtraMinutes: 15, status: 'completed' });
    expect((await api('GET', `/review/sessions/${attemptId}/verify`)).body).toMatchObject({ valid: true, marks: { count: 2, valid: true } });

    const raw = new pg.Client({ connectionString: fresh.url });
    await raw.connect();
    try {
      await expect(raw.query('UPDATE marks SET points = 4')).rejects.toThrow(/append-only/);
      await expect(raw.query('DELETE FROM marks')).rejects.toThrow(/append-only/);
      await expect(raw.query('TRUNCATE marks')).rejects.toThrow(/append-only/);
      // Another reissue revokes the old code on PostgreSQL too.
      const re = await api('POST', `/admin/exams/${examId}/registrations/pg-2/access-code`);
      expect(re.status).toBe(200);
      const old = roster.body.issuedCodes[1].accessCode as string;
      expect((await call(`${s.api}/auth/candidate/login`, 'POST', { examId, candidateId: 'pg-2', accessCode: old })).status).toBe(401);
      expect((await call(`${s.api}/auth/candidate/login`, 'POST', { examId, candidateId: 'pg-2', accessCode: re.body.accessCode })).status).toBe(200);
      const dup = await api('POST', `/admin/exams/${examId}/duplicate`);
      expect(dup.body).toMatchObject({ status: 'draft', questions: QS });
      const c = await api('POST', '/admin/centers', { name: 'PG Zentrum', timeZone: 'Europe/Berlin', locale: 'de-DE' });
      expect(c.body).toMatchObject({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    } finally {
      await raw.end();
    }
  });
});
