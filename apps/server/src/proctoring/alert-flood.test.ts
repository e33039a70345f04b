import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peek } from '../testing/db-peek.ts';
import { call, candidateLogin, spawnServer, TestDevice, type SpawnedServer } from '../testing/harness.ts';

/**
 * A kiosk flooding integrity events, and alerts listed before they were scoped: a real server on a
 * real port. Events are coalesced into one open alert per (attempt, kind) whose count grows; lists
 * are scoped in the query, then limited, and page with a cursor.
 */
let s: SpawnedServer;
let admin: string;
const ids: Record<string, string> = {};
let examId: string;

beforeAll(async () => {
  s = await spawnServer({ HEARTBEAT_INTERVAL_MS: '60000' });
  admin = (await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword })).body.token;
  for (const c of ['X', 'Y']) {
    ids[`center${c}`] = (await call(`${s.api}/admin/centers`, 'POST', { name: `Flood Center ${c}` }, admin)).body.id;
    ids[`room${c}`] = (await call(`${s.api}/admin/centers/${ids[`center${c}`]}/rooms`, 'POST', { name: `Room ${c}`, capacity: 10 }, admin)).body.id;
  }
  const proctorY = await call(`${s.api}/admin/staff`, 'POST', { username: 'flood.proctor.y', password: 'flood-proctor-y-pw-1', role: 'proctor' }, admin);
  await call(`${s.api}/admin/staff/${proctorY.body.id}/assignments`, 'PUT', { assignments: [{ centerId: ids.centerY, roomId: null }] }, admin);
  examId = (await call(`${s.api}/admin/exams`, 'POST', { title: 'Flood', durationMinutes: 60, questions: [{ id: 'q1', type: 'text', prompt: 'Write.' }] }, admin)).body.id;
  const candidates = ['fx-1', 'fx-2', 'fy-1'].map((id) => ({ candidateId: id, name: id, accessCode: `${id}-access-code`, center: id.startsWith('fx') ? ids.centerX : ids.centerY, room: id.startsWith('fx') ? ids.roomX : ids.roomY }));
  expect((await call(`${s.api}/admin/exams/${examId}/roster`, 'POST', { candidates }, admin)).status).toBe(200);
});
afterAll(() => s.kill());

async function kiosk(candidateId: string) {
  const token = await candidateLogin(s, examId, { candidateId, accessCode: `${candidateId}-access-code` });
  const dev = new TestDevice();
  const st = await call(`${s.api}/exams/sessions/start`, 'POST', { examSetId: examId, devicePublicKey: dev.publicKey, deviceFingerprint: dev.fingerprint }, token);
  expect(st.status).toBe(201);
  const attemptId = st.body.attemptId as string;
  const beat = (events: unknown[] = []) => call(`${s.api}/exams/sessions/heartbeat`, 'POST', dev.heartbeat(attemptId, undefined, events.length ? { events } : {}), token);
  return { attemptId, beat };
}

const now = () => new Date().toISOString();
const alertRows = (attemptId: string) => peek<{ kind: string; count: number }>(s.dataDir, 'select kind, count from alerts where attempt_id = ? order by kind, count', attemptId);

describe('integrity-event flood', () => {
  it('50 events per signed heartbeat, 150 heartbeats: one alert per kind with the right count; other alerts stay in every list', async () => {
    const y = await kiosk('fy-1');
    expect((await y.beat([{ type: 'remote_access', at: now(), details: { process: 'AnyDesk.exe' } }])).body.sessionValid).toBe(true);
    const flooder = await kiosk('fx-1');
    const before = peek<{ n: number }>(s.dataDir, 'select count(*) as n from alerts')[0]!.n;
    for (let i = 0; i < 150; i++) {
      const events = [
        ...Array.from({ length: 40 }, () => ({ type: 'focus_lost', at: now(), details: { filler: 'x'.repeat(400) } })),
        ...Array.from({ length: 10 }, (_, k) => ({ type: 'display_count', at: now(), details: { displays: 2 + k } })),
      ];
      expect((await flooder.beat(events)).body.sessionValid).toBe(true);
    }
    expect(alertRows(flooder.attemptId)).toEqual([
      { kind: 'display_count', count: 1_500 },
      { kind: 'focus_lost', count: 6_000 },
    ]);
    expect(peek<{ n: number }>(s.dataDir, 'select count(*) as n from alerts')[0]!.n - before).toBe(2);
    // Bounded size: what is stored is one row's detail per kind, not 7,500 events.
    expect(peek<{ bytes: number }>(s.dataDir, 'select sum(length(detail)) as bytes from alerts where attempt_id = ?', flooder.attemptId)[0]!.bytes).toBeLessThan(2_000);

    const open = (await call(`${s.api}/proctor/alerts`, 'GET', undefined, admin)).body.alerts as any[];
    expect(open.map((a) => a.kind)).toEqual(expect.arrayContaining(['focus_lost', 'display_count', 'remote_access']));
    expect(open.find((a) => a.kind === 'focus_lost')).toMatchObject({ count: 6_000, attemptId: flooder.attemptId });

    // Acknowledged, the next report opens a new alert.
    const focus = open.find((a) => a.kind === 'focus_lost');
    expect((await call(`${s.api}/proctor/alerts/${focus.id}/ack`, 'POST', undefined, admin)).status).toBe(200);
    await flooder.beat([{ type: 'focus_lost', at: now() }]);
    expect(alertRows(flooder.attemptId)).toEqual([
      { kind: 'display_count', count: 1_500 },
      { kind: 'focus_lost', count: 1 },
      { kind: 'focus_lost', count: 6_000 },
    ]);
  });
});

describe('alerts are scoped before they are limited, and page', () => {
  it('with 150 newer alerts in center X, the proctor of Y still sees Y’s; pages carry every alert once', async () => {
    const x = await kiosk('fx-2');
    // 150 alerts in X, each acknowledged so the next one is new (coalescing would fold them otherwise).
    for (let i = 0; i < 150; i++) {
      await x.beat([{ type: 'vm_suspected', at: now(), details: { round: i } }]);
      const open = (await call(`${s.api}/proctor/alerts?attemptId=${x.attemptId}`, 'GET', undefined, admin)).body.alerts as any[];
      expect((await call(`${s.api}/proctor/alerts/${open[0].id}/ack`, 'POST', undefined, admin)).status).toBe(200);
    }
    const proctorY = (await call(`${s.api}/auth/staff/login`, 'POST', { username: 'flood.proctor.y', password: 'flood-proctor-y-pw-1' })).body.token;
    const seen = (await call(`${s.api}/proctor/alerts?state=all&limit=100`, 'GET', undefined, proctorY)).body;
    expect(seen.alerts.map((a: any) => a.kind)).toEqual(['remote_access']);
    expect(seen.nextCursor).toBeNull();

    const all: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await call(`${s.api}/proctor/alerts?state=all&limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, 'GET', undefined, admin);
      expect(r.status).toBe(200);
      all.push(...r.body.alerts.map((a: any) => a.id));
      cursor = r.body.nextCursor;
      pages += 1;
    } while (cursor);
    const total = peek<{ n: number }>(s.dataDir, 'select count(*) as n from alerts')[0]!.n;
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 40));
    expect((await call(`${s.api}/proctor/alerts?cursor=not-a-cursor`, 'GET', undefined, admin)).status).toBe(400);
  });
});
