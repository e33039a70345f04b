import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peek, tamper as tamperDb } from '../testing/db-peek.ts';
import { canonicalJson } from './canonical-json.ts';
import { chainEvents, genesisHash } from './hash-chain.ts';
import { call, candidateLogin, provision, sleep, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';

/** Review end to end: a real server on a real port, real SQLite. A paused session expires after 1.5 s here. */
let s: SpawnedServer;
beforeAll(async () => {
  s = await spawnServer({ PAUSED_SESSION_TTL_MS: '1500' });
});
afterAll(() => s.kill());

type ArchiveRow = { attempt_id: string; sealed_at: number; content: string; chain_head: string; score: number | null; max_score: number | null };
const archiveRow = (attemptId: string) => peek<ArchiveRow>(s.dataDir, 'select * from archives where attempt_id = ?', attemptId)[0];

/** Writes to the server's SQLite file from outside, as someone with disk access would. */
const tamper = (sql: string, ...params: unknown[]) => tamperDb(s.dataDir, sql, ...params);

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function startAttempt(prefix: string, n = 1) {
  const p = await provision(s, n, { prefix });
  const attempts: { attemptId: string; token: string; dev: TestDevice; candidateId: string }[] = [];
  for (const c of p.candidates) {
    const token = await candidateLogin(s, p.examId, c);
    const dev = new TestDevice();
    const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint, browserInfo: 'InvigilKiosk/1.0' }, token);
    expect(st.status).toBe(201);
    attempts.push({ attemptId: st.body.attemptId, token, dev, candidateId: c.candidateId });
  }
  return { ...p, attempts };
}

const review = (path: string, token: string) => call(`${s.api}/review/sessions${path}`, 'GET', undefined, token);

