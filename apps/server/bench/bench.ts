// `pnpm bench` (apps/server/bench/bench.ts) — throughput and latency of the real server's hot paths, measured against a bare
// Hono route in the same run, with the same client, concurrency and duration.
//
//   pnpm bench [--candidates 500] [--connections 64] [--seconds 10] [--warmup 2] [--rounds 4] [--cpu-prof]
//              [--store sqlite|postgres] [--instances 1]
//              [--live-sessions 50000 [--rate 300] [--rate-sessions 500]] [--connections-minute [--kiosks 50] [--kiosk-seconds 65]]
//   pnpm bench --sse-subscribers N [--sse-rate 100] ...   the live-event fan-out instead (bench/sse-fanout.ts)
//   pnpm bench --login-burst N [--connections 64] [--cpu-prof] [--store sqlite|postgres] [--instances 1]
//
// --login-burst N replaces the run below with the start of a sitting: N candidates sign in and
// start their sessions at once (bench/login-burst.ts says how it is measured).
//
// With --store postgres the same heartbeats and saves are also measured on PostgreSQL + Redis
// (--instances N server processes on one fresh database; the client spreads its connections over
// them as a load balancer would), interleaved with the SQLite ones in the same run, so the ratio
// between them is fair on a shared machine.
//
// Optional sections, after the ones below, each on a server of its own (those below are stopped
// first), their figures added to the summary:
//   --live-sessions N     heartbeats at a fixed --rate, sweep pass, idle CPU and RSS per session with
//                         N live sessions (bench/live-sessions.ts);
//   --connections-minute  TCP connections per kiosk per minute at a 10 s heartbeat, over a minute of
//                         real time (bench/connections-minute.ts).
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
// the bare route's measured rate with a 2.5x margin (heartbeats may outrun it), so the client
// spends no CPU on Ed25519 while measuring. Should a session run out, the client signs inline and
// the report says how often that happened.
//
// Exit status: 0 when every request succeeded and every check held, 1 otherwise. There is no
// pass/fail on speed: this is a benchmark; the targets are printed for comparison only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, postgresUnavailable } from '../src/adapters/postgres/testing.ts';
import { startCluster, type Cluster } from '../src/testing/cluster.ts';
import { spawnServer, type SpawnedServer } from '../src/testing/harness.ts';
import { measureInterleaved, mib, ms, warmUp, type Target, type WindowResult } from './driver.ts';
import { log } from './log.ts';
import { connectionsPerMinuteBench } from './connections-minute.ts';
import { liveSessionsBench } from './live-sessions.ts';
import { loginBurst } from './login-burst.ts';
import { CONNECTIONS, CONNECTIONS_ASKED, CPU_PROF, INSTANCES, KIOSKS, LIVE, LOGIN_BURST, N, opts, ROUNDS, SECONDS, SSE_RATE, SSE_SUBSCRIBERS, STORE, WARMUP } from './options.ts';
import { PROBE } from './paths.ts';
import { rssKiB, spawnBare } from './proc.ts';
import { Probe } from './profile.ts';
import { heartbeatTarget, openSessions, saveTarget, verifySaves, type Deployment } from './sessions.ts';
import type { Row } from './rows.ts';
import { presign, signing, type Live } from './signing.ts';
import { sseFanout } from './sse-fanout.ts';

