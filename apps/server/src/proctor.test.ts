import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, candidateLogin, provision, spawnServer, TestDevice, type Provisioned, type SpawnedServer } from './testing/harness.ts';
import { peek } from './testing/db-peek.ts';

let s: SpawnedServer;
let p: Provisioned;
beforeAll(async () => {
  s = await spawnServer();
  p = await provision(s, 6);
});
afterAll(() => s.kill());

async function kiosk(i: number) {
  const token = await candidateLogin(s, p.examId, p.candidates[i]!);
  const dev = new TestDevice();
  const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: p.examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
  expect(st.status).toBe(201);
  const attemptId = st.body.attemptId as string;
  const beat = (extra: Record<string, unknown> = {}) => call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, undefined, extra), token);
  return { token, dev, attemptId, beat };
}
const act = (attemptId: string, body: Record<string, unknown>, token = p.adminToken) => call(`${s.api}/proctor/sessions/${attemptId}/actions`, 'POST', body, token);

describe('proctor actions reach the kiosk as instructions', () => {
  it('a lock appears in the next heartbeat answer, is marked delivered, then acknowledged; unlock lets the kiosk go on', async () => {
    const k = await kiosk(0);
    expect((await k.beat()).body.instructions).toEqual([]);
    const locked = await act(k.attemptId, { action: 'lock', reason: 'phone on the desk' });
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ isLocked: true, lockReason: 'phone on the desk' });

    const hb = await k.beat();
    expect(hb.body).toMatchObject({ sessionValid: false, isLocked: true });
    expect(hb.body.instructions).toEqual([expect.objectContaining({ type: 'lock', message: 'phone on the desk' })]);
    const id = hb.body.instructions[0].id;
    let status = (await call(`${s.api}/proctor/sessions/${k.attemptId}/instructions`, 'GET', undefined, p.adminToken)).body.instructions[0];
    expect(status.deliveredAt).not.toBeNull();
    expect(status.ackedAt).toBeNull();
    // Not acknowledged yet: delivered again.
    expect((await k.beat()).body.instructions.map((i: { id: string }) => i.id)).toEqual([id]);
    const acked = await k.beat({ ackInstructionIds: [id] });
    expect(acked.body.instructions).toEqual([]);
    status = (await call(`${s.api}/proctor/sessions/${k.attemptId}/instructions`, 'GET', undefined, p.adminToken)).body.instructions[0];
    expect(status.ackedAt).not.toBeNull();

    // Nothing from the candidate is accepted while locked.
    expect((await call(`${s.api}/exams/sessions/${k.attemptId}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, k.token)).status).toBe(423);
    await act(k.attemptId, { action: 'unlock', reason: 'phone handed in' });
    const after = await k.beat();
    expect(after.body.sessionValid).toBe(true);
    expect(after.body.instructions[0]).toMatchObject({ type: 'unlock' });
    const audit = peek<{ action: string; actor_type: string; reason: string }>(s.dataDir, "select action, actor_type, reason from audit_events where attempt_id = ? and actor_type = 'staff'", k.attemptId);
    expect(audit).toEqual([
      { action: 'session.locked', actor_type: 'staff', reason: 'phone on the desk' },
      { action: 'session.unlocked', actor_type: 'staff', reason: 'phone handed in' },
    ]);
  });

  it('a staff pause cannot be resumed by the candidate; staff resume records incident time; extend adds time; message arrives', async () => {
    const k = await kiosk(1);
    await act(k.attemptId, { action: 'pause', reason: 'fire alarm' });
    const own = await call(`${s.api}/exams/sessions/${k.attemptId}/resume`, 'POST', undefined, k.token);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('PAUSED_BY_STAFF');
    const resumed = await act(k.attemptId, { action: 'resume', reason: 'alarm over' });
    expect(resumed.body.status).toBe('active');
    // How much incident time a staff pause records is a rule about time: exam-sessions/staff-pause.test.ts.
    expect(resumed.body.incidentSeconds).toBeGreaterThanOrEqual(0);
    const before = resumed.body.timeRemaining;
    const ext = await act(k.attemptId, { action: 'extend', reason: 'lost time', minutes: 5 });
    expect(ext.body.timeRemaining).toBeGreaterThanOrEqual(before + 299);
    await act(k.attemptId, { action: 'message', message: '15 minutes left' });
    const types = (await k.beat()).body.instructions.map((i: { type: string; message?: string }) => `${i.type}:${i.message ?? ''}`);
    expect(types).toEqual(['pause:fire alarm', 'resume:', 'message:Your time was extended by 5 minutes.', 'message:15 minutes left']);
    const bad = await act(k.attemptId, { action: 'extend', reason: 'x', minutes: 5 });
    expect(bad.status).toBe(400);
    const noReason = await act(k.attemptId, { action: 'lock' });
    expect(noReason.status).toBe(400);
  });

  it('force submit completes the attempt; terminate ends another; both tell the kiosk', async () => {
    const a = await kiosk(2);
    const b = await kiosk(3);
    expect((await act(a.attemptId, { action: 'force_submit', reason: 'time called' })).body.status).toBe('completed');
    expect((await act(b.attemptId, { action: 'terminate', reason: 'cheating' })).body.status).toBe('terminated');
    expect((await a.beat()).body.instructions[0]).toMatchObject({ type: 'submit' });
    expect((await b.beat()).body.instructions[0]).toMatchObject({ type: 'quit' });
    expect((await act(a.attemptId, { action: 'lock', reason: 'too late' })).status).toBe(409);
  });
});

describe('transfer to another desk', () => {
  it('a resume code lets a new device continue the same attempt with every answer; the old key is refused', async () => {
    const old = await kiosk(4);
    await call(`${s.api}/exams/sessions/${old.attemptId}/answers/q1`, 'PUT', { value: 'a', clientSeq: 1 }, old.token);
    await call(`${s.api}/exams/sessions/${old.attemptId}/answers/q3`, 'PUT', { value: 'my essay', clientSeq: 2 }, old.token);
    const t = await call(`${s.api}/proctor/sessions/${old.attemptId}/transfer`, 'POST', { reason: 'broken keyboard', seat: 'B-12' }, p.adminToken);
    expect(t.status).toBe(200);
    expect(t.body.resumeCode).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{2}$/);
    // The old kiosk is told to quit, and its session is paused meanwhile.
    const told = await old.beat();
    expect(told.body).toMatchObject({ sessionValid: false, status: 'paused' });
    expect(told.body.instructions[0]).toMatchObject({ type: 'quit' });

    // The candidate signs in on the new desk (allowed: the exam is paused) and claims it.
    const newToken = await candidateLogin(s, p.examId, p.candidates[4]!);
    const dev2 = new TestDevice();
    const wrong = await call(`${s.api}/exams/sessions/transfer/claim`, 'POST', { resumeCode: 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA', devicePublicKey: dev2.publicKey }, newToken);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('INVALID_RESUME_CODE');
    const typed = t.body.resumeCode.toLowerCase().replaceAll('-', ' ');
    const claim = await call(`${s.api}/exams/sessions/transfer/claim`, 'POST', { resumeCode: typed, devicePublicKey: dev2.publicKey, deviceFingerprint: dev2.fingerprint }, newToken);
    expect(claim.status).toBe(200);
    expect(claim.body).toMatchObject({ attemptId: old.attemptId, status: 'active', answersRestored: 2 });
    expect(claim.body.recoveryToken).toBeTruthy();

    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev2.heartbeat(old.attemptId), newToken);
    expect(hb.body.sessionValid).toBe(true);
    // The "quit" meant for the old desk (delivered there, never acknowledged) never reaches the new one...
    expect(hb.body.instructions).toEqual([]);
    // ...while what staff send now does, and the new desk can acknowledge it.
    expect((await act(old.attemptId, { action: 'message', message: 'Welcome to B-12', reason: 'transfer' })).status).toBe(200);
    const msg = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev2.heartbeat(old.attemptId), newToken);
    expect(msg.body.instructions).toEqual([expect.objectContaining({ type: 'message', message: 'Welcome to B-12' })]);
    await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev2.heartbeat(old.attemptId, undefined, { ackInstructionIds: [msg.body.instructions[0].id] }), newToken);
    const after = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev2.heartbeat(old.attemptId), newToken);
    expect(after.body.instructions).toEqual([]);
    const answers = await call(`${s.api}/exams/sessions/${old.attemptId}/answers`, 'GET', undefined, newToken);
    expect(answers.body.answers.map((a: { value: unknown }) => a.value)).toEqual(['a', 'my essay']);
    // The old device's key no longer counts, even with a fresh seq.
    old.dev.seq = 1_000;
    const oldBeat = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', old.dev.heartbeat(old.attemptId), newToken);
    expect(oldBeat.body.sessionValid).toBe(false);
    expect(oldBeat.body.warning).toMatch(/^DEVICE_MISMATCH/);
    // The old login session was replaced by the new one.
    expect((await call(`${s.api}/exams/sessions/active`, 'GET', undefined, old.token)).status).toBe(401);
    // The code is single-use.
    const again = await call(`${s.api}/exams/sessions/transfer/claim`, 'POST', { resumeCode: t.body.resumeCode, devicePublicKey: new TestDevice().publicKey }, newToken);
    expect(again.status).toBe(403);
    const room = await call(`${s.api}/proctor/sessions`, 'GET', undefined, p.adminToken);
    const tile = room.body.sessions.find((x: { attemptId: string }) => x.attemptId === old.attemptId);
    expect(tile).toMatchObject({ seat: 'B-12', status: 'active', transferPending: false });
    expect(tile.incidentSeconds).toBeGreaterThanOrEqual(0);
    // The database keeps only the code's hash.
    const rows = peek<{ content: string }>(s.dataDir, "select group_concat(coalesce(resume_code_hash,'')) as content from exam_sessions");
    expect(rows[0]!.content).not.toContain(t.body.resumeCode.replaceAll('-', ''));
  });

  it('five wrong codes kill the code (staff must issue a new one)', async () => {
    const k = await kiosk(5);
    const t = await call(`${s.api}/proctor/sessions/${k.attemptId}/transfer`, 'POST', { reason: 'screen flicker' }, p.adminToken);
    const dev2 = new TestDevice();
    for (let i = 0; i < 5; i++) {
      const r = await call(`${s.api}/exams/sessions/transfer/claim`, 'POST', { resumeCode: `ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z${i}`, devicePublicKey: dev2.publicKey }, k.token);
      expect(r.status).toBe(403);
    }
    const right = await call(`${s.api}/exams/sessions/transfer/claim`, 'POST', { resumeCode: t.body.resumeCode, devicePublicKey: dev2.publicKey }, k.token);
    expect(right.status).toBe(403);
    const alerts = await call(`${s.api}/proctor/alerts?attemptId=${k.attemptId}`, 'GET', undefined, p.adminToken);
    // Coalesced: one open alert counting the wrong codes.
    expect(alerts.body.alerts.filter((a: { kind: string }) => a.kind === 'resume_code_failed').map((a: { count: number }) => a.count)).toEqual([5]);
  });
});

/** Opens the staff event stream; `read(re)` reads on (up to 5 s) until everything received matches `re`. */
async function eventStream(token: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${s.api}/proctor/events?access_token=${encodeURIComponent(token)}`, { signal: ctrl.signal });
  const reader = res.body!.getReader();
  let text = '';
  const read = async (until: RegExp) => {
    const deadline = Date.now() + 5_000;
    while (!until.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    return text.match(until);
  };
  return { res, read, close: () => ctrl.abort() };
}

describe('alerts and the live event stream', () => {
  it('streams session changes and alerts over SSE; alerts can be acknowledged', async () => {
    const { res, read, close } = await eventStream(p.adminToken);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(await read(/event: hello/)).not.toBeNull();
    const room = await call(`${s.api}/proctor/sessions`, 'GET', undefined, p.adminToken);
    const target = room.body.sessions.find((x: { status: string }) => x.status === 'active');
    await act(target.attemptId, { action: 'lock', reason: 'checking id' });
    expect(await read(/"type":"session.changed"[^\n]*"isLocked":true/)).not.toBeNull();
    close();

    const alerts = await call(`${s.api}/proctor/alerts`, 'GET', undefined, p.adminToken);
    expect(alerts.status).toBe(200);
    expect(alerts.body.alerts.length).toBeGreaterThan(0);
    const first = alerts.body.alerts[0];
    const ack = await call(`${s.api}/proctor/alerts/${first.id}/ack`, 'POST', undefined, p.adminToken);
    expect(ack.body.acknowledgedAt).not.toBeNull();
    const open = await call(`${s.api}/proctor/alerts?state=open`, 'GET', undefined, p.adminToken);
    expect(open.body.alerts.map((a: { id: string }) => a.id)).not.toContain(first.id);
    expect((await call(`${s.api}/proctor/alerts?state=bogus`, 'GET', undefined, p.adminToken)).status).toBe(400);
  });
  it('the stream tells staff about new sessions, heartbeats (batched presence) and alerts with their ids; actions answer with the name', async () => {
    const q = await provision(s, 1, { prefix: 'live' });
    const { read, close } = await eventStream(p.adminToken);
    expect(await read(/event: hello/)).not.toBeNull();
    const token = await candidateLogin(s, q.examId, q.candidates[0]!);
    const dev = new TestDevice();
    const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: q.examId, devicePublicKey: dev.publicKey }, token);
    const attemptId = st.body.attemptId as string;
    expect(await read(new RegExp(`"type":"session.started"[^\\n]*"attemptId":"${attemptId}"`))).not.toBeNull();

    const hb = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId), token);
    expect(hb.body.sessionValid).toBe(true);
    const presence = await read(new RegExp(`"type":"presence"[^\\n]*"${attemptId}":"([^"]+)"`));
    expect(presence).not.toBeNull();
    expect(Date.parse(presence![1]!)).toBeGreaterThan(Date.now() - 10_000);

    // A wrong recovery token raises an alert inside the session's transaction; its event names it.
    const bad = await call(`${s.api}/exams/sessions/${attemptId}/recover`, 'POST', dev.recover(attemptId, 'B'.repeat(43)), token);
    expect(bad.status).toBe(403);
    const alert = await read(/"type":"alert"[^\n]*"data":\{"id":"([0-9a-f-]{36})","kind":"recovery_failed"/);
    expect(alert).not.toBeNull();
    const listed = await call(`${s.api}/proctor/alerts?attemptId=${attemptId}`, 'GET', undefined, p.adminToken);
    expect(listed.body.alerts.map((a: { id: string }) => a.id)).toContain(alert![1]);
    close();

    const locked = await act(attemptId, { action: 'lock', reason: 'id check' });
    expect(locked.status).toBe(200);
    expect(locked.body.candidate).toEqual({ id: q.candidates[0]!.candidateId, name: q.candidates[0]!.name });
  });
});