describe('sealing a finished attempt', () => {
  it('submit → an archive with metadata, device, answers with save times, the timeline, a valid chain and the score', async () => {
    const p = await startAttempt('sub');
    const { attemptId: a, token, dev } = p.attempts[0]!;
    expect((await call(`${s.api}/exams/sessions/${a}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, token)).status).toBe(200);
    expect((await call(`${s.api}/exams/sessions/${a}/answers/q2`, 'PUT', { value: ['three', 'two'], clientSeq: 2 }, token)).status).toBe(200);
    expect((await call(`${s.api}/exams/sessions/${a}/answers/q3`, 'PUT', { value: 'Recursion is…', clientSeq: 3 }, token)).status).toBe(200);
    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(a, undefined, { events: [{ type: 'focus_lost', at: new Date().toISOString() }] }), token);
    expect(hb.body.sessionValid).toBe(true);
    expect((await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token)).body.status).toBe('completed');

    const row = await until('the archive row', () => archiveRow(a));
    expect(row).toMatchObject({ score: 3, max_score: 3 });

    const d = await review(`/${a}`, p.adminToken);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ sealed: true, chainHead: row.chain_head });
    const ar = d.body.archive;
    expect(ar.metadata).toMatchObject({
      attemptId: a,
      exam: { id: p.examId, title: 'Test exam', durationMinutes: 60 },
      candidate: { id: 'sub-1', name: 'Candidate 1' },
      status: 'completed',
      endReason: 'submitted',
      incidentSeconds: 0,
      timeAllowedSeconds: 3600,
    });
    expect(ar.metadata.endedAt).toEqual(expect.any(String));
    expect(ar.metadata.timeUsedSeconds).toBeLessThan(60);
    expect(ar.device).toMatchObject({ publicKey: dev.publicKey, fingerprint: dev.fingerprint, browser: 'InvigilKiosk/1.0', ip: '127.0.0.1', generation: 0 });
    expect(ar.answers).toEqual([
      { questionId: 'q1', value: 'a', clientSeq: 1, savedAt: expect.any(String) },
      { questionId: 'q2', value: ['three', 'two'], clientSeq: 2, savedAt: expect.any(String) },
      { questionId: 'q3', value: 'Recursion is…', clientSeq: 3, savedAt: expect.any(String) },
    ]);
    expect(ar.scoring).toMatchObject({ score: 3, maxScore: 3, manualReview: { questions: 1, points: 1 } });
    expect(ar.scoring.questions.map((q: any) => q.outcome)).toEqual(['correct', 'correct', 'needs_review']);
    expect(ar.events.map((e: any) => `${e.source}:${e.type}`)).toEqual(['audit:session.started', 'alert:focus_lost', 'audit:session.completed']);
    expect(ar.events.map((e: any) => e.seq)).toEqual([0, 1, 2]);
    expect(ar.chain).toMatchObject({ algorithm: 'sha256', head: row.chain_head });
    // The stored content is the archive, in canonical form.
    expect(JSON.parse(row.content)).toEqual(ar);

    const v = await review(`/${a}/verify`, p.adminToken);
    expect(v.body).toEqual({ valid: true, chainHead: row.chain_head, recomputedHead: row.chain_head, events: 3, brokenAt: null, reason: null, changed: [], marks: { count: 0, valid: true, reason: null } });

    const file = await fetch(`${s.api}/review/sessions/${a}/archive`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="invigil-archive-${a}.json"`);
    expect(file.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await file.text()).toBe(row.content);

    // Sealing is once only: a repeated submit changes nothing.
    expect((await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token)).status).toBe(200);
    await sleep(200);
    expect(archiveRow(a)).toEqual(row);
  });

  it('a paused session that expires is sealed too', async () => {
    const p = await startAttempt('exp');
    const { attemptId: a, token } = p.attempts[0]!;
    await call(`${s.api}/exams/sessions/${a}/answers/q1`, 'PUT', { value: 'b', clientSeq: 1 }, token);
    expect((await call(`${s.api}/exams/sessions/${a}/pause`, 'POST', undefined, token)).body.status).toBe('paused');
    const row = await until('the expired attempt’s archive', () => archiveRow(a));
    const ar = JSON.parse(row.content);
    expect(ar.metadata).toMatchObject({ status: 'expired', endReason: 'paused_ttl' });
    expect(ar.events.map((e: any) => e.type)).toEqual(['session.started', 'session.paused', 'session.expired']);
    expect(ar.scoring.questions[0]).toMatchObject({ questionId: 'q1', outcome: 'incorrect', awarded: 0 });
    expect(row).toMatchObject({ score: 0, max_score: 3 });
    expect((await review(`/${a}/verify`, p.adminToken)).body.valid).toBe(true);
  });

  it('a session terminated by staff is sealed with the instruction sent to the kiosk in its timeline', async () => {
    const p = await startAttempt('term');
    const { attemptId: a } = p.attempts[0]!;
    const act = await call(`${s.api}/proctor/sessions/${a}/actions`, 'POST', { action: 'terminate', reason: 'phone on the desk' }, p.adminToken);
    expect(act.status).toBe(200);
    const row = await until('the terminated attempt’s archive', () => archiveRow(a));
    const ar = JSON.parse(row.content);
    expect(ar.metadata).toMatchObject({ status: 'terminated', endReason: 'terminated' });
    expect(ar.events.map((e: any) => `${e.source}:${e.type}`)).toEqual(['audit:session.started', 'audit:session.terminated', 'instruction:quit']);
    expect(ar.events[1].data).toMatchObject({ actorType: 'staff', reason: 'phone on the desk' });
  });

  it('a live session shows a live view built the same way; download and verify answer 409 until it is sealed', async () => {
    const p = await startAttempt('live');
    const { attemptId: a, token } = p.attempts[0]!;
    await call(`${s.api}/exams/sessions/${a}/answers/q2`, 'PUT', { value: ['two'], clientSeq: 1 }, token);
    const d = await review(`/${a}`, p.adminToken);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ sealed: false, sealedAt: null, archive: { sealedAt: null, metadata: { status: 'active', endedAt: null }, answers: [{ questionId: 'q2', value: ['two'], clientSeq: 1 }] } });
    expect(d.body.archive.events.map((e: any) => e.type)).toEqual(['session.started']);
    for (const path of ['/archive', '/verify']) {
      const r = await review(`/${a}${path}`, p.adminToken);
      expect(r.status, path).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'CONFLICT', details: { status: 'active' } });
    }
    expect(archiveRow(a)).toBeUndefined();
  });
});

