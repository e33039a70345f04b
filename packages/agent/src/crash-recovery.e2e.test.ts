import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from './testing/e2e.ts';
import { runAgent, type RunnerLine } from './testing/run-agent.ts';

/** 160 questions of all three kinds; 200 answers: every question once, then 40 of them changed. */
const QUESTIONS = Array.from({ length: 160 }, (_, i) => {
  const id = `q${String(i + 1).padStart(3, '0')}`;
  const options = [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }, { id: 'c', label: 'C' }];
  if (i % 3 === 0) return { id, type: 'single', prompt: `Question ${i + 1}`, options };
  if (i % 3 === 1) return { id, type: 'multiple', prompt: `Question ${i + 1}`, options };
  return { id, type: 'text', prompt: `Question ${i + 1}` };
});
const valueFor = (q: (typeof QUESTIONS)[number], step: number) =>
  q.type === 'single' ? (['a', 'b', 'c'] as const)[step % 3]! : q.type === 'multiple' ? (step % 2 ? ['a', 'c'] : ['b']) : `step ${step}: ${'x'.repeat(step % 50)}`;
const PLAN = Array.from({ length: 200 }, (_, step) => {
  const q = QUESTIONS[step % 160]!;
  // The two values of one question always differ (the runner finds where it stopped by them).
  return { questionId: q.id, value: q.type === 'text' ? valueFor(q, step) : step < 160 ? valueFor(q, step) : valueFor(q, step + 1) };
});

let server: SpawnedServer;
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterAll(async () => {
  await server?.kill();
});

describe('crash recovery', () => {
  it('200 answers, the agent SIGKILLed mid-stream: the restarted agent recovers the attempt and every answer reaches the server', async () => {
    const prov = await provision(server, 1, { questions: QUESTIONS, prefix: 'crash' });
    const c = prov.candidates[0]!;
    const dirs = await tempDirs();
    const job = { serverUrl: server.url, ...dirs, examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode, plan: PLAN, submit: true };

    // First run: killed without warning after 90 answers were reported saved locally.
    const first = runAgent(job, { killAfterSaved: 90 });
    const end1 = await first.done;
    expect(end1.signal, first.stderr()).toBe('SIGKILL');
    const saved1 = first.lines.filter((l) => l.event === 'saved');
    const synced1 = new Set(first.lines.filter((l) => l.event === 'synced').map((l) => l.clientSeq));
    expect(saved1.length).toBeGreaterThanOrEqual(90);
    expect(saved1.length).toBeLessThan(200);
    const attemptId = first.lines.find((l) => l.event === 'ready')!.attemptId as string;
    const unsyncedAtKill = saved1.filter((l) => !synced1.has(l.clientSeq)).length;
    // What survived the kill: the recovery token and login only sealed; the answers as plain lines.
    const sealed = await readFile(join(dirs.dataDir, 'session.sealed'));
    expect(sealed.toString('latin1')).not.toContain(attemptId);
    expect(sealed.toString('latin1')).not.toContain('recoveryToken');
    console.info(`killed after ${saved1.length} answers saved locally, ${unsyncedAtKill} of them not yet acknowledged by the server`);

    // Second run on the same data folder: nothing typed again.
    const second = runAgent(job);
    const end2 = await second.done;
    expect(end2, second.stderr()).toEqual({ code: 0, signal: null });
    const l2 = second.lines;
    expect(l2[0]).toMatchObject({ event: 'init', phase: 'recovering', attemptId });
    expect(l2.find((l) => l.event === 'recovered')).toMatchObject({ status: 'active' });
    expect(l2.find((l) => l.event === 'ready')).toMatchObject({ attemptId });
    const from = l2.find((l) => l.event === 'resume-from')!.index as number;
    expect(from).toBeGreaterThanOrEqual(saved1.at(-1)!.index + 1); // continued where it stopped
    const saved2 = l2.filter((l) => l.event === 'saved');
    expect(saved2.length).toBe(200 - from);
    // clientSeq keeps rising across the crash
    expect(saved2[0]!.clientSeq).toBeGreaterThan(saved1.at(-1)!.clientSeq);
    expect(l2.at(-1)).toMatchObject({ event: 'submitted', status: 'completed' });

    // The server, asked directly.
    const token = await candidateLogin(server, prov.examId, c);
    const r = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
    const onServer = new Map<string, any>(r.body.answers.map((a: any) => [a.questionId, a]));
    expect(onServer.size).toBe(160);

    // Every answer reported saved locally by either run is on the server with (at least) that clientSeq...
    for (const l of [...saved1, ...saved2]) expect(onServer.get(l.questionId).clientSeq).toBeGreaterThanOrEqual(l.clientSeq);
    // ...and the latest reported one is exactly what the server holds.
    const latest = new Map<string, RunnerLine>();
    for (const l of [...saved1, ...saved2]) latest.set(l.questionId, l);
    for (const [questionId, l] of latest) {
      expect(onServer.get(questionId).clientSeq).toBe(l.clientSeq);
      expect(onServer.get(questionId).value).toEqual(PLAN[l.index]!.value);
    }
    // And the final answers are the plan's last value of each question.
    for (const q of QUESTIONS) expect(onServer.get(q.id).value).toEqual(PLAN.findLast((s) => s.questionId === q.id)!.value);
  });
});
