import { and, asc, count, eq, inArray, isNotNull, max, sql, type SQL } from 'drizzle-orm';
import type { RoomOpsRepo } from '../../../ports/repositories.ts';
import type { AttendanceFilter, AttendanceRecord, BatchDelivery, NoteFilter, NoteRecord, WaiverRecord } from '../../../ports/room-ops-records.ts';
import type { Db } from '../open.ts';
import { answers, authSessions, candidates, centers, checkWaivers, examSessions, exams, idChecks, incidentNotes, instructions, registrations, rooms } from '../schema.ts';
import { selectList } from '../select-list.ts';
import type { Sync } from '../sync.ts';
import { placeCondition } from './alerts.ts';

/** The hall: attendance, ID checks, progress, the incident log, check waivers, room-action deliveries. */
export class SqliteRoomOps implements Sync<RoomOpsRepo> {
  private readonly waiversOf;

  constructor(private readonly db: Db) {
    // Read by every start: prepared once.
    const waivers = db.$client.prepare(`SELECT ${selectList(checkWaivers)} FROM check_waivers WHERE exam_id = ? AND candidate_id = ? ORDER BY at ASC, id ASC`);
    this.waiversOf = (examId: string, candidateId: string) => waivers.all(examId, candidateId) as (typeof checkWaivers.$inferSelect)[];
  }

  attendance(f: AttendanceFilter): AttendanceRecord[] {
    const conds: (SQL | undefined)[] = [placeCondition(f.places, registrations.centerId, registrations.roomId)];
    conds.push(f.examId ? eq(registrations.examId, f.examId) : eq(exams.status, 'open'));
    if (f.centerId) conds.push(eq(registrations.centerId, f.centerId));
    if (f.roomId) conds.push(eq(registrations.roomId, f.roomId));
    // The first sign-in of the registration (its login user id is the registration id).
    const signedIn = sql<number | null>`(SELECT min(${authSessions.createdAt}) FROM ${authSessions} WHERE ${authSessions.userId} = ${registrations.id} AND ${authSessions.subjectType} = 'candidate')`;
    return this.db
      .select({
        examId: registrations.examId,
        examTitle: exams.title,
        examOpensAt: exams.opensAt,
        registrationId: registrations.id,
        candidateId: registrations.candidateId,
        name: candidates.name,
        centerId: registrations.centerId,
        centerName: centers.name,
        roomId: registrations.roomId,
        roomName: rooms.name,
        seat: registrations.seat,
        plannedExtraMinutes: registrations.extraTimeMinutes,
        restBreakMinutes: registrations.restBreakMinutes,
        signedInAt: signedIn,
        attemptId: examSessions.attemptId,
        status: examSessions.status,
        startedAt: examSessions.startedAt,
        idCheckedAt: idChecks.checkedAt,
        idCheckedBy: idChecks.checkedBy,
      })
      .from(registrations)
      .innerJoin(exams, eq(exams.id, registrations.examId))
      .innerJoin(candidates, eq(candidates.candidateId, registrations.candidateId))
      .leftJoin(centers, eq(centers.id, registrations.centerId))
      .leftJoin(rooms, eq(rooms.id, registrations.roomId))
      .leftJoin(examSessions, and(eq(examSessions.examId, registrations.examId), eq(examSessions.candidateId, registrations.candidateId)))
      .leftJoin(idChecks, and(eq(idChecks.examId, registrations.examId), eq(idChecks.candidateId, registrations.candidateId)))
      .where(and(...conds))
      .orderBy(asc(registrations.roomId), asc(registrations.seat), asc(registrations.candidateId))
      .limit(f.limit)
      .all()
      .map((r) => ({ ...r, signedInAt: r.signedInAt === null ? null : Number(r.signedInAt) }));
  }

  setIdCheck(examId: string, candidateId: string, checked: { at: number; by: string } | null): void {
    if (checked === null) {
      this.db.delete(idChecks).where(and(eq(idChecks.examId, examId), eq(idChecks.candidateId, candidateId))).run();
      return;
    }
    this.db
      .insert(idChecks)
      .values({ examId, candidateId, checkedAt: checked.at, checkedBy: checked.by })
      .onConflictDoUpdate({ target: [idChecks.examId, idChecks.candidateId], set: { checkedAt: checked.at, checkedBy: checked.by } })
      .run();
  }

  answerStats(attemptIds: string[]): Map<string, { count: number; lastSavedAt: number | null }> {
    const out = new Map<string, { count: number; lastSavedAt: number | null }>();
    for (let i = 0; i < attemptIds.length; i += 500) {
      const rows = this.db
        .select({ attemptId: answers.attemptId, n: count(), last: max(answers.savedAt) })
        .from(answers)
        .where(inArray(answers.attemptId, attemptIds.slice(i, i + 500)))
        .groupBy(answers.attemptId)
        .all();
      for (const r of rows) out.set(r.attemptId, { count: r.n, lastSavedAt: r.last ?? null });
    }
    return out;
  }

  addNote(n: NoteRecord): void {
    this.db.insert(incidentNotes).values(n).run();
  }

  notes(f: NoteFilter): NoteRecord[] {
    const conds: (SQL | undefined)[] = [placeCondition(f.places, incidentNotes.centerId, incidentNotes.roomId)];
    if (!f.places.all) conds.push(isNotNull(incidentNotes.centerId));
    if (f.examId) conds.push(eq(incidentNotes.examId, f.examId));
    if (f.centerId) conds.push(eq(incidentNotes.centerId, f.centerId));
    if (f.roomId) conds.push(eq(incidentNotes.roomId, f.roomId));
    if (f.attemptId) conds.push(eq(incidentNotes.attemptId, f.attemptId));
    return this.db
      .select()
      .from(incidentNotes)
      .where(and(...conds))
      .orderBy(asc(incidentNotes.at), asc(incidentNotes.id))
      .limit(f.limit)
      .all();
  }

  addWaiver(w: WaiverRecord): void {
    this.db
      .insert(checkWaivers)
      .values({ ...w, checks: JSON.stringify(w.checks) })
      .run();
  }

  waivers(examId: string, candidateId: string): WaiverRecord[] {
    return this.waiversOf(examId, candidateId).map((r) => ({ ...r, checks: JSON.parse(r.checks) as string[] }));
  }

  batchDelivery(batchId: string, roomId: string): BatchDelivery {
    const r = this.db
      .select({ issued: count(), delivered: count(instructions.deliveredAt), acknowledged: count(instructions.ackedAt) })
      .from(instructions)
      .where(and(eq(instructions.batchId, batchId), inArray(instructions.attemptId, this.db.select({ a: examSessions.attemptId }).from(examSessions).where(eq(examSessions.roomId, roomId)))))
      .get();
    return { issued: r?.issued ?? 0, delivered: r?.delivered ?? 0, acknowledged: r?.acknowledged ?? 0 };
  }
}
