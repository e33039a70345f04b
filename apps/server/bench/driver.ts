import { Client } from 'undici';
import { log } from './log.ts';
import { cpuSeconds, machineBusySeconds, mainThreadCpuSeconds } from './proc.ts';
import { summarizeProfile, type Probe } from './profile.ts';

export interface Req {
  method: 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Checks a 2xx answer's parsed body; returns a problem description or null. */
  check: (status: number, body: unknown) => string | null;
}

export interface Slice {
  latencies: Float64Array;
  elapsedS: number;
  problems: Map<string, number>;
  clientCpuS: number;
  serverCpuS: number;
  /** Of serverCpuS, what the server processes' main threads (event loops) used. */
  serverMainCpuS: number;
  otherCpuS: number;
}

export interface WindowResult {
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
  serverMainCpuPct: number;
  otherCpuPct: number;
}

/**
 * `connections` workers, each with its own keep-alive connection, send requests back to back for
 * `seconds`. `next(worker)` builds a worker's next request. Requests still in flight at the deadline
 * are awaited and counted (elapsed time runs to the last answer). `serverPid` is the process under
 * test; `otherPids` (the other server) are left out of "everything else" CPU.
 */
export async function drive(origin: string | string[], serverPid: number | number[], otherPids: number[], seconds: number, connections: number, next: (worker: number) => Req): Promise<Slice> {
  const serverPids = Array.isArray(serverPid) ? serverPid : [serverPid];
  const serverCpu = () => serverPids.reduce((a, p) => a + cpuSeconds(p), 0);
  const serverMainCpu = () => serverPids.reduce((a, p) => a + mainThreadCpuSeconds(p), 0);
  // With several origins (instances), worker w talks to origin w mod n: a load balancer's share.
  const origins = Array.isArray(origin) ? origin : [origin];
  const clients = Array.from({ length: connections }, (_, w) => new Client(origins[w % origins.length]!, { pipelining: 1, keepAliveTimeout: 60_000 }));
  // Open every connection first so the window measures requests, not TCP handshakes.
  await Promise.all(clients.map((c) => c.request({ method: 'GET', path: '/__bench_connect' }).then((r) => r.body.dump())));
  let latencies = new Float64Array(1 << 15);
  let count = 0;
  const problems = new Map<string, number>();
  const problem = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  const cpu0 = process.cpuUsage();
  const server0 = serverCpu();
  const serverMain0 = serverMainCpu();
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
  const serverCpuS = serverCpu() - server0;
  const serverMainCpuS = serverMainCpu() - serverMain0;
  const othersCpuS = otherPids.reduce((a, pid, i) => a + cpuSeconds(pid) - others0[i]!, 0);
  const otherCpuS = Math.max(0, machineBusySeconds() - machine0 - clientCpuS - serverCpuS - othersCpuS);
  await Promise.all(clients.map((c) => c.close()));
  return { latencies: latencies.subarray(0, count), elapsedS, problems, clientCpuS, serverCpuS, serverMainCpuS, otherCpuS };
}

/** One result from one or more slices of the same target. */
export function combine(name: string, slices: Slice[]): WindowResult {
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
    serverMainCpuPct: pctOfCore((s) => s.serverMainCpuS),
    otherCpuPct: pctOfCore((s) => s.otherCpuS),
  };
}

export interface Target {
  name: string;
  origin: string | string[];
  /** The process(es) under test: their CPU is the server CPU. */
  pid: number | number[];
  otherPids: number[];
  next: (worker: number) => Req;
  probe?: Probe;
}

/** Warm-up (discarded): reports only problems; returns the warm-up's rate. */
export async function warmUp(t: Target, seconds: number, connections: number): Promise<number> {
  const r = combine(`${t.name} (warm-up)`, [await drive(t.origin, t.pid, t.otherPids, seconds, connections, t.next)]);
  if (r.problems) report(r);
  return r.rps;
}

/**
 * Measured windows of `seconds` per target, cut in `rounds` slices taken in turn (A B, B A, A B...), so
 * that whatever else the machine does at the time weighs on every target alike.
 */
export async function measureInterleaved(targets: Target[], o: { seconds: number; rounds: number; connections: number }): Promise<WindowResult[]> {
  const slices = targets.map(() => [] as Slice[]);
  const profiles = targets.map(() => [] as string[]);
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => i).reverse();
    for (const i of order) {
      const t = targets[i]!;
      await t.probe?.cut();
      slices[i]!.push(await drive(t.origin, t.pid, t.otherPids, o.seconds / o.rounds, o.connections, t.next));
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

export const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
export const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');

export function report(r: WindowResult): void {
  log(
    `  ${r.name}: ${r.requests} requests in ${r.elapsedS.toFixed(2)} s = ${Math.round(r.rps)} req/s; ` +
      `latency p50 ${ms(r.p50)}, p90 ${ms(r.p90)}, p99 ${ms(r.p99)}, max ${ms(r.max)}; ` +
      `CPU (% of one core): server ${Math.round(r.serverCpuPct)} (event loop ${Math.round(r.serverMainCpuPct)}), client ${Math.round(r.clientCpuPct)}, everything else on the machine ${Math.round(r.otherCpuPct)}; problems: ${r.problems}`,
  );
  for (const [what, n] of [...r.problemSamples].slice(0, 10)) log(`    ! ${n} x ${what}`);
}

