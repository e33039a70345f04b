// `pnpm bench --login-burst N` — the start of a sitting: N candidates sign in and start their exam
// session at once, as kiosks do (POST /auth/candidate/login, then POST /exams/sessions/start with a
// device key, fingerprint and browser info), through the real HTTP routes of the real server.
//
//   pnpm bench --login-burst 2000 [--connections 64] [--cpu-prof] [--store sqlite|postgres] [--instances 1]
//
// What it does:
//  1. provisions N + W candidates through the admin API (one exam; W = min(N, 200) for a warm-up
//     burst that is not measured), and an Ed25519 key pair per candidate (before timing);
//  2. opens --connections keep-alive connections (undici, pipelining 1), then fires the W warm-up
//     candidates, then the N measured ones: each connection takes the next candidate, signs it in,
//     starts its session, and takes the next, so at most --connections candidates are in flight;
//  3. prints candidates/s (N over the time from the first request to the last answer), p50/p99 of
//     login + start per candidate (and of each half), server CPU per candidate (from /proc/PID/stat),
//     and whether the goal (>= 1,000 candidates/s with p99 < 100 ms) is met;
//  4. checks every answer (login 200 with a token; start 201, status active, an attemptId), then
//     kills the SQLite server with SIGKILL, starts it again on the same data folder and asks, with
//     each candidate's token, for its active session: every acknowledged login and start must be there.
//
// Exit status: 0 when every request succeeded and every check held, 1 otherwise (speed never fails it).
import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Client } from 'undici';
import type { SpawnedServer } from '../src/testing/harness.ts';
import { call } from '../src/testing/harness.ts';
import { ms } from './driver.ts';
import { log } from './log.ts';
import { cpuSeconds, machineBusySeconds, mapLimit } from './proc.ts';
import { summarizeProfile } from './profile.ts';
import type { Deployment } from './sessions.ts';

/** The kiosk's User-Agent (apps/kiosk/src/main/main.ts): a hall of kiosks sends the same one. */
const KIOSK_UA = 'invigil-kiosk/0.1.0 (electron 33.2.1; win32; x64)';
const GOAL_RATE = 1_000;
const GOAL_P99_MS = 100;

interface Candidate {
  candidateId: string;
  accessCode: string;
  devicePublicKey: string;
  fingerprint: string;
  token?: string;
  attemptId?: string;
}

interface Burst {
  label: string;
  n: number;
  elapsedS: number;
  total: Float64Array;
  login: Float64Array;
  start: Float64Array;
  problems: Map<string, number>;
  serverCpuS: number;
  clientCpuS: number;
  otherCpuS: number;
}

const api = (url: string) => `${url}/api/v1`;

/** One exam with `n` registered candidates (registered in chunks through the admin API). */
async function provisionBurst(d: Deployment, n: number, prefix: string): Promise<{ examId: string; candidates: Candidate[] }> {
  const base = api(d.urls[0]!);
  const login = await call(`${base}/auth/staff/login`, 'POST', { username: 'admin', password: d.adminPassword });
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  const admin = login.body.token as string;
  const exam = await call(
    `${base}/admin/exams`,
    'POST',
    { title: `Login burst ${prefix}`, durationMinutes: 120, questions: [{ id: 'q1', type: 'single', prompt: 'Capital of France?', options: [{ id: 'a', label: 'Paris' }, { id: 'b', label: 'Lyon' }] }] },
    admin,
  );
  if (exam.status !== 201) throw new Error(`exam create failed: ${JSON.stringify(exam.body)}`);
  const examId = exam.body.id as string;
  const candidates: Candidate[] = Array.from({ length: n }, (_, i) => {
    const { publicKey } = generateKeyPairSync('ed25519');
    return {
      candidateId: `${prefix}-${i + 1}`,
      accessCode: `code-${prefix}-${i + 1}-${randomUUID().slice(0, 8)}`,
      devicePublicKey: publicKey.export({ format: 'jwk' }).x!,
      fingerprint: `burst-fp-${prefix}-${i + 1}`,
    };
  });
  for (let i = 0; i < n; i += 1_000) {
    const chunk = candidates.slice(i, i + 1_000).map((c, j) => ({ candidateId: c.candidateId, name: `Candidate ${i + j + 1}`, accessCode: c.accessCode }));
    const reg = await call(`${base}/admin/exams/${examId}/candidates`, 'POST', { candidates: chunk }, admin);
    if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  }
  return { examId, candidates };
}

