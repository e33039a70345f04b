import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, setCandidatePolicy, spawnServer, type Provisioned, type SpawnedServer } from '../testing/harness.ts';

/** A leaked access code is cut off: rotating it ends its logins; admins list and end a candidate's logins. Real server, real port. */
let s: SpawnedServer;
let p: Provisioned;
beforeAll(async () => {
  s = await spawnServer();
  p = await provision(s, 4, { prefix: 'leak' });
});
afterAll(() => s.kill());

const start = (token: string) => call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId }, token);
const login = (candidateId: string, accessCode: string) => call(`${s.api}/auth/candidate/login`, 'POST', { examId: p.examId, candidateId, accessCode });
const logins = (candidateId: string) => call(`${s.api}/admin/exams/${p.examId}/candidates/${candidateId}/sessions`, 'GET', undefined, p.adminToken);

describe('rotating an access code', () => {
  it('revokes the logins opened with the old code: a thief signed in with it cannot start the exam', async () => {
    const c = p.candidates[0]!;
    const thief = await candidateLogin(s, p.examId, c, 'Mozilla/5.0 (Windows NT 10.0) Thief/1.0');
    const rotated = await call(`${s.api}/admin/exams/${p.examId}/candidates`, 'POST', { candidates: [{ ...c, accessCode: 'brand-new-code-for-leak-1' }] }, p.adminToken);
    expect(rotated.status).toBe(201);
    expect((await start(thief)).status).toBe(401);
    expect((await login(c.candidateId, c.accessCode)).status).toBe(401);
    const fresh = await login(c.candidateId, 'brand-new-code-for-leak-1');
    expect(fresh.status).toBe(200);
    expect((await start(fresh.body.token)).status).toBe(201);
  });

  it('the same code registered again changes nothing; a roster import with a new code revokes too', async () => {
    const c = p.candidates[1]!;
    const token = await candidateLogin(s, p.examId, c);
    expect((await call(`${s.api}/admin/exams/${p.examId}/candidates`, 'POST', { candidates: [c] }, p.adminToken)).status).toBe(201);
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token)).status).toBe(200);
    const imported = await call(`${s.api}/admin/exams/${p.examId}/roster`, 'POST', { candidates: [{ candidateId: c.candidateId, name: c.name, accessCode: 'roster-rotated-code-2' }] }, p.adminToken);
    expect(imported.status).toBe(200);
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, token)).status).toBe(401);
  });
});

describe("an admin and a candidate's logins", () => {
  it('lists them with device and address, ends one, then all; another candidate’s login id is 404', async () => {
    expect((await setCandidatePolicy(s, p.adminToken, 3, true)).status).toBe(200);
    const c = p.candidates[2]!;
    const a = await candidateLogin(s, p.examId, c, 'Mozilla/5.0 (X11; Linux x86_64) InvigilKiosk/0.1');
    const b = await candidateLogin(s, p.examId, c, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148');
    const listed = await logins(c.candidateId);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(2);
    expect(listed.body[0]).toMatchObject({ ipAddress: '127.0.0.1', isCurrent: false, deviceInfo: { userAgent: expect.stringContaining('InvigilKiosk') } });
    const phone = listed.body.find((x: any) => /iPhone/.test(x.deviceInfo.userAgent));

    const other = await candidateLogin(s, p.examId, p.candidates[3]!);
    const otherId = (await logins(p.candidates[3]!.candidateId)).body[0].id;
    expect((await call(`${s.api}/admin/exams/${p.examId}/candidates/${c.candidateId}/sessions/${otherId}`, 'DELETE', undefined, p.adminToken)).status).toBe(404);
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, other)).status).toBe(200);

    expect((await call(`${s.api}/admin/exams/${p.examId}/candidates/${c.candidateId}/sessions/${phone.id}`, 'DELETE', undefined, p.adminToken)).body).toEqual({ success: true });
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, b)).status).toBe(401);
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, a)).status).toBe(200);
    expect((await call(`${s.api}/admin/exams/${p.examId}/candidates/${c.candidateId}/sessions`, 'DELETE', undefined, p.adminToken)).body).toEqual({ success: true, revoked: 1 });
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, a)).status).toBe(401);
    expect((await logins(c.candidateId)).body).toEqual([]);
    expect((await logins('nobody-here')).status).toBe(404);
  });
});
