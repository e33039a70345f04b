import { call, candidateLogin, provision, sleep, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { liveSession, testAgent, waitUntil } from './testing/e2e.ts';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.ts';

// Heartbeat every 200 ms; 3 missed → auto-pause after 600 ms of silence.
const ENV = { HEARTBEAT_INTERVAL_MS: '200' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
let shared: SpawnedServer | undefined;
afterAll(async () => {
  await shared?.kill();
});

async function answersOnServer(server: SpawnedServer, examId: string, c: { candidateId: string; accessCode: string }, attemptId: string) {
  const token = await candidateLogin(server, examId, c);
  const r = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
  return Object.fromEntries(r.body.answers.map((a: any) => [a.questionId, a.value]));
}

describe('network cut', () => {
  it('a cut longer than the pause threshold auto-pauses the session; on reconnect the agent recovers, replays the outbox and the clock resumes', async () => {
    shared = await spawnServer(ENV);
    const server = shared;
    const proxy: TcpProxy = await startTcpProxy(server.url);
    cleanups.push(() => proxy.close());
    const prov = await provision(server, 1, { prefix: 'cut' });
    const c = prov.candidates[0]!;
    const { agent, events } = await testAgent(proxy.url);
    cleanups.push(() => agent.close());
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    const { attemptId } = await agent.startExam();
    await agent.saveAnswer('q1', 'a');
    await agent.whenSynced(5_000);
    const before = await liveSession(server, prov.adminToken, attemptId!);
    expect(before.status).toBe('active');

    proxy.cut();
    const cutAt = Date.now();
    await agent.waitFor((s) => s.connection === 'offline', 3_000);
    // The candidate keeps working: answers are saved on the device.
    await agent.saveAnswer('q3', 'typed while the network was down');
    await agent.saveAnswer('q1', 'b');
    expect(agent.state().saves.pending).toBe(2);

    const paused = await waitUntil('auto-pause', async () => {
      const s = await liveSession(server, prov.adminToken, attemptId!);
      return s.status === 'paused' && s;
    }, 5_000);
    expect(paused.pauseKind).toBe('auto');
    // Charged only up to the last heartbeat, not for the time the server took to notice.
    expect(before.timeRemaining - paused.timeRemaining).toBeLessThanOrEqual(2);
    await sleep(1_500);
    const stillPaused = await liveSession(server, prov.adminToken, attemptId!);
    expect(stillPaused).toMatchObject({ status: 'paused', timeRemaining: paused.timeRemaining }); // clock stopped
    expect(Date.now() - cutAt).toBeGreaterThan(1_500);

    proxy.restore();
    await waitUntil('recovered', () => events.find((e) => e.type === 'recovered'), 10_000);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ attemptId, pendingReplayed: 2, status: 'active' });
    await agent.whenSynced(5_000);
    const st = await agent.waitFor((s) => s.phase === 'in-exam' && s.clock.running && s.connection === 'online', 5_000);
    expect(st.saves.pending).toBe(0);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['offline', 'online', 'recovered']));

    // The clock runs again, on the server and in the agent's synced view.
    const resumed = await liveSession(server, prov.adminToken, attemptId!);
    expect(resumed).toMatchObject({ status: 'active', online: true });
    await sleep(2_100);
    const later = await liveSession(server, prov.adminToken, attemptId!);
    expect(resumed.timeRemaining - later.timeRemaining).toBeGreaterThanOrEqual(2);
    expect(Math.abs(agent.state().clock.timeRemaining! - later.timeRemaining)).toBeLessThanOrEqual(1);

    const alerts = await call(`${server.api}/proctor/alerts?attemptId=${attemptId}&state=all`, 'GET', undefined, prov.adminToken);
    expect(alerts.body.alerts.map((a: any) => a.kind)).toContain('offline');

    expect(await agent.submit()).toEqual({ status: 'completed' });
    expect(await answersOnServer(server, prov.examId, c, attemptId!)).toEqual({ q1: 'b', q3: 'typed while the network was down' });
  });

  it('the server itself goes away and comes back on the same port: the agent carries on and nothing typed meanwhile is lost', async () => {
    let server = await spawnServer(ENV);
    cleanups.push(() => server.kill());
    const prov = await provision(server, 1, { prefix: 'restart' });
    const c = prov.candidates[0]!;
    const { agent, events } = await testAgent(server.url);
    cleanups.push(() => agent.close());
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    const { attemptId } = await agent.startExam();
    await agent.saveAnswer('q2', ['two']);
    await agent.whenSynced(5_000);

    await server.kill('SIGKILL');
    await agent.waitFor((s) => s.connection === 'offline', 3_000);
    for (let i = 0; i < 20; i++) await agent.saveAnswer('q3', `draft ${i}`);
    await agent.saveAnswer('q2', ['two', 'three']);
    await sleep(800);
    server = await server.restart();

    await agent.whenSynced(15_000);
    await agent.waitFor((s) => s.connection === 'online' && s.clock.running && s.session.status === 'active', 5_000);
    expect(events.some((e) => e.type === 'online')).toBe(true);
    expect(await liveSession(server, prov.adminToken, attemptId!)).toMatchObject({ status: 'active' });
    expect(await agent.submit()).toEqual({ status: 'completed' });
    expect(await answersOnServer(server, prov.examId, c, attemptId!)).toEqual({ q2: ['two', 'three'], q3: 'draft 19' });
  });
});
