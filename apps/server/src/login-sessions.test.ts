import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, type Provisioned, type SpawnedServer } from './testing/harness.ts';

const UA = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};

let s: SpawnedServer;
let p: Provisioned;
beforeAll(async () => {
  s = await spawnServer();
  p = await provision(s, 3);
});
afterAll(() => s.kill());

const staffLogin = (ua: string, password = s.adminPassword) => call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password }, undefined, { 'user-agent': ua });
const setAdminPolicy = (token: string, policy: Record<string, unknown>) =>
  call(`${s.api}/admin/policies/roles/admin`, 'PUT', { idleTimeoutMinutes: 30, absoluteTimeoutMinutes: 720, onLimit: 'terminate_oldest', ...policy }, token);

describe('login sessions (the role-session test report scenarios)', () => {
  it('multi-device: iPhone, Android and iPad logins are listed with the right device types; revoke one; revoke all others', async () => {
    expect((await setAdminPolicy(p.adminToken, { maxSessions: 10 })).status).toBe(200);
    await call(`${s.api}/sessions`, 'DELETE', undefined, p.adminToken); // start from the provisioning session only
    const phone = (await staffLogin(UA.iphone)).body.token;
    const android = (await staffLogin(UA.android)).body.token;
    const tablet = (await staffLogin(UA.ipad)).body.token;

    const list = await call(`${s.api}/sessions`, 'GET', undefined, tablet);
    expect(list.status).toBe(200);
    const byType = (t: string) => list.body.filter((x: { deviceInfo: { deviceType: string } }) => x.deviceInfo.deviceType === t);
    expect(byType('mobile')).toHaveLength(2);
    expect(byType('tablet')).toHaveLength(1);
    expect(list.body.map((x: { deviceInfo: { deviceName: string } }) => x.deviceInfo.deviceName).join(' ')).toMatch(/iPhone.*|Pixel 8/);
    const current = list.body.filter((x: { isCurrent: boolean }) => x.isCurrent);
    expect(current).toHaveLength(1);
    expect(current[0].deviceInfo.deviceType).toBe('tablet');
    for (const x of list.body) expect(Object.keys(x).sort()).toEqual(['createdAt', 'deviceInfo', 'expiresAt', 'id', 'ipAddress', 'isCurrent', 'lastActivity']);
    expect((await call(`${s.api}/sessions/count`, 'GET', undefined, tablet)).body).toEqual({ count: 4 });

    // Revoke the iPhone from the iPad: the iPhone's token stops working at once.
    const phoneSession = (await call(`${s.api}/sessions`, 'GET', undefined, phone)).body.find((x: { isCurrent: boolean }) => x.isCurrent);
    expect((await call(`${s.api}/sessions/${phoneSession.id}`, 'DELETE', undefined, tablet)).body).toEqual({ success: true });
    expect((await call(`${s.api}/sessions`, 'GET', undefined, phone)).status).toBe(401);
    expect((await call(`${s.api}/sessions/${phoneSession.id}`, 'DELETE', undefined, tablet)).status).toBe(404);

    // Revoke all others: only the current one is left.
    const others = await call(`${s.api}/sessions`, 'DELETE', undefined, tablet);
    expect(others.body).toEqual({ success: true, revoked: 2 });
    expect((await call(`${s.api}/sessions`, 'GET', undefined, android)).status).toBe(401);
    const left = await call(`${s.api}/sessions`, 'GET', undefined, tablet);
    expect(left.body).toHaveLength(1);
    expect(left.body[0].isCurrent).toBe(true);

    const a = await call(`${s.api}/sessions/analytics`, 'GET', undefined, tablet);
    expect(a.status).toBe(200);
    expect(a.body.active).toBe(1);
    expect(a.body.total).toBeGreaterThanOrEqual(4);
    expect(a.body.deviceTypes).toMatchObject({ mobile: 2, tablet: 1 });
    expect(a.body.revokedLast24h).toBeGreaterThanOrEqual(3);
    expect(a.body.recent[0]).toMatchObject({ deviceType: 'tablet', endedAt: null });
    p.adminToken = tablet;
  });

  it('admin limit 2 with terminate-oldest: the third login evicts the oldest, whose token is then 401', async () => {
    expect((await setAdminPolicy(p.adminToken, { maxSessions: 2 })).status).toBe(200);
    await call(`${s.api}/sessions`, 'DELETE', undefined, p.adminToken);
    const second = (await staffLogin(UA.windows)).body.token;
    // Now 2 live: p.adminToken (oldest) and second. A third evicts p.adminToken.
    const third = await staffLogin(UA.iphone);
    expect(third.status).toBe(200);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, p.adminToken)).status).toBe(401);
    expect((await call(`${s.api}/sessions/count`, 'GET', undefined, second)).body).toEqual({ count: 2 });
    p.adminToken = third.body.token;
  });

  it('a deny-new role refuses the extra login with a clear error', async () => {
    expect((await setAdminPolicy(p.adminToken, { maxSessions: 1, onLimit: 'deny_new' })).status).toBe(200);
    await call(`${s.api}/sessions`, 'DELETE', undefined, p.adminToken);
    const r = await staffLogin(UA.android);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('LOGIN_LIMIT_REACHED');
    expect(r.body.error.message).toMatch(/limit .* is 1/);
    expect(r.body.error.details).toMatchObject({ maxSessions: 1, activeSessions: 1 });
    // The existing session is untouched; logging out frees the slot.
    expect((await call(`${s.api}/auth/logout`, 'POST', undefined, p.adminToken)).status).toBe(204);
    const again = await staffLogin(UA.android);
    expect(again.status).toBe(200);
    p.adminToken = again.body.token;
    await setAdminPolicy(p.adminToken, { maxSessions: 3 });
  });

  it('candidates: one login; a second is refused while their exam runs, and replaces the first otherwise', async () => {
    const c = p.candidates[0]!;
    const first = await candidateLogin(s, p.examId, c, UA.windows);
    const second = await candidateLogin(s, p.examId, c, UA.windows); // no exam running: replaces the first
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, first)).status).toBe(401);
    expect((await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId }, second)).status).toBe(201);
    const third = await call(`${s.api}/auth/candidate/login`, 'POST', { examId: p.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({ code: 'LOGIN_LIMIT_REACHED', details: { reason: 'exam_active' } });
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, second)).status).toBe(200);
  });

  it('one cannot revoke somebody else’s session: 404, exactly as an unknown id', async () => {
    const a = await candidateLogin(s, p.examId, p.candidates[1]!);
    const b = await candidateLogin(s, p.examId, p.candidates[2]!);
    const aSession = (await call(`${s.api}/sessions`, 'GET', undefined, a)).body[0].id;
    const r = await call(`${s.api}/sessions/${aSession}`, 'DELETE', undefined, b);
    const unknown = await call(`${s.api}/sessions/00000000-0000-4000-8000-000000000000`, 'DELETE', undefined, b);
    expect(r.status).toBe(404);
    expect(r.body).toEqual(unknown.body);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, a)).status).toBe(200);
    // Nor can an admin revoke it through the self-service route.
    expect((await call(`${s.api}/sessions/${aSession}`, 'DELETE', undefined, p.adminToken)).status).toBe(404);
  });

  it('changing the password ends every session of the user and hands this device a new one', async () => {
    const other = (await staffLogin(UA.ipad)).body.token;
    const r = await call(`${s.api}/auth/password`, 'POST', { currentPassword: s.adminPassword, newPassword: 'a-brand-new-password-42' }, p.adminToken);
    expect(r.status).toBe(200);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, other)).status).toBe(401);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, p.adminToken)).status).toBe(401);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, r.body.token)).status).toBe(200);
    expect((await staffLogin(UA.ipad)).status).toBe(401);
    expect((await staffLogin(UA.ipad, 'a-brand-new-password-42')).status).toBe(200);
    const wrong = await call(`${s.api}/auth/password`, 'POST', { currentPassword: 'nope', newPassword: 'another-password-123' }, r.body.token);
    expect(wrong.status).toBe(401);
  });

  it('an admin can end every session of a user, and role policies are readable', async () => {
    const one = await staffLogin(UA.windows, 'a-brand-new-password-42');
    const two = (await staffLogin(UA.iphone, 'a-brand-new-password-42')).body.token;
    const policies = await call(`${s.api}/admin/policies/roles`, 'GET', undefined, one.body.token);
    expect(policies.body.candidate).toMatchObject({ maxSessions: 1, denyWhileExamActive: true, onLimit: 'terminate_oldest' });
    const r = await call(`${s.api}/admin/users/${one.body.user.id}/sessions`, 'DELETE', undefined, one.body.token);
    expect(r.status).toBe(200);
    expect(r.body.revoked).toBeGreaterThanOrEqual(2);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, two)).status).toBe(401);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, one.body.token)).status).toBe(401);
    const bad = await call(`${s.api}/admin/policies/roles/admin`, 'PUT', { idleTimeoutMinutes: 0, absoluteTimeoutMinutes: 5, maxSessions: 1, onLimit: 'x' }, two);
    expect(bad.status).toBe(401);
  });
});

