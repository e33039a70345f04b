import { generateKeyPairSync } from 'node:crypto';
import { call, candidateLogin, provision } from '../src/testing/harness.ts';
import { answerValue, QUESTION_IDS } from './answers.ts';
import type { Req, Target } from './driver.ts';
import { log } from './log.ts';
import { mapLimit } from './proc.ts';
import type { Probe } from './profile.ts';
import { nextHeartbeat, type Live } from './signing.ts';

/** Where a store's server(s) answer. */
export interface Deployment {
  label: string;
  /** Every instance's base URL (clients spread over them as a load balancer would). */
  urls: string[];
  pids: number[];
  adminPassword: string;
  probe?: Probe;
}

const api = (url: string) => `${url}/api/v1`;

/** Provisions `n` candidates, signs each in and starts a device-bound session, then one signed heartbeat each. */
export async function openSessions(d: Deployment, n: number, prefix = 'bench'): Promise<Live[]> {
  const first = { api: api(d.urls[0]!), adminPassword: d.adminPassword } as Parameters<typeof provision>[0];
  const p = await provision(first, n, { prefix });
  const sessions = await mapLimit(p.candidates, 16, async (c, i): Promise<Live> => {
    const at = { api: api(d.urls[i % d.urls.length]!) } as Parameters<typeof candidateLogin>[0];
    const token = await candidateLogin(at, p.examId, c, 'invigil-bench/1.0');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const devicePublicKey = publicKey.export({ format: 'jwk' }).x!;
    const fingerprint = `bench-fp-${c.candidateId}`;
    const r = await call(`${at.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, deviceFingerprint: fingerprint, devicePublicKey, browserInfo: 'invigil-bench' }, token);
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
  await mapLimit(sessions, 16, async (s, i) => {
    const hb = nextHeartbeat(s);
    const r = await call(`${api(d.urls[i % d.urls.length]!)}/exams/sessions/heartbeat`, 'POST', { attemptId: s.attemptId, seq: hb.seq, deviceFingerprint: s.fingerprint, signature: hb.signature }, s.token);
    if (r.status !== 200 || r.body.sessionValid !== true) throw new Error(`first heartbeat of ${s.candidateId}: ${r.status} ${JSON.stringify(r.body)}`);
  });
  return sessions;
}

/** Worker w owns sessions w, w + C, w + 2C…: an attempt is only ever on one connection, so its seqs arrive in order. */
export function owner(sessions: Live[], connections: number): (w: number) => Live {
  const owned = Array.from({ length: connections }, (_, w) => sessions.filter((_, i) => i % connections === w));
  const cursor = new Array<number>(connections).fill(0);
  return (w) => owned[w]![cursor[w]!++ % owned[w]!.length]!;
}

export function heartbeatTarget(d: Deployment, sessions: Live[], connections: number, otherPids: number[]): Target {
  const take = owner(sessions, connections);
  return {
    name: `heartbeat (${d.label})`,
    origin: d.urls,
    pid: d.pids,
    otherPids,
    ...(d.probe ? { probe: d.probe } : {}),
    next: (w): Req => {
      const s = take(w);
      const hb = nextHeartbeat(s);
      return {
        method: 'POST',
        path: '/api/v1/exams/sessions/heartbeat',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ attemptId: s.attemptId, seq: hb.seq, deviceFingerprint: s.fingerprint, signature: hb.signature }),
        check: (_st, b) => {
          const body = b as { sessionValid?: unknown; warning?: unknown };
          return body.sessionValid === true ? null : `sessionValid:${String(body.sessionValid)} ${String(body.warning ?? '')}`;
        },
      };
    },
  };
}

export function saveTarget(d: Deployment, sessions: Live[], connections: number, otherPids: number[]): Target {
  const take = owner(sessions, connections);
  const qCursor = new Array<number>(connections).fill(0);
  return {
    name: `answer save (${d.label})`,
    origin: d.urls,
    pid: d.pids,
    otherPids,
    ...(d.probe ? { probe: d.probe } : {}),
    next: (w): Req => {
      const s = take(w);
      const questionId = QUESTION_IDS[qCursor[w]!++ % QUESTION_IDS.length]!;
      const clientSeq = ++s.clientSeq;
      const value = answerValue(questionId, clientSeq);
      return {
        method: 'PUT',
        path: `/api/v1/exams/sessions/${s.attemptId}/answers/${questionId}`,
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
}

/** Every acknowledged save is stored: the last acknowledged clientSeq and value per question. Answers the number of problems. */
export async function verifySaves(d: Deployment, sessions: Live[]): Promise<number> {
  const sample = sessions.filter((s) => s.acked.size > 0);
  let problems = 0;
  let checked = 0;
  await mapLimit(sample, 16, async (s) => {
    const r = await call(`${api(d.urls[0]!)}/exams/sessions/${s.attemptId}/answers`, 'GET', undefined, s.token);
    if (r.status !== 200) {
      problems += 1;
      log(`  ! GET answers of ${s.candidateId}: ${r.status} ${JSON.stringify(r.body)}`);
      return;
    }
    const stored = new Map((r.body.answers as { questionId: string; clientSeq: number; value: unknown }[]).map((a) => [a.questionId, a]));
    for (const [q, want] of s.acked) {
      checked += 1;
      const got = stored.get(q);
      if (!got || got.clientSeq !== want.clientSeq || JSON.stringify(got.value) !== JSON.stringify(want.value)) {
        problems += 1;
        if (problems <= 10) log(`  ! ${s.candidateId} ${q}: acknowledged clientSeq ${want.clientSeq}, stored ${got ? `${got.clientSeq} ${JSON.stringify(got.value)}` : 'nothing'}`);
      }
    }
  });
  log(`  verified (${d.label}) via GET answers: ${checked} (attempt, question) pairs over ${sample.length} sessions; stored = last acknowledged: ${checked - problems}/${checked}`);
  return problems;
}
