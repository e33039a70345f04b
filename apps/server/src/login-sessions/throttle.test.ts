import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokenIn, inProcess, provisionIn, type InProcess } from '../testing/in-process.ts';

/**
 * Lockout as a weapon, on a manual clock: failures count per (account, address) with growing
 * delays, a per-account ceiling only a many-address brute force reaches, a per-address limit sized
 * for a full hall behind one NAT address; successes never count; staff clear a candidate's delays.
 * Addresses come from X-Forwarded-For behind one trusted proxy (TRUST_PROXY=true).
 */
let s: InProcess;
beforeEach(async () => {
  s = await inProcess({ TRUST_PROXY: 'true' });
});
afterEach(() => s.close());

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const staffLogin = (username: string, password: string, ip: string) => s.api('POST', '/auth/staff/login', { username, password }, undefined, from(ip));
const candLogin = (examId: string, candidateId: string, accessCode: string, ip: string) => s.api('POST', '/auth/candidate/login', { examId, candidateId, accessCode }, undefined, from(ip));
const retryAfter = (r: { headers: Headers }) => Number(r.headers.get('retry-after'));

async function proctor(admin: string, username = 'hall.proctor', password = 'hall-proctor-password-1') {
  const made = await s.api('POST', '/admin/staff', { username, password, role: 'proctor' }, admin);
  expect(made.status).toBe(201);
  return { id: made.body.id as string, username, password };
}

describe('failed staff logins', () => {
  it("a stranger's ten wrong passwords from another address do not lock the real proctor out", async () => {
    const admin = await adminTokenIn(s);
    const p = await proctor(admin);
    const stranger = [];
    for (let i = 0; i < 10; i++) stranger.push((await staffLogin(p.username, `wrong-password-${i}`, '203.0.113.66')).status);
    expect(stranger).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    expect((await staffLogin(p.username, p.password, '10.0.0.5')).status).toBe(200);
  });

  it('wrong tries from one address wait 1 s, 2 s, 4 s …; a success clears the delays', async () => {
    const admin = await adminTokenIn(s);
    const p = await proctor(admin);
    for (let i = 0; i < 5; i++) expect((await staffLogin(p.username, 'wrong-password-1', '10.0.0.7')).status).toBe(401);
    for (const wait of [1, 2, 4, 8]) {
      const refused = await staffLogin(p.username, p.password, '10.0.0.7');
      expect(refused.status).toBe(429);
      expect(retryAfter(refused)).toBe(wait);
      s.clock.advance(wait * 1_000 - 1);
      expect((await staffLogin(p.username, p.password, '10.0.0.7')).status).toBe(429);
      s.clock.advance(1);
      expect((await staffLogin(p.username, 'wrong-password-1', '10.0.0.7')).status).toBe(401);
    }
    s.clock.advance(16_000);
    expect((await staffLogin(p.username, p.password, '10.0.0.7')).status).toBe(200);
    // Cleared: five free tries again.
    for (let i = 0; i < 5; i++) expect((await staffLogin(p.username, 'wrong-password-1', '10.0.0.7')).status).toBe(401);
  });

});

describe('failed candidate logins', () => {
  it('a candidate guessing a neighbour’s id behind the same NAT address delays the neighbour only until staff clear it', async () => {
    const prov = await provisionIn(s, 2);
    const [me, neighbour] = prov.candidates;
    const hall = '192.0.2.10';
    for (let i = 0; i < 5; i++) expect((await candLogin(prov.examId, neighbour!.candidateId, `${me!.accessCode}-${i}`, hall)).status).toBe(401);
    const refused = await candLogin(prov.examId, neighbour!.candidateId, neighbour!.accessCode, hall);
    expect(refused.status).toBe(429);
    // The proctor (here the admin) lifts it from the console; the neighbour signs in at once.
    const cleared = await s.api('DELETE', `/proctor/exams/${prov.examId}/candidates/${neighbour!.candidateId}/login-throttle`, undefined, prov.adminToken);
    expect(cleared.status).toBe(204);
    expect((await candLogin(prov.examId, neighbour!.candidateId, neighbour!.accessCode, hall)).status).toBe(200);
    // An unknown candidate is 404, like somebody else's.
    expect((await s.api('DELETE', `/proctor/exams/${prov.examId}/candidates/nobody/login-throttle`, undefined, prov.adminToken)).status).toBe(404);
  });

  it('a many-address brute force meets the per-account ceiling (100 an hour); it opens again after the hour', async () => {
    const prov = await provisionIn(s, 1);
    const c = prov.candidates[0]!;
    for (let i = 0; i < 100; i++) expect((await candLogin(prov.examId, c.candidateId, `guess-${i}`, `198.51.100.${i}`)).status).toBe(401);
    const refused = await candLogin(prov.examId, c.candidateId, c.accessCode, '10.0.0.5');
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBe(3_600);
    s.clock.advance(3_600_000);
    expect((await candLogin(prov.examId, c.candidateId, c.accessCode, '10.0.0.5')).status).toBe(200);
  });

  it('successful logins never count', async () => {
    const prov = await provisionIn(s, 1);
    const c = prov.candidates[0]!;
    for (let i = 0; i < 150; i++) expect((await candLogin(prov.examId, c.candidateId, c.accessCode, '10.0.0.8')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await candLogin(prov.examId, c.candidateId, 'wrong-code', '10.0.0.8')).status).toBe(401);
    expect((await candLogin(prov.examId, c.candidateId, 'wrong-code', '10.0.0.8')).status).toBe(429);
  });

  it('a full hall behind one address: 1,000 candidates each mistyping twice all get in; the address limit is 3,000 attempts per 10 minutes', async () => {
    const admin = await adminTokenIn(s);
    const exam = await s.api('POST', '/admin/exams', { title: 'Hall', durationMinutes: 60, questions: [{ id: 'q1', type: 'text', prompt: 'Anything.' }] }, admin);
    const seats = Array.from({ length: 1_000 }, (_, i) => ({ candidateId: `seat-${i}`, name: `Seat ${i}`, accessCode: `hall-code-${i}-secret` }));
    expect((await s.api('POST', `/admin/exams/${exam.body.id}/candidates`, { candidates: seats }, admin)).status).toBe(201);
    const nat = '192.0.2.99';
    for (const typo of ['typo-one', 'typo-two']) {
      const wrong = await Promise.all(seats.map((c) => candLogin(exam.body.id, c.candidateId, `${c.accessCode}-${typo}`, nat)));
      expect(wrong.every((r) => r.status === 401)).toBe(true);
    }
    const right = await Promise.all(seats.map((c) => candLogin(exam.body.id, c.candidateId, c.accessCode, nat)));
    expect(right.filter((r) => r.status !== 200)).toEqual([]);
    // Successes gave their attempts back: 2,000 failures counted; 1,000 more guesses from that address fit, then no more.
    const spray = await Promise.all(seats.map((c) => candLogin(exam.body.id, c.candidateId, 'spray-guess', nat)));
    expect(spray.every((r) => r.status === 401)).toBe(true);
    const over = await candLogin(exam.body.id, 'seat-1', 'spray-guess', nat);
    expect(over.status).toBe(429);
    expect(retryAfter(over)).toBe(600);
  }, 60_000);
});
