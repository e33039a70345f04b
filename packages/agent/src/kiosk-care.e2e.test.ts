import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from './file-secret-store.ts';
import { createKioskIpcHandler } from './ipc-handler.ts';
import type { StaffCodeCheck } from './ports.ts';
import { liveSession, testAgent, waitUntil } from './testing/e2e.ts';
import { fakePlatform } from './testing/fake-platform.ts';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.ts';

/**
 * Issue I (shared desks, outages, candidates who need more): the staff code before changing the
 * server, the cover page, the exam held offline past the pause threshold, the raised hand, the
 * candidate's display choices and flags, and the old desk of a transfer — real agent, real server.
 */
let server: SpawnedServer;
const closers: (() => Promise<unknown>)[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  // 200 ms heartbeats, paused after 3 missed: the threshold is 600 ms.
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterAll(async () => {
  for (const f of closers.reverse()) await f();
  for (const p of proxies) await p.close();
  await server?.kill();
});

describe('changing the exam server needs the staff code', () => {
  it('refused without it; a wrong code and a rate limit say so; the right one allows one change, for five minutes', async () => {
    let now = Date.now();
    const answers: StaffCodeCheck[] = [];
    const tried: string[] = [];
    const staffCheck = (code: string): Promise<StaffCodeCheck> => {
      tried.push(code);
      return Promise.resolve(answers.shift() ?? (code === 'right-staff-code' ? { ok: true } : { ok: false, reason: 'wrong-code' }));
    };
    const { agent } = await testAgent(server.url, { staffCheck, now: () => now });
    closers.push(() => agent.close());
    const ipc = createKioskIpcHandler(agent);
    expect(agent.getConfig()).toEqual({ serverUrl: server.url, centerId: null, staffCodeRequired: true });

    expect(await ipc('configure', { serverUrl: 'http://127.0.0.1:1' })).toEqual({ ok: false, error: { code: 'STAFF_CODE_REQUIRED', message: 'Changing the exam server needs the staff code.' } });
    expect(await ipc('authorizeStaff', { unlockCode: 'guess', action: 'configure' })).toEqual({ ok: false, error: { code: 'INVALID_CREDENTIALS', message: 'That staff code is not right.' } });
    answers.push({ ok: false, reason: 'rate-limited', retryAfterMs: 30_000 });
    expect(await ipc('authorizeStaff', { unlockCode: 'right-staff-code', action: 'configure' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringContaining('wait 30 s') } });
    expect(await ipc('configure', { serverUrl: server.url })).toMatchObject({ ok: false, error: { code: 'STAFF_CODE_REQUIRED' } });

    expect(await ipc('authorizeStaff', { unlockCode: 'right-staff-code', action: 'configure' })).toEqual({ ok: true, data: { action: 'configure', expiresAt: now + 5 * 60_000 } });
    expect(await ipc('configure', { serverUrl: server.url, centerId: 'north-hall' })).toMatchObject({ ok: true, data: { serverUrl: server.url, centerId: 'north-hall' } });
    // One change per code.
    expect(await ipc('configure', { serverUrl: server.url })).toMatchObject({ ok: false, error: { code: 'STAFF_CODE_REQUIRED' } });
    // A grant not used within five minutes lapses.
    await ipc('authorizeStaff', { unlockCode: 'right-staff-code', action: 'configure' });
    now += 5 * 60_000 + 1;
    expect(await ipc('configure', { serverUrl: server.url })).toMatchObject({ ok: false, error: { code: 'STAFF_CODE_REQUIRED' } });
    expect(tried).toEqual(['guess', 'right-staff-code', 'right-staff-code', 'right-staff-code']);
    expect(agent.getConfig()).toMatchObject({ serverUrl: server.url, centerId: 'north-hall' });
  });
});

describe('the candidate at the kiosk', () => {
  it('the cover page before the start; display choices and flags kept through a restart and forgotten at sign-out; the raised hand seen by a proctor', async () => {
    const prov = await provision(server, 1, { prefix: 'care' });
    const c = prov.candidates[0]!;
    const first = await testAgent(server.url);
    const { agent } = first;
    closers.push(() => agent.close());
    const ipc = createKioskIpcHandler(agent);
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });

    // Before the start the questions are refused, the cover page is not.
    expect(await ipc('getExam', {})).toMatchObject({ ok: false, error: { code: 'QUESTIONS_NOT_AVAILABLE' } });
    expect(await ipc('getCover', {})).toEqual({ ok: true, data: { id: prov.examId, title: 'Test exam', durationMinutes: 60, candidate: { id: c.candidateId, name: 'Candidate 1' } } });
    expect(agent.state().cover).toMatchObject({ title: 'Test exam', candidate: { name: 'Candidate 1' } });

    expect(await ipc('setDisplay', { textSize: 2, highContrast: true })).toMatchObject({ ok: true, data: { display: { textSize: 2, highContrast: true } } });
    expect(await ipc('setDisplay', { textSize: 4, highContrast: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const { attemptId } = await agent.startExam();
    expect(await ipc('setFlag', { questionId: 'q2', flagged: true })).toMatchObject({ ok: true, data: { flagged: ['q2'] } });
    await ipc('setFlag', { questionId: 'q3', flagged: true });
    await ipc('setFlag', { questionId: 'q3', flagged: false });

    // Raise hand: an alert for the proctors, with the candidate's attempt.
    expect(await ipc('raiseHand', {})).toMatchObject({ ok: true, data: { help: { requestedAt: expect.any(Number), seenAt: null } } });
    const alert = await waitUntil('the help alert', async () => {
      const r = await call(`${server.api}/proctor/alerts?state=open&attemptId=${attemptId}`, 'GET', undefined, prov.adminToken);
      return r.body.alerts.find((a: any) => a.kind === 'help_requested');
    });
    expect(alert).toMatchObject({ attemptId, candidateId: c.candidateId, severity: 'warning', message: 'the candidate raised a hand: help requested' });
    expect(agent.state().help.seenAt).toBeNull();
    expect((await call(`${server.api}/proctor/alerts/${alert.id}/ack`, 'POST', undefined, prov.adminToken)).status).toBe(200);
    const seen = await agent.waitFor((s) => s.help.seenAt !== null, 5_000);
    expect(seen.help.requestedAt).not.toBeNull();
    // Acknowledging again tells the kiosk nothing new (one help_seen instruction).
    expect((await call(`${server.api}/proctor/alerts/${alert.id}/ack`, 'POST', undefined, prov.adminToken)).status).toBe(200);
    const listed = await call(`${server.api}/proctor/sessions/${attemptId}/instructions`, 'GET', undefined, prov.adminToken);
    expect(listed.body.instructions.filter((i: any) => i.type === 'help_seen')).toHaveLength(1);

    // A restart keeps the candidate's choices, flags and the seen hand.
    await agent.close();
    const again = await testAgent(server.url, { dataDir: first.dataDir, secretStore: new FileSecretStore(first.keyPath) });
    closers.push(() => again.agent.close());
    expect(again.agent.state()).toMatchObject({ display: { textSize: 2, highContrast: true }, flagged: ['q2'], help: { seenAt: expect.any(Number) }, cover: { candidate: { name: 'Candidate 1' } } });
    await again.agent.waitFor((s) => s.phase === 'in-exam' && s.session.status === 'active', 5_000);
    expect(await again.agent.submit()).toEqual({ status: 'completed' });
    // Signed out: the next candidate starts with plain settings and nothing of this one.
    expect(await again.agent.logout()).toMatchObject({ display: { textSize: 0, highContrast: false }, flagged: [], help: { requestedAt: null, seenAt: null }, cover: null, transfer: null, hold: null });
  });
});

describe('offline past the pause threshold', () => {
  it('the exam is held: the clock stops at what the server charges and no answer is taken, until the connection is back', async () => {
    const prov = await provision(server, 1, { prefix: 'hold' });
    const c = prov.candidates[0]!;
    const cable = await startTcpProxy(server.url);
    proxies.push(cable);
    const { agent } = await testAgent(cable.url);
    closers.push(() => agent.close());
    await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
    const { attemptId } = await agent.startExam();
    await agent.saveAnswer('q1', 'a');
    await agent.whenSynced(5_000);
    await agent.waitFor((s) => s.clock.running && s.connection === 'online');

    cable.cut();
    const offline = await agent.waitFor((s) => s.connection === 'offline', 5_000);
    // Before the threshold the clock runs (the server still charges) and answers are taken.
    expect(offline.hold).toBeNull();
    expect(offline.clock.running).toBe(true);
    const held = await agent.waitFor((s) => s.hold === 'offline', 5_000);
    expect(held.clock).toMatchObject({ running: false, deadlineAt: null });
    expect(held.clock.timeRemaining).toBeGreaterThan(59 * 60 - 10);
    const ipc = createKioskIpcHandler(agent);
    expect(await ipc('saveAnswer', { questionId: 'q3', value: 'typed while held' })).toMatchObject({ ok: false, error: { code: 'EXAM_HELD' } });

    // The server paused the session too, charging up to the last heartbeat only.
    await waitUntil('the server paused it', async () => (await liveSession(server, prov.adminToken, attemptId!))?.status === 'paused');
    // The hook for staff letting the candidate go on offline: the hold lifts, the local clock runs.
    const released = agent.releaseHold();
    expect(released).toMatchObject({ hold: null, connection: 'offline', clock: { running: true } });
    expect(await ipc('saveAnswer', { questionId: 'q2', value: ['two'] })).toMatchObject({ ok: true });
    cable.restore();
    const back = await agent.waitFor((s) => s.hold === null && s.phase === 'in-exam' && s.clock.running, 10_000);
    expect(back.clock.timeRemaining!).toBeGreaterThanOrEqual(held.clock.timeRemaining! - 1);
    expect(await ipc('saveAnswer', { questionId: 'q3', value: 'typed after the reconnect' })).toMatchObject({ ok: true });
    expect(await agent.submit()).toEqual({ status: 'completed' });
    const token = await candidateLogin(server, prov.examId, c);
    const stored = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
    expect(Object.fromEntries(stored.body.answers.map((a: any) => [a.questionId, a.value]))).toEqual({ q1: 'a', q2: ['two'], q3: 'typed after the reconnect' });
  });
});

describe('the old desk of a transfer', () => {
  it('shows the proctor’s message, takes no more answers, and closes once the new desk has the exam; then the next candidate may sign in', async () => {
    const prov = await provision(server, 1, { prefix: 'moved' });
    const c = prov.candidates[0]!;
    const login = { examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode };
    const old = await testAgent(server.url);
    closers.push(() => old.agent.close());
    await old.agent.login(login);
    const { attemptId } = await old.agent.startExam();
    await old.agent.saveAnswer('q1', 'a');
    await old.agent.whenSynced(5_000);

    const t = await call(`${server.api}/proctor/sessions/${attemptId}/transfer`, 'POST', { reason: 'broken keyboard' }, prov.adminToken);
    expect(t.status).toBe(200);
    const moving = await old.agent.waitFor((s) => s.phase === 'moved', 5_000);
    expect(moving.transfer).toMatchObject({ message: 'Please move to the desk the proctor shows you. Your answers are safe.', done: false });
    expect(old.events.find((e) => e.type === 'instruction' && e.instruction.type === 'quit')).toBeTruthy();
    const ipc = createKioskIpcHandler(old.agent);
    expect(await ipc('saveAnswer', { questionId: 'q2', value: ['a'] })).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_ACTIVE' } });
    // The old desk acknowledged the quit and never revived the session.
    await waitUntil('quit acknowledged', async () => {
      const r = await call(`${server.api}/proctor/sessions/${attemptId}/instructions`, 'GET', undefined, prov.adminToken);
      return r.body.instructions.some((i: any) => i.type === 'quit' && i.ackedAt);
    });
    expect(await liveSession(server, prov.adminToken, attemptId!)).toMatchObject({ status: 'paused', pauseKind: 'staff' });

    const desk = await testAgent(server.url, { platform: fakePlatform({ id: 'another-machine-id-0123456789' }) });
    closers.push(() => desk.agent.close());
    await desk.agent.login(login);
    await desk.agent.claimTransfer(t.body.resumeCode);
    const closed = await old.agent.waitFor((s) => s.phase === 'moved' && s.transfer?.done === true, 5_000);
    expect(closed.attemptId).toBeNull();
    expect(await ipc('logout', {})).toMatchObject({ ok: true, data: { phase: 'idle', transfer: null, candidateId: null } });
    expect(await desk.agent.submit()).toEqual({ status: 'completed' });
  });
});
