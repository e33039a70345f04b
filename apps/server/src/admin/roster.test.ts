import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, QUESTIONS, spawnServer, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client, postRoster, staffWithToken } from './testing/kit.ts';

let s: SpawnedServer;
let api: ReturnType<typeof client>;
let token: string;
let hall: { id: string; r1: string; r2: string };
beforeAll(async () => {
  s = await spawnServer();
  token = await adminToken(s);
  api = client(s, token);
  const c = await api('POST', '/admin/centers', { name: 'Roster Hall' });
  const r1 = await api('POST', `/admin/centers/${c.body.id}/rooms`, { name: 'R1', capacity: 6_000 });
  const r2 = await api('POST', `/admin/centers/${c.body.id}/rooms`, { name: 'R2', capacity: 6_000 });
  hall = { id: c.body.id, r1: r1.body.id, r2: r2.body.id };
});
afterAll(() => s.kill());

const UNKNOWN = '3f0c6a52-0000-4000-8000-000000000000';

async function newExam(): Promise<string> {
  const r = await api('POST', '/admin/exams', { title: 'Roster exam', durationMinutes: 60, questions: QUESTIONS });
  return r.body.id as string;
}

const registrations = async (examId: string, query = '') => (await api('GET', `/admin/exams/${examId}/registrations${query}`)).body;

/** Header on line 1; each entry is one physical line unless it holds a quoted newline. */
const BAD_FILE = [
  'candidateId,name,accessCode,center,room,seat', // 1
  'good-1,Ada Lovelace,code-good-1,Roster Hall,R1,1', // 2
  'bad-code,Short Code,abc,,,', // 3: access code too short
  '', // 4: blank, skipped but counted
  'good-2,Alan Turing,code-good-2,,,', // 5
  'good-1,Ada Again,code-good-1b,,,', // 6: candidateId already on line 2
  'bad-center,Nowhere Man,code-nowhere,Atlantis,,', // 7: unknown center
  'good-3,"Grace', // 8: a quoted name over two lines, starting here
  'Hopper",code-good-3,Roster Hall,R2,1', // 9
  'bad-name,,code-no-name,,,', // 10: name missing
  'bad-width,Too,Many,Fields,Here,At,All', // 11: seven fields
  'bad seat id,Spacey,code-spacey,,,', // 12: candidateId with a space
].join('\n');

