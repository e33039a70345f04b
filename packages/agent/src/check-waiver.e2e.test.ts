import { call, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePlatform } from './testing/fake-platform.ts';
import { testAgent } from './testing/e2e.ts';
import { createKioskIpcHandler } from './ipc-handler.ts';

let server: SpawnedServer;
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '500' });
});
afterAll(() => server?.kill());

describe('a failed pre-exam check waived by a proctor (issue H item 9)', () => {
  it('the checks fail on a second display; a proctor waives it; the agent learns it and the start is audited with it', async () => {
    const prov = await provision(server, 1, { prefix: 'waive' });
    const c = prov.candidates[0]!;
    const { agent } = await testAgent(server.url, { platform: fakePlatform({ displays: 2 }) });
    try {
      await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
      const report = await agent.runChecks();
      expect(report.checks.find((x) => x.id === 'displays')?.status).toBe('fail');
      expect(await agent.checkWaiver()).toEqual({ waived: false, checks: [], reason: null, grantedAt: null });
      const w = await call(`${server.api}/proctor/exams/${prov.examId}/candidates/${c.candidateId}/check-waiver`, 'POST', { reason: 'Desk has a fixed second monitor, covered', checks: ['displays'] }, prov.adminToken);
      expect(w.status).toBe(201);
      const mine = await agent.checkWaiver();
      // The same through the kiosk IPC (what the checks screen polls).
      expect(await createKioskIpcHandler(agent)('checkWaiver', {})).toEqual({ ok: true, data: mine });
      expect(mine).toMatchObject({ waived: true, checks: ['displays'], reason: 'Desk has a fixed second monitor, covered' });
      // Every failed check is waived: the kiosk may start.
      expect(report.checks.filter((x) => x.status === 'fail').every((x) => mine.checks.includes(x.id))).toBe(true);
      const st = await agent.startExam();
      const review = await call(`${server.api}/review/sessions/${st.attemptId}`, 'GET', undefined, prov.adminToken);
      expect(JSON.stringify(review.body)).toContain('session.started_with_waiver');
    } finally {
      await agent.close();
    }
  });
});
