import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, provision, spawnServer, type Provisioned, type SpawnedServer } from '../testing/harness.ts';
import { adminTokenIn, inProcess } from '../testing/in-process.ts';
import { MAX_QUEUED_EVENTS } from './events-route.ts';

/** Opens /proctor/events and reports when the server ends it (and with what last event). */
async function open(url: string, token: string) {
  const res = await fetch(`${url}/api/v1/proctor/events?access_token=${encodeURIComponent(token)}`);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return text;
      text += dec.decode(value, { stream: true });
    }
  })();
  return {
    /** Resolves with everything the stream said once the server ended it; rejects after `ms`. */
    end: (ms = 15_000) => Promise.race([ended, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('the stream is still open')), ms))]),
  };
}

describe('a live stream lives only as long as its login (real server)', () => {
  let s: SpawnedServer;
  let p: Provisioned;
  let centerId: string;
  beforeAll(async () => {
    s = await spawnServer({ SSE_RECHECK_MS: '300' });
    p = await provision(s, 1);
    centerId = (await call(`${s.api}/admin/centers`, 'POST', { name: 'Stream center' }, p.adminToken)).body.id;
  });
  afterAll(() => s.kill());

  let n = 0;
  async function proctor() {
    const username = `stream-proctor-${++n}`;
    const created = await call(`${s.api}/admin/staff`, 'POST', { username, password: 'a-long-proctor-password', role: 'proctor' }, p.adminToken);
    await call(`${s.api}/admin/staff/${created.body.id}/assignments`, 'PUT', { assignments: [{ centerId }] }, p.adminToken);
    const login = await call(`${s.api}/auth/staff/login`, 'POST', { username, password: 'a-long-proctor-password' });
    return { id: created.body.id as string, token: login.body.token as string };
  }

  it('logging out ends the stream, saying why', async () => {
    const pr = await proctor();
    const st = await open(s.url, pr.token);
    expect((await call(`${s.api}/auth/logout`, 'POST', undefined, pr.token)).status).toBe(204);
    expect(await st.end()).toMatch(/event: closed\ndata: .*sign in again/);
    // Reconnecting with the revoked token is refused.
    expect((await fetch(`${s.api}/proctor/events?access_token=${pr.token}`)).status).toBe(401);
  });

  it('disabling the account ends it', async () => {
    const pr = await proctor();
    const st = await open(s.url, pr.token);
    await call(`${s.api}/admin/staff/${pr.id}`, 'PATCH', { disabled: true }, p.adminToken);
    expect(await st.end()).toMatch(/event: closed/);
  });

  it('unassigning the proctor ends it (a reconnect gets the new scope)', async () => {
    const pr = await proctor();
    const st = await open(s.url, pr.token);
    await call(`${s.api}/admin/staff/${pr.id}/assignments`, 'PUT', { assignments: [] }, p.adminToken);
    expect(await st.end()).toMatch(/event: closed/);
    expect((await fetch(`${s.api}/proctor/events?access_token=${pr.token}`)).status).toBe(200);
  });

  it('a login that ends without any event (changed in the database) is noticed by the periodic check', async () => {
    const pr = await proctor();
    const st = await open(s.url, pr.token);
    const db = new Database(join(s.dataDir, 'invigil.sqlite'));
    db.pragma('busy_timeout = 5000');
    db.prepare("update auth_sessions set revoked_at = ?, revoke_reason = 'test' where user_id = ?").run(Date.now(), pr.id);
    db.close();
    expect(await st.end()).toMatch(/event: closed/);
  });
});

describe('a subscriber that stops reading', () => {
  it(`is dropped once ${MAX_QUEUED_EVENTS} events wait for it, and the others keep theirs`, async () => {
    const s = await inProcess();
    try {
      const token = await adminTokenIn(s);
      const silent = await s.app.request(`/api/v1/proctor/events?access_token=${token}`); // its body is never read
      expect(silent.status).toBe(200);
      const reader = await (async () => {
        // A second subscriber that does read.
        const r = await s.app.request(`/api/v1/proctor/events?access_token=${token}`);
        return r.body!.getReader();
      })();
      const reading = (async () => {
        let bytes = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return bytes;
          bytes += value.length;
          if (bytes > 1_000_000) {
            await reader.cancel();
            return bytes;
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      expect(s.shared.events.localSubscribers).toBeGreaterThanOrEqual(2);
      const at = new Date(s.clock.now()).toISOString();
      for (let i = 0; i < MAX_QUEUED_EVENTS * 5; i++) {
        await s.shared.events.publish({ type: 'alert', at, attemptId: `a${i}`, centerId: null, roomId: null, data: { id: `x${i}`, kind: 'focus_lost', severity: 'warning', message: 'x'.repeat(200) } });
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      expect(await reading).toBeGreaterThan(1_000_000); // the reader got its events
      const end = Date.now() + 10_000;
      while (s.shared.events.localSubscribers > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(s.shared.events.localSubscribers).toBe(0); // the silent one was dropped (and the reader cancelled)
    } finally {
      await s.close();
    }
  });
});

describe('when the process shuts down', () => {
  it('a stream is sent what was queued for it, then a reconnect hint, and ends', async () => {
    const s = await inProcess();
    try {
      const token = await adminTokenIn(s);
      const res = await s.app.request(`/api/v1/proctor/events?access_token=${token}`);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      while (!text.includes('event: hello')) text += dec.decode((await reader.read()).value, { stream: true });
      const at = new Date(s.clock.now()).toISOString();
      for (let i = 0; i < 3; i++) await s.shared.events.publish({ type: 'alert', at, attemptId: `a${i}`, centerId: null, roomId: null, data: { id: `x${i}`, kind: 'focus_lost', severity: 'warning', message: `m${i}` } });
      s.lifecycle.close();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      expect([...text.matchAll(/^data: (.*)$/gm)].slice(1).map((m) => JSON.parse(m[1]!).data.id)).toEqual(['x0', 'x1', 'x2']);
      expect(text.endsWith('retry: 1000\n\n')).toBe(true);
      expect(s.shared.events.localSubscribers).toBe(0);
    } finally {
      await s.close();
    }
  });
});