describe('tampering is detected', () => {
  it('changing one event inside the stored archive, or removing one, makes /verify say valid:false', async () => {
    const p = await startAttempt('tmp');
    const { attemptId: a, token } = p.attempts[0]!;
    await call(`${s.api}/exams/sessions/${a}/pause`, 'POST', undefined, token);
    await call(`${s.api}/exams/sessions/${a}/resume`, 'POST', undefined, token);
    await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token);
    const row = await until('the archive', () => archiveRow(a));
    expect((await review(`/${a}/verify`, p.adminToken)).body.valid).toBe(true);

    const doc = JSON.parse(row.content);
    expect(doc.events[1].type).toBe('session.paused');
    doc.events[1].at = new Date(Date.parse(doc.events[1].at) + 60_000).toISOString(); // move the pause a minute later
    tamper('update archives set content = ? where attempt_id = ?', JSON.stringify(doc), a);
    const v = await review(`/${a}/verify`, p.adminToken);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ valid: false, chainHead: row.chain_head, brokenAt: 1, events: 4 });
    expect(v.body.recomputedHead).not.toBe(row.chain_head);

    const removed = JSON.parse(row.content);
    removed.events.splice(2, 1);
    tamper('update archives set content = ? where attempt_id = ?', JSON.stringify(removed), a);
    expect((await review(`/${a}/verify`, p.adminToken)).body).toMatchObject({ valid: false, events: 3 });

    tamper('update archives set content = ? where attempt_id = ?', row.content, a);
    expect((await review(`/${a}/verify`, p.adminToken)).body.valid).toBe(true);
  });
});

describe('a forged archive (write access to the database, not to secret.key)', () => {
  it('rewriting the score, recomputing the chain and storing the new head in the same row is caught by the keyed seal, which names what changed', async () => {
    const p = await startAttempt('forge');
    const { attemptId: a, token } = p.attempts[0]!;
    await call(`${s.api}/exams/sessions/${a}/answers/q1`, 'PUT', { value: 'b', clientSeq: 1 }, token); // wrong: 0 points
    await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token);
    const row = await until('the archive', () => archiveRow(a));
    expect((await review(`/${a}/verify`, p.adminToken)).body).toMatchObject({ valid: true, changed: [] });
    // The forger (who can write the database, so drop its append-only triggers: adapters/sqlite
    // repositories.test.ts shows a plain UPDATE is refused) gives full marks and recomputes every hash.
    const doc = JSON.parse(row.content);
    doc.scoring.score = doc.scoring.maxScore;
    const { events, chain: _chain, ...header } = doc;
    const genesis = genesisHash(header);
    const rechained = chainEvents(genesis, events.map(({ hash: _h, ...e }: any) => e));
    const forged = canonicalJson({ ...header, events: rechained.events, chain: { algorithm: 'sha256', genesis, head: rechained.head } });
    tamper('update archives set content = ?, chain_head = ?, score = ? where attempt_id = ?', forged, rechained.head, doc.scoring.maxScore, a);
    const v = await review(`/${a}/verify`, p.adminToken);
    expect(v.status).toBe(200);
    expect(v.body.valid).toBe(false);
    expect(v.body.changed).toEqual(expect.arrayContaining(['scoring', 'score (stored beside the archive)', 'chain head (stored beside the archive)']));
    expect(v.body.changed).not.toContain('answers');
    expect(v.body.reason).toMatch(/changed since sealing: .*scoring/);

    // Rewriting the seal too does not help: its MAC needs the server's key, which is not in the database.
    const seal = peek<{ statement: string; mac: string }>(s.dataDir, 'select statement, mac from archive_seals where attempt_id = ?', a)[0]!;
    const statement = { ...JSON.parse(seal.statement), head: rechained.head, score: doc.scoring.maxScore };
    const guessedMac = createHmac('sha256', 'a guessed key').update(canonicalJson(statement)).digest('hex');
    tamper('update archive_seals set statement = ?, mac = ? where attempt_id = ?', canonicalJson(statement), guessedMac, a);
    expect((await review(`/${a}/verify`, p.adminToken)).body).toMatchObject({ valid: false, changed: ['seal'], reason: expect.stringMatching(/seal was altered/) });

    // Put back as sealed: valid again.
    tamper('update archives set content = ?, chain_head = ?, score = ? where attempt_id = ?', row.content, row.chain_head, row.score, a);
    tamper('update archive_seals set statement = ?, mac = ? where attempt_id = ?', seal.statement, seal.mac, a);
    expect((await review(`/${a}/verify`, p.adminToken)).body).toMatchObject({ valid: true, changed: [] });
  });
});