describe('a proctor at the deny-new limit whose tabs lost their tokens', () => {
  it('signs in and ends their oldest session, once the password is checked', async () => {
    const admin = (await staffLogin(UA.windows, 'a-brand-new-password-42')).body.token; // changed above
    const made = await call(`${s.api}/admin/staff`, 'POST', { username: 'limit.proctor', password: 'limit-proctor-pass-1', role: 'proctor' }, admin);
    expect(made.status).toBe(201);
    const login = (body: Record<string, unknown> = {}) => call(`${s.api}/auth/staff/login`, 'POST', { username: 'limit.proctor', password: 'limit-proctor-pass-1', ...body });
    const tabs: string[] = [];
    for (let i = 0; i < 5; i++) tabs.push((await login()).body.token); // proctors: 5 sessions, deny new
    const refused = await login();
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'LOGIN_LIMIT_REACHED', details: { maxSessions: 5, canEndOldest: true } });
    // Not without the password.
    expect((await login({ password: 'wrong-password-123', endOldestSession: true })).status).toBe(401);
    const inAgain = await login({ endOldestSession: true });
    expect(inAgain.status).toBe(200);
    expect((await call(`${s.api}/sessions`, 'GET', undefined, tabs[0])).status).toBe(401);
    for (const t of tabs.slice(1)) expect((await call(`${s.api}/sessions/count`, 'GET', undefined, t)).status).toBe(200);
    expect((await call(`${s.api}/sessions/count`, 'GET', undefined, inAgain.body.token)).body).toEqual({ count: 5 });
  });
});