describe('admin: roster import', () => {
  it('imports 10,000 CSV rows in one request, by center and room name, and can re-import them', async () => {
    const examId = await newExam();
    const lines = ['candidateId,name,accessCode,center,room,seat'];
    for (let i = 1; i <= 10_000; i++) lines.push(`big-${i},Candidate ${i},access-${i}-code,Roster Hall,${i % 2 ? 'R1' : 'R2'},${i}`);
    const csv = lines.join('\r\n') + '\r\n';

    const t0 = performance.now();
    const r = await postRoster(s, token, examId, csv);
    const ms = performance.now() - t0;
    console.log(`roster import: 10,000 CSV rows (${(csv.length / 1024).toFixed(0)} KiB) in ${ms.toFixed(0)} ms`);
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    expect(r.body).toEqual({ imported: 10_000, failed: 0, total: 10_000, created: 10_000, updated: 0, atomic: true, errors: [] });

    const list = await registrations(examId, '?limit=3&offset=0');
    expect(list.total).toBe(10_000);
    expect(list.registrations).toHaveLength(3);
    expect(list.registrations[0]).toEqual({
      candidateId: 'big-1',
      name: 'Candidate 1',
      centerId: hall.id,
      centerName: 'Roster Hall',
      roomId: hall.r1,
      roomName: 'R1',
      seat: '1',
      extraTimeMinutes: 0,
      restBreakMinutes: 0,
      createdAt: expect.any(String),
    });
    expect((await registrations(examId, `?roomId=${hall.r2}&limit=1`)).total).toBe(5_000);
    expect(JSON.stringify(list)).not.toMatch(/access/i);

    // The access codes work, and they are stored only as hashes.
    await candidateLogin(s, examId, { candidateId: 'big-9999', accessCode: 'access-9999-code' });
    expect(peek(s.dataDir, "select 1 from registrations where access_code_hash like '%access-%'")).toEqual([]);

    // Importing the same file again changes nothing but says so.
    const again = await postRoster(s, token, examId, csv);
    expect(again.body).toMatchObject({ imported: 10_000, created: 0, updated: 10_000 });
    expect((await registrations(examId, '?limit=1')).total).toBe(10_000);

    const audit = peek<{ actor_type: string; detail: string }>(s.dataDir, "select actor_type, detail from audit_events where action = 'exam.roster_imported' and detail like ?", `%${examId}%`);
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ examId, format: 'csv', atomic: true, total: 10_000, imported: 10_000, failed: 0, created: 10_000 });
  });

  it('reports bad rows by source line, and with atomic=true (the default) imports nothing', async () => {
    const examId = await newExam();
    const r = await postRoster(s, token, examId, BAD_FILE);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ imported: 0, failed: 6, total: 9, atomic: true });
    const byLine = r.body.errors.map((e: any) => [e.line, e.field]);
    expect(byLine).toEqual([
      [3, 'accessCode'],
      [6, 'candidateId'],
      [7, 'center'],
      [10, 'name'],
      [11, 'row'],
      [12, 'candidateId'],
    ]);
    expect(r.body.errors[1]).toEqual({ line: 6, candidateId: 'good-1', field: 'candidateId', message: 'candidate good-1 already appears on line 2' });
    expect(r.body.errors[2].message).toMatch(/Atlantis/);
    expect(r.body.errors[3]).toMatchObject({ candidateId: 'bad-name', message: 'missing' });
    expect((await registrations(examId)).total).toBe(0);
    expect(peek(s.dataDir, 'select 1 from registrations where exam_id = ?', examId)).toEqual([]);
  });

  it('with atomic=false imports the good rows and reports the others', async () => {
    const examId = await newExam();
    const r = await postRoster(s, token, examId, BAD_FILE, { atomic: false });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ imported: 3, failed: 6, total: 9, created: 3, atomic: false });
    expect(r.body.errors.map((e: any) => e.line)).toEqual([3, 6, 7, 10, 11, 12]);
    const list = await registrations(examId);
    expect(list.registrations.map((x: any) => [x.candidateId, x.name, x.roomName, x.seat])).toEqual([
      ['good-1', 'Ada Lovelace', 'R1', '1'],
      ['good-2', 'Alan Turing', null, null],
      ['good-3', 'Grace\nHopper', 'R2', '1'],
    ]);
  });

  it('accepts JSON {candidates:[...]}, reporting index + 1 as the line', async () => {
    const examId = await newExam();
    const body = JSON.stringify({
      candidates: [
        { candidateId: 'j-1', name: 'Jay', accessCode: 'jay-code-1', room: hall.r1, seat: 'A1' },
        { candidateId: 'j-2', name: 'Kay', accessCode: 'k' },
        'not a row',
        { candidateId: 'j-4', name: 'Elle', accessCode: 'elle-code', desk: 4 },
        { candidateId: 'j-5', name: 'Em', accessCode: 'em-code-5', center: 'roster hall', room: 'r2' },
      ],
    });
    const strict = await postRoster(s, token, examId, body, { contentType: 'application/json' });
    expect(strict.status).toBe(422);
    expect(strict.body.errors.map((e: any) => [e.line, e.field])).toEqual([
      [2, 'accessCode'],
      [3, 'row'],
      [4, 'desk'],
    ]);
    const loose = await postRoster(s, token, examId, body, { atomic: false, format: 'json', contentType: 'text/plain' });
    expect(loose.body).toMatchObject({ imported: 2, failed: 3, total: 5 });
    const list = await registrations(examId);
    expect(list.registrations.map((x: any) => [x.candidateId, x.centerId, x.roomId, x.seat])).toEqual([
      ['j-1', hall.id, hall.r1, 'A1'],
      ['j-5', hall.id, hall.r2, null],
    ]);
  });

  it('reads spreadsheet exports: a byte-order mark, semicolons, CRLF, header spelled another way', async () => {
    const examId = await newExam();
    const csv = '\uFEFFCandidate ID;Name;Access_Code;Centre;Room;Seat\r\nx-1;"Doe; Jane";code-x-1;Roster Hall;R1;B2\r\n\r\nx-2;O"Brien;code-x-2;;;\r\n';
    const r = await postRoster(s, token, examId, csv, { contentType: 'text/csv; charset=utf-8' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ imported: 2, failed: 0 });
    expect((await registrations(examId)).registrations.map((x: any) => [x.candidateId, x.name, x.roomName, x.seat])).toEqual([
      ['x-1', 'Doe; Jane', 'R1', 'B2'],
      ['x-2', 'O"Brien', null, null],
    ]);
  });

  it('a seat holds one candidate per exam: in the file and against those already seated', async () => {
    const examId = await newExam();
    const first = await postRoster(s, token, examId, 'candidateId,name,accessCode,room,seat\ns-1,One,code-s-1,R1,9\n');
    expect(first.status).toBe(200);
    const second = await postRoster(s, token, examId, 'candidateId,name,accessCode,room,seat\ns-2,Two,code-s-2,R1,9\ns-3,Three,code-s-3,R2,9\ns-4,Four,code-s-4,R2,9\n');
    expect(second.status).toBe(422);
    expect(second.body.errors).toEqual([
      { line: 2, candidateId: 's-2', field: 'seat', message: 'seat "9" is already taken (candidate s-1, already registered)' },
      { line: 4, candidateId: 's-4', field: 'seat', message: 'seat "9" is already taken (line 3)' },
    ]);
    // Moving the seated candidate away in the same file frees the seat.
    const swap = await postRoster(s, token, examId, 'candidateId,name,accessCode,room,seat\ns-1,One,code-s-1,R2,1\ns-2,Two,code-s-2,R1,9\n');
    expect(swap.status).toBe(200);
    // A candidate who cannot move keeps their seat, so nobody else may take it.
    const stuck = await postRoster(s, token, examId, 'candidateId,name,accessCode,room,seat\ns-3,Three,code-s-3,R2,9\ns-5,Five,code-s-5,R1,9\ns-2,Two,code-s-2,R2,9\n', { atomic: false });
    expect(stuck.body).toMatchObject({ imported: 1, failed: 2 });
    expect(stuck.body.errors.map((e: any) => [e.line, e.candidateId])).toEqual([
      [3, 's-5'],
      [4, 's-2'],
    ]);
    // A file without placement columns leaves placements as they are.
    expect((await postRoster(s, token, examId, 'candidateId,name,accessCode\ns-2,Two Renamed,code-s-2\n')).status).toBe(200);
    expect((await registrations(examId)).registrations.map((x: any) => [x.candidateId, x.name, x.roomName, x.seat])).toEqual([
      ['s-1', 'One', 'R2', '1'],
      ['s-2', 'Two Renamed', 'R1', '9'],
      ['s-3', 'Three', 'R2', '9'],
    ]);
  });

  it('answers 400 for an unreadable file and 404 for an unknown exam', async () => {
    const examId = await newExam();
    for (const [body, opts, why] of [
      ['candidateId,name,accesscode,desk\nx,y,zzzz,1\n', {}, /unknown column "desk"/],
      ['candidateId,accessCode\nx,yyyy\n', {}, /missing column "name"/],
      ['candidateId,name,name,accessCode\n', {}, /appears twice/],
      ['', {}, /empty/],
      ['\n\n', {}, /empty/],
      ['candidateId,name,accessCode\n', {}, /no rows/],
      ['candidateId,name,accessCode\n"x,y,zzzz\n', {}, /cannot be read/],
      ['candidateId,name,accessCode\nx,y,zzzz\n', { contentType: 'text/plain' }, /text\/csv/],
      ['{"candidates":', { contentType: 'application/json' }, /JSON/],
      ['{"people":[]}', { contentType: 'application/json' }, /invalid/],
    ] as const) {
      const r = await postRoster(s, token, examId, body, opts);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message, JSON.stringify(body)).toMatch(why);
    }
    const badQuery = await call(`${s.api}/admin/exams/${examId}/roster?atomic=maybe`, 'POST', 'candidateId,name,accessCode\n', token, { 'content-type': 'text/csv' });
    expect(badQuery.status).toBe(400);
    expect((await postRoster(s, token, UNKNOWN, 'candidateId,name,accessCode\nx,y,zzzz\n')).status).toBe(404);
    expect((await api('GET', `/admin/exams/${UNKNOWN}/registrations`)).status).toBe(404);
    expect((await registrations(examId)).total).toBe(0);
  });
});

