import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokenIn, inProcess, type InProcess } from '../testing/in-process.ts';

/** Rate-limit windows and login deadlines, on a manual clock. */
let s: InProcess;
beforeEach(async () => {
  s = await inProcess();
});
afterEach(() => s.close());

const login = (password: string) => s.api('POST', '/auth/staff/login', { username: 'admin', password });

describe('failed staff logins', () => {
  it('ten wrong passwords close the account for its 15-minute window; then it opens again', async () => {
    for (let i = 0; i < 10; i++) expect((await login('wrong-password-123')).status).toBe(401);
    const limited = await login(s.adminPassword);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(15 * 60);
    s.clock.advance(15 * 60_000 - 1_000);
    expect((await login(s.adminPassword)).status).toBe(429);
    s.clock.advance(1_000);
    expect((await login(s.adminPassword)).status).toBe(200);
  });
});

describe('login deadlines', () => {
  it('an admin login ends after 30 idle minutes; activity keeps it alive', async () => {
    const token = await adminTokenIn(s);
    s.clock.advance(29 * 60_000);
    expect((await s.api('GET', '/sessions/count', undefined, token)).status).toBe(200);
    s.clock.advance(29 * 60_000);
    expect((await s.api('GET', '/sessions/count', undefined, token)).status).toBe(200);
    await s.jobs.flush(); // activity reaches the database in batches; either way it counts
    s.clock.advance(30 * 60_000);
    const r = await s.api('GET', '/sessions/count', undefined, token);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/expired/);
    expect(await s.jobs.cleanup()).toBe(1);
  });
});
