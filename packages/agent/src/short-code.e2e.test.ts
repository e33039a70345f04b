import { call, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKioskIpcHandler } from './ipc-handler.ts';
import { testAgent } from './testing/e2e.ts';

let server: SpawnedServer;
const agents: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '500' });
});
afterAll(async () => {
  for (const a of agents) await a.close();
  await server?.kill();
});

describe('the kiosk agent with the short exam code', () => {
  it('a candidate who types the exam code (lower case) signs in, starts, sees the questions, saves and submits', async () => {
    const prov = await provision(server, 1, { prefix: 'code' });
    const c = prov.candidates[0]!;
    const code = (await call(`${server.api}/admin/exams/${prov.examId}`, 'GET', undefined, prov.adminToken)).body.code as string;
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    const { agent } = await testAgent(server.url);
    agents.push(agent);
    const ipc = createKioskIpcHandler(agent);
    expect(await ipc('login', { examId: code.toLowerCase(), candidateId: c.candidateId, accessCode: c.accessCode })).toMatchObject({ ok: true, data: { phase: 'logged-in' } });
    expect(await ipc('startExam', {})).toMatchObject({ ok: true, data: { phase: 'in-exam', session: { status: 'active' } } });
    const exam = await ipc('getExam', {});
    expect(exam.ok && (exam.data as any).id).toBe(prov.examId);
    await ipc('saveAnswer', { questionId: 'q3', value: 'typed at a desk provisioned by code' });
    await agent.whenSynced(5_000);
    expect(await ipc('submit', {})).toEqual({ ok: true, data: { status: 'completed' } });
  });
});
