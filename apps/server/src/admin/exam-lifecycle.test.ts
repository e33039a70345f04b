import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, QUESTIONS, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client } from './testing/kit.ts';

let s: SpawnedServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  s = await spawnServer();
  api = client(s, await adminToken(s));
});
afterAll(() => s.kill());

const UNAMBIGUOUS = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;
let n = 0;
const login = (examId: string, candidateId: string, accessCode: string) => call(`${s.api}/auth/candidate/login`, 'POST', { examId, candidateId, accessCode });

describe('short exam codes', () => {
  it('every exam gets its own 6-character code, shown in the list and detail; the candidate login takes it in examId, in any case', async () => {
    const codes = new Set<string>();
    let examId = '';
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', '/admin/exams', { title: `Code ${i}`, durationMinutes: 30, questions: QUESTIONS });
      expect(r.status).toBe(201);
      expect(r.body.code).toMatch(UNAMBIGUOUS);
      expect(r.body.status).toBe('open');
      codes.add(r.body.code);
      examId = r.body.id;
    }
    expect(codes.size).toBe(5);
    const detail = await api('GET', `/admin/exams/${examId}`);
    const code = detail.body.code as string;
    expect(code).toMatch(UNAMBIGUOUS);
    expect((await api('GET', '/admin/exams?limit=1000')).body.exams.find((e: any) => e.id === examId).code).toBe(code);

    await api('POST', `/admin/exams/${examId}/candidates`, { candidates: [{ candidateId: 'code-1', name: 'Coded', accessCode: 'secret-code-1' }] });
    for (const typed of [code, code.toLowerCase(), `${code.slice(0, 3)}-${code.slice(3)}`, examId]) {
      const r = await login(typed, 'code-1', 'secret-code-1');
      expect(r.status, typed).toBe(200);
      expect(r.body.examId).toBe(examId);
      // The login is bound to the exam itself: it starts it by its id.
      const me = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, r.body.token);
      expect(me.status).toBe(200);
    }
    // A wrong code or the wrong access code: the usual 401, and nothing is opened.
    const wrongCode = code === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ';
    expect((await login(wrongCode, 'code-1', 'secret-code-1')).status).toBe(401);
    expect((await login(code, 'code-1', 'not-the-code')).status).toBe(401);
    // A kiosk may start (and read) the exam by the code the candidate typed, too: it is the login's own exam.
    const tok = (await login(code, 'code-1', 'secret-code-1')).body.token;
    const started = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: code.toLowerCase(), devicePublicKey: new TestDevice().publicKey }, tok);
    expect(started.status).toBe(201);
    expect(started.body.examSetId).toBe(examId);
    const view = await call(`${s.api}/exams/${code}`, 'GET', undefined, tok);
    expect(view.status).toBe(200);
    expect(view.body.id).toBe(examId);
    // Another exam's code is another exam: 404, as for its id.
    const other = await api('POST', '/admin/exams', { title: 'Other', durationMinutes: 30, questions: QUESTIONS });
    expect((await call(`${s.api}/exams/${other.body.code}`, 'GET', undefined, tok)).status).toBe(404);
    expect((await call(`${s.api}/exams/${other.body.id}`, 'GET', undefined, tok)).status).toBe(404);
  });

  it('codes are unique in the database (unique index) and stored upper case', () => {
    const rows = peek<{ code: string }>(s.dataDir, 'select code from exams');
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
    const idx = peek<{ name: string }>(s.dataDir, "select name from sqlite_master where type = 'index' and name = 'exams_code'");
    expect(idx).toHaveLength(1);
  });
});

