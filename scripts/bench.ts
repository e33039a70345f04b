// `pnpm bench` — throughput and latency of the real server's hot paths, measured against a bare
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
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Client } from 'undici';
import { heartbeatSigningString } from '../packages/contract/src/index.ts';
import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '../apps/server/src/testing/harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_DIR = join(ROOT, 'apps/server');
const BARE = join(SERVER_DIR, 'bench/bare-hono.ts');
const PROBE = join(SERVER_DIR, 'bench/server-probe.mjs');

// ---- options -------------------------------------------------------------------------------

const { values: opts } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    candidates: { type: 'string', default: '500' },
    connections: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '4' },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write('usage: pnpm bench [--candidates 500] [--connections 64] [--seconds 10] [--warmup 2] [--rounds 4] [--cpu-prof]\n');
  process.exit(0);
}
const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`bench: --${name} must be a positive number (got ${v})\n`);
    process.exit(2);
  }
  return n;
};
const N = Math.floor(positive('candidates', opts.candidates));
const CONNECTIONS = Math.min(Math.floor(positive('connections', opts.connections)), N);
const SECONDS = positive('seconds', opts.seconds);
const WARMUP = Number(opts.warmup) >= 0 ? Number(opts.warmup) : 2;
const ROUNDS = Math.floor(positive('rounds', opts.rounds));
const CPU_PROF = opts['cpu-prof'];

const log = (s: string) => process.stdout.write(`${s}\n`);

// ---- process helpers -------------------------------------------------------------------------

const CLK_TCK = 100; // USER_HZ on Linux

/** Resident set size of a process in KiB, from /proc/<pid>/status VmRSS. */
function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}

/** Starts the bare Hono baseline on a free port. */
async function spawnBare(): Promise<{ url: string; proc: ChildProcess; kill: () => Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', BARE], {
    cwd: SERVER_DIR,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`bare server did not start:\n${out}`)), 30_000);
    proc.stderr!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`bare server exited with ${code}:\n${out}`));
    });
  });
  const kill = () =>
    new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res();
      proc.once('exit', () => res());
      proc.kill('SIGTERM');
    });
  return { url, proc, kill };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---- the load driver ---------------------------------------------------------------------------

interface Req {
  method: 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Checks a 2xx answer's parsed body; returns a problem description or null. */
  check: (status: number, body: unknown) => string | null;
}

interface Slice {
  latencies: Float64Array;
  elapsedS: number;
  problems: Map<string, number>;
  clientCpuS: number;
  serverCpuS: number;
  otherCpuS: number;
}

interface WindowResult {
  name: string;
  requests: number;
  elapsedS: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  problems: number;
  problemSamples: Map<string, number>;
  clientCpuPct: number;
  serverCpuPct: number;
  otherCpuPct: number;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / CLK_TCK;
}

/**
 * CONNECTIONS workers, each with its own keep-alive connection, send requests back to back for
 * `seconds`. `next(worker)` builds a worker's next request. Requests still in flight at the deadline
 * are awaited and counted (elapsed time runs to the last answer). `serverPid` is the process under
 * test; `otherPids` (the other server) are left out of "everything else" CPU.
 */
