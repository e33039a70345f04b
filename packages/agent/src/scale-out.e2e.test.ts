import { call } from '@invigil/server/testing';
import { haveNginx, startCluster, type Cluster } from '@invigil/server/testing/cluster';
import { redisForTests } from '@invigil/server/testing/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { testAgent, waitUntil } from './testing/e2e.ts';

const redis = await redisForTests();
const can = redis.url !== null && haveNginx();
if (!can) console.warn('SKIPPED: the agent-through-nginx test needs Redis and nginx (scripts/test.sh provides both when it runs as root)');

describe.runIf(can)('the agent through nginx while an instance dies', () => {
  let c: Cluster;
  afterAll(async () => {
    await c?.stop();
  });

  it('keeps beating and saving through the surviving instance, without signing in again', async () => {
    c = await startCluster({ instances: 2, store: 'sqlite', redisUrl: redis.url!, nginx: true, env: { HEARTBEAT_INTERVAL_MS: '500' } });
    const admin = (await call(`${c.api}/auth/staff/login`, 'POST', { username: 'admin', password: c.adminPassword })).body.token;
    const exam = await call(`${c.api}/admin/exams`, 'POST', { title: 'Through nginx', durationMinutes: 30, questions: [{ id: 'q1', type: 'text', prompt: 'One' }, { id: 'q2', type: 'text', prompt: 'Two' }] }, admin);
    await call(`${c.api}/admin/exams/${exam.body.id}/candidates`, 'POST', { candidates: [{ candidateId: 'ng-1', name: 'Nginx One', accessCode: 'code-ng-1' }] }, admin);

    const { agent } = await testAgent(c.url);
    try {
      await agent.login({ examId: exam.body.id, candidateId: 'ng-1', accessCode: 'code-ng-1' });
      const { attemptId } = await agent.startExam();
      await agent.saveAnswer('q1', 'before the failure');
      await agent.whenSynced(10_000);

      await c.kill(0, 'SIGKILL');
      const phases = new Set<string>();
      const off = agent.subscribe((s) => phases.add(s.phase));
      for (let i = 1; i <= 5; i++) {
        await agent.saveAnswer('q2', `after the failure ${i}`);
        await new Promise((r) => setTimeout(r, 400));
      }
      await agent.whenSynced(15_000);
      off();
      expect(phases.has('needs-login')).toBe(false);
      expect(agent.state().phase).toBe('in-exam');

      // Still active on the server well past the pause threshold (3 × 500 ms): its heartbeats get through.
      const survivor = c.instances[1]!;
      const live = await waitUntil('a fresh heartbeat seen by the survivor', async () => {
        const r = await call(`${survivor.api}/proctor/sessions`, 'GET', undefined, admin);
        const s = r.body.sessions?.find((x: { attemptId: string }) => x.attemptId === attemptId);
        return s && s.status === 'active' && s.online && s.secondsSinceHeartbeat !== null && s.secondsSinceHeartbeat < 2 && s;
      }, 15_000);
      expect(live.status).toBe('active');
      // Every answer reached the server, the last one last.
      const review = await call(`${survivor.api}/review/sessions/${attemptId}`, 'GET', undefined, admin);
      expect(review.body.archive.answers.map((a: { questionId: string; value: string }) => [a.questionId, a.value])).toEqual([
        ['q1', 'before the failure'],
        ['q2', 'after the failure 5'],
      ]);
    } finally {
      await agent.close();
    }
  });
});