describe('exam lifecycle: draft → open → closed', () => {
  it('a draft is invisible to candidates; opening needs a question; PROTOCOL create without status stays open', async () => {
    const draft = await api('POST', '/admin/exams', { title: 'Draft one', durationMinutes: 20, questions: [], status: 'draft' });
    expect(draft.status).toBe(201);
    expect(draft.body.status).toBe('draft');
    const examId = draft.body.id as string;
    await api('POST', `/admin/exams/${examId}/candidates`, { candidates: [{ candidateId: 'draft-1', name: 'Early', accessCode: 'draft-code-1' }] });
    const tok = (await login(examId, 'draft-1', 'draft-code-1')).body.token;
    const early = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId }, tok);
    expect(early.status).toBe(404);

    const refused = await api('POST', `/admin/exams/${examId}/open`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NO_QUESTIONS');
    expect((await api('GET', `/admin/exams/${examId}`)).body.status).toBe('draft');

    expect((await api('PATCH', `/admin/exams/${examId}`, { questions: QUESTIONS, title: 'Draft one, renamed', durationMinutes: 25 })).status).toBe(200);
    const opened = await api('POST', `/admin/exams/${examId}/open`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ status: 'open', title: 'Draft one, renamed', durationMinutes: 25 });
    expect((await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId }, tok)).status).toBe(201);

    // PROTOCOL.md: without `status`, an exam created with questions is open; a bad status is a 400.
    expect((await api('POST', '/admin/exams', { title: 'Plain', durationMinutes: 20, questions: QUESTIONS })).body.status).toBe('open');
    expect((await api('POST', '/admin/exams', { title: 'Bad', durationMinutes: 20, questions: QUESTIONS, status: 'closed' })).status).toBe(400);
  });

  it('closing with running sessions needs confirmation (409 with the count and what happens), then closes; the sessions go on', async () => {
    const exam = await api('POST', '/admin/exams', { title: 'Closing', durationMinutes: 30, questions: QUESTIONS });
    const examId = exam.body.id as string;
    const cands = [1, 2].map((i) => ({ candidateId: `close-${++n}`, name: `Closer ${i}`, accessCode: `close-code-${n}` }));
    await api('POST', `/admin/exams/${examId}/candidates`, { candidates: cands });
    const toks: string[] = [];
    for (const c of cands) {
      const t = (await login(examId, c.candidateId, c.accessCode)).body.token;
      toks.push(t);
      expect((await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId }, t)).status).toBe(201);
    }
    const refused = await api('POST', `/admin/exams/${examId}/close`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'SESSIONS_RUNNING', details: { running: 2, effect: expect.stringMatching(/running sessions go on/) } });
    expect(refused.body.error.message).toMatch(/2 sessions are still running/);
    expect((await api('GET', `/admin/exams/${examId}`)).body.status).toBe('open');
    expect((await api('POST', `/admin/exams/${examId}/close?confirm=false`)).status).toBe(409);
    expect((await api('POST', `/admin/exams/${examId}/close?confirm=maybe`)).status).toBe(400);

    const closed = await api('POST', `/admin/exams/${examId}/close?confirm=true`);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    // The running sessions go on.
    const active = await call(`${s.api}/exams/sessions/active`, 'GET', undefined, toks[0]);
    expect(active.body.hasActiveSession).toBe(true);
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'exam.closed' and detail like ?", `%${examId}%`);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ examId, runningSessions: 2 });
  });

  it('a draft may be created without questions (they come later); an open exam may not, and the refusal creates nothing', async () => {
    const before = (await api('GET', '/admin/exams?limit=1000')).body.exams.length;
    const refused = await api('POST', '/admin/exams', { title: 'No questions', durationMinutes: 20 });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('questions');
    expect((await api('GET', '/admin/exams?limit=1000')).body.exams.length).toBe(before);
    const draft = await api('POST', '/admin/exams', { title: 'Questions later', durationMinutes: 20, status: 'draft' });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', questions: [] });
    expect((await api('POST', `/admin/exams/${draft.body.id}/open`)).body.error.code).toBe('NO_QUESTIONS');
    expect((await api('PATCH', `/admin/exams/${draft.body.id}`, { questions: QUESTIONS })).status).toBe(200);
    expect((await api('POST', `/admin/exams/${draft.body.id}/open`)).status).toBe(200);
  });

  it('duplicate: a new draft with the questions, duration and policy, a new code; the original is untouched', async () => {
    const src = await api('POST', '/admin/exams', { title: 'Original', durationMinutes: 40, questions: QUESTIONS });
    await api('PUT', `/admin/exams/${src.body.id}/policy`, { heartbeatIntervalMs: 20_000 });
    const dup = await api('POST', `/admin/exams/${src.body.id}/duplicate`);
    expect(dup.status).toBe(201);
    expect(dup.body).toMatchObject({ title: 'Original (copy)', durationMinutes: 40, status: 'draft', questions: QUESTIONS, policy: { heartbeatIntervalMs: 20_000 }, registrationCount: 0 });
    expect(dup.body.id).not.toBe(src.body.id);
    expect(dup.body.code).toMatch(UNAMBIGUOUS);
    expect(dup.body.code).not.toBe(src.body.code);
    expect((await api('GET', `/admin/exams/${src.body.id}`)).body).toMatchObject({ title: 'Original', status: 'open' });
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'exam.duplicated' and detail like ?", `%${dup.body.id}%`);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ examId: dup.body.id, from: src.body.id });
    expect((await api('POST', '/admin/exams/3f0c6a52-0000-4000-8000-000000000000/duplicate')).status).toBe(404);
  });

  it('preview: the candidate view of a draft, without scoring keys', async () => {
    const withKey = [{ id: 'k1', type: 'single', prompt: 'Pick', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], correct: ['b'], points: 2 }];
    const draft = await api('POST', '/admin/exams', { title: 'Preview me', durationMinutes: 15, questions: withKey, status: 'draft' });
    const p = await api('GET', `/admin/exams/${draft.body.id}/preview`);
    expect(p.status).toBe(200);
    expect(p.body).toEqual({ id: draft.body.id, title: 'Preview me', durationMinutes: 15, questions: [{ id: 'k1', type: 'single', prompt: 'Pick', options: withKey[0]!.options, points: 2 }] });
    expect((await api('GET', '/admin/exams/3f0c6a52-0000-4000-8000-000000000000/preview')).status).toBe(404);
  });
});
