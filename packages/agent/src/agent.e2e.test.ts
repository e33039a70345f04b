import { call, candidateLogin, provision, sleep, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKioskIpcHandler } from './ipc-handler.ts';
import { liveSession, testAgent, waitUntil } from './testing/e2e.ts';
import { fakePlatform } from './testing/fake-platform.ts';

let server: SpawnedServer;
const agents: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterAll(async () => {
  for (const a of agents) await a.close();
  await server?.kill();
});

describe('agent against the real server', () => {
  it('runs a whole exam over the kiosk IPC: login, exam, start bound to the device key, answers saved locally then synced, submit', async () => {
    const prov = await provision(server, 1, { prefix: 'full' });
    const c = prov.candidates[0]!;
    const { agent, events } = await testAgent(server.url);
    agents.push(agent);
    const ipc = createKioskIpcHandler(agent);

    expect(await ipc('startExam', {})).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    const login = await ipc('login', { examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    expect(login).toMatchObject({ ok: true, data: { phase: 'logged-in', connection: 'online' } });
    // No question text before the attempt has started.
    expect(await ipc('getExam', {})).toMatchObject({ ok: false, error: { code: 'QUESTIONS_NOT_AVAILABLE' } });

    const started = await ipc('startExam', {});
    expect(started).toMatchObject({ ok: true, data: { phase: 'in-exam', session: { status: 'active' }, clock: { running: true } } });
    const exam = await ipc('getExam', {});
    expect(exam.ok && (exam.data as any).questions.map((q: any) => q.id)).toEqual(['q1', 'q2', 'q3']);
    expect(JSON.stringify(exam)).not.toContain('correct');
    const st = agent.state();
    expect(st.clock.timeRemaining).toBeGreaterThan(3590);
    expect(Math.abs(st.clock.deadlineAt! - (Date.now() + st.clock.timeRemaining! * 1000))).toBeLessThan(5_000);

    const live = await liveSession(server, prov.adminToken, st.attemptId!);
    expect(live).toMatchObject({ status: 'active', device: { bound: true, fingerprint: agent.deviceFingerprint } });

    expect(await ipc('saveAnswer', { questionId: 'q1', value: 'a' })).toMatchObject({ ok: true, data: { questionId: 'q1', clientSeq: 1 } });
    await ipc('saveAnswer', { questionId: 'q2', value: ['two', 'three'] });
    await ipc('saveAnswer', { questionId: 'q3', value: 'draft' });
    await ipc('saveAnswer', { questionId: 'q3', value: 'Recursion is a function calling itself.' });
    await agent.whenSynced(5_000);
    expect(agent.state().saves).toMatchObject({ pending: 0 });
    for (const seq of [1, 2, 4]) {
      const saved = events.findIndex((e) => e.type === 'saved-locally' && e.clientSeq === seq);
      const synced = events.findIndex((e) => e.type === 'synced' && e.clientSeq === seq);
      expect(saved).toBeGreaterThanOrEqual(0);
      expect(synced).toBeGreaterThan(saved);
    }
    const answers = await ipc('getAnswers', {});
    expect(answers.ok && (answers.data as any).answers.every((a: any) => a.synced)).toBe(true);

    // Heartbeats keep it online across several pause thresholds (3 × 200 ms).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await liveSession(server, prov.adminToken, st.attemptId!)).toMatchObject({ status: 'active', online: true });

    // Bad input from the renderer never reaches the agent.
    expect(await ipc('saveAnswer', { questionId: 'not a slug!', value: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await ipc('openDevTools', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });

    expect(await ipc('submit', {})).toEqual({ ok: true, data: { status: 'completed' } });
    expect(agent.state()).toMatchObject({ phase: 'finished', attemptId: st.attemptId, session: { status: 'completed' } });
    expect(await ipc('saveAnswer', { questionId: 'q1', value: 'b' })).toMatchObject({ ok: false, error: { code: 'SESSION_FINISHED' } });

    const token = await candidateLogin(server, prov.examId, c);
    const stored = await call(`${server.api}/exams/sessions/${st.attemptId}/answers`, 'GET', undefined, token);
    expect(stored.body.answers.map((a: any) => [a.questionId, a.value, a.clientSeq])).toEqual([
      ['q1', 'a', 1],
      ['q2', ['two', 'three'], 2],
      ['q3', 'Recursion is a function calling itself.', 4],
    ]);
  });

  it('reports the environment checks as integrity events the staff see as alerts', async () => {
    const prov = await provision(server, 1, { prefix: 'env' });
    const c = prov.candidates[0]!;
    const platform = fakePlatform({
      displays: 2,
      procs: [{ name: 'systemd' }, { name: 'AnyDesk.exe' }, { name: 'obs64.exe' }],
      vm: [
        { name: 'dmi_vendor', weight: 0.7, detail: 'QEMU' },
        { name: 'cpu_hypervisor_flag', weight: 0.5 },
      ],
    });
    const { agent } = await testAgent(server.url, { platform, checks: { intervalMs: 100 } });
    agents.push(agent);
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    const { attemptId } = await agent.startExam();
    agent.reportFocus(false);
    agent.reportFocus(true);
    const kinds = await waitUntil('alerts', async () => {
      const r = await call(`${server.api}/proctor/alerts?attemptId=${attemptId}&state=all`, 'GET', undefined, prov.adminToken);
      const k = new Set<string>(r.body.alerts.map((a: any) => a.kind));
      return ['display_count', 'remote_access', 'forbidden_process', 'vm_suspected', 'focus_lost'].every((x) => k.has(x)) && r.body.alerts;
    });
    const vm = kinds.find((a: any) => a.kind === 'vm_suspected');
    expect(vm.detail).toMatchObject({ score: 0.85 });
    expect(kinds.find((a: any) => a.kind === 'remote_access').detail).toMatchObject({ process: 'anydesk' });
    await agent.close();
  });

  it('follows staff instructions (message, lock, unlock) and acknowledges them', async () => {
    const prov = await provision(server, 1, { prefix: 'instr' });
    const c = prov.candidates[0]!;
    const { agent, events } = await testAgent(server.url);
    agents.push(agent);
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    const { attemptId } = await agent.startExam();
    const act = (body: unknown) => call(`${server.api}/proctor/sessions/${attemptId}/actions`, 'POST', body, prov.adminToken);

    expect((await act({ action: 'message', message: 'Ten minutes left' })).status).toBe(200);
    await waitUntil('message event', () => events.find((e) => e.type === 'message'));
    expect(events.find((e) => e.type === 'message')).toMatchObject({ message: 'Ten minutes left' });

    expect((await act({ action: 'lock', reason: 'looking around' })).status).toBe(200);
    await agent.waitFor((s) => s.session.isLocked && !s.clock.running, 5_000);
    // While locked the answer still lands on this device, and waits.
    await agent.saveAnswer('q3', 'written while locked');
    await new Promise((r) => setTimeout(r, 400));
    expect(agent.state().saves.pending).toBe(1);

    expect((await act({ action: 'unlock', reason: 'all good now' })).status).toBe(200);
    await agent.waitFor((s) => !s.session.isLocked && s.clock.running && s.saves.pending === 0, 5_000);

    const acked = await waitUntil('acknowledged instructions', async () => {
      const r = await call(`${server.api}/proctor/sessions/${attemptId}/instructions`, 'GET', undefined, prov.adminToken);
      return r.body.instructions.length === 3 && r.body.instructions.every((i: any) => i.ackedAt) && r.body.instructions;
    });
    expect(acked.map((i: any) => i.type).sort()).toEqual(['lock', 'message', 'unlock']);
    expect(events.filter((e) => e.type === 'instruction')).toHaveLength(3);
    await agent.close();
  });

  it('a staff pause is not undone by recovery; a login that ended asks for sign-in again and the attempt carries on', async () => {
    const prov = await provision(server, 1, { prefix: 'staffpause' });
    const c = prov.candidates[0]!;
    const { agent, events } = await testAgent(server.url);
    agents.push(agent);
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    const { attemptId } = await agent.startExam();
    const act = (body: unknown) => call(`${server.api}/proctor/sessions/${attemptId}/actions`, 'POST', body, prov.adminToken);

    expect((await act({ action: 'pause', reason: 'fire drill' })).status).toBe(200);
    await agent.waitFor((s) => s.session.status === 'paused' && s.session.pausedByStaff && !s.clock.running, 5_000);
    await agent.saveAnswer('q3', 'during the staff pause');
    await sleep(800);
    expect(agent.state()).toMatchObject({ phase: 'in-exam', session: { status: 'paused' }, saves: { pending: 1 } });
    expect(events.filter((e) => e.type === 'recovered')).toHaveLength(0);
    expect(await liveSession(server, prov.adminToken, attemptId!)).toMatchObject({ status: 'paused', pauseKind: 'staff' });

    // The candidate signs in elsewhere (allowed while nothing is active): this kiosk's login ends.
    await candidateLogin(server, prov.examId, c);
    await agent.waitFor((s) => s.phase === 'needs-login', 5_000);
    expect(await agent.saveAnswer('q1', 'b')).toMatchObject({ questionId: 'q1' }); // still saved locally
    expect((await createKioskIpcHandler(agent)('getExam', {}))).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });

    // Signing in again continues the same attempt, without starting a new one.
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    await waitUntil('recovered', () => events.find((e) => e.type === 'recovered'), 5_000);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ attemptId, status: 'paused' });
    expect(agent.state()).toMatchObject({ attemptId, session: { pausedByStaff: true } });

    expect((await act({ action: 'resume', reason: 'drill over' })).status).toBe(200);
    await agent.waitFor((s) => s.session.status === 'active' && s.clock.running && s.saves.pending === 0, 5_000);
    expect(await agent.submit()).toEqual({ status: 'completed' });
    const token = await candidateLogin(server, prov.examId, c);
    const stored = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
    expect(Object.fromEntries(stored.body.answers.map((a: any) => [a.questionId, a.value]))).toEqual({ q1: 'b', q3: 'during the staff pause' });
  });
});
