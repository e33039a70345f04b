// Durable answer saves on the PostgreSQL adapter, at the repository: how many saveBatch calls of
// --batch writes per second, and their latency, with --concurrency batches in flight (as several
// server processes flushing their answer queues would have).
//
//   node --import tsx apps/server/bench/postgres-answers.ts [--seconds 10] [--concurrency 8] [--batch 20] [--sessions 2000] [--pool 10]
//
// A fresh database on INVIGIL_TEST_POSTGRES_URL's server (default postgres://postgres@127.0.0.1:5432/postgres),
// dropped afterwards. Every write of a batch goes to a different session (a flush gathers many
// candidates), each with a rising clientSeq, so every write must come back 'applied'; the run checks
// that it did and that the last acknowledged seq of a sample is what is stored. No pass/fail on speed.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openPostgresDatabase } from '../src/adapters/postgres/open.ts';
import { freshDatabase } from '../src/adapters/postgres/testing.ts';
import type { AnswerWrite, SessionRecord } from '../src/ports/types.ts';
import { sessionFixture } from '../src/adapters/session-fixture.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    batch: { type: 'string', default: '20' },
    sessions: { type: 'string', default: '2000' },
    pool: { type: 'string', default: '10' },
  },
});
const seconds = Number(args.seconds);
const concurrency = Number(args.concurrency);
const batchSize = Number(args.batch);
const sessionCount = Number(args.sessions);

const T = Date.now();
const fresh = await freshDatabase('invigil_bench');
const db = await openPostgresDatabase(fresh.url, { poolSize: Number(args.pool) });
try {
  const examId = randomUUID();
  await db.repos.exams.create(examId, { title: 'Bench', durationMinutes: 600, questions: [] }, 'bench', T);
  const attempts: string[] = [];
  for (let i = 0; i < sessionCount; i++) {
    const rec: SessionRecord = sessionFixture({ examId, candidateId: `bench-${i}`, at: T, allowedMs: 600 * 60_000 }, { recoveryTokenHash: 'h', browserInfo: '', ipAddress: '' });
    await db.repos.examSessions.insert(rec, T);
    attempts.push(rec.attemptId);
  }

  // Worker w owns sessions w, w+concurrency, ...: no two batches in flight touch one session.
  const seqOf = new Map<string, number>();
  const latencies: number[] = [];
  let batches = 0;
  let notApplied = 0;
  const until = performance.now() + seconds * 1_000;
  const worker = async (w: number) => {
    const mine = attempts.filter((_, i) => i % concurrency === w);
    let next = 0;
    while (performance.now() < until) {
      const writes: AnswerWrite[] = [];
      for (let k = 0; k < batchSize; k++) {
        const attemptId = mine[next++ % mine.length]!;
        const seq = (seqOf.get(attemptId) ?? 0) + 1;
        seqOf.set(attemptId, seq);
        writes.push({ attemptId, questionId: `q${seq % 10}`, valueJson: JSON.stringify({ text: `answer ${seq}`.padEnd(200, '.') }), clientSeq: seq, at: Date.now() });
      }
      const t0 = performance.now();
      const out = await db.repos.answers.saveBatch(writes);
      latencies.push(performance.now() - t0);
      batches += 1;
      notApplied += out.filter((o) => o.outcome !== 'applied').length;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1_000;

  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(`saveBatch on PostgreSQL: ${batchSize} writes per batch, ${concurrency} batches in flight, pool ${args.pool}, ${elapsed.toFixed(1)} s`);
  console.log(`  ${(batches / elapsed).toFixed(0)} batches/s = ${((batches * batchSize) / elapsed).toFixed(0)} durable saves/s`);
  console.log(`  latency per batch (ms): p50 ${q(0.5)}  p95 ${q(0.95)}  p99 ${q(0.99)}  max ${latencies[latencies.length - 1]!.toFixed(1)}`);
  const sample = attempts[0]!;
  const stored = Math.max(...(await db.repos.answers.list(sample)).map((a) => a.clientSeq));
  const ok = notApplied === 0 && stored === seqOf.get(sample);
  console.log(ok ? '  every write applied; stored seqs match the last acknowledged' : `  PROBLEM: ${notApplied} writes not applied; stored ${stored} vs sent ${seqOf.get(sample)}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await db.close();
  await fresh.drop();
}
