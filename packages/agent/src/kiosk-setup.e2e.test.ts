import { call, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from './agent.ts';
import { FileSecretStore } from './file-secret-store.ts';
import { createKioskIpcHandler } from './ipc-handler.ts';
import { normalizeServerUrl } from './kiosk-config.ts';
import { liveSession, tempDirs, testAgent, waitUntil } from './testing/e2e.ts';
import { fakePlatform } from './testing/fake-platform.ts';

let server: SpawnedServer;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterAll(async () => {
  for (const f of closers.reverse()) await f();
  await server?.kill();
});

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('connect screen: configure the server address', () => {
  it('normalizes what was typed and refuses what is not an http(s) address', () => {
    expect(normalizeServerUrl(' exam-server:8080 ')).toBe('http://exam-server:8080');
    expect(normalizeServerUrl('https://exams.example.org/invigil/')).toBe('https://exams.example.org/invigil');
    expect(() => normalizeServerUrl('ftp://exam-server')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => normalizeServerUrl('http://admin:pw@exam-server')).toThrow(/user name or password/);
    expect(() => normalizeServerUrl('http://exam server')).toThrow(/not a web address/);
    expect(() => normalizeServerUrl('   ')).toThrow(/Enter the exam server address/);
  });

  it('an unconfigured kiosk says so; configure checks the server answers before storing it; a restart keeps it', async () => {
    const dirs = await tempDirs();
    const open = () => createAgent({ dataDir: dirs.dataDir, secretStore: new FileSecretStore(dirs.keyPath), platform: fakePlatform(), checks: false });
    const agent = await open();
    closers.push(() => agent.close());
    const ipc = createKioskIpcHandler(agent);
    expect(await ipc('getConfig', {})).toEqual({ ok: true, data: { serverUrl: null, centerId: null, staffCodeRequired: false } });
    const prov = await provision(server, 1, { prefix: 'cfg' });
    const c = prov.candidates[0]!;
    expect(await ipc('login', { examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode })).toMatchObject({ ok: false, error: { code: 'NOT_CONFIGURED' } });

    expect(await ipc('configure', { serverUrl: 'gopher://x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const port = await deadPort();
    const down = await ipc('configure', { serverUrl: `127.0.0.1:${port}` });
    expect(down).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    expect(!down.ok && down.error.message).toBe(`Cannot reach http://127.0.0.1:${port}: nothing answers at that address (connection refused). Check the address and the network cable.`);

    // Something answers, but it is not an Invigil server.
    const other = createServer((_req, res) => res.writeHead(404).end('nope'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => other.close(r)));
    const wrong = await ipc('configure', { serverUrl: `http://127.0.0.1:${(other.address() as { port: number }).port}` });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!wrong.ok && wrong.error.message).toMatch(/not an Invigil exam server \(GET \/healthz: HTTP 404\)/);
    expect(await ipc('getConfig', {})).toEqual({ ok: true, data: { serverUrl: null, centerId: null, staffCodeRequired: false } }); // nothing stored

    const ok = await ipc('configure', { serverUrl: `${server.url}/`, centerId: 'north-hall' });
    expect(ok).toEqual({ ok: true, data: { serverUrl: server.url, centerId: 'north-hall', serverVersion: expect.any(String) } });
    expect(JSON.parse(await readFile(join(dirs.dataDir, 'config.json'), 'utf8'))).toEqual({ v: 1, serverUrl: server.url, centerId: 'north-hall' });
    expect(await ipc('login', { examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode })).toMatchObject({ ok: true, data: { phase: 'logged-in' } });
    await agent.close();

    // Restarted: the address is still there and so is the login.
    const again = await open();
    closers.push(() => again.close());
    expect(again.getConfig()).toEqual({ serverUrl: server.url, centerId: 'north-hall', staffCodeRequired: false });
    expect(again.state()).toMatchObject({ phase: 'logged-in', candidateId: c.candidateId });
    // While an attempt runs the server cannot be changed, nor can the candidate sign out.
    await again.startExam();
    const ipc2 = createKioskIpcHandler(again);
    expect(await ipc2('configure', { serverUrl: server.url })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await ipc2('logout', {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // Finished: signing out makes room for the next candidate, also after a restart.
    await again.submit();
    expect(await ipc2('logout', {})).toMatchObject({ ok: true, data: { phase: 'idle', candidateId: null, attemptId: null } });
    await again.close();
    const third = await open();
    closers.push(() => third.close());
    expect(third.state()).toMatchObject({ phase: 'idle', candidateId: null });
    expect(third.getConfig()).toEqual({ serverUrl: server.url, centerId: 'north-hall', staffCodeRequired: false });
    // The desk's exam (issue H 1): staff set it once; kept across a restart; a bad id changes nothing.
    expect(await createKioskIpcHandler(third)('configure', { serverUrl: server.url, centerId: 'north-hall', examId: '  ' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await createKioskIpcHandler(third)('configure', { serverUrl: server.url, centerId: 'north-hall', examId: prov.examId })).toMatchObject({ ok: true, data: { examId: prov.examId } });
    expect(JSON.parse(await readFile(join(dirs.dataDir, 'config.json'), 'utf8'))).toEqual({ v: 1, serverUrl: server.url, centerId: 'north-hall', examId: prov.examId });
    await third.close();
    const fourth = await open();
    closers.push(() => fourth.close());
    expect(fourth.getConfig()).toEqual({ serverUrl: server.url, centerId: 'north-hall', examId: prov.examId, staffCodeRequired: false });
  });
});

describe('pre-exam checks', () => {
  it('a clean machine passes every check', async () => {
    const { agent } = await testAgent(server.url);
    closers.push(() => agent.close());
    const r = await createKioskIpcHandler(agent)('runChecks', {});
    expect(r.ok).toBe(true);
    const report = r.ok ? (r.data as any) : null;
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: any) => [c.id, c.status])).toEqual([
      ['server', 'pass'],
      ['clock', 'pass'],
      ['displays', 'pass'],
      ['processes', 'pass'],
      ['virtual-machine', 'pass'],
      ['storage', 'pass'],
    ]);
    expect(agent.state().connection).toBe('online');
  });

  it('two displays, remote-access and recording programs, a VM and an unreachable server fail, each with a message naming the problem', async () => {
    const platform = fakePlatform({
      displays: 2,
      procs: [{ name: 'systemd' }, { name: 'AnyDesk.exe' }, { name: 'obs64.exe' }, { name: 'calc' }],
      vm: [{ name: 'dmi_vendor', weight: 0.7, detail: 'QEMU' }, { name: 'cpu_hypervisor_flag', weight: 0.5 }],
    });
    const { agent } = await testAgent(`http://127.0.0.1:${await deadPort()}`, { platform, checks: { forbidden: ['calc'] } });
    closers.push(() => agent.close());
    const report = await agent.runChecks();
    expect(report.ok).toBe(false);
    const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(by.server).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Cannot reach the exam server at http:\/\/127\.0\.0\.1:\d+ \(nothing answers at that address \(connection refused\)\)\. Tell a proctor\.$/) });
    expect(by.clock!.status).toBe('warn');
    expect(by.displays).toMatchObject({ status: 'fail', message: expect.stringContaining('2 displays are connected') });
    expect(by.processes).toMatchObject({ status: 'fail', message: expect.stringContaining('anydesk (remote access), obs64 (screen sharing or recording), calc (not allowed during this exam)') });
    expect(by['virtual-machine']).toMatchObject({ status: 'fail', message: 'This computer looks like a virtual machine (we found: dmi vendor, cpu hypervisor flag). Exams must run on a physical computer: ask a proctor.' });
    expect(by.storage!.status).toBe('pass');
    expect(agent.state().connection).toBe('offline');

    // Fixed: the next run passes (displays unplugged, programs closed).
    platform.displays = 1;
    platform.procs = [{ name: 'systemd' }];
    const again = await agent.runChecks();
    expect(again.checks.find((c) => c.id === 'displays')!.status).toBe('pass');
    expect(again.checks.find((c) => c.id === 'processes')!.status).toBe('pass');
  });

  it('a platform that cannot count displays warns instead of failing', async () => {
    const platform = fakePlatform();
    platform.displays = null; // plain Node cannot count displays
    const { agent } = await testAgent(server.url, { platform });
    closers.push(() => agent.close());
    const report = await agent.runChecks();
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'displays')).toMatchObject({ status: 'warn', message: 'The number of displays cannot be read here.' });
  });
});

