import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from './agent.ts';
import { FileSecretStore } from './file-secret-store.ts';
import { createKioskIpcHandler } from './ipc-handler.ts';
import { tempDirs, testAgent, waitUntil } from './testing/e2e.ts';
import { fakePlatform } from './testing/fake-platform.ts';
import { runAgent } from './testing/run-agent.ts';
import { startTcpProxy } from './testing/tcp-proxy.ts';
import type { KioskEvent } from '@invigil/contract';

let server: SpawnedServer;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
afterAll(async () => {
  await server?.kill();
});

type Cand = { candidateId: string; accessCode: string };
const creds = (examId: string, c: Cand) => ({ examId, candidateId: c.candidateId, accessCode: c.accessCode });

async function storedAnswers(examId: string, c: Cand, attemptId: string): Promise<Record<string, unknown>> {
  const token = await candidateLogin(server, examId, c);
  const r = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.answers.map((a: any) => [a.questionId, a.value]));
}

async function alertKinds(adminToken: string, attemptId: string): Promise<string[]> {
  const r = await call(`${server.api}/proctor/alerts?attemptId=${attemptId}&state=all`, 'GET', undefined, adminToken);
  return r.body.alerts.map((a: any) => a.kind as string);
}

/** The outbox file as it is on disk (one answer per line). */
async function outboxOnDisk(dataDir: string): Promise<{ attemptId: string; questionId: string; value: unknown }[]> {
  const raw = await readFile(join(dataDir, 'outbox.jsonl'), 'utf8').catch(() => '');
  return raw.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const NOTHING_SAVED = { pending: 0, lastSavedLocallyAt: null, lastSyncedAt: null };

describe('the next candidate on the same kiosk sees nothing of the previous one', () => {
  it('A answers, submits and signs out; B signs in on the same agent: no answers, save times, cached exam or integrity events of A', async () => {
    const prov = await provision(server, 2, { prefix: 'next' });
    const a: Cand = prov.candidates[0]!;
    const b: Cand = prov.candidates[1]!;
    // A remote-access program runs on this computer the whole time: staff must hear of it for each attempt.
    const { agent, events, dataDir } = await testAgent(server.url, { platform: fakePlatform({ procs: [{ name: 'AnyDesk.exe' }] }), checks: { intervalMs: 60_000 } });
    cleanups.push(() => agent.close());
    const ipc = createKioskIpcHandler(agent);

    // ---- candidate A
    await agent.login(creds(prov.examId, a));
    const { attemptId: attemptA } = await agent.startExam();
    await agent.getExam();
    await agent.saveAnswer('q1', 'a');
    await agent.saveAnswer('q2', ['two', 'three']);
    await agent.saveAnswer('q3', 'A wrote this essay.');
    await agent.whenSynced(5_000);
    await waitUntil('remote access reported for A', async () => (await alertKinds(prov.adminToken, attemptA!)).includes('remote_access'));
    expect(await agent.submit()).toEqual({ status: 'completed' });
    // On the finished screen the window loses focus (someone leans over), then A signs out.
    agent.reportFocus(false);
    expect(await ipc('logout', {})).toMatchObject({ ok: true, data: { phase: 'idle' } });

    // ---- signed out: nothing of A is left in the agent or in its folder
    expect(agent.state()).toMatchObject({ phase: 'idle', examId: null, candidateId: null, attemptId: null, session: { status: null }, saves: NOTHING_SAVED, lastError: null });
    expect(agent.answers()).toEqual([]);
    expect(existsSync(join(dataDir, 'exam.sealed'))).toBe(false);
    expect(existsSync(join(dataDir, 'session.sealed'))).toBe(false);
    expect(await outboxOnDisk(dataDir)).toEqual([]);

    // ---- candidate B, same agent, same folder
    const seenFrom = events.length;
    expect(await ipc('login', creds(prov.examId, b))).toMatchObject({ ok: true, data: { phase: 'logged-in', candidateId: b.candidateId, attemptId: null, saves: NOTHING_SAVED } });
    expect(await ipc('getAnswers', {})).toEqual({ ok: true, data: { attemptId: null, answers: [] } });
    const startedB = await ipc('startExam', {});
    expect(startedB).toMatchObject({ ok: true, data: { phase: 'in-exam', candidateId: b.candidateId, saves: NOTHING_SAVED, lastError: null } });
    await agent.getExam();
    const attemptB = agent.state().attemptId!;
    expect(attemptB).not.toBe(attemptA);
    expect(await ipc('getAnswers', {})).toEqual({ ok: true, data: { attemptId: attemptB, answers: [] } });
    expect(agent.answers()).toEqual([]);
    expect(events.slice(seenFrom).filter((e) => e.type === 'recovered')).toEqual([]);

    // B's own answer is the only one B's attempt has.
    await agent.saveAnswer('q1', 'b');
    await agent.whenSynced(5_000);
    expect(agent.answers()).toEqual([{ questionId: 'q1', value: 'b', clientSeq: expect.any(Number), synced: true }]);

    // Staff see B's attempt on its own: the remote-access program again, and not A's focus loss
    // (it was queued before; once the remote-access alert is in, anything queued before it was sent too).
    await waitUntil('remote access reported for B', async () => (await alertKinds(prov.adminToken, attemptB)).includes('remote_access'));
    expect(await alertKinds(prov.adminToken, attemptB)).not.toContain('focus_lost');

    expect(await agent.submit()).toEqual({ status: 'completed' });
    expect(await storedAnswers(prov.examId, b, attemptB)).toEqual({ q1: 'b' });
    expect(await storedAnswers(prov.examId, a, attemptA!)).toEqual({ q1: 'a', q2: ['two', 'three'], q3: 'A wrote this essay.' });
  });

  it("A's kiosk is killed with an answer the server never got: after the restart B cannot take over A's exam, the answer reaches A's attempt when it comes back, and then B sees nothing of A", async () => {
    const prov = await provision(server, 2, { prefix: 'crashnext' });
    const a: Cand = prov.candidates[0]!;
    const b: Cand = prov.candidates[1]!;
    const proxy = await startTcpProxy(server.url);
    cleanups.push(() => proxy.close());
    const dirs = await tempDirs();
    const essay = "A's essay, written while the network was down.";

    // ---- first run, its own process: A answers q1 (reaches the server), the network goes, A writes q3 (only on disk), killed.
    const first = runAgent(
      { serverUrl: proxy.url, ...dirs, ...creds(prov.examId, a), plan: [{ questionId: 'q1', value: 'a' }], offlinePlan: [{ questionId: 'q3', value: essay }], submit: false },
      { onLine: (l) => l.event === 'waiting-offline' && proxy.cut(), killWhen: (l) => l.event === 'held' },
    );
    const end = await first.done;
    expect(end.signal, first.stderr()).toBe('SIGKILL');
    expect(first.lines.find((l) => l.event === 'held')).toMatchObject({ pending: 1 });
    const attemptA = first.lines.find((l) => l.event === 'ready')!.attemptId as string;
    // What the kill left: A's unsent answer, filed under A's attempt.
    expect(await outboxOnDisk(dirs.dataDir)).toContainEqual(expect.objectContaining({ attemptId: attemptA, questionId: 'q3', value: essay }));

    // ---- the kiosk restarts on the same folder; the network is still down
    const agent = await createAgent({ serverUrl: proxy.url, ...dirs, secretStore: new FileSecretStore(dirs.keyPath), platform: fakePlatform(), checks: false });
    cleanups.push(() => agent.close());
    const events: KioskEvent[] = [];
    agent.onEvent((e) => events.push(e));
    expect(agent.state()).toMatchObject({ phase: 'recovering', candidateId: a.candidateId, attemptId: attemptA });

    // B sits down and signs in: refused, A's unfinished exam stays this kiosk's (nothing of it becomes B's).
    const ipc = createKioskIpcHandler(agent);
    expect(await ipc('login', creds(prov.examId, b))).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(agent.state()).toMatchObject({ candidateId: a.candidateId, attemptId: attemptA });
    expect(await outboxOnDisk(dirs.dataDir)).toContainEqual(expect.objectContaining({ attemptId: attemptA, questionId: 'q3', value: essay }));

    // The network is back: A's exam recovers here and the answer the server never got reaches A's attempt.
    proxy.restore();
    await waitUntil('recovered', () => events.find((e) => e.type === 'recovered'), 10_000);
    await agent.whenSynced(10_000);
    await agent.getExam();
    expect(await agent.submit()).toEqual({ status: 'completed' });
    expect(await storedAnswers(prov.examId, a, attemptA)).toEqual({ q1: 'a', q3: essay });
    expect(await ipc('logout', {})).toMatchObject({ ok: true, data: { phase: 'idle', saves: NOTHING_SAVED } });
    expect(await outboxOnDisk(dirs.dataDir)).toEqual([]);
    expect(existsSync(join(dirs.dataDir, 'exam.sealed'))).toBe(false);

    // ---- B, on the kiosk that crashed: nothing of A
    expect(await ipc('login', creds(prov.examId, b))).toMatchObject({ ok: true, data: { phase: 'logged-in', candidateId: b.candidateId, saves: NOTHING_SAVED } });
    const seenFrom = events.length;
    expect(await ipc('startExam', {})).toMatchObject({ ok: true, data: { phase: 'in-exam', candidateId: b.candidateId, saves: NOTHING_SAVED } });
    const attemptB = agent.state().attemptId!;
    expect(attemptB).not.toBe(attemptA);
    expect(await ipc('getAnswers', {})).toEqual({ ok: true, data: { attemptId: attemptB, answers: [] } });
    expect(events.slice(seenFrom).filter((e) => e.type === 'recovered')).toEqual([]);
    await agent.saveAnswer('q2', ['two']);
    await agent.whenSynced(5_000);
    expect(agent.answers().map((x) => x.questionId)).toEqual(['q2']);
    expect(await agent.submit()).toEqual({ status: 'completed' });
    expect(await storedAnswers(prov.examId, b, attemptB)).toEqual({ q2: ['two'] });
    expect(await storedAnswers(prov.examId, a, attemptA)).toEqual({ q1: 'a', q3: essay });
  });
});
