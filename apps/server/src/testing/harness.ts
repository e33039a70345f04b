import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heartbeatSigningString, recoverSigningString } from '@invigil/contract';

const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(SERVER_DIR, 'src/main.ts');

export interface SpawnedServer {
  url: string;
  api: string;
  dataDir: string;
  adminPassword: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGKILL (no chance to flush) or SIGTERM. Resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a new server process on the same data folder (and port). */
  restart(): Promise<SpawnedServer>;
}

/** Starts the real server (`src/main.ts`) as a child process on a free port with its own data folder. */
export async function spawnServer(env: Record<string, string> = {}, reuse?: { dataDir: string; adminPassword: string; port?: number }): Promise<SpawnedServer> {
  const dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'invigil-test-'));
  const adminPassword = reuse?.adminPassword ?? 'test-admin-password-123';
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      PORT: String(reuse?.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      // As scripts/start.sh sets it: one core for the event loop, the others (1 to 4) for libuv's thread pool.
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(Math.max(1, Math.min(4, availableParallelism() - 1))),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Keeps the start banner and the last 256 KiB (a long-running cluster must not grow without bound).
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 512 * 1024) out = out.slice(0, 4 * 1024) + '\n…\n' + out.slice(-256 * 1024);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = () => {
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const port = Number(new URL(url).port);
  const self: SpawnedServer = {
    url,
    api: `${url}/api/v1`,
    dataDir,
    adminPassword,
    proc,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((res) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return res();
        proc.once('exit', () => res());
        proc.kill(signal);
      }),
    restart: () => spawnServer(env, { dataDir, adminPassword, port }),
  };
  return self;
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny JSON client for tests. */
export async function call<T = any>(url: string, method: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A kiosk's Ed25519 device identity. */
export class TestDevice {
  readonly publicKey: string;
  private readonly privateKey: KeyObject;
  seq = 0;
  constructor(readonly fingerprint = `fp-${Math.random().toString(36).slice(2)}`) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKey = publicKey.export({ format: 'jwk' }).x!;
  }
  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64url');
  }
  heartbeat(attemptId: string, seq = ++this.seq, extra: Record<string, unknown> = {}) {
    return { attemptId, seq, deviceFingerprint: this.fingerprint, signature: this.sign(heartbeatSigningString(attemptId, seq)), ...extra };
  }
  recover(attemptId: string, recoveryToken: string) {
    return { recoveryToken, signature: this.sign(recoverSigningString(attemptId, recoveryToken)) };
  }
}

export const QUESTIONS = [
  { id: 'q1', type: 'single', prompt: 'Capital of France?', options: [{ id: 'a', label: 'Paris' }, { id: 'b', label: 'Lyon' }], correct: ['a'], points: 1 },
  { id: 'q2', type: 'multiple', prompt: 'Primes?', options: [{ id: 'two', label: '2' }, { id: 'three', label: '3' }, { id: 'four', label: '4' }], correct: ['two', 'three'], points: 2 },
  { id: 'q3', type: 'text', prompt: 'Explain recursion.' },
];

export interface Provisioned {
  adminToken: string;
  examId: string;
  candidates: { candidateId: string; accessCode: string; name: string }[];
}

/** Admin logs in, creates an exam and registers `n` candidates. */
export async function provision(s: SpawnedServer, n = 2, opts: { durationMinutes?: number; questions?: unknown[]; prefix?: string } = {}): Promise<Provisioned> {
  const login = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword });
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  const adminToken = login.body.token as string;
  const exam = await call(`${s.api}/admin/exams`, 'POST', { title: 'Test exam', durationMinutes: opts.durationMinutes ?? 60, questions: opts.questions ?? QUESTIONS }, adminToken);
  if (exam.status !== 201) throw new Error(`exam create failed: ${JSON.stringify(exam.body)}`);
  const prefix = opts.prefix ?? 'cand';
  const candidates = Array.from({ length: n }, (_, i) => ({ candidateId: `${prefix}-${i + 1}`, name: `Candidate ${i + 1}`, accessCode: `code-${prefix}-${i + 1}-secret` }));
  const reg = await call(`${s.api}/admin/exams/${exam.body.id}/candidates`, 'POST', { candidates }, adminToken);
  if (reg.status !== 201) throw new Error(`register failed: ${JSON.stringify(reg.body)}`);
  return { adminToken, examId: exam.body.id as string, candidates };
}

export async function candidateLogin(s: SpawnedServer, examId: string, c: { candidateId: string; accessCode: string }, userAgent?: string): Promise<string> {
  const r = await call(`${s.api}/auth/candidate/login`, 'POST', { examId, candidateId: c.candidateId, accessCode: c.accessCode }, undefined, userAgent ? { 'user-agent': userAgent } : {});
  if (r.status !== 200) throw new Error(`candidate login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** Admin sets the candidate login policy (tests that need a candidate to hold several logins). */
export function setCandidatePolicy(s: SpawnedServer, adminToken: string, maxSessions: number, denyWhileExamActive: boolean): Promise<Reply> {
  return call(`${s.api}/admin/policies/roles/candidate`, 'PUT', { idleTimeoutMinutes: 60, absoluteTimeoutMinutes: 1_800, maxSessions, onLimit: 'terminate_oldest', denyWhileExamActive }, adminToken);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export * from './offline.ts';
