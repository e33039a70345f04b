import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import { call, TestDevice } from './harness.ts';
import { privateRedis } from './private-redis.ts';

const QUESTIONS = Array.from({ length: 10 }, (_, i) => ({ id: `q${i + 1}`, type: 'text', prompt: `Question ${i + 1}` }));

/**
 * Losing a part mid-exam (issue F): an instance killed while answers are being saved, Redis
 * emptied. Clients go through nginx, as kiosks would.
 */
export function describeResilience(label: string, o: Omit<ClusterOptions, 'redisUrl' | 'nginx'>, extra?: { restartDatabase: { stop(): void; start(): Promise<void> } }): void {
  describe(label, () => {
    let c: Cluster;
    let redis: Awaited<ReturnType<typeof privateRedis>>;
    let adminToken: string;
    let examId: string;

    beforeAll(async () => {
      redis = await privateRedis();
      c = await startCluster({ ...o, redisUrl: redis.url, nginx: true });
      adminToken = (await call(`${c.api}/auth/staff/login`, 'POST', { username: 'admin', password: c.adminPassword })).body.token;
      examId = (await call(`${c.api}/admin/exams`, 'POST', { title: 'Resilience', durationMinutes: 60, questions: QUESTIONS }, adminToken)).body.id;
      const candidates = Array.from({ length: 62 }, (_, i) => ({ candidateId: `rs-${i + 1}`, name: `R ${i + 1}`, accessCode: `code-rs-${i + 1}-secret` }));
      await call(`${c.api}/admin/exams/${examId}/candidates`, 'POST', { candidates }, adminToken);
    }, 120_000);
    afterAll(async () => {
      await c?.stop();
      await redis?.stop();
    });

    async function kiosk(n: number) {
      const token = (await call(`${c.api}/auth/candidate/login`, 'POST', { examId, candidateId: `rs-${n}`, accessCode: `code-rs-${n}-secret` })).body.token as string;
      const dev = new TestDevice();
      const st = await call(`${c.api}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
      expect(st.status).toBe(201);
      return { token, dev, attemptId: st.body.attemptId as string };
    }

    it('SIGKILL of one instance during 600 concurrent answer saves: every acknowledged answer is stored', async () => {
      const kiosks = await Promise.all(Array.from({ length: 60 }, (_, i) => kiosk(i + 1)));
      // 60 candidates × 10 questions, all at once; one instance is killed while they are in flight.
      const acked: { attemptId: string; questionId: string; value: string }[] = [];
      let failed = 0;
      const saves = kiosks.flatMap((k) =>
        QUESTIONS.map(async (q) => {
          const value = `${k.attemptId}:${q.id}`;
          const r = await call(`${c.api}/exams/sessions/${k.attemptId}/answers/${q.id}`, 'PUT', { value, clientSeq: 1 }, k.token).catch(() => null);
          if (r?.status === 200) acked.push({ attemptId: k.attemptId, questionId: q.id, value });
          else failed += 1;
        }),
      );
      // Killed once saves are flowing (some acknowledged, most still in flight).
      const end = Date.now() + 30_000;
      while (acked.length < 30 && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
      const inFlight = 600 - acked.length - failed;
      await c.kill(1, 'SIGKILL');
      expect(inFlight).toBeGreaterThan(0);
      await Promise.all(saves);
      expect(acked.length + failed).toBe(600);
      expect(acked.length).toBeGreaterThan(0);
      // Read back through the survivors: every acknowledged answer is there, exactly as sent.
      for (const k of kiosks) {
        const stored = await call(`${c.api}/exams/sessions/${k.attemptId}/answers`, 'GET', undefined, k.token);
        expect(stored.status).toBe(200);
        const byQ = new Map(stored.body.answers.map((a: { questionId: string; value: string }) => [a.questionId, a.value]));
        for (const a of acked.filter((x) => x.attemptId === k.attemptId)) expect(byQ.get(a.questionId)).toBe(a.value);
      }
      console.log(`600 saves, an instance SIGKILLed with ${inFlight} in flight: ${acked.length} acknowledged (all stored), ${failed} not acknowledged`);
      await c.restart(1);
    });

    it('Redis emptied (FLUSHDB) mid-exam: sessions continue, and an old seq is still refused', async () => {
      const k = await kiosk(61);
      for (let seq = 1; seq <= 20; seq++) expect((await call(`${c.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, seq), k.token)).body.sessionValid).toBe(true);
      // The durable seq floor reaches the database in the batched flush (about once a second).
      await new Promise((r) => setTimeout(r, 2_500));
      const r = new Redis(redis.url);
      await r.flushdb();
      r.disconnect();
      const replay = await call(`${c.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 3), k.token);
      expect(replay.body.sessionValid).toBe(false);
      expect(replay.body.warning).toMatch(/^REPLAYED_SEQ/);
      expect((await call(`${c.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 21), k.token)).body.sessionValid).toBe(true);
      expect((await call(`${c.api}/exams/sessions/${k.attemptId}/answers/q1`, 'PUT', { value: 'after the flush', clientSeq: 1 }, k.token)).status).toBe(200);
      // Logins still work (their truth is in the database), and staff still see the room.
      expect((await call(`${c.api}/proctor/sessions`, 'GET', undefined, adminToken)).status).toBe(200);
    });

    if (extra?.restartDatabase) {
      const pg = extra.restartDatabase;
      it('the database restarted mid-exam: 503 STORAGE_UNAVAILABLE while it is down, then service resumes, nothing acknowledged lost', async () => {
        const k = await kiosk(62);
        const acked: string[] = [];
        for (let i = 1; i <= 5; i++) {
          const r = await call(`${c.api}/exams/sessions/${k.attemptId}/answers/q${i}`, 'PUT', { value: `before ${i}`, clientSeq: 100 + i }, k.token);
          expect(r.status).toBe(200);
          acked.push(`q${i}`);
        }
        pg.stop();
        const during = await call(`${c.api}/exams/sessions/${k.attemptId}/answers/q6`, 'PUT', { value: 'while down', clientSeq: 1 }, k.token);
        expect(during.status).toBe(503);
        expect(during.body.error.code).toBe('STORAGE_UNAVAILABLE');
        const ready = await call(`${c.instances[0]!.url}/readyz`, 'GET');
        expect(ready.status).toBe(503);
        expect(ready.body.checks.database).toBe(false);
        await pg.start();
        // The pools reconnect by themselves; the kiosk's retry goes through.
        let after = during;
        const end = Date.now() + 30_000;
        while (after.status !== 200 && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 250));
          after = await call(`${c.api}/exams/sessions/${k.attemptId}/answers/q6`, 'PUT', { value: 'after the restart', clientSeq: 2 }, k.token);
        }
        expect(after.status).toBe(200);
        const stored = (await call(`${c.api}/exams/sessions/${k.attemptId}/answers`, 'GET', undefined, k.token)).body.answers;
        for (const q of acked) expect(stored.find((a: { questionId: string }) => a.questionId === q)?.value).toMatch(/^before /);
        expect(stored.find((a: { questionId: string }) => a.questionId === 'q6')?.value).toBe('after the restart');
        expect((await call(`${c.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, 1), k.token)).body.sessionValid).toBe(true);
      });
    }
  });
}