async function main(): Promise<number> {
  const tStart = performance.now();
  if (!LOGIN_BURST) log(`Invigil bench: ${N} candidates, ${CONNECTIONS} connections; per target ${WARMUP} s warm-up, then ${SECONDS} s measured in ${ROUNDS} interleaved slices`);
  if (!LOGIN_BURST && CONNECTIONS < Number(opts.connections)) log(`  (connections capped at ${N}: a session's requests must never be in flight on two connections at once)`);
  log(
    `Machine: ${cpus().length} CPU core(s), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}. Client (this process), servers and bare baseline share these cores, so absolute figures are lower than on a dedicated server; the ratios are the fair comparison.`,
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
  const sqlite: Deployment = { label: 'SQLite', urls: [server.url], pids: [serverPid], adminPassword: server.adminPassword, probe };

  // PostgreSQL + Redis: --instances processes on one fresh database, sharing Redis.
  let cluster: Cluster | null = null;
  let pgDb: Awaited<ReturnType<typeof freshDatabase>> | null = null;
  let postgres: Deployment | null = null;
  const pgProbeDir = mkdtempSync(join(tmpdir(), 'invigil-bench-probe-pg-'));
  if (STORE === 'postgres') {
    const why = await postgresUnavailable();
    if (why) throw new Error(`--store postgres: ${why}`);
    pgDb = await freshDatabase('invigil_bench');
    cluster = await startCluster({
      instances: INSTANCES,
      store: 'postgres',
      databaseUrl: pgDb.url,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      env: { LOG_LEVEL: 'warn', HEARTBEAT_INTERVAL_MS: '3600000' },
      // With --cpu-prof the first instance is profiled as the SQLite server is.
      instanceEnv: (i): Record<string, string> => (CPU_PROF && i === 0 ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PROBE}`.trim(), INVIGIL_PROBE_DIR: pgProbeDir, INVIGIL_CPU_PROF: '1' } : {}),
    });
    postgres = {
      label: `PostgreSQL + Redis, ${INSTANCES} instance${INSTANCES === 1 ? '' : 's'}`,
      urls: cluster.instances.map((i) => i.url),
      pids: cluster.instances.map((i) => i.proc.pid!),
      adminPassword: cluster.adminPassword,
      ...(CPU_PROF ? { probe: new Probe(pgProbeDir, cluster.instances[0]!.proc.pid!, true) } : {}),
    };
  }
  const allServerPids = [serverPid, ...(postgres?.pids ?? [])];
  const othersOf = (d: Deployment) => [bare.proc.pid!, ...allServerPids.filter((p) => !d.pids.includes(p))];
  let failed = false;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const memStart = await probe.gc();
    const rssStart = memStart.rssKiB;
    log(`Server ${server.url} (pid ${serverPid}), right after start: RSS ${(rssStart / 1024).toFixed(1)} MiB, V8 heap ${mib(memStart.heapUsed)} MiB; bare Hono ${bare.url} (pid ${bare.proc.pid})`);
    if (postgres) log(`PostgreSQL + Redis: ${postgres.urls.join(', ')} (pids ${postgres.pids.join(', ')}) on ${pgDb!.name}`);
    if (LOGIN_BURST) {
      failed = (await loginBurst({ n: LOGIN_BURST, connections: CONNECTIONS_ASKED, server, sqlite, postgres })) > 0;
      if (failed) log('\nSome requests failed or answered wrongly: these figures are NOT a valid benchmark.');
      return failed ? 1 : 0;
    }

    // -- provisioning. Two halves on SQLite, so the RSS growth of the second half shows the marginal
    // cost of a session without the one-time costs (JIT, heap growth, page cache) the first half pays.
    const t0 = performance.now();
    const half = Math.floor(N / 2);
    const settle = () => new Promise((r) => setTimeout(r, 1200)); // the presence flusher runs
    const sessions = await openSessions(sqlite, half, 'bench-a');
    await settle();
    const memHalf = await probe.gc();
    const rssHalf = memHalf.rssKiB;
    sessions.push(...(await openSessions(sqlite, N - half, 'bench-b')));
    await settle();
    const memLive = await probe.gc();
    const rssLive = memLive.rssKiB;
    const pgSessions: Live[] = postgres ? await openSessions(postgres, N, 'bench-pg') : [];
    signing.inline = 0; // the first heartbeats were signed inline on purpose (not timed)
    log(`Provisioned ${N} candidates, ${N} logins, ${N} device-bound sessions live (each heartbeat-verified)${postgres ? ' on each store' : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
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
      otherPids: allServerPids,
      next: (w) => ({
        method: 'POST',
        path: '/echo',
        headers: bareHeaders,
        body: JSON.stringify({ attemptId: sessions[w % sessions.length]!.attemptId, seq: ++bareSeq[w]!, deviceFingerprint: sessions[w % sessions.length]!.fingerprint, signature: sampleSig }),
        check: (_s, b) => ((b as { ok?: unknown }).ok === true ? null : `unexpected body ${JSON.stringify(b)}`),
      }),
    };
    const hbTargets = [heartbeatTarget(sqlite, sessions, CONNECTIONS, othersOf(sqlite)), ...(postgres ? [heartbeatTarget(postgres, pgSessions, CONNECTIONS, othersOf(postgres))] : [])];
    // The bare route's rate sizes the pre-signing (heartbeats may now outrun it: hence the margin).
    const bareWarmRps = await warmUp(bareTarget, Math.max(1, WARMUP), CONNECTIONS);
    const budget = Math.ceil((bareWarmRps * (WARMUP + SECONDS) * 2.5) / N) + 16;
    const tSign = performance.now();
    await presign([...sessions, ...pgSessions], budget);
    log(`  pre-signed ${budget} heartbeats per session (${budget * (sessions.length + pgSessions.length)} Ed25519 signatures) in ${((performance.now() - tSign) / 1000).toFixed(1)} s on worker threads, before timing`);
    if (WARMUP > 0) for (const t of hbTargets) await warmUp(t, WARMUP, CONNECTIONS);
    const [bareResult, hbResult, pgHbResult] = (await measureInterleaved([bareTarget, ...hbTargets], { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS })) as [WindowResult, WindowResult, WindowResult | undefined];
    if (signing.inline > 0) log(`  note: ${signing.inline} heartbeats ran out of pre-made signatures and were signed inline during the run`);
    const rssAfterHeartbeats = rssKiB(serverPid);

    // -- 3. durable answer saves
    log(`\n[3/3] durable answer saves: PUT /api/v1/exams/sessions/{attemptId}/answers/{questionId}`);
    const saveTargets = [saveTarget(sqlite, sessions, CONNECTIONS, othersOf(sqlite)), ...(postgres ? [saveTarget(postgres, pgSessions, CONNECTIONS, othersOf(postgres))] : [])];
    if (WARMUP > 0) for (const t of saveTargets) await warmUp(t, WARMUP, CONNECTIONS);
    const [saveResult, pgSaveResult] = (await measureInterleaved(saveTargets, { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS })) as [WindowResult, WindowResult | undefined];
    let verifyProblems = await verifySaves(sqlite, sessions);
    if (postgres) verifyProblems += await verifySaves(postgres, pgSessions);
    const rssEnd = rssKiB(serverPid);

    const inlineSigned = signing.inline; // the sections below sign their sessions' first heartbeats inline, untimed

    // -- optional sections, each on a server of its own: the two above have done their part
    const extra: Row[] = [];
    let extraProblems = 0;
    if (LIVE || KIOSKS) {
      await bare.kill();
      await server.kill('SIGTERM');
    }
    const live = LIVE ? await liveSessionsBench({ ...LIVE, seconds: SECONDS, warmup: WARMUP }) : null;
    const kiosks = KIOSKS ? await connectionsPerMinuteBench(KIOSKS) : null;
    for (const r of [live, kiosks]) {
      if (!r) continue;
      extra.push(...r.rows);
      extraProblems += r.problems;
    }

    // -- summary
    const ratio = hbResult.rps / bareResult.rps;
    const cpuPerReq = (r: WindowResult) => r.serverCpuPct / 100 / r.rps;
    const usPerReq = (r: WindowResult) => Math.round(cpuPerReq(r) * 1e6);
    const usMainPerReq = (r: WindowResult) => Math.round((r.serverMainCpuPct / 100 / r.rps) * 1e6);
    const perSessionKiB = (rssLive - rssStart) / N;
    const marginalKiB = N - half > 0 ? (rssLive - rssHalf) / (N - half) : NaN;
    const marginalHeapKiB = N - half > 0 ? (memLive.heapUsed - memHalf.heapUsed) / 1024 / (N - half) : NaN;
    const problems = hbResult.problems + bareResult.problems + saveResult.problems + (pgHbResult?.problems ?? 0) + (pgSaveResult?.problems ?? 0) + verifyProblems + extraProblems;
    const rows: Row[] = [
      ['heartbeats/s', `${Math.round(hbResult.rps)}`, ''],
      ['heartbeat latency p50 / p99', `${ms(hbResult.p50)} / ${ms(hbResult.p99)}`, ''],
      ['bare Hono req/s', `${Math.round(bareResult.rps)}`, ''],
      ['bare Hono latency p50 / p99', `${ms(bareResult.p50)} / ${ms(bareResult.p99)}`, ''],
      ['ratio heartbeat / bare', ratio.toFixed(3), `target >= 1.0: ${ratio >= 1 ? 'met' : 'NOT met'}`],
      [
        'server CPU per request hb / bare',
        `${usPerReq(hbResult)} / ${usPerReq(bareResult)} us`,
        `heartbeat target <= 180 us: ${cpuPerReq(hbResult) * 1e6 <= 180 ? 'met' : 'NOT met'}; cost ratio bare/hb ${(cpuPerReq(bareResult) / cpuPerReq(hbResult)).toFixed(2)}: less sensitive to other load than req/s`,
      ],
      ['  of which on the event loop hb / bare', `${usMainPerReq(hbResult)} / ${usMainPerReq(bareResult)} us`, "the server's main thread alone (the rest: libuv's thread pool, e.g. the signature check, GC helpers)"],
      ['answer saves/s (durable)', `${Math.round(saveResult.rps)}`, `target >= 5000: ${saveResult.rps >= 5000 ? 'met' : 'NOT met'}`],
      ['answer save latency p50 / p99', `${ms(saveResult.p50)} / ${ms(saveResult.p99)}`, `target p99 < 50 ms: ${saveResult.p99 < 50 ? 'met' : 'NOT met'}`],
      ['server CPU per answer save', `${usPerReq(saveResult)} us`, ''],
      ...(pgHbResult && pgSaveResult && postgres
        ? ([
            [`PG+Redis (${INSTANCES}) heartbeats/s`, `${Math.round(pgHbResult.rps)}`, `ratio to SQLite ${(pgHbResult.rps / hbResult.rps).toFixed(2)} (target >= 0.8: ${pgHbResult.rps / hbResult.rps >= 0.8 ? 'met' : 'NOT met'})`],
            [`PG+Redis heartbeat p50 / p99`, `${ms(pgHbResult.p50)} / ${ms(pgHbResult.p99)}`, ''],
            [`PG+Redis server CPU per heartbeat`, `${usPerReq(pgHbResult)} us`, `all ${INSTANCES} instance(s); PostgreSQL and Redis themselves are in "other"`],
            [`PG+Redis answer saves/s (durable)`, `${Math.round(pgSaveResult.rps)}`, `target >= 3000: ${pgSaveResult.rps >= 3000 ? 'met' : 'NOT met'}`],
            [`PG+Redis answer save p50 / p99`, `${ms(pgSaveResult.p50)} / ${ms(pgSaveResult.p99)}`, `target p99 < 50 ms: ${pgSaveResult.p99 < 50 ? 'met' : 'NOT met'}`],
            [`PG+Redis other CPU hb / saves`, `${Math.round(pgHbResult.otherCpuPct)}% / ${Math.round(pgSaveResult.otherCpuPct)}%`, 'of one core: PostgreSQL, Redis and everything else'],
          ] as [string, string, string][])
        : []),
      ['RSS per live session', `${perSessionKiB.toFixed(1)} KiB`, `(${(rssStart / 1024).toFixed(1)} MiB at start -> ${(rssLive / 1024).toFixed(1)} MiB with ${N} live) / ${N}; includes one-time warm-up`],
      ['  marginal RSS, 2nd half of sessions', `${marginalKiB.toFixed(1)} KiB`, `(${(rssHalf / 1024).toFixed(1)} -> ${(rssLive / 1024).toFixed(1)} MiB) / ${N - half}; RSS moves in page/arena steps`],
      ['  marginal V8 heap, 2nd half', `${marginalHeapKiB.toFixed(2)} KiB`, `(${mib(memHalf.heapUsed)} -> ${mib(memLive.heapUsed)} MiB after full GCs) / ${N - half}; noise of a few MiB: use a large --candidates`],
      ['server RSS after heartbeats / saves', `${(rssAfterHeartbeats / 1024).toFixed(1)} / ${(rssEnd / 1024).toFixed(1)} MiB`, ''],
      ['server CPU hb / saves / bare', `${Math.round(hbResult.serverCpuPct)}% / ${Math.round(saveResult.serverCpuPct)}% / ${Math.round(bareResult.serverCpuPct)}%`, 'of one core, measured windows'],
      ['client CPU hb / saves / bare', `${Math.round(hbResult.clientCpuPct)}% / ${Math.round(saveResult.clientCpuPct)}% / ${Math.round(bareResult.clientCpuPct)}%`, 'of one core (this process)'],
      ['other CPU hb / saves / bare', `${Math.round(hbResult.otherCpuPct)}% / ${Math.round(saveResult.otherCpuPct)}% / ${Math.round(bareResult.otherCpuPct)}%`, 'of one core: everything else on the machine'],
      ...extra,
      ['heartbeats signed inline', String(inlineSigned), 'should be 0 (pre-signed)'],
      ['errors / invalid answers', `${problems}`, 'must be 0 for valid figures'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    log(`\nSummary (${N} sessions, ${CONNECTIONS} connections, ${SECONDS} s measured per target in ${ROUNDS} interleaved slices, ${cpus().length} cores shared by client and servers)`);
    log(`  ${'metric'.padEnd(w0)}  ${'value'.padEnd(w1)}  note`);
    log(`  ${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ----`);
    for (const [k, v, n] of rows) log(`  ${k.padEnd(w0)}  ${v.padEnd(w1)}  ${n}`);

    failed = problems > 0;
    if (failed) log('\nSome requests failed or answered wrongly: these figures are NOT a valid benchmark.');
    log(`\nTotal bench time ${((performance.now() - tStart) / 1000).toFixed(1)} s; load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on this machine skews the figures)`);
  } finally {
    await bare.kill();
    await server.kill('SIGTERM');
    await cluster?.stop();
    await pgDb?.drop();
    rmSync(server.dataDir, { recursive: true, force: true });
    if (!CPU_PROF) rmSync(probeDir, { recursive: true, force: true });
    if (!CPU_PROF) rmSync(pgProbeDir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

(SSE_SUBSCRIBERS > 0 ? sseFanout({ subscribers: SSE_SUBSCRIBERS, rate: SSE_RATE, seconds: SECONDS, warmup: WARMUP, rounds: ROUNDS, cpuProf: CPU_PROF }) : main()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