describe('transfer to another desk', () => {
  it('the new desk claims the attempt with the resume code: answers restored, heartbeats from the new device, the old one is shut out', async () => {
    const prov = await provision(server, 1, { prefix: 'xfer' });
    const c = prov.candidates[0]!;
    const login = { examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode };
    const old = await testAgent(server.url);
    closers.push(() => old.agent.close());
    await old.agent.login(login);
    const { attemptId } = await old.agent.startExam();
    await old.agent.saveAnswer('q1', 'a');
    await old.agent.saveAnswer('q3', 'written at the first desk');
    await old.agent.whenSynced(5_000);

    const t = await call(`${server.api}/proctor/sessions/${attemptId}/transfer`, 'POST', { reason: 'broken keyboard', seat: 'B7' }, prov.adminToken);
    expect(t.status).toBe(200);
    const resumeCode = t.body.resumeCode as string;

    const desk = await testAgent(server.url, { platform: fakePlatform({ id: 'another-machine-id-0123456789' }) });
    closers.push(() => desk.agent.close());
    const ipc = createKioskIpcHandler(desk.agent);
    expect(await ipc('claimTransfer', { resumeCode })).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    await desk.agent.login(login);
    expect(await ipc('claimTransfer', { resumeCode: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF' })).toMatchObject({ ok: false, error: { code: 'INVALID_RESUME_CODE' } });
    const claimed = await ipc('claimTransfer', { resumeCode });
    expect(claimed).toMatchObject({ ok: true, data: { phase: 'in-exam', attemptId, session: { status: 'active', isLocked: false }, clock: { running: true } } });
    expect(desk.events.find((e) => e.type === 'recovered')).toMatchObject({ attemptId, answersRestored: 2, status: 'active' });
    expect(desk.agent.answers().map((a) => [a.questionId, a.value, a.synced])).toEqual([
      ['q1', 'a', true],
      ['q3', 'written at the first desk', true],
    ]);

    // Staff instructions issued after the claim are followed here.
    expect((await call(`${server.api}/proctor/sessions/${attemptId}/actions`, 'POST', { action: 'message', message: 'Welcome to desk B7' }, prov.adminToken)).status).toBe(200);
    await waitUntil('message at the new desk', () => desk.events.find((e) => e.type === 'message'));
    expect(desk.events.find((e) => e.type === 'message')).toMatchObject({ message: 'Welcome to desk B7' });
    await waitUntil('message acknowledged', async () => {
      const r = await call(`${server.api}/proctor/sessions/${attemptId}/instructions`, 'GET', undefined, prov.adminToken);
      return r.body.instructions.some((i: any) => i.type === 'message' && i.ackedAt);
    });
    // The transfer told the OLD desk to quit: the server never hands that to the new desk.
    const listed = await call(`${server.api}/proctor/sessions/${attemptId}/instructions`, 'GET', undefined, prov.adminToken);
    expect(listed.body.instructions.find((i: any) => i.type === 'quit')).toMatchObject({ ackedAt: null });
    expect(desk.events.filter((e) => e.type === 'instruction' && e.instruction.type === 'quit')).toEqual([]);

    // Heartbeats now come from the new device, and it keeps going past the pause threshold.
    await waitUntil('new device online', async () => {
      const s = await liveSession(server, prov.adminToken, attemptId!);
      return s.status === 'active' && s.online && s.device.fingerprint === desk.agent.deviceFingerprint && s;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await liveSession(server, prov.adminToken, attemptId!)).toMatchObject({ status: 'active', online: true });

    // Answers continue at the new desk (numbered above what the server holds) and reach the server.
    await desk.agent.saveAnswer('q3', 'finished at the second desk');
    await desk.agent.whenSynced(5_000);
    // The old kiosk is shut out: its login ended when the candidate signed in at the new desk (and its key is no longer bound).
    // (Its screen says so: moved, then closed, when it saw the transfer's quit in time.)
    await old.agent.waitFor((s) => s.phase === 'needs-login' || s.phase === 'blocked' || (s.phase === 'moved' && s.transfer?.done === true), 5_000);
    expect(await desk.agent.submit()).toEqual({ status: 'completed' });
    const stored = await call(`${server.api}/proctor/sessions?includeFinished=true`, 'GET', undefined, prov.adminToken);
    expect(stored.body.sessions.find((s: any) => s.attemptId === attemptId)).toMatchObject({ status: 'completed' });
    const token = (await call(`${server.api}/auth/candidate/login`, 'POST', login)).body.token;
    const answers = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
    expect(Object.fromEntries(answers.body.answers.map((a: any) => [a.questionId, a.value]))).toEqual({ q1: 'a', q3: 'finished at the second desk' });
  });
});
