import type { LiveEvent } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisForTests } from '../adapters/redis/testing.ts';
import { candidateLoginIn, inProcess, ManualClock, provisionIn, type InProcess } from '../testing/in-process.ts';
import { SseFrames, sseMessage } from './sse-frames.ts';

interface Message {
  id: string;
  raw: string;
  e: LiveEvent;
}

/** A console's live stream through the app: every `message` it was sent, as parsed and as bytes. */
async function openStream(s: InProcess, token: string, lastEventId?: string) {
  const res = await s.app.request(`/api/v1/proctor/events?access_token=${encodeURIComponent(token)}`, { headers: lastEventId ? { 'last-event-id': lastEventId } : {} });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const messages: Message[] = [];
  let hello = false;
  let buf = '';
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const raw = buf.slice(0, i + 2);
        buf = buf.slice(i + 2);
        if (raw.startsWith('event: hello')) hello = true;
        if (!raw.startsWith('event: message')) continue;
        messages.push({ id: /^id: (.*)$/m.exec(raw)![1]!, raw, e: JSON.parse(/^data: (.*)$/m.exec(raw)![1]!) as LiveEvent });
      }
    }
  })();
  await until(() => hello);
  return {
    messages,
    close: async () => {
      await reader.cancel();
      await pump;
    },
  };
}

async function until(cond: () => boolean, what = 'the condition'): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Two centers, three rooms; candidates in A1 (two), A2 and B1; their sessions started; proctors of A, of A1, of B. */
async function examDay(s: InProcess) {
  const p = await provisionIn(s, 4);
  const adminToken = p.adminToken;
  const center = async (name: string) => (await s.api('POST', '/admin/centers', { name }, adminToken)).body.id as string;
  const room = async (centerId: string, name: string) => (await s.api('POST', `/admin/centers/${centerId}/rooms`, { name }, adminToken)).body.id as string;
  const A = await center('Center A');
  const B = await center('Center B');
  const A1 = await room(A, 'A1');
  const A2 = await room(A, 'A2');
  const B1 = await room(B, 'B1');
  const seats = [A1, A1, A2, B1];
  const sessions: { attemptId: string; token: string; roomId: string }[] = [];
  for (const [i, c] of p.candidates.entries()) {
    const roomId = seats[i]!;
    expect((await s.api('PUT', `/admin/exams/${p.examId}/registrations/${c.candidateId}`, { roomId }, adminToken)).status).toBe(200);
    const token = await candidateLoginIn(s, p.examId, c);
    const started = await s.api('POST', '/exams/sessions/start', { examSetId: p.examId }, token);
    expect(started.status).toBe(201);
    sessions.push({ attemptId: started.body.attemptId, token, roomId });
  }
  const proctor = async (username: string, assignment: { centerId: string; roomId?: string }) => {
    const created = await s.api('POST', '/admin/staff', { username, password: 'a-long-proctor-password', role: 'proctor' }, adminToken);
    expect((await s.api('PUT', `/admin/staff/${created.body.id}/assignments`, { assignments: [assignment] }, adminToken)).status).toBe(200);
    return (await s.api('POST', '/auth/staff/login', { username, password: 'a-long-proctor-password' })).body.token as string;
  };
  const staff = {
    admin: adminToken,
    centerA: await proctor('proctor-a', { centerId: A }),
    roomA1: await proctor('proctor-a1', { centerId: A, roomId: A1 }),
    centerB: await proctor('proctor-b', { centerId: B }),
  };
  return { p, rooms: { A, B, A1, A2, B1 }, sessions, staff };
}

