import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Database } from '../ports/database.ts';
import type { SessionRecord } from '../ports/types.ts';
import { sessionFixture } from './session-fixture.ts';

/**
 * The hall's repository (attendance, ID checks, progress, notes, waivers, room-action deliveries),
 * run inside the shared repository suite against every database adapter.
 */
export function describeRoomOps(db: () => Database, T: number): void {
  describe('the hall: attendance, notes, waivers, deliveries', () => {
    const setup = async () => {
      const d = db();
      const examId = randomUUID();
      await d.repos.exams.create(examId, { title: 'Hall exam', durationMinutes: 30, questions: [{ id: 'q1', type: 'text', prompt: 'Say something' }, { id: 'q2', type: 'text', prompt: 'More' }] }, 'suite', T);
      const centerId = randomUUID();
      const [roomA, roomB] = [randomUUID(), randomUUID()];
      await d.repos.places.createCenter({ id: centerId, name: `Hall ${centerId}`, address: '' }, T);
      await d.repos.places.createRoom({ id: roomA, centerId, name: 'Hall A', capacity: 10 }, T);
      await d.repos.places.createRoom({ id: roomB, centerId, name: 'Hall B', capacity: 10 }, T);
      const ids = ['h1', 'h2', 'h3'].map((x) => `${x}-${randomUUID()}`);
      await d.repos.roster.import(
        examId,
        ids.map((candidateId, i) => ({ candidateId, name: `Name ${i + 1}`, accessCodeHash: 'h', placement: { centerId, roomId: i < 2 ? roomA : roomB, seat: `S${i + 1}` } })),
        T,
      );
      return { d, examId, centerId, roomA, roomB, ids };
    };
    const session = (examId: string, candidateId: string, centerId: string, roomId: string): SessionRecord => sessionFixture({ examId, candidateId, at: T }, { startedAt: T + 5, centerId, roomId });

    it('attendance lists every registration in scope with its sign-in, attempt and ID check', async () => {
      const { d, examId, centerId, roomA, roomB, ids } = await setup();
      const [a, b, c] = ids as [string, string, string];
      const regB = (await d.repos.registrations.find(examId, b))!;
      await d.repos.loginSessions.insert({
        id: randomUUID(), tokenHash: randomUUID(), subjectType: 'candidate', userId: regB.id, role: 'candidate', examId, candidateId: b, userAgent: 's', deviceType: 'desktop', deviceName: 's', browser: 'b', os: 'o', ipAddress: '10.0.0.1', createdAt: T + 3, lastActivity: T + 3, expiresAt: T + 3_600_000, idleTimeoutMs: 600_000, revokedAt: null,
      });
      const s = session(examId, a, centerId, roomA);
      await d.repos.examSessions.insert(s, T);
      await d.repos.roomOps.setIdCheck(examId, a, { at: T + 9, by: 'proctor-1' });
      const all = await d.repos.roomOps.attendance({ examId, places: { all: true }, limit: 100, now: T + 10 });
      expect(all.map((r) => r.candidateId).sort()).toEqual([a, b, c].sort());
      const byId = new Map(all.map((r) => [r.candidateId, r]));
      expect(byId.get(a)).toMatchObject({ examTitle: 'Hall exam', attemptId: s.attemptId, status: 'active', startedAt: T + 5, idCheckedAt: T + 9, idCheckedBy: 'proctor-1', roomName: 'Hall A', seat: 'S1' });
      expect(byId.get(b)).toMatchObject({ attemptId: null, status: null, signedInAt: T + 3, idCheckedAt: null });
      expect(byId.get(c)).toMatchObject({ signedInAt: null, roomId: roomB });
      // Scoped: a proctor of room A sees A's two; of another center nothing.
      const roomOnly = await d.repos.roomOps.attendance({ examId, places: { all: false, assignments: [{ centerId, roomId: roomA }] }, limit: 100, now: T });
      expect(roomOnly.map((r) => r.candidateId).sort()).toEqual([a, b].sort());
      expect(await d.repos.roomOps.attendance({ examId, places: { all: false, assignments: [{ centerId: randomUUID(), roomId: null }] }, limit: 100, now: T })).toEqual([]);
      expect((await d.repos.roomOps.attendance({ examId, roomId: roomB, places: { all: true }, limit: 100, now: T })).map((r) => r.candidateId)).toEqual([c]);
      await d.repos.roomOps.setIdCheck(examId, a, null);
      expect((await d.repos.roomOps.attendance({ examId, roomId: roomA, places: { all: true }, limit: 100, now: T })).find((r) => r.candidateId === a)?.idCheckedAt).toBeNull();
    });

    it('answer stats per attempt; notes and waivers are append-only rows; batch deliveries are counted', async () => {
      const { d, examId, centerId, roomA, ids } = await setup();
      const s = session(examId, ids[0]!, centerId, roomA);
      await d.repos.examSessions.insert(s, T);
      await d.repos.answers.saveBatch([
        { attemptId: s.attemptId, questionId: 'q1', valueJson: '"x"', clientSeq: 1, at: T + 100 },
        { attemptId: s.attemptId, questionId: 'q2', valueJson: '"y"', clientSeq: 2, at: T + 200 },
      ]);
      const stats = await d.repos.roomOps.answerStats([s.attemptId, randomUUID()]);
      expect(stats.get(s.attemptId)).toEqual({ count: 2, lastSavedAt: T + 200 });
      expect(stats.size).toBe(1);

      const note = { id: randomUUID(), at: T + 1, authorId: 'p1', authorName: 'Ines', examId, centerId, roomId: roomA, candidateId: ids[0]!, attemptId: s.attemptId, text: 'Phone on desk' };
      const roomNote = { ...note, id: randomUUID(), at: T + 2, candidateId: null, attemptId: null, text: 'Fire alarm test at 10:15' };
      await d.repos.roomOps.addNote(note);
      await d.repos.roomOps.addNote(roomNote);
      expect(await d.repos.roomOps.notes({ roomId: roomA, places: { all: true }, limit: 10 })).toEqual([note, roomNote]);
      expect(await d.repos.roomOps.notes({ attemptId: s.attemptId, places: { all: true }, limit: 10 })).toEqual([note]);
      expect(await d.repos.roomOps.notes({ roomId: roomA, places: { all: false, assignments: [{ centerId: randomUUID(), roomId: null }] }, limit: 10 })).toEqual([]);

      const w = { id: randomUUID(), examId, candidateId: ids[1]!, at: T + 3, grantedBy: 'p1', grantedByName: 'Ines', reason: 'VM false positive on lab PCs', checks: ['vm'] };
      await d.repos.roomOps.addWaiver(w);
      expect(await d.repos.roomOps.waivers(examId, ids[1]!)).toEqual([w]);
      expect(await d.repos.roomOps.waivers(examId, ids[0]!)).toEqual([]);

      const batchId = randomUUID();
      const i1 = randomUUID();
      await d.repos.instructions.add({ id: i1, attemptId: s.attemptId, type: 'pause', message: null, issuedAt: T, issuedBy: 'p1', reason: 'fire', deviceGeneration: 0, batchId });
      await d.repos.instructions.add({ id: randomUUID(), attemptId: s.attemptId, type: 'message', message: 'x', issuedAt: T, issuedBy: 'p1', reason: null, deviceGeneration: 0, batchId });
      expect(await d.repos.roomOps.batchDelivery(batchId, roomA)).toEqual({ issued: 2, delivered: 0, acknowledged: 0 });
      // Asked through another room, the batch shows nothing.
      expect(await d.repos.roomOps.batchDelivery(batchId, randomUUID())).toEqual({ issued: 0, delivered: 0, acknowledged: 0 });
      await d.repos.instructions.markDelivered(s.attemptId, [i1], T + 1);
      await d.repos.instructions.ack(s.attemptId, 0, [i1], T + 2);
      expect(await d.repos.roomOps.batchDelivery(batchId, roomA)).toEqual({ issued: 2, delivered: 1, acknowledged: 1 });
    });
  });
}
