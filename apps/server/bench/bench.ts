// `pnpm bench` (apps/server/bench/bench.ts) — throughput and latency of the real server's hot paths, measured against a bare
// Hono route in the same run, with the same client, concurrency and duration.
//
//   pnpm bench [--candidates 500] [--connections 64] [--seconds 10] [--warmup 2] [--rounds 4] [--cpu-prof]
//
// What it does:
//  1. starts the real server (apps/server/src/main.ts, via the test harness) and the bare Hono
//     baseline (apps/server/bench/bare-hono.ts), each in its own process;
//  2. provisions N candidates, logs each in and starts a device-bound session (Ed25519 key +
//     fingerprint), then sends one signed heartbeat per session (seq 1) so every session is live;
//  3. measures the bare route and signed heartbeats, each warmed up for --warmup seconds
//     (discarded) and then measured for --seconds seconds in total, cut into --rounds slices taken
//     in turn (bare, heartbeat, heartbeat, bare...) so that background load on a shared machine
//     weighs on both alike; then durable answer saves (warm-up + --seconds); all at --connections;
//  4. checks every answer: heartbeats must say `sessionValid:true`, saves must be applied with the
//     clientSeq sent; afterwards GET answers shows that the last acknowledged clientSeq is stored.
//
// Client: one undici `Client` (one keep-alive connection, pipelining 1) per concurrent worker, each
// worker awaiting its own answer before sending the next request. A worker owns a fixed share of
// the sessions, so the requests of one attempt are never in flight together and arrive in seq order
// (a heartbeat seq must be strictly increasing). Latency = time from request to fully read body.
//
// Signing: heartbeat signatures are made BEFORE the timed windows (two worker threads), sized from
// the bare route's measured rate (an upper bound for heartbeats) with a 1.5x margin, so the client
// spends no CPU on Ed25519 while measuring. Should a session run out, the client signs inline and
// the report says how often that happened.
//
// Exit status: 0 when every request succeeded and every check held, 1 otherwise. There is no
// pass/fail on speed: this is a benchmark; the targets are printed for comparison only.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '../src/testing/harness.ts';
import { answerValue, QUESTION_IDS } from './answers.ts';
import { measureInterleaved, mib, ms, warmUp, type Target, type WindowResult } from './driver.ts';
import { log } from './log.ts';
import { CONNECTIONS, CPU_PROF, N, opts, ROUNDS, SECONDS, WARMUP } from './options.ts';
import { PROBE } from './paths.ts';
import { mapLimit, rssKiB, spawnBare } from './proc.ts';
import { Probe } from './profile.ts';
import { nextHeartbeat, presign, signing, type Live } from './signing.ts';

