import { afterEach, describe, expect, it } from 'vitest';
import { TestDevice } from '../testing/harness.ts';
import { adminTokenIn, candidateLoginIn, inProcess, ManualClock, QUESTIONS_IN_PROCESS, type InProcess } from '../testing/in-process.ts';

/**
 * An outage of the server itself, on an injected clock: the server is closed and assembled again on
 * the same data after some minutes. Every session that was running looks silent at the start only
 * because the server was down: none is charged the outage, none is auto-paused before its kiosk
 * could reconnect, and staff get one grouped alert per room instead of one per candidate.
 */
describe('server outage: one grouped alert, no time charged', () => {
  const open: InProcess[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
  });
  const MIN = 60_000;

  async function room(clock: ManualClock) {
    const s = await inProcess({ HEARTBEAT_INTERVAL_MS: '10000', MISSED_HEARTBEATS_BEFORE_PAUSE: '3' }, clock);
    open.push(s);
    const admin = await adminTokenIn(s);
    const center = await s.api('POST', '/admin/centers', { name: 'Outage Center' }, admin);
    const roomR = await s.api('POST', `/admin/centers/${center.body.id}/rooms`, { name: 'Outage Room', capacity: 10 }, admin);
    const exam = await s.api('POST', '/admin/exams', { title: 'Outage exam', durationMinutes: 60, questions: QUESTIONS_IN_PROCESS }, admin);
    const cands = Array.from({ length: 4 }, (_, i) => ({ candidateId: `O${i + 1}`, name: `Outage ${i + 1}`, accessCode: `code-outage-${i + 1}-secret`, center: center.body.id, room: roomR.body.id, seat: `S${i + 1}` }));
    const roster = await s.api('POST', `/admin/exams/${exam.body.id}/roster`, { candidates: cands }, admin);
    expect(roster.status).toBe(200);
    const kiosks = [];
    for (const c of cands) {
      const token = await candidateLoginIn(s, exam.body.id, c);
      const dev = new TestDevice();
      const st = await s.api('POST', '/exams/sessions/start', { examSetId: exam.body.id, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
      expect(st.status).toBe(201);
      kiosks.push({ token, dev, attemptId: st.body.attemptId as string });
    }
    return { s, admin, dataDir: s.dataDir, kiosks, roomId: roomR.body.id as string };
  }

  it('sessions running when the server went down keep their time; one alert for the room; the sweeper waits for the kiosks', async () => {
    const clock = new ManualClock();
    const { s, dataDir, kiosks, roomId } = await room(clock);
    // Ten minutes of work; the fourth kiosk went silent at the start (its own problem, not the server's).
    for (let t = 0; t < 60; t++) {
      clock.advance(10_000);
      for (const k of kiosks.slice(0, 3)) expect((await s.api('POST', '/exams/sessions/heartbeat', k.dev.heartbeat(k.attemptId), k.token)).body.sessionValid).toBe(true);
      await s.jobs.flush();
      await s.jobs.sweep();
      await s.jobs.alive();
    }
    const silentOne = (await s.api('GET', `/proctor/sessions?roomId=${roomId}`, undefined, await adminTokenIn(s))).body.sessions.find((x: any) => x.attemptId === kiosks[3]!.attemptId);
    expect(silentOne).toMatchObject({ status: 'paused', pauseKind: 'auto' });
    await s.close();
    open.length = 0;

    // Down for 7 minutes.
    clock.advance(7 * MIN);
    const again = await inProcess({ DATA_DIR: dataDir, HEARTBEAT_INTERVAL_MS: '10000', MISSED_HEARTBEATS_BEFORE_PAUSE: '3' }, clock);
    open.push(again);
    const admin = await adminTokenIn(again);
    const live = async () => (await again.api('GET', `/proctor/sessions?roomId=${roomId}&includeFinished=true`, undefined, admin)).body.sessions as any[];
    for (const x of (await live()).filter((x) => x.attemptId !== kiosks[3]!.attemptId)) {
      expect(x).toMatchObject({ status: 'active' });
      // 60 min − 10 min worked: the 7 minutes of the outage are not charged.
      expect(x.timeRemaining).toBe(50 * 60);
    }
    const alerts = (await again.api('GET', '/proctor/alerts?state=open', undefined, admin)).body.alerts as any[];
    const outage = alerts.filter((a) => a.kind === 'server_outage');
    expect(outage).toHaveLength(1);
    expect(outage[0]).toMatchObject({ attemptId: null, roomId, severity: 'critical', detail: expect.objectContaining({ sessions: 3 }) });
    expect(outage[0].message).toMatch(/down for 7 min/);
    expect(alerts.filter((a) => a.kind === 'offline')).toHaveLength(1); // only the kiosk that was silent before the outage

    // The kiosks get a full silence window after the restart: a sweep just before it ends pauses nobody.
    clock.advance(29_000);
    expect((await again.jobs.sweep()).autoPaused).toBe(0);
    for (const k of kiosks.slice(0, 2)) expect((await again.api('POST', '/exams/sessions/heartbeat', k.dev.heartbeat(k.attemptId), k.token)).body).toMatchObject({ sessionValid: true, timeRemaining: 50 * 60 - 29 });
    // The third never comes back: paused at the restart (charged nothing after it), with its own alert.
    clock.advance(2_000);
    await again.jobs.flush();
    expect((await again.jobs.sweep()).autoPaused).toBe(1);
    const third = (await live()).find((x) => x.attemptId === kiosks[2]!.attemptId);
    expect(third).toMatchObject({ status: 'paused', pauseKind: 'auto', timeRemaining: 50 * 60 });
  });

  it('a restart quicker than a heartbeat interval is no outage: no alert, the clock runs on', async () => {
    const clock = new ManualClock();
    const { s, dataDir, kiosks, roomId } = await room(clock);
    clock.advance(60_000);
    await s.jobs.alive();
    await s.close();
    open.length = 0;
    clock.advance(3_000);
    const again = await inProcess({ DATA_DIR: dataDir, HEARTBEAT_INTERVAL_MS: '10000' }, clock);
    open.push(again);
    const admin = await adminTokenIn(again);
    expect(((await again.api('GET', '/proctor/alerts?state=open', undefined, admin)).body.alerts as any[]).filter((a) => a.kind === 'server_outage')).toEqual([]);
    const x = (await again.api('GET', `/proctor/sessions?roomId=${roomId}`, undefined, admin)).body.sessions.find((y: any) => y.attemptId === kiosks[0]!.attemptId);
    expect(x.timeRemaining).toBe(60 * 60 - 63);
  });
});