describe('each live event is serialised once, whatever the number of consoles (whole app in-process)', () => {
  let s: InProcess | null = null;
  afterEach(async () => {
    await s?.close();
    s = null;
  });

  it('12 consoles in 4 scopes: every event is serialised once and each console gets exactly its scope, as the same bytes', async () => {
    const serialised: LiveEvent[] = [];
    const frames = new SseFrames((e) => {
      serialised.push(e);
      return JSON.stringify(e);
    });
    s = await inProcess({}, new ManualClock(), { frames });
    const day = await examDay(s);
    const { A1, A2, B1 } = day.rooms;
    const consoles = {
      admin: await Promise.all([0, 1, 2].map(() => openStream(s!, day.staff.admin))),
      centerA: await Promise.all([0, 1, 2].map(() => openStream(s!, day.staff.centerA))),
      roomA1: await Promise.all([0, 1, 2].map(() => openStream(s!, day.staff.roomA1))),
      centerB: await Promise.all([0, 1, 2].map(() => openStream(s!, day.staff.centerB))),
    };
    expect(s.shared.events.localSubscribers).toBe(12);

    // One staff action per session (a session.changed event each) and one heartbeat per session,
    // which the presence flush turns into one presence event per room.
    for (const k of day.sessions) {
      expect((await s.api('POST', `/proctor/sessions/${k.attemptId}/actions`, { action: 'message', message: 'five minutes left' }, day.staff.admin)).status).toBe(200);
      expect((await s.api('POST', '/exams/sessions/heartbeat', { attemptId: k.attemptId, seq: 1 }, k.token)).body.sessionValid).toBe(true);
    }
    await s.jobs.flush();

    const want = { admin: [A1, A1, A2, B1], centerA: [A1, A1, A2], roomA1: [A1, A1], centerB: [B1] };
    // One session.changed per session in scope, one presence event per room in scope.
    const expected = (rooms: string[]) => rooms.length + new Set(rooms).size;
    for (const [k, list] of Object.entries(consoles)) for (const c of list) await until(() => c.messages.length >= expected(want[k as keyof typeof want]), `${k}'s events`);

    // 4 session.changed + 3 presence events, each serialised once for the 12 consoles (old: once per console that got it).
    expect(serialised.map((e) => e.type).sort()).toEqual(['presence', 'presence', 'presence', 'session.changed', 'session.changed', 'session.changed', 'session.changed']);
    // One presence snapshot per room for the tick, listing every session heard from in it.
    const presence = serialised.filter((e) => e.type === 'presence');
    expect(presence.map((e) => e.roomId).sort()).toEqual([A1, A2, B1].sort());
    expect(Object.keys(presence.find((e) => e.roomId === A1)!.data.seen as Record<string, string>).sort()).toEqual(day.sessions.filter((k) => k.roomId === A1).map((k) => k.attemptId).sort());

    // Scope still decides, per console: exactly the events of its rooms, nothing else.
    for (const [k, list] of Object.entries(consoles)) {
      const rooms = want[k as keyof typeof want];
      for (const c of list) {
        expect(c.messages).toHaveLength(expected(rooms));
        expect(c.messages.every((m) => rooms.includes(m.e.roomId!))).toBe(true);
      }
    }
    // The same event reaches every console as the same frame: the text the serializer's JSON makes.
    const byId = new Map<string, string>();
    for (const list of Object.values(consoles))
      for (const c of list)
        for (const m of c.messages) {
          expect(byId.get(m.id) ?? m.raw).toBe(m.raw);
          byId.set(m.id, m.raw);
        }
    expect(byId.size).toBe(7);
    for (const m of consoles.admin[0]!.messages) expect(m.raw).toBe(sseMessage('message', JSON.stringify(m.e), m.id));
    for (const list of Object.values(consoles)) for (const c of list) await c.close();
  });
});

const redis = await redisForTests();
if (redis.url) {
  describe('with the Redis Streams bus', () => {
    const prefix = `invigil-test:${randomUUID()}:`;
    let s: InProcess | null = null;
    afterEach(async () => {
      await s?.close();
      s = null;
      const r = new Redis(redis.url!);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    });

    it('an event read from the stream is serialised once for all consoles of the process; a replay after Last-Event-ID is the only extra', async () => {
      const serialised: LiveEvent[] = [];
      const frames = new SseFrames((e) => {
        serialised.push(e);
        return JSON.stringify(e);
      });
      s = await inProcess({ REDIS_URL: redis.url!, REDIS_KEY_PREFIX: prefix }, new ManualClock(), { frames });
      const day = await examDay(s);
      const consoles = await Promise.all(Array.from({ length: 8 }, (_, i) => openStream(s!, i % 2 ? day.staff.admin : day.staff.centerA)));
      const act = (k: { attemptId: string }) => s!.api('POST', `/proctor/sessions/${k.attemptId}/actions`, { action: 'message', message: 'hello' }, day.staff.admin);
      for (const k of day.sessions) expect((await act(k)).status).toBe(200);
      // Admins get all 4, proctors of center A the 3 in A1 and A2.
      for (const [i, c] of consoles.entries()) await until(() => c.messages.length === (i % 2 ? 4 : 3), 'the events through Redis');
      expect(serialised).toHaveLength(4);

      // A console that saw the first event reconnects with its id: it is sent the 3 it missed.
      const first = consoles[1]!.messages[0]!.id;
      const again = await openStream(s, day.staff.admin, first);
      await until(() => again.messages.length === 3, 'the replay');
      expect(again.messages.map((m) => m.id)).toEqual(consoles[1]!.messages.slice(1).map((m) => m.id));
      expect(again.messages.map((m) => m.raw)).toEqual(consoles[1]!.messages.slice(1).map((m) => m.raw));
      expect(serialised).toHaveLength(4 + 3);
      for (const c of [...consoles, again]) await c.close();
    });
  });
}