async function drive(origin: string, serverPid: number, otherPids: number[], seconds: number, next: (worker: number) => Req): Promise<Slice> {
  const clients = Array.from({ length: CONNECTIONS }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 }));
  // Open every connection first so the window measures requests, not TCP handshakes.
  await Promise.all(clients.map((c) => c.request({ method: 'GET', path: '/__bench_connect' }).then((r) => r.body.dump())));
  let latencies = new Float64Array(1 << 15);
  let count = 0;
  const problems = new Map<string, number>();
  const problem = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  const cpu0 = process.cpuUsage();
  const server0 = cpuSeconds(serverPid);
  const others0 = otherPids.map(cpuSeconds);
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let tLast = t0;
  await Promise.all(
    clients.map(async (client, w) => {
      while (performance.now() < deadline) {
        const r = next(w);
        const start = performance.now();
        try {
          const res = await client.request({ method: r.method, path: r.path, headers: r.headers, body: r.body });
          const text = await res.body.text();
          const end = performance.now();
          if (count === latencies.length) {
            const bigger = new Float64Array(latencies.length * 2);
            bigger.set(latencies);
            latencies = bigger;
          }
          latencies[count++] = end - start;
          if (end > tLast) tLast = end;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            problem(`HTTP ${res.statusCode} non-JSON body: ${text.slice(0, 120)}`);
            continue;
          }
          if (res.statusCode < 200 || res.statusCode > 299) {
            problem(`HTTP ${res.statusCode} ${text.slice(0, 200)}`);
            continue;
          }
          const why = r.check(res.statusCode, parsed);
          if (why) problem(why);
        } catch (e) {
          problem(`request failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }),
  );
  const elapsedS = (tLast - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuS = (cpu.user + cpu.system) / 1e6;
  const serverCpuS = cpuSeconds(serverPid) - server0;
  const othersCpuS = otherPids.reduce((a, pid, i) => a + cpuSeconds(pid) - others0[i]!, 0);
  const otherCpuS = Math.max(0, machineBusySeconds() - machine0 - clientCpuS - serverCpuS - othersCpuS);
  await Promise.all(clients.map((c) => c.close()));
  return { latencies: latencies.subarray(0, count), elapsedS, problems, clientCpuS, serverCpuS, otherCpuS };
}

/** One result from one or more slices of the same target. */
function combine(name: string, slices: Slice[]): WindowResult {
  const count = slices.reduce((a, s) => a + s.latencies.length, 0);
  const all = new Float64Array(count);
  let at = 0;
  for (const s of slices) {
    all.set(s.latencies, at);
    at += s.latencies.length;
  }
  all.sort();
  const pct = (p: number) => (count === 0 ? NaN : all[Math.min(count - 1, Math.floor((p / 100) * count))]!);
  const elapsedS = slices.reduce((a, s) => a + s.elapsedS, 0);
  const problemSamples = new Map<string, number>();
  for (const s of slices) for (const [k, n] of s.problems) problemSamples.set(k, (problemSamples.get(k) ?? 0) + n);
  const pctOfCore = (f: (s: Slice) => number) => (slices.reduce((a, s) => a + f(s), 0) / elapsedS) * 100;
  return {
    name,
    requests: count,
    elapsedS,
    rps: count / elapsedS,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: count ? all[count - 1]! : NaN,
    problems: [...problemSamples.values()].reduce((a, n) => a + n, 0),
    problemSamples,
    clientCpuPct: pctOfCore((s) => s.clientCpuS),
    serverCpuPct: pctOfCore((s) => s.serverCpuS),
    otherCpuPct: pctOfCore((s) => s.otherCpuS),
  };
}

interface Target {
  name: string;
  origin: string;
  pid: number;
  otherPids: number[];
  next: (worker: number) => Req;
  probe?: Probe;
}

/** Warm-up (discarded): reports only problems; returns the warm-up's rate. */
async function warmUp(t: Target, seconds: number): Promise<number> {
  const r = combine(`${t.name} (warm-up)`, [await drive(t.origin, t.pid, t.otherPids, seconds, t.next)]);
  if (r.problems) report(r);
  return r.rps;
}

/**
 * Measured windows of SECONDS per target, cut in ROUNDS slices taken in turn (A B, B A, A B...), so
 * that whatever else the machine does at the time weighs on every target alike.
 */
async function measureInterleaved(targets: Target[]): Promise<WindowResult[]> {
  const slices = targets.map(() => [] as Slice[]);
  const profiles = targets.map(() => [] as string[]);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => i).reverse();
    for (const i of order) {
      const t = targets[i]!;
      await t.probe?.cut();
      slices[i]!.push(await drive(t.origin, t.pid, t.otherPids, SECONDS / ROUNDS, t.next));
      const file = await t.probe?.cut();
      if (file) profiles[i]!.push(file);
    }
  }
  return targets.map((t, i) => {
    const r = combine(t.name, slices[i]!);
    report(r);
    if (profiles[i]!.length) summarizeProfile(t.name, profiles[i]!);
    return r;
  });
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');

function report(r: WindowResult): void {
  log(
    `  ${r.name}: ${r.requests} requests in ${r.elapsedS.toFixed(2)} s = ${Math.round(r.rps)} req/s; ` +
      `latency p50 ${ms(r.p50)}, p90 ${ms(r.p90)}, p99 ${ms(r.p99)}, max ${ms(r.max)}; ` +
      `CPU (% of one core): server ${Math.round(r.serverCpuPct)}, client ${Math.round(r.clientCpuPct)}, everything else on the machine ${Math.round(r.otherCpuPct)}; problems: ${r.problems}`,
  );
  for (const [what, n] of [...r.problemSamples].slice(0, 10)) log(`    ! ${n} x ${what}`);
}

// ---- heartbeat signatures, made before the timed windows -----------------------------------------

const SIGNER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const out = workerData.jobs.map((job) => {
  const key = createPrivateKey({ key: Buffer.from(job.pkcs8), format: 'der', type: 'pkcs8' });
  const sigs = new Array(job.count);
  for (let i = 0; i < job.count; i++) {
    sigs[i] = sign(null, Buffer.from(job.prefix + (job.fromSeq + i), 'utf8'), key).toString('base64url');
  }
  return sigs;
});
parentPort.postMessage(out);
`;

interface Live {
  candidateId: string;
  token: string;
  attemptId: string;
  fingerprint: string;
  privateKey: KeyObject;
  pkcs8: Buffer;
  /** Last heartbeat seq used. */
  seq: number;
  /** Pre-made signatures for seqs presignedFrom, presignedFrom + 1, ... */
  presigned: string[];
  presignedFrom: number;
  /** Answer saves: last clientSeq sent, and per question the last acknowledged {clientSeq, value}. */
  clientSeq: number;
  acked: Map<string, { clientSeq: number; value: unknown }>;
}

/** Signs `count` heartbeats per session (from seq+1) on two worker threads. */
async function presign(sessions: Live[], count: number): Promise<void> {
  const threads = Math.max(1, Math.min(2, cpus().length));
  const shares = Array.from({ length: threads }, (_, t) => sessions.filter((_, i) => i % threads === t));
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((res, rej) => {
          const jobs = share.map((s) => ({ pkcs8: new Uint8Array(s.pkcs8), prefix: heartbeatSigningString(s.attemptId, 0).slice(0, -1), fromSeq: s.seq + 1, count }));
          const worker = new Worker(SIGNER, { eval: true, workerData: { jobs } });
          worker.once('message', (sigs: string[][]) => {
            share.forEach((s, i) => {
              s.presigned = sigs[i]!;
              s.presignedFrom = s.seq + 1;
            });
            void worker.terminate();
            res();
          });
          worker.once('error', rej);
        }),
    ),
  );
}

let signedInline = 0;
function nextHeartbeat(s: Live): { seq: number; signature: string } {
  const seq = ++s.seq;
  const i = seq - s.presignedFrom;
  let signature = i >= 0 && i < s.presigned.length ? s.presigned[i] : undefined;
  if (signature === undefined) {
    signedInline += 1;
    signature = sign(null, Buffer.from(heartbeatSigningString(s.attemptId, seq), 'utf8'), s.privateKey).toString('base64url');
  }
  return { seq, signature };
}

// ---- answers -----------------------------------------------------------------------------------

const QUESTION_IDS = ['q1', 'q2', 'q3'] as const;
/** A valid answer for the harness exam's questions, different for every clientSeq. */
function answerValue(questionId: string, clientSeq: number): unknown {
  if (questionId === 'q1') return clientSeq % 2 ? 'a' : 'b';
  if (questionId === 'q2') return clientSeq % 2 ? ['two'] : ['two', 'three'];
  return `Recursion, draft ${clientSeq}: a function defined in terms of itself, with a base case that stops it.`;
}

// ---- CPU profiles of the server (--cpu-prof) ---------------------------------------------------

/**
 * Drives apps/server/bench/server-probe.mjs inside the server under test: full GCs before memory
 * readings, and (with --cpu-prof) CPU profile segments around the measured windows.
 */
class Probe {
  private segment = 0;
  private gcs = 0;
  constructor(
    readonly dir: string,
    private readonly pid: number,
    readonly profiling: boolean,
  ) {}

  private async ask(command: string, file: string): Promise<string> {
    writeFileSync(join(this.dir, 'command'), command);
    process.kill(this.pid, 'SIGUSR2');
    for (let i = 0; i < 400 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
    if (!existsSync(file)) throw new Error(`the server probe did not answer "${command}" (${file})`);
    return file;
  }

  /** Full GC in the server, then its VmRSS (read from /proc here) and V8 heap in use. */
  async gc(): Promise<{ rssKiB: number; heapUsed: number }> {
    const file = await this.ask('gc', join(this.dir, `gc-${this.gcs++}.json`));
    const m = JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number };
    return { rssKiB: rssKiB(this.pid), heapUsed: m.heapUsed };
  }

  /** Ends the current CPU profile segment; resolves with its file (undefined when not profiling). */
  async cut(): Promise<string | undefined> {
    if (!this.profiling) return undefined;
    return this.ask('cut', join(this.dir, `segment-${this.segment++}.cpuprofile`));
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function over the given profile segments, native frames named after their caller. */
function summarizeProfile(label: string, files: string[], top = 15): void {
  const byFn = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      log(`  (no CPU profile at ${file})`);
      return;
    }
    total += addSelfTimes(JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] }, byFn);
  }
  const busy = [...byFn].filter(([k]) => !k.startsWith('(idle)')).reduce((a, [, h]) => a + h, 0);
  log(`  server CPU profile of the measured ${label} windows, self time as a share of all samples (${((busy / total) * 100).toFixed(0)}% not idle), top ${top}:`);
  for (const [k, h] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) log(`    ${((h / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  log(`    (profiles: ${files.join(' ')}; open in Chrome DevTools > Performance)`);
}

function addSelfTimes(prof: { nodes: ProfileNode[]; samples: number[] }, byFn: Map<string, number>): number {
  const hits = new Map<number, number>();
  for (const s of prof.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const parent = new Map<number, ProfileNode>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const where = (n: ProfileNode) => {
    const url = n.callFrame.url
      .replace(/^file:\/\//, '')
      .replace(ROOT + '/', '')
      .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
    return `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}:${n.callFrame.lineNumber + 1}` : ''}`;
  };
  for (const n of prof.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (!h) continue;
    // Native frames (no url) are named after their nearest JS caller: "run" alone says nothing.
    let key = where(n);
    if (!n.callFrame.url && !n.callFrame.functionName.startsWith('(')) {
      let p = parent.get(n.id);
      while (p && !p.callFrame.url) p = parent.get(p.id);
      if (p) key = `${n.callFrame.functionName} (native) < ${where(p)}`;
    }
    byFn.set(key, (byFn.get(key) ?? 0) + h);
  }
  return prof.samples.length;
}

// ---- main --------------------------------------------------------------------------------------

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
    signedInline = 0; // the first heartbeats were signed inline on purpose (not timed)
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
    const bareWarmRps = await warmUp(bareTarget, Math.max(1, WARMUP));
    const budget = Math.ceil((bareWarmRps * (WARMUP + SECONDS) * 1.5) / N) + 16;
    const tSign = performance.now();
    await presign(sessions, budget);
    log(`  pre-signed ${budget} heartbeats per session (${budget * N} Ed25519 signatures) in ${((performance.now() - tSign) / 1000).toFixed(1)} s on worker threads, before timing`);
    if (WARMUP > 0) await warmUp(hbTarget, WARMUP);
    const [bareResult, hbResult] = (await measureInterleaved([bareTarget, hbTarget])) as [WindowResult, WindowResult];
    if (signedInline > 0) log(`  note: ${signedInline} heartbeats ran out of pre-made signatures and were signed inline during the run`);
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
    if (WARMUP > 0) await warmUp(saveTarget, WARMUP);
    const [saveResult] = (await measureInterleaved([saveTarget])) as [WindowResult];

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
      ['heartbeats signed inline', String(signedInline), 'should be 0 (pre-signed)'],
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
