import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { assemble, type Assembled } from '../composition.ts';
import { loadConfig } from '../config.ts';
import type { SseFrames } from '../proctoring/sse-frames.ts';
import type { Reply } from './harness.ts';

/** A clock the test moves by hand: rules about time are tested without sleeping. */
export class ManualClock {
  constructor(public t = Date.parse('2026-12-01T09:00:00Z')) {}
  now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

export type Api = <T = any>(method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>) => Promise<Reply<T>>;

export interface InProcess extends Assembled {
  clock: ManualClock;
  adminPassword: string;
  /** A request to `/api/v1{path}` through the app itself (no socket); JSON in and out. */
  api: Api;
  /** Any path, e.g. `/healthz`. */
  raw: Api;
}

/**
 * The whole server (composition root, every service and route) in this process, on a real SQLite
 * file in a fresh folder, with a manual clock and no timers: the test runs the sweeper and the
 * flush itself (`jobs.sweep()`, `jobs.flush()`). Requests go through `app.request()`.
 */
export async function inProcess(env: Record<string, string> = {}, clock = new ManualClock(), opts: { frames?: SseFrames } = {}): Promise<InProcess> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'invigil-inproc-'));
  const adminPassword = env.ADMIN_PASSWORD ?? 'test-admin-password-123';
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env, DATA_DIR: dataDir, ADMIN_PASSWORD: adminPassword });
  const a = await assemble(config, { log: pino({ level: 'silent' }), now: clock.now, timers: false, ...opts });
  const raw: Api = async (method, path, body, token, headers = {}) => {
    const res = await a.app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };
  return { ...a, clock, adminPassword, raw, api: (method, path, ...rest) => raw(method, `/api/v1${path}`, ...rest) };
}

export const QUESTIONS_IN_PROCESS = [
  { id: 'q1', type: 'single', prompt: 'Capital of France?', options: [{ id: 'a', label: 'Paris' }, { id: 'b', label: 'Lyon' }], correct: ['a'], points: 1 },
  { id: 'q2', type: 'text', prompt: 'Explain recursion.' },
];

export async function adminTokenIn(s: InProcess): Promise<string> {
  const login = await s.api('POST', '/auth/staff/login', { username: 'admin', password: s.adminPassword });
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  return login.body.token as string;
}

/** Admin signs in, creates an exam and registers `n` candidates (cand-1 … cand-n). */
export async function provisionIn(s: InProcess, n = 2, opts: { durationMinutes?: number; questions?: unknown[]; prefix?: string } = {}) {
  const login = await s.api('POST', '/auth/staff/login', { username: 'admin', password: s.adminPassword });
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  const adminToken = login.body.token as string;
  const exam = await s.api('POST', '/admin/exams', { title: 'In-process exam', durationMinutes: opts.durationMinutes ?? 60, questions: opts.questions ?? QUESTIONS_IN_PROCESS }, adminToken);
  if (exam.status !== 201) throw new Error(`exam create failed: ${JSON.stringify(exam.body)}`);
  const prefix = opts.prefix ?? 'cand';
  const candidates = Array.from({ length: n }, (_, i) => ({ candidateId: `${prefix}-${i + 1}`, name: `Candidate ${i + 1}`, accessCode: `code-${prefix}-${i + 1}-secret` }));
  const reg = await s.api('POST', `/admin/exams/${exam.body.id}/candidates`, { candidates }, adminToken);
  if (reg.status !== 201) throw new Error(`register failed: ${JSON.stringify(reg.body)}`);
  return { adminToken, examId: exam.body.id as string, candidates };
}

export async function candidateLoginIn(s: InProcess, examId: string, c: { candidateId: string; accessCode: string }): Promise<string> {
  const r = await s.api('POST', '/auth/candidate/login', { examId, candidateId: c.candidateId, accessCode: c.accessCode });
  if (r.status !== 200) throw new Error(`candidate login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
