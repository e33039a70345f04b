import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import { call, TestDevice } from './harness.ts';

const QUESTIONS = [
  { id: 'q1', type: 'single', prompt: 'Capital of France?', options: [{ id: 'a', label: 'Paris' }, { id: 'b', label: 'Lyon' }], correct: ['a'], points: 1 },
  { id: 'q2', type: 'text', prompt: 'Explain recursion.' },
];

/** Reads SSE messages from a stream; `next(pred)` waits for one that matches. */
async function openEvents(url: string, token: string, lastEventId?: string) {
  const ctl = new AbortController();
  const res = await fetch(`${url}/api/v1/proctor/events?access_token=${encodeURIComponent(token)}`, {
    signal: ctl.signal,
    headers: lastEventId ? { 'last-event-id': lastEventId } : {},
  });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const seen: { id: string; data: any }[] = [];
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: ?(.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (id && data && /^event: ?message$/m.test(block)) seen.push({ id, data: JSON.parse(data) });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    seen,
    async next(pred: (e: any) => boolean, ms = 15_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = seen.find((m) => pred(m.data));
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`no matching event; saw ${JSON.stringify(seen.map((m) => m.data.type))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: async () => {
      ctl.abort();
      await pump;
    },
  };
}

/**
 * What several processes serving one exam must get right together (issue F): run against each
 * cluster shape (processes on one SQLite DATA_DIR + Redis; instances on PostgreSQL + Redis behind nginx).
 */
export function describeScaleOut(label: string, o: ClusterOptions): void {
  describe(label, () => {
    let c: Cluster;
    let adminToken: string;
    let examId: string;
    const at = (i: number) => c.instances[i % c.instances.length]!.api;

    beforeAll(async () => {
      c = await startCluster(o);
      const login = await call(`${c.api}/auth/staff/login`, 'POST', { username: 'admin', password: c.adminPassword });
      adminToken = login.body.token;
      const exam = await call(`${c.api}/admin/exams`, 'POST', { title: 'Scale-out exam', durationMinutes: 60, questions: QUESTIONS }, adminToken);
      examId = exam.body.id;
      const candidates = Array.from({ length: 80 }, (_, i) => ({ candidateId: `so-${i + 1}`, name: `Scale ${i + 1}`, accessCode: `code-so-${i + 1}-secret` }));
      expect((await call(`${c.api}/admin/exams/${examId}/candidates`, 'POST', { candidates }, adminToken)).status).toBe(201);
    }, 120_000);
    afterAll(async () => {
      await c?.stop();
    });

    let next = 0;
    /** A candidate signed in (through instance i) with a device-bound session started. */
    async function kiosk(i = 0) {
      const n = ++next;
      const login = await call(`${at(i)}/auth/candidate/login`, 'POST', { examId, candidateId: `so-${n}`, accessCode: `code-so-${n}-secret` });
      expect(login.status).toBe(200);
      const dev = new TestDevice();
      const st = await call(`${at(i)}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, login.body.token);
      expect(st.status).toBe(201);
      return { n, token: login.body.token as string, dev, attemptId: st.body.attemptId as string };
    }

    it('150 concurrent starts of one candidate spread over the instances: exactly one 201', async () => {
      const n = ++next;
      const login = await call(`${at(0)}/auth/candidate/login`, 'POST', { examId, candidateId: `so-${n}`, accessCode: `code-so-${n}-secret` });
      const dev = new TestDevice();
      const replies = await Promise.all(
        Array.from({ length: 150 }, (_, i) => call(`${at(i)}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: dev.publicKey }, login.body.token)),
      );
      const codes = replies.map((r) => r.status);
      expect(codes.filter((s) => s === 201)).toHaveLength(1);
      expect(codes.every((s) => s === 201 || s === 409)).toBe(true);
    });

    it('a seq taken on one instance is refused on another', async () => {
      const k = await kiosk(0);
      expect((await call(`${at(0)}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 5), k.token)).body.sessionValid).toBe(true);
      const replay = await call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 5), k.token);
      expect(replay.body).toMatchObject({ sessionValid: false });
      expect(replay.body.warning).toMatch(/^REPLAYED_SEQ/);
      expect((await call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 6), k.token)).body.sessionValid).toBe(true);
    });

    it('a staff action on one instance reaches the kiosk that beats on another', async () => {
      const k = await kiosk(1);
      expect((await call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 1), k.token)).body.sessionValid).toBe(true);
      expect((await call(`${at(0)}/proctor/sessions/${k.attemptId}/actions`, 'POST', { action: 'message', message: 'Ten minutes left' }, adminToken)).status).toBe(200);
      const hb = await call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 2), k.token);
      expect(hb.body.instructions.map((i: { message?: string }) => i.message)).toEqual(['Ten minutes left']);
      // An exam edited through one instance is seen edited through every other.
      await call(`${at(0)}/admin/exams/${examId}`, 'PATCH', { title: 'Scale-out exam (renamed)' }, adminToken);
      for (let i = 0; i < c.instances.length; i++) {
        expect((await call(`${at(i)}/exams/${examId}`, 'GET', undefined, k.token)).body.title).toBe('Scale-out exam (renamed)');
      }
    });

    it('a session locked, unlocked and its login revoked on one instance: the instance that holds them in memory answers each change at once', async () => {
      const k = await kiosk(1);
      const beat = (seq: number) => call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, seq), k.token);
      for (const seq of [1, 2, 3]) expect((await beat(seq)).body.sessionValid).toBe(true); // read, then held in memory
      expect((await call(`${at(0)}/proctor/sessions/${k.attemptId}/actions`, 'POST', { action: 'lock', reason: 'phone seen' }, adminToken)).status).toBe(200);
      const locked = await beat(4);
      expect(locked.body).toMatchObject({ sessionValid: false, isLocked: true });
      expect(locked.body.warning).toMatch(/^SESSION_LOCKED/);
      expect((await call(`${at(0)}/proctor/sessions/${k.attemptId}/actions`, 'POST', { action: 'unlock', reason: 'phone handed in' }, adminToken)).status).toBe(200);
      expect((await beat(5)).body).toMatchObject({ sessionValid: true, isLocked: false });
      expect((await beat(5)).body.warning).toMatch(/^REPLAYED_SEQ/); // a seq refused on a copy held in memory is still refused
      expect((await call(`${at(0)}/admin/exams/${examId}/candidates/so-${k.n}/sessions`, 'DELETE', undefined, adminToken)).body.revoked).toBe(1);
      expect((await beat(6)).status).toBe(401);
      // Locked and its login revoked together: the login is checked before anything of the session is answered.
      const k2 = await kiosk(1);
      for (const seq of [1, 2, 3]) expect((await call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k2.dev.heartbeat(k2.attemptId, seq), k2.token)).body.sessionValid).toBe(true);
      expect((await call(`${at(0)}/proctor/sessions/${k2.attemptId}/actions`, 'POST', { action: 'lock', reason: 'phone seen' }, adminToken)).status).toBe(200);
      expect((await call(`${at(0)}/admin/exams/${examId}/candidates/so-${k2.n}/sessions`, 'DELETE', undefined, adminToken)).body.revoked).toBe(1);
      expect((await call(`${at(1)}/exams/sessions/heartbeat`, 'POST', k2.dev.heartbeat(k2.attemptId, 4), k2.token)).status).toBe(401);
    });

    it('an SSE subscriber on one instance sees events made on another, and replays what it missed after a reconnect', async () => {
      const k = await kiosk(0);
      const first = await openEvents(c.instances[0]!.url, adminToken);
      await call(`${at(1)}/proctor/sessions/${k.attemptId}/actions`, 'POST', { action: 'lock', reason: 'phone on the desk' }, adminToken);
      const locked = await first.next((e) => e.type === 'session.changed' && e.attemptId === k.attemptId && e.data.isLocked === true);
      await first.close();
      // Missed while disconnected:
      await call(`${at(1)}/proctor/sessions/${k.attemptId}/actions`, 'POST', { action: 'unlock', reason: 'phone handed in' }, adminToken);
      const again = await openEvents(c.instances[c.instances.length - 1]!.url, adminToken, locked.id);
      const unlocked = await again.next((e) => e.type === 'session.changed' && e.attemptId === k.attemptId && e.data.isLocked === false);
      expect(unlocked.id).not.toBe(locked.id);
      expect(again.seen.some((m) => m.id === locked.id)).toBe(false); // not sent twice
      await again.close();
    });

    it('wrong access codes spread over the instances and addresses hit one shared limit', async () => {
      // 100 guesses at one candidate's code from 20 addresses (5 each: every address within its
      // free tries), spread over the instances: no instance, no address alone gets near a limit.
      // The account-wide count is shared, so the 101st guess is refused wherever it comes from and
      // whichever instance is asked, and so is the right code, for the hour. (Counts, not timing:
      // nothing here depends on how fast the machine is.)
      const from = (n: number) => ({ 'x-forwarded-for': `10.9.${Math.floor(n / 250)}.${(n % 250) + 1}` });
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) {
        statuses.push((await call(`${at(i)}/auth/candidate/login`, 'POST', { examId, candidateId: 'so-80', accessCode: `wrong-${i}` }, undefined, from(i % 20))).status);
      }
      expect(statuses.filter((st) => st === 401)).toHaveLength(100);
      const over = await call(`${at(100)}/auth/candidate/login`, 'POST', { examId, candidateId: 'so-80', accessCode: 'wrong-100' }, undefined, from(500));
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      for (let i = 0; i < c.instances.length; i++) {
        expect((await call(`${at(i)}/auth/candidate/login`, 'POST', { examId, candidateId: 'so-80', accessCode: 'code-so-80-secret' }, undefined, from(600 + i))).status).toBe(429);
      }
      // Another candidate, from one of those addresses, is not held back by it.
      expect((await call(`${at(0)}/auth/candidate/login`, 'POST', { examId, candidateId: 'so-79', accessCode: 'code-so-79-secret' }, undefined, from(3))).status).toBe(200);
    });

    it('a silent session is auto-paused exactly once, whichever instances sweep', async () => {
      // The exam's own heartbeat policy (1 s × 2) makes it silent quickly; every instance sweeps.
      const ex = await call(`${at(0)}/admin/exams`, 'POST', { title: 'Fast beats', durationMinutes: 30, questions: QUESTIONS }, adminToken);
      await call(`${at(0)}/admin/exams/${ex.body.id}/policy`, 'PUT', { heartbeatIntervalMs: 1_000, missedHeartbeatsBeforePause: 2 }, adminToken);
      await call(`${at(0)}/admin/exams/${ex.body.id}/candidates`, 'POST', { candidates: [{ candidateId: 'so-silent', name: 'Silent', accessCode: 'code-silent-1' }] }, adminToken);
      const login = await call(`${at(1)}/auth/candidate/login`, 'POST', { examId: ex.body.id, candidateId: 'so-silent', accessCode: 'code-silent-1' });
      const st = await call(`${at(1)}/exams/sessions/start`, 'POST', { examSetId: ex.body.id }, login.body.token);
      expect(st.status).toBe(201);
      const end = Date.now() + 20_000;
      let status = 'active';
      while (status === 'active' && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await call(`${at(2)}/exams/sessions/active`, 'GET', undefined, login.body.token)).body.pausedSessions[0]?.status ?? 'active';
      }
      expect(status).toBe('paused');
      await new Promise((r) => setTimeout(r, 1_500)); // several more sweeps on every instance
      const detail = await call(`${at(0)}/review/sessions/${st.body.attemptId}`, 'GET', undefined, adminToken);
      const types = detail.body.archive.events.map((e: { type: string }) => e.type);
      expect(types.filter((t: string) => t === 'session.auto_paused')).toHaveLength(1);
      expect(types.filter((t: string) => t === 'offline')).toHaveLength(1);
    });
  });
}
