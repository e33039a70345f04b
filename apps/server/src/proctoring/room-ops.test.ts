import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, QUESTIONS, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';

/**
 * The hall (issue H) through the real server on a real port: attendance of every registered
 * candidate, ID checks, progress per tile, whole-room actions delivered to every kiosk with their
 * counts, bulk acknowledge, the incident log, and check waivers the kiosk learns of.
 */
describe('the hall: attendance, progress, room actions, notes, waivers', () => {
  let s: SpawnedServer;
  let admin: string;
  let proctor: string;
  let other: string;
  let examId: string;
  let roomId: string;
  let otherRoomId: string;
  const kiosks: { candidateId: string; token: string; attemptId: string; dev: TestDevice; ack: string[] }[] = [];
  /** One signed heartbeat that acknowledges what the previous one carried (as a kiosk does). */
  const beat = async (k: (typeof kiosks)[number]) => {
    const r = await call(`${s.api}/exams/sessions/heartbeat`, 'POST', k.dev.heartbeat(k.attemptId, undefined, k.ack.length ? { ackInstructionIds: k.ack } : {}), k.token);
    if (r.status !== 200) throw new Error(`heartbeat: ${r.status} ${JSON.stringify(r.body)}`);
    k.ack = (r.body.instructions ?? []).map((i: { id: string }) => i.id);
    return r.body;
  };
  const api = (method: string, path: string, body?: unknown, token = admin) => call(`${s.api}${path}`, method, body, token);
  const must = async (what: string, p: ReturnType<typeof api>, status = 200) => {
    const r = await p;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '60000' });
    admin = (await must('admin login', api('POST', '/auth/staff/login', { username: 'admin', password: s.adminPassword }, undefined))).token;
    const center = await must('center', api('POST', '/admin/centers', { name: 'Hall Center' }), 201);
    const room = await must('room', api('POST', `/admin/centers/${center.id}/rooms`, { name: 'Main Hall', capacity: 60 }), 201);
    const room2 = await must('room 2', api('POST', `/admin/centers/${center.id}/rooms`, { name: 'Annex', capacity: 10 }), 201);
    const center2 = await must('center 2', api('POST', '/admin/centers', { name: 'Other Center' }), 201);
    roomId = room.id;
    otherRoomId = room2.id;
    const exam = await must('exam', api('POST', '/admin/exams', { title: 'Hall Exam', durationMinutes: 60, questions: QUESTIONS }), 201);
    examId = exam.id;
    const candidates = Array.from({ length: 8 }, (_, i) => ({ candidateId: `H${i + 1}`, name: `Hall Candidate ${i + 1}`, accessCode: `code-hall-${i + 1}-secret`, center: center.id, room: i < 6 ? room.id : room2.id, seat: `A${i + 1}`, ...(i === 1 ? { extraTimeMinutes: 15, restBreakMinutes: 10 } : i === 4 ? { extraTimeMinutes: 20, restBreakMinutes: 5 } : {}) }));
    await must('roster', api('POST', `/admin/exams/${examId}/roster`, { candidates }));
    const mk = async (username: string, centerId: string) => {
      const st = await must('staff', api('POST', '/admin/staff', { username, password: 'proctor-password-123', role: 'proctor', displayName: `Proctor ${username}` }), 201);
      await must('assign', api('PUT', `/admin/staff/${st.id}/assignments`, { assignments: [{ centerId, roomId: null }] }));
      return (await must('login', api('POST', '/auth/staff/login', { username, password: 'proctor-password-123' }, undefined))).token as string;
    };
    proctor = await mk('hall.proctor', center.id);
    other = await mk('other.proctor', center2.id);
    // Three start (H1–H3); H4 only signs in.
    for (const c of candidates.slice(0, 3)) {
      const token = (await must('cand login', api('POST', '/auth/candidate/login', { examId, candidateId: c.candidateId, accessCode: c.accessCode }, undefined))).token;
      const dev = new TestDevice();
      const st = await must('start', api('POST', '/exams/sessions/start', { examSetId: examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token), 201);
      kiosks.push({ candidateId: c.candidateId, token, attemptId: st.attemptId, dev, ack: [] });
    }
    await must('H4 login', api('POST', '/auth/candidate/login', { examId, candidateId: 'H4', accessCode: 'code-hall-4-secret' }, undefined));
  }, 60_000);
  afterAll(() => s?.kill());

  it('attendance shows every registered candidate of the room, with names for the filters', async () => {
    const a = await must('attendance', api('GET', `/proctor/attendance?roomId=${roomId}`, undefined, proctor));
    expect(a.counts).toMatchObject({ registered: 6, not_signed_in: 2, signed_in: 1, started: 3, finished: 0, idChecked: 0 });
    expect(a.candidates.map((c: any) => [c.candidateId, c.attendance])).toEqual([
      ['H1', 'started'],
      ['H2', 'started'],
      ['H3', 'started'],
      ['H4', 'signed_in'],
      ['H5', 'not_signed_in'],
      ['H6', 'not_signed_in'],
    ]);
    expect(a.exams).toEqual([expect.objectContaining({ id: examId, title: 'Hall Exam' })]);
    expect(a.rooms).toEqual([expect.objectContaining({ id: roomId, name: 'Main Hall', centerName: 'Hall Center' })]);
    // Whole centre: both rooms; another centre's proctor sees none of it.
    expect((await must('all', api('GET', '/proctor/attendance', undefined, proctor))).counts.registered).toBe(8);
    expect((await must('other', api('GET', '/proctor/attendance', undefined, other))).candidates).toEqual([]);
  });

  it('a proctor marks “ID checked” (audited); another centre’s proctor gets 404; bad bodies 400 and change nothing', async () => {
    const row = await must('id check', api('POST', `/proctor/exams/${examId}/candidates/H1/id-check`, { checked: true }, proctor));
    expect(row).toMatchObject({ candidateId: 'H1', idCheckedBy: 'Proctor hall.proctor' });
    expect(row.idCheckedAt).toEqual(expect.any(String));
    expect((await api('POST', `/proctor/exams/${examId}/candidates/H1/id-check`, { checked: true }, other)).status).toBe(404);
    expect((await api('POST', `/proctor/exams/${examId}/candidates/NOPE/id-check`, { checked: true }, proctor)).status).toBe(404);
    expect((await api('POST', `/proctor/exams/${examId}/candidates/H2/id-check`, { checked: 'yes' }, proctor)).status).toBe(400);
    const a = await must('attendance', api('GET', `/proctor/attendance?roomId=${roomId}`, undefined, proctor));
    expect(a.counts.idChecked).toBe(1);
    const audit = await must('review', api('GET', `/proctor/attendance?roomId=${roomId}`, undefined, admin));
    expect(audit.candidates.find((c: any) => c.candidateId === 'H2').idCheckedAt).toBeNull();
  });

  it('each tile carries answered n of m, the last save and extra time (server-side clock)', async () => {
    const k = kiosks[0]!;
    await must('save', api('PUT', `/exams/sessions/${k.attemptId}/answers/q1`, { value: 'a', clientSeq: 1 }, k.token));
    await must('extend', api('POST', `/proctor/sessions/${k.attemptId}/actions`, { action: 'extend', minutes: 15, reason: 'Accessibility: reader' }, proctor));
    const room = await must('room', api('GET', `/proctor/sessions?roomId=${roomId}`, undefined, proctor));
    const tile = room.sessions.find((x: any) => x.attemptId === k.attemptId);
    expect(tile.progress).toMatchObject({ answered: 1, total: QUESTIONS.length });
    expect(tile.progress.lastSaveAt).toEqual(expect.any(String));
    expect(tile.extraSeconds).toBe(15 * 60);
    expect(tile.timeRemaining).toBeGreaterThan(74 * 60);
    expect(room.sessions.find((x: any) => x.attemptId === kiosks[1]!.attemptId).progress).toMatchObject({ answered: 0, lastSaveAt: null });
  });

  it('tiles carry the planned accommodations apart from staff extensions; another centre sees nothing of them', async () => {
    const h2 = kiosks[1]!;
    const acted = await must('extend H2', api('POST', `/proctor/sessions/${h2.attemptId}/actions`, { action: 'extend', minutes: 5, reason: 'Fire drill in the corridor' }, proctor));
    const room = await must('room', api('GET', `/proctor/sessions?roomId=${roomId}`, undefined, proctor));
    const tile = room.sessions.find((x: any) => x.attemptId === h2.attemptId);
    // 15 planned (added at start) + 5 by a proctor: extraSeconds counts both, the accommodations split them.
    expect(tile.extraSeconds).toBe(20 * 60);
    expect(tile.accommodations).toEqual({ plannedExtraMinutes: 15, restBreakMinutes: 10, extensionSeconds: 5 * 60 });
    expect(tile.incidentSeconds).toBe(0);
    expect(room.sessions.find((x: any) => x.attemptId === kiosks[2]!.attemptId).accommodations).toEqual({ plannedExtraMinutes: 0, restBreakMinutes: 0, extensionSeconds: 0 });
    // The action's answer (one session) says the same.
    expect(acted.accommodations).toEqual(tile.accommodations);
    // Not started: the attendance row carries them too.
    const a = await must('attendance', api('GET', `/proctor/attendance?roomId=${roomId}`, undefined, proctor));
    expect(a.candidates.find((c: any) => c.candidateId === 'H5').accommodations).toEqual({ plannedExtraMinutes: 20, restBreakMinutes: 5 });
    expect(a.candidates.find((c: any) => c.candidateId === 'H6').accommodations).toEqual({ plannedExtraMinutes: 0, restBreakMinutes: 0 });
    // Another centre's proctor: no sessions, no attendance rows, no tile of this room.
    const theirs = await must('other room', api('GET', `/proctor/sessions?roomId=${roomId}`, undefined, other));
    expect(theirs.sessions).toEqual([]);
    expect((await must('other attendance', api('GET', `/proctor/attendance?roomId=${roomId}`, undefined, other))).candidates).toEqual([]);
    expect((await api('POST', `/proctor/sessions/${h2.attemptId}/actions`, { action: 'extend', minutes: 5, reason: 'not mine to give' }, other)).status).toBe(404);
  });

  it('pause room pauses every running session, every kiosk receives it, the delivery is counted; resume room undoes it', async () => {
    for (const k of kiosks) await beat(k);
    await Promise.all(kiosks.map((k) => beat(k))); // the extension's message is acknowledged
    expect((await api('POST', `/proctor/rooms/${roomId}/pause`, { reason: 'Fire alarm' }, other)).status).toBe(404);
    expect((await api('POST', `/proctor/rooms/${roomId}/pause`, { reason: '' }, proctor)).status).toBe(400);
    expect((await api('POST', `/proctor/rooms/${roomId}/pause`, {}, proctor)).status).toBe(400);
    const r = await must('pause room', api('POST', `/proctor/rooms/${roomId}/pause`, { reason: 'Fire alarm' }, proctor));
    expect(r).toMatchObject({ action: 'pause', roomId, matched: 3, affected: 3, instructed: 3, skipped: [] });
    expect(await must('delivery', api('GET', `/proctor/rooms/${roomId}/actions/${r.batchId}`, undefined, proctor))).toMatchObject({ issued: 3, delivered: 0, acknowledged: 0 });
    for (const k of kiosks) {
      const hb = await beat(k);
      expect(hb).toMatchObject({ status: 'paused', sessionValid: false });
      expect(hb.instructions).toEqual([expect.objectContaining({ type: 'pause', message: 'Fire alarm' })]);
    }
    for (const k of kiosks) await beat(k);
    expect(await must('delivery', api('GET', `/proctor/rooms/${roomId}/actions/${r.batchId}`, undefined, proctor))).toEqual({ batchId: r.batchId, issued: 3, delivered: 3, acknowledged: 3 });
    const room = await must('room', api('GET', `/proctor/sessions?roomId=${roomId}`, undefined, proctor));
    expect(room.sessions.map((x: any) => [x.status, x.pauseKind])).toEqual(Array(3).fill(['paused', 'staff']));
    // A second pause has nothing to do and says why.
    const again = await must('pause again', api('POST', `/proctor/rooms/${roomId}/pause`, { reason: 'Fire alarm' }, proctor));
    expect(again).toMatchObject({ matched: 3, affected: 0 });
    expect(again.skipped).toHaveLength(3);
    const resumed = await must('resume room', api('POST', `/proctor/rooms/${roomId}/resume`, { reason: 'All clear' }, proctor));
    expect(resumed).toMatchObject({ affected: 3 });
    for (const k of kiosks) {
      const hb = await beat(k);
      expect(hb.instructions).toEqual([expect.objectContaining({ type: 'resume' })]);
      expect(hb.status).toBe('active');
      await beat(k);
    }
  });

  it('message all, extend all and lock all reach every kiosk of the room, never another room', async () => {
    const m = await must('message', api('POST', `/proctor/rooms/${roomId}/message`, { message: '30 minutes left' }, proctor));
    expect(m).toMatchObject({ affected: 3 });
    const e = await must('extend', api('POST', `/proctor/rooms/${roomId}/extend`, { minutes: 5, reason: 'Late start' }, proctor));
    expect(e).toMatchObject({ affected: 3 });
    expect((await api('POST', `/proctor/rooms/${roomId}/extend`, { minutes: 0, reason: 'Late start' }, proctor)).status).toBe(400);
    const l = await must('lock', api('POST', `/proctor/rooms/${roomId}/lock`, { reason: 'Collecting papers' }, proctor));
    expect(l).toMatchObject({ affected: 3 });
    for (const k of kiosks) {
      const hb = await beat(k);
      expect(hb.instructions.map((i: any) => i.type)).toEqual(['message', 'message', 'lock']);
      await beat(k);
      expect(hb.instructions[0].message).toBe('30 minutes left');
      expect(hb.isLocked).toBe(true);
    }
    expect(await must('annex', api('POST', `/proctor/rooms/${otherRoomId}/lock`, { reason: 'Collecting papers' }, proctor))).toMatchObject({ matched: 0, affected: 0 });
    for (const k of kiosks) await must('unlock', api('POST', `/proctor/sessions/${k.attemptId}/actions`, { action: 'unlock', reason: 'Papers collected' }, proctor));
  });

  it('bulk acknowledge: alerts in scope are acknowledged, others count as not found', async () => {
    for (const k of kiosks) {
      const stranger = new TestDevice(k.dev.fingerprint);
      await api('POST', '/exams/sessions/heartbeat', stranger.heartbeat(k.attemptId, ++k.dev.seq), k.token);
    }
    const open = await must('alerts', api('GET', '/proctor/alerts?state=open', undefined, proctor));
    const ids = open.alerts.map((a: any) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(await must('other bulk', api('POST', '/proctor/alerts/ack', { alertIds: ids }, other))).toEqual({ acknowledged: 0, alreadyAcknowledged: 0, notFound: ids.length });
    expect((await api('POST', '/proctor/alerts/ack', { alertIds: [] }, proctor)).status).toBe(400);
    expect(await must('bulk', api('POST', '/proctor/alerts/ack', { alertIds: [...ids, 'no-such-alert'] }, proctor))).toEqual({ acknowledged: ids.length, alreadyAcknowledged: 0, notFound: 1 });
    expect((await must('alerts', api('GET', '/proctor/alerts?state=open', undefined, proctor))).alerts).toEqual([]);
  });

  it('incident log: notes per candidate and per room with time and author, scoped; the review shows them', async () => {
    const k = kiosks[1]!;
    const n1 = await must('note', api('POST', '/proctor/notes', { attemptId: k.attemptId, text: 'Candidate felt unwell, 5 min outside with escort' }, proctor), 201);
    expect(n1).toMatchObject({ authorName: 'Proctor hall.proctor', attemptId: k.attemptId, candidateId: k.candidateId, roomId });
    const n2 = await must('room note', api('POST', '/proctor/notes', { roomId, examId, text: 'Fire alarm 10:12–10:20, room evacuated' }, proctor), 201);
    expect(n2).toMatchObject({ roomId, attemptId: null });
    expect((await api('POST', '/proctor/notes', { roomId, attemptId: k.attemptId, text: 'both' }, proctor)).status).toBe(400);
    expect((await api('POST', '/proctor/notes', { roomId, text: '' }, proctor)).status).toBe(400);
    expect((await api('POST', '/proctor/notes', { roomId, text: 'not mine' }, other)).status).toBe(404);
    expect((await api('POST', '/proctor/notes', { attemptId: k.attemptId, text: 'not mine' }, other)).status).toBe(404);
    const list = await must('notes', api('GET', `/proctor/notes?roomId=${roomId}`, undefined, proctor));
    expect(list.notes.map((n: any) => n.text)).toEqual([n1.text, n2.text]);
    expect((await must('notes other', api('GET', '/proctor/notes', undefined, other))).notes).toEqual([]);
    expect((await api('GET', `/proctor/notes?roomId=${roomId}`, undefined, other)).status).toBe(404);
    expect((await must('by attempt', api('GET', `/proctor/notes?attemptId=${k.attemptId}`, undefined, admin))).notes).toEqual([n1]);
    // The review shows them; the candidate note is in the attempt's own (hash-chained) timeline, so it is sealed with it.
    const inc = await must('incidents', api('GET', `/review/sessions/${k.attemptId}/incidents`, undefined, proctor));
    expect(inc).toEqual({ notes: [n1], roomNotes: [n2], waivers: [] });
    expect((await api('GET', `/review/sessions/${k.attemptId}/incidents`, undefined, other)).status).toBe(404);
    await must('submit', api('POST', `/exams/sessions/${k.attemptId}/submit`, undefined, k.token));
    const archive = await call(`${s.api}/review/sessions/${k.attemptId}/archive`, 'GET', undefined, admin);
    expect(archive.status).toBe(200);
    expect(JSON.stringify(archive.body)).toContain('Candidate felt unwell, 5 min outside with escort');
    // The room note is sealed in it too (it was written while the attempt ran in that room).
    expect(JSON.stringify(archive.body)).toContain('Fire alarm 10:12–10:20, room evacuated');
    expect((await must('verify', api('GET', `/review/sessions/${k.attemptId}/verify`, undefined, admin))).valid).toBe(true);
    // Notes are append-only: a note after the seal is shown by the review, the archive is unchanged.
    const late = await must('late note', api('POST', '/proctor/notes', { attemptId: k.attemptId, text: 'Added after the end' }, proctor), 201);
    expect((await must('incidents', api('GET', `/review/sessions/${k.attemptId}/incidents`, undefined, admin))).notes).toEqual([n1, late]);
    expect((await must('verify', api('GET', `/review/sessions/${k.attemptId}/verify`, undefined, admin))).valid).toBe(true);
  });

  it('a failed check is waived by a proctor with a reason; the kiosk learns it; the start is audited with it', async () => {
    const login = (await must('H5 login', api('POST', '/auth/candidate/login', { examId, candidateId: 'H5', accessCode: 'code-hall-5-secret' }, undefined))).token;
    expect(await must('mine', api('GET', '/exams/sessions/check-waiver', undefined, login))).toEqual({ waived: false, checks: [], reason: null, grantedAt: null });
    expect((await api('POST', `/proctor/exams/${examId}/candidates/H5/check-waiver`, { reason: 'VM false positive on lab PCs', checks: ['virtual-machine'] }, other)).status).toBe(404);
    expect((await api('POST', `/proctor/exams/${examId}/candidates/H5/check-waiver`, { reason: 'x', checks: ['virtual-machine'] }, proctor)).status).toBe(400);
    expect((await api('POST', `/proctor/exams/${examId}/candidates/H5/check-waiver`, { reason: 'VM false positive', checks: ['nonsense'] }, proctor)).status).toBe(400);
    const w = await must('waive', api('POST', `/proctor/exams/${examId}/candidates/H5/check-waiver`, { reason: 'VM false positive on lab PCs', checks: ['virtual-machine', 'displays'] }, proctor), 201);
    expect(w).toMatchObject({ candidateId: 'H5', grantedByName: 'Proctor hall.proctor', checks: ['virtual-machine', 'displays'] });
    expect(await must('mine', api('GET', '/exams/sessions/check-waiver', undefined, login))).toMatchObject({ waived: true, checks: ['virtual-machine', 'displays'], reason: 'VM false positive on lab PCs' });
    expect((await must('list', api('GET', `/proctor/exams/${examId}/candidates/H5/check-waivers`, undefined, proctor))).waivers).toHaveLength(1);
    const dev = new TestDevice();
    const st = await must('start', api('POST', '/exams/sessions/start', { examSetId: examId, devicePublicKey: dev.publicKey }, login), 201);
    const detail = await must('review', api('GET', `/review/sessions/${st.attemptId}`, undefined, admin));
    const text = JSON.stringify(detail);
    expect(text).toContain('session.started_with_waiver');
    expect(text).toContain('VM false positive on lab PCs');
  });
});