describe('the session browser', () => {
  let p: Awaited<ReturnType<typeof startAttempt>>;
  beforeAll(async () => {
    p = await startAttempt('lst', 3);
    // lst-1 submits, lst-2 stays active, lst-3 is terminated.
    await call(`${s.api}/exams/sessions/${p.attempts[0]!.attemptId}/submit`, 'POST', undefined, p.attempts[0]!.token);
    await call(`${s.api}/exams/sessions/${p.attempts[2]!.attemptId}`, 'DELETE', undefined, p.attempts[2]!.token);
    await until('both archives', () => (archiveRow(p.attempts[0]!.attemptId) && archiveRow(p.attempts[2]!.attemptId) ? true : undefined));
  });

  it('lists live and finished sessions with their rows, and filters by exam, status and sealed', async () => {
    const all = await review(`?examId=${p.examId}`, p.adminToken);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.nextCursor).toBeNull();
    const byCandidate = Object.fromEntries(all.body.sessions.map((r: any) => [r.candidate.id, r]));
    expect(byCandidate['lst-1']).toMatchObject({
      attemptId: p.attempts[0]!.attemptId,
      sessionId: expect.any(String),
      candidate: { id: 'lst-1', name: 'Candidate 1' },
      exam: { id: p.examId, title: 'Test exam' },
      status: 'completed',
      isLocked: false,
      endReason: 'submitted',
      centerId: null,
      roomId: null,
      seat: null,
      score: 0,
      maxScore: 3,
      alertCount: 0,
      openAlertCount: 0,
      sealed: true,
    });
    expect(byCandidate['lst-1'].endedAt).toEqual(expect.any(String));
    expect(byCandidate['lst-2']).toMatchObject({ status: 'active', sealed: false, sealedAt: null, score: null, maxScore: null, endedAt: null });
    expect(byCandidate['lst-3']).toMatchObject({ status: 'terminated', sealed: true });

    const completed = await review(`?examId=${p.examId}&status=completed`, p.adminToken);
    expect(completed.body.sessions.map((r: any) => r.candidate.id)).toEqual(['lst-1']);
    const unsealed = await review(`?examId=${p.examId}&sealed=false`, p.adminToken);
    expect(unsealed.body.sessions.map((r: any) => r.candidate.id)).toEqual(['lst-2']);
    // Across exams: the finished sessions of the whole server include these two.
    const finished = await review('?status=terminated&limit=200', p.adminToken);
    expect(finished.body.sessions.map((r: any) => r.attemptId)).toContain(p.attempts[2]!.attemptId);
    // Blank parameters count as absent.
    expect((await review(`?examId=${p.examId}&status=&q=&centerId=&limit=&cursor=`, p.adminToken)).body.total).toBe(3);
  });

  it('searches candidate id, candidate name (any case), session id and attempt id', async () => {
    const ids = async (q: string, extra = '') => (await review(`?q=${encodeURIComponent(q)}${extra}`, p.adminToken)).body.sessions.map((r: any) => r.candidate.id);
    expect(await ids('lst-2')).toEqual(['lst-2']);
    expect(await ids('CANDIDATE 3', `&examId=${p.examId}`)).toEqual(['lst-3']);
    expect(await ids(p.attempts[0]!.attemptId.slice(0, 13))).toEqual(['lst-1']);
    const sessionId = (await review(`/${p.attempts[1]!.attemptId}`, p.adminToken)).body.archive.metadata.sessionId as string;
    expect(await ids(sessionId)).toEqual(['lst-2']);
    // LIKE wildcards are plain characters in a search.
    expect(await ids('%')).toEqual([]);
    expect(await ids('lst_1')).toEqual([]);
  });

  it('pages through with the cursor, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await review(`?examId=${p.examId}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, p.adminToken);
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(3);
      seen.push(...r.body.sessions.map((x: any) => x.attemptId));
      cursor = r.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(3);
    expect(seen.slice().sort()).toEqual(p.attempts.map((x) => x.attemptId).sort());
  });

  it('bad query values answer 400 with the error envelope', async () => {
    for (const q of ['status=bogus', 'limit=0', 'limit=201', 'limit=ten', 'limit=1.5', 'cursor=nope', 'sealed=maybe', `q=${'x'.repeat(201)}`]) {
      const r = await review(`?${q}`, p.adminToken);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('VALIDATION_FAILED');
    }
  });

  it('staff only; an unknown attempt answers 404 on every review route', async () => {
    const candidate = p.attempts[1]!.token;
    expect((await review('', candidate)).status).toBe(403);
    expect((await call(`${s.api}/review/sessions`, 'GET')).status).toBe(401);
    expect((await review(`/${p.attempts[1]!.attemptId}`, candidate)).status).toBe(403);
    for (const path of ['', '/archive', '/verify']) {
      const r = await review(`/00000000-0000-4000-8000-000000000000${path}`, p.adminToken);
      expect(r.status, path).toBe(404);
      expect(r.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no such exam session' } });
    }
  });
});

