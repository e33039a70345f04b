import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokenIn, inProcess, type InProcess } from '../testing/in-process.ts';

/** Login deadlines, on a manual clock (sign-in throttles: throttle.test.ts). */
let s: InProcess;
beforeEach(async () => {
  s = await inProcess();
});
afterEach(() => s.close());

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
