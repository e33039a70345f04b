import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peek } from '../testing/db-peek.ts';
import { call, candidateLogin, provision, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from '../testing/harness.ts';

/**
 * Guesses sent all at once against the real server: attempts in flight count, so no more are
 * evaluated than a caller trying one after another would get in the same time: 5 at once, then one
 * after 1 s, 2 s, 4 s… (security/attempt-limits.ts). Evaluations are counted by the failure audit
 * rows the server writes after each check of a secret (a refused attempt writes none).
 */
let s: SpawnedServer;
let p: Provisioned;
beforeAll(async () => {
  s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '60000' });
  p = await provision(s, 3, { prefix: 'par' });
});
afterAll(() => s.kill());

/** Most evaluations the sequential schedule allows within `ms`: 5 at once, then one at 1 s, 3 s, 7 s, 15 s… */
const sequentialMax = (ms: number) => 5 + Math.floor(Math.log2(ms / 1_000 + 1));

async function burst(n: number, send: (i: number) => Promise<{ status: number }>): Promise<{ statuses: number[]; ms: number }> {
  const t0 = Date.now();
  const statuses = (await Promise.all(Array.from({ length: n }, (_, i) => send(i)))).map((r) => r.status);
  return { statuses, ms: Date.now() - t0 };
}

const countAudit = (action: string, like: string) => peek<{ n: number }>(s.dataDir, `SELECT count(*) AS n FROM audit_events WHERE action = ? AND detail LIKE ?`, action, `%${like}%`)[0]!.n;

describe('parallel guessing', () => {
  it('200 wrong staff passwords at once: at most the sequential limit is evaluated, the rest answer 429', async () => {
    const proctor = await call(`${s.api}/admin/staff`, 'POST', { username: 'par.proctor', password: 'par-proctor-password-1', role: 'proctor' }, p.adminToken);
    expect(proctor.status).toBe(201);
    const { statuses, ms } = await burst(200, (i) => call(`${s.api}/auth/staff/login`, 'POST', { username: 'par.proctor', password: `wrong-password-${i}` }));
    const evaluated = countAudit('auth.staff_login_failed', '"par.proctor"');
    expect(evaluated).toBeGreaterThanOrEqual(5);
    expect(evaluated).toBeLessThanOrEqual(sequentialMax(ms));
    expect(statuses.filter((x) => x === 401)).toHaveLength(evaluated);
    expect(statuses.filter((x) => x === 429)).toHaveLength(200 - evaluated);
  });

  it('200 wrong access codes at once for one candidate: the same', async () => {
    const c = p.candidates[0]!;
    const { statuses, ms } = await burst(200, (i) => call(`${s.api}/auth/candidate/login`, 'POST', { examId: p.examId, candidateId: c.candidateId, accessCode: `guess-${i}` }));
    const evaluated = countAudit('auth.candidate_login_failed', `"${c.candidateId}"`);
    expect(evaluated).toBeGreaterThanOrEqual(5);
    expect(evaluated).toBeLessThanOrEqual(sequentialMax(ms));
    expect(statuses.filter((x) => x === 429)).toHaveLength(200 - evaluated);
  });

  it('200 wrong current passwords at once on the password-change route: checked against the same limit', async () => {
    const made = await call(`${s.api}/admin/staff`, 'POST', { username: 'par.changer', password: 'par-changer-password-1', role: 'proctor' }, p.adminToken);
    expect(made.status).toBe(201);
    const login = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'par.changer', password: 'par-changer-password-1' });
    const { statuses, ms } = await burst(200, (i) => call(`${s.api}/auth/password`, 'POST', { currentPassword: `wrong-current-${i}`, newPassword: 'a-brand-new-password-1' }, login.body.token));
    const evaluated = peek<{ n: number }>(s.dataDir, `SELECT count(*) AS n FROM audit_events WHERE action = 'auth.password_change_failed' AND actor_id = ?`, made.body.id)[0]!.n;
    expect(evaluated).toBeGreaterThanOrEqual(5);
    expect(evaluated).toBeLessThanOrEqual(sequentialMax(ms));
    expect(statuses.filter((x) => x === 429)).toHaveLength(200 - evaluated);
    // The password was not changed by any of them, and the session still works.
    expect((await call(`${s.api}/sessions/count`, 'GET', undefined, login.body.token)).status).toBe(200);
  });

  it('200 wrong recovery tokens at once: the session compares exactly MAX_RECOVERY_ATTEMPTS of them (under its row lock) and locks', async () => {
    const c = p.candidates[1]!;
    const token = await candidateLogin(s, p.examId, c);
    const dev = new TestDevice();
    const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
    expect(st.status).toBe(201);
    const attemptId = st.body.attemptId as string;
    const { statuses } = await burst(200, (i) => call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, `wrong-token-${i}-${'x'.repeat(30)}`), token));
    const wrong = peek<{ n: number }>(s.dataDir, `SELECT count(*) AS n FROM audit_events WHERE attempt_id = ? AND action = 'session.recovery_failed'`, attemptId)[0]!.n;
    // MAX_RECOVERY_ATTEMPTS (3) wrong tokens lock the session; nothing beyond is compared.
    expect(peek<{ is_locked: number; recovery_attempts: number }>(s.dataDir, 'SELECT is_locked, recovery_attempts FROM exam_sessions WHERE attempt_id = ?', attemptId)[0]).toEqual({ is_locked: 1, recovery_attempts: 3 });
    expect(wrong).toBe(3);
    expect(statuses.every((x) => [403, 423, 429].includes(x))).toBe(true);
  });
});