describe('proctors through the real admin API', () => {
  it('a proctor assigned to one room lists only its sessions; others answer 404 exactly like unknown ids', async () => {
    const p = await provision(s, 2, { prefix: 'pr' });
    const admin = (method: string, path: string, body?: unknown) => call(`${s.api}${path}`, method, body, p.adminToken);
    const center = await admin('POST', '/admin/centers', { name: `Review center ${Date.now()}` });
    expect(center.status).toBe(201);
    const r1 = (await admin('POST', `/admin/centers/${center.body.id}/rooms`, { name: 'R1' })).body.id as string;
    const r2 = (await admin('POST', `/admin/centers/${center.body.id}/rooms`, { name: 'R2' })).body.id as string;
    expect((await admin('PUT', `/admin/exams/${p.examId}/registrations/pr-1`, { roomId: r1, seat: 'A1' })).status).toBe(200);
    expect((await admin('PUT', `/admin/exams/${p.examId}/registrations/pr-2`, { roomId: r2, seat: 'B1' })).status).toBe(200);
    const attempts: string[] = [];
    for (const c of p.candidates) {
      const token = await candidateLogin(s, p.examId, c);
      attempts.push((await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId }, token)).body.attemptId);
      if (c.candidateId === 'pr-1') await call(`${s.api}/exams/sessions/${attempts[0]}/submit`, 'POST', undefined, token);
    }
    const created = await admin('POST', '/admin/staff', { username: 'review-proctor', password: 'proctor-password-123', role: 'proctor' });
    expect(created.status).toBe(201);
    expect((await admin('PUT', `/admin/staff/${created.body.id}/assignments`, { assignments: [{ centerId: center.body.id, roomId: r1 }] })).status).toBe(200);
    const proctor = (await call(`${s.api}/auth/staff/login`, 'POST', { username: 'review-proctor', password: 'proctor-password-123' })).body.token as string;

    const list = await review('?limit=200', proctor);
    expect(list.body).toMatchObject({ total: 1, nextCursor: null });
    expect(list.body.sessions).toEqual([expect.objectContaining({ attemptId: attempts[0], centerId: center.body.id, roomId: r1, seat: 'A1' })]);
    expect((await review(`?centerId=${center.body.id}&roomId=${r2}`, proctor)).body.total).toBe(0);
    expect((await review(`?centerId=${center.body.id}`, p.adminToken)).body.total).toBe(2);

    await until('the archive', () => archiveRow(attempts[0]!));
    expect((await review(`/${attempts[0]}/verify`, proctor)).body.valid).toBe(true);
    for (const path of ['', '/archive', '/verify']) {
      const theirs = await review(`/${attempts[1]}${path}`, proctor);
      const ghost = await review(`/00000000-0000-4000-8000-000000000000${path}`, proctor);
      expect(theirs.status, path).toBe(404);
      expect(theirs.body, path).toEqual(ghost.body);
    }
  });
});

describe('repair after a crash', () => {
  it('a finished attempt left without an archive is sealed when the server starts', async () => {
    const p = await startAttempt('crash');
    const { attemptId: a, token } = p.attempts[0]!;
    await call(`${s.api}/exams/sessions/${a}/submit`, 'POST', undefined, token);
    await until('the archive', () => archiveRow(a));
    await s.kill('SIGKILL');
    // As if the process had died between the session change and the sealing.
    tamper('delete from archives where attempt_id = ?', a);
    tamper('delete from archive_seals where attempt_id = ?', a);
    expect(archiveRow(a)).toBeUndefined();
    s = await s.restart();
    const row = await until('the re-sealed archive', () => archiveRow(a));
    expect(JSON.parse(row.content).metadata).toMatchObject({ attemptId: a, status: 'completed' });
    expect((await review(`/${a}/verify`, p.adminToken)).body.valid).toBe(true);
  });
});
