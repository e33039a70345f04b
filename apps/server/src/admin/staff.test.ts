import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, spawnServer, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client, staffWithToken } from './testing/kit.ts';

let s: SpawnedServer;
let api: ReturnType<typeof client>;
let token: string;
beforeAll(async () => {
  s = await spawnServer();
  token = await adminToken(s);
  api = client(s, token);
});
afterAll(() => s.kill());

const UNKNOWN = '3f0c6a52-0000-4000-8000-000000000000';
const login = (username: string, password: string) => call(`${s.api}/auth/staff/login`, 'POST', { username, password });
const whoami = (t: string) => call(`${s.api}/sessions/count`, 'GET', undefined, t);

describe('admin: staff accounts', () => {
  it('creates a proctor who can then sign in; lists and reads accounts without password hashes', async () => {
    const created = await api('POST', '/admin/staff', { username: 'pat.proctor', password: 'correct-horse-battery', role: 'proctor', displayName: 'Pat Proctor' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'pat.proctor', displayName: 'Pat Proctor', role: 'proctor', disabled: false, assignments: [] });

    const l = await login('pat.proctor', 'correct-horse-battery');
    expect(l.status).toBe(200);
    expect(l.body.user).toEqual({ id: created.body.id, username: 'pat.proctor', role: 'proctor' });

    const list = await api('GET', '/admin/staff');
    expect(list.status).toBe(200);
    expect(list.body.staff.map((u: any) => u.username)).toEqual(expect.arrayContaining(['admin', 'pat.proctor']));
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password_?hash/i);
    const one = await api('GET', `/admin/staff/${created.body.id}`);
    expect(one.body).toEqual(created.body);
    expect(Object.keys(one.body)).not.toContain('passwordHash');

    // An admin made by the admin can use admin routes.
    const second = await staffWithToken(s, token, { username: 'ada.admin', password: 'another-long-password', role: 'admin' });
    expect((await call(`${s.api}/admin/staff`, 'GET', undefined, second.token)).status).toBe(200);
  });

  it('refuses a taken username (409, regardless of case), short passwords, unknown roles and fields (400)', async () => {
    await api('POST', '/admin/staff', { username: 'dup.user', password: 'long-enough-password', role: 'proctor' });
    expect((await api('POST', '/admin/staff', { username: 'dup.user', password: 'long-enough-password', role: 'proctor' })).status).toBe(409);
    expect((await api('POST', '/admin/staff', { username: 'DUP.user', password: 'long-enough-password', role: 'admin' })).status).toBe(409);
    for (const body of [
      { username: 'short.pw', password: 'elevenchars', role: 'proctor' },
      { username: 'bad role', password: 'long-enough-password', role: 'proctor' },
      { username: 'x', password: 'long-enough-password', role: 'candidate' },
      { username: 'x', password: 'long-enough-password', role: 'superuser' },
      { username: 'x', password: 'long-enough-password' },
      { username: 'x', password: 'long-enough-password', role: 'proctor', isRoot: true },
    ]) {
      const r = await api('POST', '/admin/staff', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api('GET', `/admin/staff/${UNKNOWN}`)).status).toBe(404);
    expect((await api('PATCH', `/admin/staff/${UNKNOWN}`, { displayName: 'x' })).status).toBe(404);
    expect((await api('POST', `/admin/staff/${UNKNOWN}/password`, { password: 'long-enough-password' })).status).toBe(404);
    expect((await api('PUT', `/admin/staff/${UNKNOWN}/assignments`, { assignments: [] })).status).toBe(404);
    expect((await api('PATCH', `/admin/staff/${UNKNOWN}`, {})).status).toBe(400);
  });

  it('a proctor gets 403 on every admin route', async () => {
    const proctor = await staffWithToken(s, token, { username: 'nosy.proctor', password: 'proctor-password-1', role: 'proctor' });
    for (const [method, path, body] of [
      ['GET', '/admin/staff', undefined],
      ['POST', '/admin/staff', { username: 'evil', password: 'long-enough-password', role: 'admin' }],
      ['PATCH', `/admin/staff/${proctor.id}`, { role: 'admin' }],
      ['POST', `/admin/staff/${proctor.id}/password`, { password: 'long-enough-password' }],
      ['PUT', `/admin/staff/${proctor.id}/assignments`, { assignments: [] }],
      ['GET', '/admin/exams', undefined],
      ['GET', '/admin/centers', undefined],
    ] as const) {
      const r = await call(`${s.api}${path}`, method, body, proctor.token);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect((await api('GET', `/admin/staff/${proctor.id}`)).body.role).toBe('proctor');
    expect((await login('evil', 'long-enough-password')).status).toBe(401);
  });

  it('after a password reset the old tokens get 401, the old password fails and the new one works', async () => {
    const u = await staffWithToken(s, token, { username: 'reset.me', password: 'first-password-123', role: 'proctor' });
    const second = (await login('reset.me', 'first-password-123')).body.token as string;
    expect((await whoami(u.token)).status).toBe(200);

    const r = await api('POST', `/admin/staff/${u.id}/password`, { password: 'second-password-456' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true, revokedSessions: 2 });

    expect((await whoami(u.token)).status).toBe(401);
    expect((await whoami(second)).status).toBe(401);
    expect((await login('reset.me', 'first-password-123')).status).toBe(401);
    const fresh = await login('reset.me', 'second-password-456');
    expect(fresh.status).toBe(200);
    expect((await whoami(fresh.body.token)).status).toBe(200);
    expect((await api('POST', `/admin/staff/${u.id}/password`, { password: 'short' })).status).toBe(400);

    const audit = peek<{ action: string; detail: string }>(s.dataDir, "select action, detail from audit_events where action in ('staff.password_reset', 'auth.all_sessions_revoked') and detail like ? order by id", `%${u.id}%`);
    expect(audit.map((a) => a.action)).toEqual(['staff.password_reset', 'auth.all_sessions_revoked']);
    expect(audit.map((a) => a.detail).join()).not.toContain('second-password-456');
  });

  it('disabling ends every session and refuses new logins; enabling lets the user back in', async () => {
    const u = await staffWithToken(s, token, { username: 'disable.me', password: 'disable-password-1', role: 'proctor' });
    const off = await api('PATCH', `/admin/staff/${u.id}`, { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ staff: { disabled: true }, revokedSessions: 1 });
    expect((await whoami(u.token)).status).toBe(401);
    expect((await login('disable.me', 'disable-password-1')).status).toBe(401);

    const on = await api('PATCH', `/admin/staff/${u.id}`, { disabled: false, displayName: 'Back Again' });
    expect(on.body).toMatchObject({ staff: { disabled: false, displayName: 'Back Again' }, revokedSessions: 0 });
    expect((await login('disable.me', 'disable-password-1')).status).toBe(200);
  });

  it('a role change ends the sessions signed in with the old role', async () => {
    const u = await staffWithToken(s, token, { username: 'promote.me', password: 'promote-password-1', role: 'proctor' });
    expect((await call(`${s.api}/admin/centers`, 'GET', undefined, u.token)).status).toBe(403);
    const r = await api('PATCH', `/admin/staff/${u.id}`, { role: 'admin' });
    expect(r.body).toMatchObject({ staff: { role: 'admin' }, revokedSessions: 1 });
    expect((await whoami(u.token)).status).toBe(401);
    const again = await login('promote.me', 'promote-password-1');
    expect((await call(`${s.api}/admin/centers`, 'GET', undefined, again.body.token)).status).toBe(200);

    // Demoted again: the admin token it had stops working at once.
    await api('PATCH', `/admin/staff/${u.id}`, { role: 'proctor' });
    expect((await call(`${s.api}/admin/centers`, 'GET', undefined, again.body.token)).status).toBe(401);
  });

  it('the last enabled admin cannot be disabled or demoted', async () => {
    const fresh = await spawnServer();
    try {
      const t = await adminToken(fresh);
      const me = (await call(`${fresh.api}/admin/staff`, 'GET', undefined, t)).body.staff[0];
      for (const change of [{ disabled: true }, { role: 'proctor' }]) {
        const r = await call(`${fresh.api}/admin/staff/${me.id}`, 'PATCH', change, t);
        expect(r.status, JSON.stringify(change)).toBe(409);
      }
      expect((await call(`${fresh.api}/admin/staff`, 'GET', undefined, t)).status).toBe(200);
    } finally {
      await fresh.kill();
    }
  });

  it('assignments replace a proctor’s centers and rooms, and scope what the proctor sees', async () => {
    const north = (await api('POST', '/admin/centers', { name: 'Assign North' })).body;
    const south = (await api('POST', '/admin/centers', { name: 'Assign South' })).body;
    const n1 = (await api('POST', `/admin/centers/${north.id}/rooms`, { name: 'N1' })).body;
    const s1 = (await api('POST', `/admin/centers/${south.id}/rooms`, { name: 'S1' })).body;
    const p = await staffWithToken(s, token, { username: 'assigned.proctor', password: 'assigned-password', role: 'proctor' });

    const set = await api('PUT', `/admin/staff/${p.id}/assignments`, { assignments: [{ centerId: north.id }, { centerId: south.id, roomId: s1.id }, { centerId: north.id }] });
    expect(set.status).toBe(200);
    expect(set.body.assignments).toEqual([
      { centerId: north.id, roomId: null },
      { centerId: south.id, roomId: s1.id },
    ]);
    const replaced = await api('PUT', `/admin/staff/${p.id}/assignments`, { assignments: [{ centerId: north.id, roomId: n1.id }] });
    expect(replaced.body.assignments).toEqual([{ centerId: north.id, roomId: n1.id }]);
    expect((await api('GET', `/admin/staff/${p.id}`)).body.assignments).toEqual([{ centerId: north.id, roomId: n1.id }]);

    // Unknown center or room, or a room of another center: 404, nothing changes.
    for (const a of [{ centerId: UNKNOWN }, { centerId: north.id, roomId: UNKNOWN }, { centerId: north.id, roomId: s1.id }]) {
      expect((await api('PUT', `/admin/staff/${p.id}/assignments`, { assignments: [a] })).status, JSON.stringify(a)).toBe(404);
    }
    expect((await api('PUT', `/admin/staff/${p.id}/assignments`, { assignments: [{ roomId: n1.id }] })).status).toBe(400);
    expect((await api('GET', `/admin/staff/${p.id}`)).body.assignments).toEqual([{ centerId: north.id, roomId: n1.id }]);

    // Deleting the room takes the assignment with it.
    expect((await api('DELETE', `/admin/rooms/${n1.id}`)).status).toBe(204);
    expect((await api('GET', `/admin/staff/${p.id}`)).body.assignments).toEqual([]);
    expect((await api('PUT', `/admin/staff/${p.id}/assignments`, { assignments: [] })).body.assignments).toEqual([]);
  });
});