describe('admin: API document', () => {
  it('the served OpenAPI document lists the admin routes and their query parameters', async () => {
    const doc = (await call(`${s.url}/api/openapi.json`, 'GET')).body;
    const roster = doc.paths['/api/v1/admin/exams/{examId}/roster'].post;
    expect(roster['x-roles']).toEqual(['admin']);
    expect(roster.parameters.map((p: any) => p.name)).toEqual(['examId', 'atomic', 'format']);
    expect(Object.keys(roster.responses)).toEqual(expect.arrayContaining(['200', '422', '404']));
    for (const [path, method] of [
      ['/api/v1/admin/centers', 'post'],
      ['/api/v1/admin/centers/{centerId}', 'delete'],
      ['/api/v1/admin/rooms/{roomId}', 'patch'],
      ['/api/v1/admin/staff/{staffId}/password', 'post'],
      ['/api/v1/admin/staff/{staffId}/assignments', 'put'],
      ['/api/v1/admin/exams', 'get'],
      ['/api/v1/admin/exams/{examId}/window', 'put'],
      ['/api/v1/admin/exams/{examId}/registrations/{candidateId}', 'put'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.['x-roles'], `${method} ${path}`).toEqual(['admin']);
    }
  });
});

describe('admin: registrations', () => {
  it('lists pages and sets center/room/seat one candidate at a time', async () => {
    const examId = await newExam();
    await postRoster(s, token, examId, 'candidateId,name,accessCode\np-1,P One,code-p-1\np-2,P Two,code-p-2\np-3,P Three,code-p-3\n');
    const page = await registrations(examId, '?limit=2&offset=1');
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.registrations.map((x: any) => x.candidateId)).toEqual(['p-2', 'p-3']);
    for (const q of ['?limit=0', '?limit=5000', '?offset=-2', '?limit=x']) expect((await api('GET', `/admin/exams/${examId}/registrations${q}`)).status, q).toBe(400);

    // A room alone implies its center.
    const placed = await api('PUT', `/admin/exams/${examId}/registrations/p-1`, { roomId: hall.r1, seat: '12' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ candidateId: 'p-1', centerId: hall.id, roomId: hall.r1, roomName: 'R1', seat: '12' });
    expect((await api('PUT', `/admin/exams/${examId}/registrations/p-2`, { centerId: hall.id })).body).toMatchObject({ centerId: hall.id, roomId: null, seat: null });

    const taken = await api('PUT', `/admin/exams/${examId}/registrations/p-3`, { centerId: hall.id, roomId: hall.r1, seat: '12' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details).toEqual({ candidateId: 'p-1' });
    // The same seat label in another room is another seat.
    expect((await api('PUT', `/admin/exams/${examId}/registrations/p-3`, { roomId: hall.r2, seat: '12' })).status).toBe(200);

    const other = await api('POST', '/admin/centers', { name: 'Other Hall' });
    for (const body of [{ centerId: UNKNOWN }, { roomId: UNKNOWN }, { centerId: other.body.id, roomId: hall.r1 }]) {
      expect((await api('PUT', `/admin/exams/${examId}/registrations/p-3`, body)).status, JSON.stringify(body)).toBe(404);
    }
    expect((await api('PUT', `/admin/exams/${examId}/registrations/nobody`, {})).status).toBe(404);
    expect((await api('PUT', `/admin/exams/${UNKNOWN}/registrations/p-1`, {})).status).toBe(404);
    for (const body of [{ seat: '' }, { seat: 'x'.repeat(51) }, { roomId: 5 }, { row: 3 }]) {
      expect((await api('PUT', `/admin/exams/${examId}/registrations/p-3`, body)).status, JSON.stringify(body)).toBe(400);
    }

    // Omitted fields are cleared.
    expect((await api('PUT', `/admin/exams/${examId}/registrations/p-1`, {})).body).toMatchObject({ centerId: null, roomId: null, seat: null });
    expect((await registrations(examId, `?centerId=${hall.id}`)).registrations.map((x: any) => x.candidateId)).toEqual(['p-2', 'p-3']);
    const audit = peek<{ detail: string }>(s.dataDir, "select detail from audit_events where action = 'registration.placed' and detail like ? order by id", `%${examId}%`);
    expect(audit.length).toBe(4);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ candidateId: 'p-1', before: { seat: null }, after: { roomId: hall.r1, seat: '12' } });
  });

  it('a proctor gets 403 on roster and registration routes', async () => {
    const examId = await newExam();
    const proctor = await staffWithToken(s, token, { username: 'roster.proctor', password: 'roster-proctor-pw', role: 'proctor' });
    expect((await postRoster(s, proctor.token, examId, 'candidateId,name,accessCode\nx,y,zzzz\n')).status).toBe(403);
    expect((await call(`${s.api}/admin/exams/${examId}/registrations`, 'GET', undefined, proctor.token)).status).toBe(403);
    expect((await call(`${s.api}/admin/exams/${examId}/registrations/x`, 'PUT', {}, proctor.token)).status).toBe(403);
    expect((await registrations(examId)).total).toBe(0);
  });
});
