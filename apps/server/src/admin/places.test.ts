import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, provision, spawnServer, type SpawnedServer } from '../testing/harness.ts';
import { peek } from '../testing/db-peek.ts';
import { adminToken, client, staffWithToken } from './testing/kit.ts';

let s: SpawnedServer;
let api: ReturnType<typeof client>;
let token: string;
beforeAll(async () => {
  s = await spawnServer();
  token = await adminToken(s);
  api = client(s, token);
});
afterAll(() => s.kill());

const UNKNOWN = '3f0c6a52-0000-4000-8000-000000000000';

describe('admin: centers and rooms', () => {
  it('creates, lists, reads, renames and deletes centers and rooms', async () => {
    const c = await api('POST', '/admin/centers', { name: 'North Hall', address: '1 Exam Road' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ id: expect.any(String), name: 'North Hall', address: '1 Exam Road', roomCount: 0 });
    const centerId = c.body.id as string;

    const r1 = await api('POST', `/admin/centers/${centerId}/rooms`, { name: 'Room A', capacity: 30 });
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({ centerId, name: 'Room A', capacity: 30 });
    const r2 = await api('POST', `/admin/centers/${centerId}/rooms`, { name: 'Room B' });
    expect(r2.body.capacity).toBe(0);

    expect((await api('GET', `/admin/centers/${centerId}`)).body).toMatchObject({ name: 'North Hall', roomCount: 2 });
    const list = await api('GET', '/admin/centers');
    expect(list.body.centers.map((x: any) => x.name)).toContain('North Hall');
    expect((await api('GET', `/admin/centers/${centerId}/rooms`)).body.rooms.map((x: any) => x.name)).toEqual(['Room A', 'Room B']);
    expect((await api('GET', `/admin/rooms/${r1.body.id}`)).body).toMatchObject({ name: 'Room A' });

    const renamed = await api('PATCH', `/admin/centers/${centerId}`, { name: 'North Hall (main)' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'North Hall (main)', address: '1 Exam Road' });
    const room = await api('PATCH', `/admin/rooms/${r1.body.id}`, { capacity: 40 });
    expect(room.body).toMatchObject({ name: 'Room A', capacity: 40 });

    // A center with rooms cannot go; once its rooms are gone, it can.
    const refused = await api('DELETE', `/admin/centers/${centerId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect(refused.body.error.details).toMatchObject({ rooms: 2 });
    expect((await api('DELETE', `/admin/rooms/${r1.body.id}`)).status).toBe(204);
    expect((await api('DELETE', `/admin/rooms/${r2.body.id}`)).status).toBe(204);
    expect((await api('GET', `/admin/rooms/${r1.body.id}`)).status).toBe(404);
    expect((await api('DELETE', `/admin/centers/${centerId}`)).status).toBe(204);
    expect((await api('GET', `/admin/centers/${centerId}`)).status).toBe(404);
  });

  it('refuses duplicate names (409), bad input (400) and unknown ids (404)', async () => {
    const c = await api('POST', '/admin/centers', { name: 'South Hall' });
    const centerId = c.body.id as string;
    expect((await api('POST', '/admin/centers', { name: 'south hall' })).status).toBe(409);
    await api('POST', `/admin/centers/${centerId}/rooms`, { name: 'Lab 1' });
    expect((await api('POST', `/admin/centers/${centerId}/rooms`, { name: 'Lab 1' })).status).toBe(409);
    const other = await api('POST', '/admin/centers', { name: 'East Hall' });
    expect((await api('POST', `/admin/centers/${other.body.id}/rooms`, { name: 'Lab 1' })).status).toBe(201);
    expect((await api('PATCH', `/admin/centers/${other.body.id}`, { name: 'South Hall' })).status).toBe(409);

    for (const [method, path, body] of [
      ['POST', '/admin/centers', {}],
      ['POST', '/admin/centers', { name: '' }],
      ['POST', '/admin/centers', { name: 'X', surprise: 1 }],
      ['POST', '/admin/centers', { name: 42 }],
      ['PATCH', `/admin/centers/${centerId}`, {}],
      ['POST', `/admin/centers/${centerId}/rooms`, { name: 'R', capacity: -1 }],
      ['POST', `/admin/centers/${centerId}/rooms`, { name: 'R', capacity: 1.5 }],
    ] as const) {
      const r = await api(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await call(`${s.api}/admin/centers`, 'POST', '{"name":', token)).body.error.code).toBe('MALFORMED_JSON');

    expect((await api('GET', `/admin/centers/${UNKNOWN}`)).status).toBe(404);
    expect((await api('PATCH', `/admin/centers/${UNKNOWN}`, { name: 'Nope' })).status).toBe(404);
    expect((await api('DELETE', `/admin/centers/${UNKNOWN}`)).status).toBe(404);
    expect((await api('GET', `/admin/centers/${UNKNOWN}/rooms`)).status).toBe(404);
    expect((await api('POST', `/admin/centers/${UNKNOWN}/rooms`, { name: 'R' })).status).toBe(404);
    expect((await api('GET', `/admin/rooms/${UNKNOWN}`)).status).toBe(404);
    expect((await api('PATCH', `/admin/rooms/${UNKNOWN}`, { name: 'R' })).status).toBe(404);
    expect((await api('DELETE', `/admin/rooms/${UNKNOWN}`)).status).toBe(404);
  });

  it('refuses deleting a room that registrations use', async () => {
    const p = await provision(s, 1, { prefix: 'place' });
    const c = await api('POST', '/admin/centers', { name: 'West Hall' });
    const room = await api('POST', `/admin/centers/${c.body.id}/rooms`, { name: 'W1' });
    const placed = await api('PUT', `/admin/exams/${p.examId}/registrations/place-1`, { roomId: room.body.id, seat: '7' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ centerId: c.body.id, roomId: room.body.id, seat: '7', centerName: 'West Hall', roomName: 'W1' });
    const refused = await api('DELETE', `/admin/rooms/${room.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toMatchObject({ registrations: 1 });
    expect((await api('GET', `/admin/rooms/${room.body.id}`)).status).toBe(200);
  });

  it('every change is in the audit trail with the admin as actor', async () => {
    const c = await api('POST', '/admin/centers', { name: 'Audit Hall' });
    await api('PATCH', `/admin/centers/${c.body.id}`, { address: 'Somewhere' });
    await api('DELETE', `/admin/centers/${c.body.id}`);
    const adminId = (await api('GET', '/admin/staff')).body.staff.find((u: any) => u.username === 'admin').id;
    const rows = peek<{ action: string; actor_type: string; actor_id: string; detail: string }>(
      s.dataDir,
      'select action, actor_type, actor_id, detail from audit_events where detail like ? order by id',
      `%${c.body.id}%`,
    );
    expect(rows.map((r) => r.action)).toEqual(['center.created', 'center.updated', 'center.deleted']);
    for (const r of rows) expect(r).toMatchObject({ actor_type: 'staff', actor_id: adminId });
    expect(JSON.parse(rows[1]!.detail)).toMatchObject({ centerId: c.body.id, changes: { address: 'Somewhere' } });
  });

  it('a proctor gets 403 on admin routes, a candidate 403, nobody 401', async () => {
    const proctor = await staffWithToken(s, token, { username: 'places-proctor', password: 'proctor-password-1', role: 'proctor' });
    for (const [method, path] of [
      ['GET', '/admin/centers'],
      ['POST', '/admin/centers'],
      ['GET', `/admin/rooms/${UNKNOWN}`],
      ['DELETE', `/admin/centers/${UNKNOWN}`],
    ] as const) {
      const body = method === 'POST' ? { name: 'Sneaky' } : undefined;
      expect((await call(`${s.api}${path}`, method, body, proctor.token)).status, `${method} ${path}`).toBe(403);
      expect((await call(`${s.api}${path}`, method, body)).status, `${method} ${path}`).toBe(401);
    }
    expect((await api('GET', '/admin/centers')).body.centers.map((x: any) => x.name)).not.toContain('Sneaky');
  });
});