function sorted(xs: number[]): Float64Array {
  return Float64Array.from(xs).sort();
}
const pct = (xs: Float64Array, p: number) => (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!);

/** Every candidate signs in, then starts; `connections` of them in flight at a time. */
async function burst(d: Deployment, examId: string, cands: Candidate[], connections: number, label: string): Promise<Burst> {
  const clients = Array.from({ length: Math.min(connections, cands.length) }, (_, w) => new Client(d.urls[w % d.urls.length]!, { pipelining: 1, keepAliveTimeout: 60_000 }));
  await Promise.all(clients.map((c) => c.request({ method: 'GET', path: '/__bench_connect' }).then((r) => r.body.dump())));
  const problems = new Map<string, number>();
  const problem = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  const total: number[] = [];
  const login: number[] = [];
  const start: number[] = [];
  const post = async (client: Client, path: string, body: unknown, token?: string) => {
    const res = await client.request({
      method: 'POST',
      path: `/api/v1${path}`,
      headers: { 'content-type': 'application/json', 'user-agent': KIOSK_UA, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* reported below */
    }
    return { status: res.statusCode, body: parsed, text };
  };
  const cpu0 = process.cpuUsage();
  const server0 = d.pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < cands.length) {
        const c = cands[next++]!;
        const a = performance.now();
        try {
          const l = await post(client, '/auth/candidate/login', { examId, candidateId: c.candidateId, accessCode: c.accessCode });
          const b = performance.now();
          if (l.status !== 200 || typeof l.body.token !== 'string') {
            problem(`login: HTTP ${l.status} ${l.text.slice(0, 160)}`);
            continue;
          }
          c.token = l.body.token;
          const s = await post(client, '/exams/sessions/start', { examSetId: examId, deviceFingerprint: c.fingerprint, devicePublicKey: c.devicePublicKey, browserInfo: KIOSK_UA }, c.token);
          const e = performance.now();
          if (s.status !== 201 || s.body.status !== 'active' || typeof s.body.attemptId !== 'string') {
            problem(`start: HTTP ${s.status} ${s.text.slice(0, 160)}`);
            continue;
          }
          c.attemptId = s.body.attemptId;
          login.push(b - a);
          start.push(e - b);
          total.push(e - a);
        } catch (err) {
          problem(`request failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuS = (cpu.user + cpu.system) / 1e6;
  const serverCpuS = d.pids.reduce((a, p) => a + cpuSeconds(p), 0) - server0;
  const otherCpuS = Math.max(0, machineBusySeconds() - machine0 - clientCpuS - serverCpuS);
  await Promise.all(clients.map((c) => c.close()));
  return { label, n: cands.length, elapsedS, total: sorted(total), login: sorted(login), start: sorted(start), problems, serverCpuS, clientCpuS, otherCpuS };
}

function report(b: Burst): void {
  const ok = b.total.length;
  const pctCore = (s: number) => Math.round((s / b.elapsedS) * 100);
  log(
    `  ${b.label}: ${b.n} candidates in ${b.elapsedS.toFixed(2)} s = ${Math.round(ok / b.elapsedS)} candidates/s; login + start p50 ${ms(pct(b.total, 50))}, p99 ${ms(pct(b.total, 99))}, max ${ms(b.total[ok - 1] ?? NaN)}; ` +
      `CPU (% of one core): server ${pctCore(b.serverCpuS)}, client ${pctCore(b.clientCpuS)}, everything else ${pctCore(b.otherCpuS)}; problems: ${[...b.problems.values()].reduce((a, n) => a + n, 0)}`,
  );
  for (const [what, n] of [...b.problems].slice(0, 10)) log(`    ! ${n} x ${what}`);
}

/** With each candidate's token: its active session is the one it was acknowledged. Answers the number of problems. */
async function verify(url: string, cands: Candidate[], what: string): Promise<number> {
  let problems = 0;
  await mapLimit(cands, 16, async (c) => {
    if (!c.token || !c.attemptId) return;
    const r = await call(`${api(url)}/exams/sessions/active`, 'GET', undefined, c.token);
    const active = r.body?.activeSession as { attemptId?: string; status?: string } | undefined;
    if (r.status !== 200 || r.body.hasActiveSession !== true || active?.attemptId !== c.attemptId) {
      problems += 1;
      if (problems <= 10) log(`  ! ${c.candidateId}: acknowledged attempt ${c.attemptId}, ${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
  });
  const acked = cands.filter((c) => c.attemptId).length;
  log(`  verified ${what}: ${acked - problems}/${acked} acknowledged logins still valid with their started session active`);
  return problems;
}

export interface LoginBurstOptions {
  n: number;
  connections: number;
  /** The embedded server (killed with SIGKILL and restarted for the durability check). */
  server: SpawnedServer;
  sqlite: Deployment;
  postgres: Deployment | null;
}

/** Runs the burst on SQLite (and PostgreSQL + Redis when given); answers the number of problems. */
export async function loginBurst(o: LoginBurstOptions): Promise<number> {
  const warm = Math.min(o.n, 200);
  const connections = Math.min(o.connections, o.n);
  log(`\nLogin burst: ${o.n} candidates (after ${warm} warm-up candidates, not measured), each POST /auth/candidate/login then POST /exams/sessions/start, ${connections} in flight at a time over ${connections} keep-alive connections`);
  let problems = 0;
  const rows: [string, string, string][] = [];
  let restarted: SpawnedServer | null = null;
  for (const d of [o.sqlite, ...(o.postgres ? [o.postgres] : [])]) {
    const t0 = performance.now();
    const p = await provisionBurst(d, warm + o.n, `burst-${d === o.sqlite ? 'sq' : 'pg'}`);
    log(`  ${d.label}: provisioned ${warm + o.n} candidates and their device keys in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const warmUp = await burst(d, p.examId, p.candidates.slice(0, warm), connections, `warm-up (${d.label})`);
    report(warmUp);
    await new Promise((r) => setTimeout(r, 1_500)); // the presence and activity flushers settle
    await d.probe?.cut();
    const measured = p.candidates.slice(warm);
    const b = await burst(d, p.examId, measured, connections, `login burst (${d.label})`);
    const profile = await d.probe?.cut();
    report(b);
    if (profile) summarizeProfile(`login burst (${d.label})`, [profile], 25);
    problems += [...warmUp.problems.values(), ...b.problems.values()].reduce((a, n) => a + n, 0);
    // Durability of what was acknowledged: SIGKILL (no shutdown, no flush) and start again.
    if (d === o.sqlite) {
      await o.server.kill('SIGKILL');
      restarted = await o.server.restart();
      problems += await verify(restarted.url, measured, 'after SIGKILL and restart');
    } else {
      problems += await verify(d.urls[0]!, measured, 'on PostgreSQL');
    }
    const rate = b.total.length / b.elapsedS;
    const p99 = pct(b.total, 99);
    const tag = d === o.sqlite ? '' : `${d.label}: `;
    rows.push(
      [`${tag}candidates/s (login + start)`, `${Math.round(rate)}`, `goal >= ${GOAL_RATE}: ${rate >= GOAL_RATE ? 'met' : 'NOT met'}`],
      [`${tag}login + start p50 / p99`, `${ms(pct(b.total, 50))} / ${ms(p99)}`, `goal p99 < ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'met' : 'NOT met'}`],
      [`${tag}  login p50 / p99`, `${ms(pct(b.login, 50))} / ${ms(pct(b.login, 99))}`, ''],
      [`${tag}  start p50 / p99`, `${ms(pct(b.start, 50))} / ${ms(pct(b.start, 99))}`, ''],
      [`${tag}server CPU per candidate`, `${((b.serverCpuS / o.n) * 1e6).toFixed(0)} us`, `${b.serverCpuS.toFixed(2)} s over ${o.n} (/proc/PID/stat utime+stime${d.pids.length > 1 ? `, ${d.pids.length} instances` : ''})`],
      [`${tag}CPU server / client / other`, `${Math.round((b.serverCpuS / b.elapsedS) * 100)}% / ${Math.round((b.clientCpuS / b.elapsedS) * 100)}% / ${Math.round((b.otherCpuS / b.elapsedS) * 100)}%`, 'of one core during the burst'],
    );
  }
  rows.push(['errors / failed checks', `${problems}`, 'must be 0 for valid figures']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  log(`\nSummary (login burst of ${o.n}, ${connections} in flight, ${cpus().length} cores shared by client and server; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  log(`  ${'metric'.padEnd(w0)}  ${'value'.padEnd(w1)}  note`);
  log(`  ${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ----`);
  for (const [k, v, n] of rows) log(`  ${k.padEnd(w0)}  ${v.padEnd(w1)}  ${n}`);
  await restarted?.kill('SIGTERM');
  return problems;
}
