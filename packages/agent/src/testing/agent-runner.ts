/**
 * A real, separate agent process for crash tests (run with `node --import tsx agent-runner.ts`).
 * Reads its job from the AGENT_RUNNER environment variable (JSON), prints one JSON line per
 * happening on stdout: `saved` only after saveAnswer resolved (the answer is fsynced in the
 * outbox). Started again on the same dataDir it recovers the attempt, continues the plan where
 * the restored answers show it stopped, waits until everything reached the server, and submits.
 * With `offlinePlan` it stops before submitting: prints `waiting-offline`, waits until the agent
 * finds the server unreachable (the test cuts the network), saves those answers (only on this
 * device, then) and prints `held`, and stays until it is killed.
 */
import type { AnswerValue } from '@invigil/contract';
import { createAgent } from '../agent.ts';
import { FileSecretStore } from '../file-secret-store.ts';
import { fakePlatform } from './fake-platform.ts';

interface Job {
  serverUrl: string;
  dataDir: string;
  keyPath: string;
  examId: string;
  candidateId: string;
  accessCode: string;
  plan: { questionId: string; value: AnswerValue }[];
  offlinePlan?: { questionId: string; value: AnswerValue }[];
  submit: boolean;
  /** Exit status after a finished plan (default 0; the OS-restart test uses the kiosk's quit status). */
  exitCode?: number;
}

const job = JSON.parse(process.env.AGENT_RUNNER ?? 'null') as Job | null;
if (!job) {
  process.stderr.write('AGENT_RUNNER (JSON job) is not set\n');
  process.exit(2);
}

const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

const agent = await createAgent({
  serverUrl: job.serverUrl,
  dataDir: job.dataDir,
  secretStore: new FileSecretStore(job.keyPath),
  platform: fakePlatform(),
  checks: false,
  log: { debug() {}, info() {}, warn: (m, d) => process.stderr.write(`warn ${m} ${JSON.stringify(d ?? {})}\n`), error: (m, d) => process.stderr.write(`error ${m} ${JSON.stringify(d ?? {})}\n`) },
});
agent.onEvent((e) => {
  if (e.type === 'synced') out({ event: 'synced', questionId: e.questionId, clientSeq: e.clientSeq });
  else if (e.type === 'recovered') out({ event: 'recovered', answersRestored: e.answersRestored, pendingReplayed: e.pendingReplayed, status: e.status });
});

const first = agent.state();
out({ event: 'init', phase: first.phase, attemptId: first.attemptId, pid: process.pid });
if (first.phase === 'recovering') {
  await agent.waitFor((s) => s.phase === 'in-exam', 20_000);
} else {
  if (first.phase === 'idle') await agent.login({ examId: job.examId, candidateId: job.candidateId, accessCode: job.accessCode });
  await agent.startExam();
}
out({ event: 'ready', attemptId: agent.state().attemptId });

// Continue after the last plan step the restored answers already hold (values are unique per step).
const current = new Map(agent.answers().map((a) => [a.questionId, JSON.stringify(a.value)]));
let from = 0;
job.plan.forEach((step, i) => {
  if (current.get(step.questionId) === JSON.stringify(step.value)) from = i + 1;
});
out({ event: 'resume-from', index: from });

for (let i = from; i < job.plan.length; i++) {
  const step = job.plan[i]!;
  const r = await agent.saveAnswer(step.questionId, step.value);
  out({ event: 'saved', index: i, questionId: step.questionId, clientSeq: r.clientSeq });
}
await agent.whenSynced(30_000);
out({ event: 'all-synced' });
if (job.offlinePlan) {
  out({ event: 'waiting-offline' });
  await agent.waitFor((s) => s.connection === 'offline', 30_000);
  for (const step of job.offlinePlan) {
    const r = await agent.saveAnswer(step.questionId, step.value);
    out({ event: 'saved', offline: true, questionId: step.questionId, clientSeq: r.clientSeq });
  }
  out({ event: 'held', pending: agent.state().saves.pending });
  setInterval(() => {}, 60_000); // the heartbeat loop keeps retrying; the test kills this process
} else {
  if (job.submit) {
    const r = await agent.submit();
    out({ event: 'submitted', status: r.status });
  }
  await agent.close();
  process.exit(job.exitCode ?? 0);
}