async function main(): Promise<number> {
  const tStart = performance.now();
  log(`Invigil bench: ${N} candidates, ${CONNECTIONS} connections; per target ${WARMUP} s warm-up, then ${SECONDS} s measured in ${ROUNDS} interleaved slices`);
  if (CONNECTIONS < Number(opts.connections)) log(`  (connections capped at ${N}: a session's requests must never be in flight on two connections at once)`);
  log(
    `Machine: ${cpus().length} CPU core(s), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}. Client (this process), server and bare baseline share these cores, so absolute figures are lower than on a dedicated server; the ratio is the fair comparison.`,
  );

  const probeDir = mkdtempSync(join(tmpdir(), 'invigil-bench-probe-'));
  const server: SpawnedServer = await spawnServer({
    LOG_LEVEL: 'warn',
    // The largest interval the server accepts (1 h): nothing auto-pauses during the run.
    HEARTBEAT_INTERVAL_MS: '3600000',
    // GC-before-measuring and CPU profiles from inside the server (Node refuses --cpu-prof in
    // NODE_OPTIONS, --import is fine). Idle unless the bench asks.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PROBE}`.trim(),
    INVIGIL_PROBE_DIR: probeDir,
    INVIGIL_CPU_PROF: CPU_PROF ? '1' : '0',
  });
  const bare = await spawnBare();
  const serverPid = server.proc.pid!;
  const probe = new Probe(probeDir, serverPid, CPU_PROF);
  let failed = false;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const memStart = await probe.gc();
    const rssStart = memStart.rssKiB;
    log(`Server ${server.url} (pid ${serverPid}), right after start: RSS ${(rssStart / 1024).toFixed(1)} MiB, V8 heap ${mib(memStart.heapUsed)} MiB; bare Hono ${bare.url} (pid ${bare.proc.pid})`);

    // -- provisioning: candidates, logins, device-bound sessions, one heartbeat each
    const t0 = performance.now();
    const p = await provision(server, N, { prefix: 'bench' });
    const open = (candidates: typeof p.candidates) => mapLimit(candidates, 16, async (c): Promise<Live> => {
      const token = await candidateLogin(server, p.examId, c, 'invigil-bench/1.0');
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const devicePublicKey = publicKey.export({ format: 'jwk' }).x!;
      const fingerprint = `bench-fp-${c.candidateId}`;
      const r = await call(`${server.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, deviceFingerprint: fingerprint, devicePublicKey, browserInfo: 'invigil-bench' }, token);
      if (r.status !== 201) throw new Error(`session start for ${c.candidateId}: ${r.status} ${JSON.stringify(r.body)}`);
      return {
        candidateId: c.candidateId,
        token,
        attemptId: r.body.attemptId as string,
        fingerprint,
        privateKey,
        pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }),
        seq: 0,
        presigned: [],
        presignedFrom: 1,
        clientSeq: 0,
        acked: new Map(),
      };
    });
    const firstBeat = (live: Live[]) => mapLimit(live, 16, async (s) => {
      const hb = nextHeartbeat(s);
      const r = await call(`${server.api}/exams/sessions/heartbeat`, 'POST', { attemptId: s.attemptId, seq: hb.seq, deviceFingerprint: s.fingerprint, signature: hb.signature }, s.token);
      if (r.status !== 200 || r.body.sessionValid !== true) throw new Error(`first heartbeat of ${s.candidateId}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    const settle = () => new Promise((r) => setTimeout(r, 1200)); // the presence flusher runs
    // Two halves, so the RSS growth of the second half shows the marginal cost of a session
    // without the one-time costs (JIT, heap growth, SQLite page cache) the first half also pays.
    const half = Math.floor(N / 2);
    const sessions = await open(p.candidates.slice(0, half));
    await firstBeat(sessions);
    await settle();
    const memHalf = await probe.gc();
    const rssHalf = memHalf.rssKiB;
    const second = await open(p.candidates.slice(half));
    await firstBeat(second);
    sessions.push(...second);
    await settle();
    signing.inline = 0; // the first heartbeats were signed inline on purpose (not timed)
    const memLive = await probe.gc();
    const rssLive = memLive.rssKiB;
    log(`Provisioned ${N} candidates, ${N} logins, ${N} device-bound sessions live (each heartbeat-verified) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    log(`Server after a full GC: with ${half} live sessions RSS ${(rssHalf / 1024).toFixed(1)} MiB, V8 heap ${mib(memHalf.heapUsed)} MiB; with ${N}: RSS ${(rssLive / 1024).toFixed(1)} MiB, V8 heap ${mib(memLive.heapUsed)} MiB`);

    // -- 1 + 2. the bare Hono route and signed heartbeats, interleaved
    log(`\n[1+2/3] bare Hono (POST /echo, heartbeat-sized JSON body, same headers) vs signed heartbeats (POST /api/v1/exams/sessions/heartbeat)`);
    const sampleSig = randomBytes(64).toString('base64url');
    const bareSeq = new Array<number>(CONNECTIONS).fill(0);
    const bareHeaders = { 'content-type': 'application/json', authorization: `Bearer ${sessions[0]!.token}` };
    const bareTarget: Target = {
      name: 'bare /echo',
      origin: bare.url,
      pid: bare.proc.pid!,
      otherPids: [serverPid],
      next: (w) => ({
        method: 'POST',
        path: '/echo',
        headers: bareHeaders,
        body: JSON.stringify({ attemptId: sessions[w]!.attemptId, seq: ++bareSeq[w]!, deviceFingerprint: sessions[w]!.fingerprint, signature: sampleSig }),
        check: (_s, b) => ((b as { ok?: unknown }).ok === true ? null : `unexpected body ${JSON.stringify(b)}`),
      }),
    };
    // Worker w owns sessions w, w + C, w + 2C...: an attempt is only ever on one connection.
    const owned = Array.from({ length: CONNECTIONS }, (_, w) => sessions.filter((_, i) => i % CONNECTIONS === w));
    const cursor = new Array<number>(CONNECTIONS).fill(0);
    const take = (w: number) => owned[w]![cursor[w]!++ % owned[w]!.length]!;
    const hbPath = new URL(`${server.api}/exams/sessions/heartbeat`).pathname;
    const hbTarget: Target = {
      name: 'heartbeat',
      origin: server.url,
      pid: serverPid,
      otherPids: [bare.proc.pid!],
      probe,
      next: (w) => {
        const s = take(w);
        const hb = nextHeartbeat(s);
        return {
          method: 'POST',
          path: hbPath,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          body: JSON.stringify({ attemptId: s.attemptId, seq: hb.seq, deviceFingerprint: s.fingerprint, signature: hb.signature }),
          check: (_st, b) => {
            const body = b as { sessionValid?: unknown; warning?: unknown };
            return body.sessionValid === true ? null : `sessionValid:${String(body.sessionValid)} ${String(body.warning ?? '')}`;
          },
        };
      },
    };
    // The bare route's rate bounds the heartbeat rate from above: it sizes the pre-signing.
    const bareWarmRps = await warmUp(bareTarget, Math.max(1, WARMUP), CONNECTIONS);
    const budget = Math.ceil((bareWarmRps * (WARMUP + SECONDS) * 1.5) / N) + 16;
    const tSign = performance.now();
    await presign(sessions, budget);
    log(`  pre-signed ${budget} heartbeats per session (${budget * N} Ed25519 signatures) in ${((performance.now() - tSign) / 1000).toFixed(1)} s on worker threads, before timing`);
    if (WARMUP > 0) await warmUp(hbTarget, WARMUP, CONNECTIONS);
    const [bareResult, hbResult] = (await measureInterleaved([bareTarget, hbTarget], { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS })) as [WindowResult, WindowResult];
    if (signing.inline > 0) log(`  note: ${signing.inline} heartbeats ran out of pre-made signatures and were signed inline during the run`);
    const rssAfterHeartbeats = rssKiB(serverPid);

    // -- 3. durable answer saves
    log(`\n[3/3] durable answer saves: PUT /api/v1/exams/sessions/{attemptId}/answers/{questionId}`);
    const qCursor = new Array<number>(CONNECTIONS).fill(0);
    const saveTarget: Target = {
      name: 'answer save',
      origin: server.url,
      pid: serverPid,
      otherPids: [bare.proc.pid!],
      probe,
      next: (w) => {
        const s = take(w);
        const questionId = QUESTION_IDS[qCursor[w]!++ % QUESTION_IDS.length]!;
        const clientSeq = ++s.clientSeq;
        const value = answerValue(questionId, clientSeq);
        return {
          method: 'PUT',
          path: new URL(`${server.api}/exams/sessions/${s.attemptId}/answers/${questionId}`).pathname,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          body: JSON.stringify({ value, clientSeq }),
          check: (_st, b) => {
            const body = b as { clientSeq?: unknown; applied?: unknown; questionId?: unknown };
            if (body.questionId !== questionId || body.clientSeq !== clientSeq) return `save answered for another question/seq: ${JSON.stringify(b)}`;
            if (body.applied !== true) return `save with a fresh clientSeq was not applied: ${JSON.stringify(b)}`;
            s.acked.set(questionId, { clientSeq, value });
            return null;
          },
        };
      },
    };
    if (WARMUP > 0) await warmUp(saveTarget, WARMUP, CONNECTIONS);
    const [saveResult] = (await measureInterleaved([saveTarget], { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS })) as [WindowResult];

    // Every acknowledged save must be stored: the last acknowledged clientSeq per question.
    const sample = sessions.filter((s) => s.acked.size > 0);
    let verifyProblems = 0;
    let checked = 0;
    await mapLimit(sample, 16, async (s) => {
      const r = await call(`${server.api}/exams/sessions/${s.attemptId}/answers`, 'GET', undefined, s.token);
      if (r.status !== 200) {
        verifyProblems += 1;
        log(`  ! GET answers of ${s.candidateId}: ${r.status} ${JSON.stringify(r.body)}`);
        return;
      }
      const stored = new Map((r.body.answers as { questionId: string; clientSeq: number; value: unknown }[]).map((a) => [a.questionId, a]));
      for (const [q, want] of s.acked) {
        checked += 1;
        const got = stored.get(q);
        if (!got || got.clientSeq !== want.clientSeq || JSON.stringify(got.value) !== JSON.stringify(want.value)) {
          verifyProblems += 1;
          if (verifyProblems <= 10) log(`  ! ${s.candidateId} ${q}: acknowledged clientSeq ${want.clientSeq}, stored ${got ? `${got.clientSeq} ${JSON.stringify(got.value)}` : 'nothing'}`);
        }
      }
    });
    log(`  verified via GET answers: ${checked} (attempt, question) pairs over ${sample.length} sessions; stored = last acknowledged clientSeq and value: ${checked - verifyProblems}/${checked}`);
    const rssEnd = rssKiB(serverPid);

    // -- summary
    const ratio = hbResult.rps / bareResult.rps;
    const cpuPerReq = (r: WindowResult) => (r.serverCpuPct / 100) / r.rps;
    const usPerReq = (r: WindowResult) => Math.round(cpuPerReq(r) * 1e6);
    const perSessionKiB = (rssLive - rssStart) / N;
    const marginalKiB = N - half > 0 ? (rssLive - rssHalf) / (N - half) : NaN;
    const marginalHeapKiB = N - half > 0 ? (memLive.heapUsed - memHalf.heapUsed) / 1024 / (N - half) : NaN;
    const rows: [string, string, string][] = [
      ['heartbeats/s', `${Math.round(hbResult.rps)}`, ''],
      ['heartbeat latency p50 / p99', `${ms(hbResult.p50)} / ${ms(hbResult.p99)}`, ''],
      ['bare Hono req/s', `${Math.round(bareResult.rps)}`, ''],
      ['bare Hono latency p50 / p99', `${ms(bareResult.p50)} / ${ms(bareResult.p99)}`, ''],
      ['ratio heartbeat / bare', ratio.toFixed(2), `target >= 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'}`],
      ['server CPU per request hb / bare', `${usPerReq(hbResult)} / ${usPerReq(bareResult)} us`, `cost ratio bare/hb ${(cpuPerReq(bareResult) / cpuPerReq(hbResult)).toFixed(2)}: less sensitive to other load than req/s`],
      ['answer saves/s (durable)', `${Math.round(saveResult.rps)}`, `target >= 5000: ${saveResult.rps >= 5000 ? 'met' : 'NOT met'}`],
      ['answer save latency p50 / p99', `${ms(saveResult.p50)} / ${ms(saveResult.p99)}`, `target p99 < 50 ms: ${saveResult.p99 < 50 ? 'met' : 'NOT met'}`],
      ['server CPU per answer save', `${usPerReq(saveResult)} us`, ''],
      ['RSS per live session', `${perSessionKiB.toFixed(1)} KiB`, `(${(rssStart / 1024).toFixed(1)} MiB at start -> ${(rssLive / 1024).toFixed(1)} MiB with ${N} live) / ${N}; includes one-time warm-up`],
      ['  marginal RSS, 2nd half of sessions', `${marginalKiB.toFixed(1)} KiB`, `(${(rssHalf / 1024).toFixed(1)} -> ${(rssLive / 1024).toFixed(1)} MiB) / ${N - half}; RSS moves in page/arena steps`],
      ['  marginal V8 heap, 2nd half', `${marginalHeapKiB.toFixed(2)} KiB`, `(${mib(memHalf.heapUsed)} -> ${mib(memLive.heapUsed)} MiB after full GCs) / ${N - half}; noise of a few MiB: use a large --candidates`],
      ['server RSS after heartbeats / saves', `${(rssAfterHeartbeats / 1024).toFixed(1)} / ${(rssEnd / 1024).toFixed(1)} MiB`, ''],
      ['server CPU hb / saves / bare', `${Math.round(hbResult.serverCpuPct)}% / ${Math.round(saveResult.serverCpuPct)}% / ${Math.round(bareResult.serverCpuPct)}%`, 'of one core, measured windows'],
      ['client CPU hb / saves / bare', `${Math.round(hbResult.clientCpuPct)}% / ${Math.round(saveResult.clientCpuPct)}% / ${Math.round(bareResult.clientCpuPct)}%`, 'of one core (this process)'],
      ['other CPU hb / saves / bare', `${Math.round(hbResult.otherCpuPct)}% / ${Math.round(saveResult.otherCpuPct)}% / ${Math.round(bareResult.otherCpuPct)}%`, 'of one core: everything else on the machine'],
      ['heartbeats signed inline', String(signing.inline), 'should be 0 (pre-signed)'],
      ['errors / invalid answers', `${hbResult.problems + bareResult.problems + saveResult.problems + verifyProblems}`, 'must be 0 for valid figures'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    log(`\nSummary (${N} sessions, ${CONNECTIONS} connections, ${SECONDS} s measured per target in ${ROUNDS} interleaved slices, ${cpus().length} cores shared by client and servers)`);
    log(`  ${'metric'.padEnd(w0)}  ${'value'.padEnd(w1)}  note`);
    log(`  ${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ----`);
    for (const [k, v, n] of rows) log(`  ${k.padEnd(w0)}  ${v.padEnd(w1)}  ${n}`);

    failed = hbResult.problems + bareResult.problems + saveResult.problems + verifyProblems > 0;
    if (failed) log('\nSome requests failed or answered wrongly: these figures are NOT a valid benchmark.');
    log(`\nTotal bench time ${((performance.now() - tStart) / 1000).toFixed(1)} s; load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on this machine skews the figures)`);
  } finally {
    await bare.kill();
    await server.kill('SIGTERM');
    rmSync(server.dataDir, { recursive: true, force: true });
    if (!CPU_PROF) rmSync(probeDir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
