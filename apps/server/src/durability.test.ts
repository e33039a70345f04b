import { afterAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from './testing/harness.ts';

const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill();
});

describe('answers are durable before they are acknowledged', () => {
  it('1,000 concurrent saves, SIGKILL, restart: every acknowledged answer is there with its latest clientSeq', async () => {
    const s = await spawnServer();
    servers.push(s);
    const questions = Array.from({ length: 50 }, (_, i) => ({ id: `t${i}`, type: 'text', prompt: `Question ${i}` }));
    const p = await provision(s, 4, { questions });
    const sessions = await Promise.all(
      p.candidates.map(async (c) => {
        const token = await candidateLogin(s, p.examId, c);
        const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId }, token);
        return { token, attemptId: st.body.attemptId as string };
      }),
    );
    // 4 attempts × 50 questions × 5 revisions = 1,000 saves, all in flight at once, revisions out of order.
    const jobs = [];
    for (const sess of sessions) for (const q of questions) for (let seq = 1; seq <= 5; seq++) jobs.push({ ...sess, q: q.id, seq });
    jobs.sort(() => Math.random() - 0.5);
    const acked = new Map<string, number>();
    const results = await Promise.all(
      jobs.map(async (j) => {
        const r = await call(`${s.api}/exams/sessions/${j.attemptId}/answers/${j.q}`, 'PUT', { value: `v${j.seq}`, clientSeq: j.seq }, j.token);
        if (r.status === 200) {
          const key = `${j.attemptId}/${j.q}`;
          acked.set(key, Math.max(acked.get(key) ?? 0, j.seq));
        }
        return r.status;
      }),
    );
    expect(results.filter((x) => x === 200)).toHaveLength(1_000);

    await s.kill('SIGKILL');
    const again = await s.restart();
    servers.push(again);
    let checked = 0;
    for (const sess of sessions) {
      const r = await call(`${again.api}/exams/sessions/${sess.attemptId}/answers`, 'GET', undefined, sess.token);
      expect(r.status).toBe(200);
      const stored = new Map(r.body.answers.map((a: { questionId: string; clientSeq: number; value: string }) => [a.questionId, a]));
      for (const q of questions) {
        const want = acked.get(`${sess.attemptId}/${q.id}`)!;
        const got = stored.get(q.id) as { clientSeq: number; value: string } | undefined;
        expect(got, `${sess.attemptId}/${q.id}`).toBeDefined();
        expect(got!.clientSeq).toBe(want);
        expect(got!.value).toBe(`v${want}`);
        checked += 1;
      }
    }
    expect(checked).toBe(200);
  });
});
