import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, QUESTIONS, spawnServer, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client, postRoster } from './testing/kit.ts';

let s: SpawnedServer;
let token: string;
let api: ReturnType<typeof client>;
let center: { id: string; name: string };
let room: { id: string; name: string };
beforeAll(async () => {
  s = await spawnServer();
  token = await adminToken(s);
  api = client(s, token);
  center = (await api('POST', '/admin/centers', { name: 'Slip Hall' })).body;
  room = (await api('POST', `/admin/centers/${center.id}/rooms`, { name: 'Room 7', capacity: 30 })).body;
});
afterAll(() => s.kill());

const GENERATED = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}$/;
const newExam = async () => (await api('POST', '/admin/exams', { title: 'Slips', durationMinutes: 30, questions: QUESTIONS })).body as { id: string; code: string };
const login = (examId: string, candidateId: string, accessCode: string) => call(`${s.api}/auth/candidate/login`, 'POST', { examId, candidateId, accessCode });

describe('roster without access codes: the server generates them', () => {
  it('answers each generated code once with what a slip needs; stores only hashes; the candidate signs in with exam code + code', async () => {
    const exam = await newExam();
    const csv = `candidateId,name,room,seat\ng-1,Ada Lovelace,${room.id},A1\ng-2,Alan Turing,${room.id},A2\ng-3,Grace Hopper,,\n`;
    const r = await postRoster(s, token, exam.id, csv);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ imported: 3, created: 3, failed: 0, keptCodes: 0, examCode: exam.code });
    const issued = r.body.issuedCodes as { candidateId: string; accessCode: string }[];
    expect(issued.map((x) => x.candidateId)).toEqual(['g-1', 'g-2', 'g-3']);
    expect(r.body.issuedCodes[0]).toMatchObject({ name: 'Ada Lovelace', centerName: 'Slip Hall', roomName: 'Room 7', seat: 'A1' });
    expect(r.body.issuedCodes[2]).toMatchObject({ name: 'Grace Hopper', centerName: null, roomName: null, seat: null });
    for (const x of issued) expect(x.accessCode).toMatch(GENERATED);
    expect(new Set(issued.map((x) => x.accessCode)).size).toBe(3);

    // Only hashes in the database; the list never shows codes.
    const stored = peek<{ access_code_hash: string }>(s.dataDir, 'select access_code_hash from registrations where exam_id = ?', exam.id);
    for (const x of issued) {
      const plain = x.accessCode.replace('-', '');
      expect(stored.some((row) => row.access_code_hash.includes(plain) || row.access_code_hash.includes(x.accessCode))).toBe(false);
    }
    const list = await api('GET', `/admin/exams/${exam.id}/registrations`);
    expect(JSON.stringify(list.body)).not.toContain(issued[0]!.accessCode);

    // Exam code and access code as printed, or typed in lower case without the dash.
    const ada = issued[0]!;
    expect((await login(exam.code, 'g-1', ada.accessCode)).status).toBe(200);
    expect((await login(exam.code.toLowerCase(), 'g-1', ada.accessCode.replace('-', '').toLowerCase())).status).toBe(200);
    expect((await login(exam.code, 'g-2', ada.accessCode)).status).toBe(401);
  });

  it('a second import without codes keeps the codes already given; a row with a code sets that code', async () => {
    const exam = await newExam();
    const first = await postRoster(s, token, exam.id, 'candidateId,name\nk-1,Kept One\nk-2,Kept Two\n');
    const [one, two] = first.body.issuedCodes as { accessCode: string }[];
    const again = await postRoster(s, token, exam.id, 'candidateId,name,accessCode\nk-1,Kept One Renamed,\nk-2,Kept Two,chosen-code-2\nk-3,New Three,\n');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 3, created: 1, updated: 2, keptCodes: 1 });
    expect(again.body.issuedCodes.map((x: any) => x.candidateId)).toEqual(['k-3']);
    expect((await login(exam.id, 'k-1', one!.accessCode)).status).toBe(200);
    expect((await login(exam.id, 'k-2', two!.accessCode)).status).toBe(401);
    expect((await login(exam.id, 'k-2', 'chosen-code-2')).status).toBe(200);
    // JSON rosters may leave the code out too.
    const json = await call(`${s.api}/admin/exams/${exam.id}/roster`, 'POST', { candidates: [{ candidateId: 'k-4', name: 'Json Four' }] }, token);
    expect(json.status).toBe(200);
    expect(json.body.issuedCodes).toHaveLength(1);
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'exam.roster_imported' and detail like ? order by id", `%${exam.id}%`);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ codesIssued: 2, codesKept: 0 });
    expect(JSON.parse(audit[1]!.detail)).toMatchObject({ codesIssued: 1, codesKept: 1 });
  });

  it('re-issuing a code: the old code no longer signs in, logins made with it are revoked, the new one works', async () => {
    const exam = await newExam();
    const first = await postRoster(s, token, exam.id, `candidateId,name,room,seat\nr-1,Rita Levi,${room.id},B3\n`);
    const old = first.body.issuedCodes[0].accessCode as string;
    const oldLogin = await login(exam.code, 'r-1', old);
    expect(oldLogin.status).toBe(200);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, oldLogin.body.token)).status).toBe(200);

    const re = await api('POST', `/admin/exams/${exam.id}/registrations/r-1/access-code`);
    expect(re.status).toBe(200);
    expect(re.body).toMatchObject({ candidateId: 'r-1', name: 'Rita Levi', examCode: exam.code, examTitle: 'Slips', centerName: 'Slip Hall', roomName: 'Room 7', seat: 'B3', loginsRevoked: 1 });
    expect(re.body.accessCode).toMatch(GENERATED);
    expect(re.body.accessCode).not.toBe(old);

    expect((await login(exam.code, 'r-1', old)).status).toBe(401);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, oldLogin.body.token)).status).toBe(401);
    expect((await login(exam.code, 'r-1', re.body.accessCode)).status).toBe(200);
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'registration.access_code_reissued' and detail like ?", `%${exam.id}%`);
    expect(JSON.parse(audit[0]!.detail)).toEqual({ examId: exam.id, candidateId: 'r-1', loginsRevoked: 1 });

    expect((await api('POST', `/admin/exams/${exam.id}/registrations/nobody/access-code`)).status).toBe(404);
    expect((await api('POST', '/admin/exams/3f0c6a52-0000-4000-8000-000000000000/registrations/r-1/access-code')).status).toBe(404);
  });
});
