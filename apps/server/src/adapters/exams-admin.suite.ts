import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../ports/database.ts';
import type { SessionRecord } from '../ports/types.ts';
import { sessionFixture } from './session-fixture.ts';

/**
 * Issue H (admin side) repository behaviour, run by `describeRepositories` on every database
 * adapter: exam codes and status at create, running-session counts.
 */
export function describeExamsAdminRepositories(adapter: string, make: () => Promise<Database>): void {
  describe(`exam admin repositories on ${adapter}`, () => {
    let db: Database;
    const T = Date.parse('2026-12-01T09:00:00Z');
    beforeAll(async () => {
      db = await make();
    });
    afterAll(() => db.close());

    const session = (examId: string, candidateId: string): SessionRecord => sessionFixture({ examId, candidateId, at: T });

    it('creates exams with a code and a status; finds them by code; a random code when none is given', async () => {
      const id = randomUUID();
      const e = await db.repos.exams.create(id, { title: 'Coded', durationMinutes: 10, questions: [] }, 'suite', T, { code: 'ABC234', status: 'draft' });
      expect(e).toMatchObject({ id, code: 'ABC234', status: 'draft' });
      expect(await db.repos.exams.findByCode('ABC234')).toMatchObject({ id, code: 'ABC234', status: 'draft', title: 'Coded' });
      expect(await db.repos.exams.findByCode('abc234')).toBeUndefined();
      expect((await db.repos.exams.getAdmin(id))?.code).toBe('ABC234');
      const plain = await db.repos.exams.create(randomUUID(), { title: 'Plain', durationMinutes: 10, questions: [] }, 'suite', T);
      expect(plain.status).toBe('open');
      expect(plain.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
      expect((await db.repos.exams.get(plain.id))?.code).toBe(plain.code);
      // The code is unique.
      await expect(db.repos.exams.create(randomUUID(), { title: 'Clash', durationMinutes: 10, questions: [] }, 'suite', T, { code: 'ABC234' })).rejects.toThrow();
    });

    it('counts running (active or paused) sessions of an exam', async () => {
      const id = randomUUID();
      await db.repos.exams.create(id, { title: 'Running', durationMinutes: 10, questions: [] }, 'suite', T);
      expect(await db.repos.exams.runningSessionCount(id)).toBe(0);
      const a = session(id, `run-a-${randomUUID()}`);
      const b = session(id, `run-b-${randomUUID()}`);
      const c = session(id, `run-c-${randomUUID()}`);
      for (const x of [a, b, c]) await db.repos.examSessions.insert(x, T);
      await db.repos.examSessions.update({ ...b, state: { ...b.state, status: 'paused', runningSince: null, pausedAt: T, pauseKind: 'staff' } }, T + 1);
      await db.repos.examSessions.update({ ...c, state: { ...c.state, status: 'completed', runningSince: null, endedAt: T + 1, endReason: 'submitted' } }, T + 1);
      expect(await db.repos.exams.runningSessionCount(id)).toBe(2);
      expect(await db.repos.exams.sessionCount(id)).toBe(3);
    });

    it('appends marks and lists them per attempt and per exam, oldest first', async () => {
      const id = randomUUID();
      await db.repos.exams.create(id, { title: 'Marks', durationMinutes: 10, questions: [] }, 'suite', T);
      const a = session(id, `mark-a-${id}`);
      const b = session(id, `mark-b-${id}`);
      for (const x of [a, b]) await db.repos.examSessions.insert(x, T);
      const base = { questionId: 'q3', comment: '', markedBy: 'suite', chainHead: 'head', prevMac: null };
      const m1 = await db.repos.marks.append({ ...base, attemptId: a.attemptId, points: 2.5, comment: 'half', markedAt: T, mac: 'm1' });
      const m2 = await db.repos.marks.append({ ...base, attemptId: b.attemptId, points: 1, markedAt: T + 1, mac: 'm2' });
      const m3 = await db.repos.marks.append({ ...base, attemptId: a.attemptId, points: 3, markedAt: T + 2, prevMac: 'm1', mac: 'm3' });
      expect(m1).toMatchObject({ id: expect.any(Number), attemptId: a.attemptId, points: 2.5, comment: 'half', markedAt: T, prevMac: null, mac: 'm1' });
      expect(m3.id).toBeGreaterThan(m1.id);
      expect((await db.repos.marks.list(a.attemptId)).map((m) => [m.points, m.prevMac, m.mac])).toEqual([
        [2.5, null, 'm1'],
        [3, 'm1', 'm3'],
      ]);
      expect((await db.repos.marks.listForExam(id)).map((m) => m.mac)).toEqual(['m1', 'm2', 'm3']);
      expect(await db.repos.marks.list('nobody')).toEqual([]);
      expect(m2.attemptId).toBe(b.attemptId);
    });

    it("keeps a centre's time zone and locale (defaults UTC / en-GB)", async () => {
      const a = randomUUID();
      const b = randomUUID();
      await db.repos.places.createCenter({ id: a, name: `Zone A ${a}`, address: '' }, T);
      await db.repos.places.createCenter({ id: b, name: `Zone B ${b}`, address: '', timeZone: 'Europe/Berlin', locale: 'de-DE' }, T);
      expect(await db.repos.places.getCenter(a)).toMatchObject({ timeZone: 'UTC', locale: 'en-GB' });
      expect(await db.repos.places.getCenter(b)).toMatchObject({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
      expect(await db.repos.places.updateCenter(a, { timeZone: 'Asia/Tokyo', locale: 'ja-JP' })).toBe(true);
      expect((await db.repos.places.listCenters()).find((c) => c.id === a)).toMatchObject({ timeZone: 'Asia/Tokyo', locale: 'ja-JP' });
    });

    it('stores accommodations per registration: set, kept when left out, shown in get/list/find', async () => {
      const id = randomUUID();
      await db.repos.exams.create(id, { title: 'Accommodations', durationMinutes: 10, questions: [] }, 'suite', T);
      await db.repos.registrations.register(id, [{ candidateId: `acc-a-${id}`, name: 'A', accessCodeHash: 'h' }, { candidateId: `acc-b-${id}`, name: 'B', accessCodeHash: 'h' }], T);
      expect(await db.repos.registrations.get(id, `acc-a-${id}`)).toMatchObject({ extraTimeMinutes: 0, restBreakMinutes: 0 });
      expect(await db.repos.registrations.setAccommodations(id, [{ candidateId: `acc-a-${id}`, extraTimeMinutes: 15, restBreakMinutes: 10 }, { candidateId: `acc-b-${id}`, restBreakMinutes: 5 }, { candidateId: 'nobody', extraTimeMinutes: 1 }])).toBe(2);
      expect(await db.repos.registrations.setAccommodations(id, [{ candidateId: `acc-a-${id}`, extraTimeMinutes: 20 }])).toBe(1);
      expect(await db.repos.registrations.get(id, `acc-a-${id}`)).toMatchObject({ extraTimeMinutes: 20, restBreakMinutes: 10 });
      expect((await db.repos.registrations.find(id, `acc-a-${id}`))?.extraTimeMinutes).toBe(20);
      const list = await db.repos.registrations.list(id, { limit: 10, offset: 0 });
      expect(list.registrations.map((r) => [r.extraTimeMinutes, r.restBreakMinutes])).toEqual([
        [20, 10],
        [0, 5],
      ]);
    });

    it('carries the planned accommodations into the staff session list and the attendance rows', async () => {
      const id = randomUUID();
      await db.repos.exams.create(id, { title: 'Accommodations live', durationMinutes: 30, questions: [] }, 'suite', T);
      await db.repos.registrations.register(id, [{ candidateId: `al-a-${id}`, name: 'A', accessCodeHash: 'h' }, { candidateId: `al-b-${id}`, name: 'B', accessCodeHash: 'h' }], T);
      await db.repos.registrations.setAccommodations(id, [{ candidateId: `al-a-${id}`, extraTimeMinutes: 15, restBreakMinutes: 10 }]);
      await db.repos.examSessions.insert(session(id, `al-a-${id}`), T);
      const listed = await db.repos.examSessions.listForStaff({ examId: id, places: { all: true }, limit: 10 });
      expect(listed.map((s) => [s.candidateId, s.plannedExtraMinutes, s.restBreakMinutes])).toEqual([[`al-a-${id}`, 15, 10]]);
      const rows = await db.repos.roomOps.attendance({ examId: id, places: { all: true }, limit: 10, now: T });
      expect(rows.map((r) => [r.candidateId, r.plannedExtraMinutes, r.restBreakMinutes]).sort()).toEqual([
        [`al-a-${id}`, 15, 10],
        [`al-b-${id}`, 0, 0],
      ]);
    });
  });
}
